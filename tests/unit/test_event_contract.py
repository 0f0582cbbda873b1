"""The inbound event contract: the reference examples, strict wire types, invariants."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shared.events import topics
from shared.events.bank import LoanDisbursed
from shared.events.envelope import Envelope, MalformedRecord, new_event
from shared.events.registry import (
    EventSpec, all_specs, parse_payload, parse_record, register, spec_for,
)

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "contract-examples"

CONTRACT_TYPES = {
    topics.BANK_LOANS: {
        "bank.loan.disbursed.v1", "bank.repayment.received.v1", "bank.repayment.reversed.v1",
        "bank.loan.restructured.v1", "bank.collateral.revalued.v1", "bank.loan.closed.v1"},
    topics.BANK_CUSTOMERS: {
        "bank.customer.registered.v1", "bank.customer.contact-changed.v1",
        "bank.customer.employment-changed.v1", "bank.customer.credit-report-updated.v1",
        "bank.customer.financials-reported.v1", "bank.customer.legal-event.v1"},
    topics.BANK_MARKET: {"bank.industry.risk-changed.v1", "bank.region.risk-changed.v1"},
    topics.BANK_CALENDAR: {"bank.business-day.closed.v1"},
}

# Each "expect" text in invalid.json -> the DLQ reason and a field the message must name.
EXPECTED = {
    "invalid JSON": ("invalid_json", None),
    "unknown type": ("unknown_type", "bank.loan.teleported.v1"),
    "amount must be a decimal string, not a float": ("schema_violation", "amount"),
    "negative amount": ("schema_violation", "amount"),
    "invalid date": ("schema_violation", "paid_date"),
    "unknown enum value": ("schema_violation", "kind"),
    "missing envelope attributes (specversion, source, time)": ("invalid_envelope", "source"),
}


def _examples(name: str) -> list[dict[str, Any]]:
    path = EXAMPLES / name
    if not path.exists():
        pytest.skip(f"reference examples not found at {path} (the shared folder sits beside "
                    "the checkout on developer machines and in CI)")
    return json.loads(path.read_text(encoding="utf-8"))


def _raw(record: dict[str, Any]) -> bytes:
    if "raw_value" in record:
        return record["raw_value"].encode("utf-8")
    return json.dumps(record["value"]).encode("utf-8")


def _refusal(topic: str, raw: bytes) -> MalformedRecord:
    with pytest.raises(MalformedRecord) as caught:
        parse_record(topic, raw)
    return caught.value


def _disbursed(**changes: Any) -> dict[str, Any]:
    data = {
        "loan_id": "L-1", "customer_id": "C-1", "product": "consumer_installment",
        "currency": "CNY", "principal": "1000.00", "annual_rate": "0.0500",
        "disbursed_date": "2026-01-10", "maturity_date": "2026-03-10",
        "payment_mode": "self", "purpose": "working capital", "industry_code": "F52",
        "region_code": "310000",
        "schedule": [
            {"installment_no": 1, "due_date": "2026-02-10", "principal_due": "500.00",
             "interest_due": "4.17"},
            {"installment_no": 2, "due_date": "2026-03-10", "principal_due": "500.00",
             "interest_due": "2.08"},
        ],
        "collateral": [{"collateral_id": "COL-1", "kind": "vehicle", "value": "800.00",
                        "valued_date": "2026-01-05"}],
    }
    return data | changes


def _payment(**changes: Any) -> dict[str, Any]:
    data = {"loan_id": "L-1", "payment_id": "P-1", "amount": "10.00",
            "paid_date": "2026-12-15", "channel": "auto_debit"}
    return data | changes


def _parse(type_: str, data: dict[str, Any]) -> Any:
    return parse_payload(new_event(type=type_, source="test", subject=None, data=data))


def _violation(type_: str, data: dict[str, Any]) -> MalformedRecord:
    with pytest.raises(MalformedRecord) as caught:
        _parse(type_, data)
    assert caught.value.reason == "schema_violation"
    return caught.value


def test_every_valid_example_parses_on_its_topic() -> None:
    for record in _examples("valid.json"):
        envelope, payload = parse_record(record["topic"], _raw(record))
        assert isinstance(payload, spec_for(envelope.type).model)
        assert envelope == Envelope.from_bytes(_raw(record))


def test_every_valid_example_round_trips_to_the_same_data() -> None:
    for record in _examples("valid.json"):
        _, payload = parse_record(record["topic"], _raw(record))
        assert payload.model_dump(mode="json", exclude_unset=True) == record["value"]["data"]


def test_examples_on_partitioned_topics_are_keyed_by_the_spec_key_field() -> None:
    # Ordering per loan or customer depends on the key; the one-partition calendar needs none.
    for record in _examples("valid.json"):
        spec = spec_for(record["value"]["type"])
        if spec.topic not in topics.SINGLE_PARTITION_TOPICS:
            assert record["key"] == record["value"]["data"][spec.key_field]


def test_every_invalid_example_is_refused_with_the_expected_reason() -> None:
    records = _examples("invalid.json")
    assert {record["expect"] for record in records} <= set(EXPECTED), "unmapped expectation"
    for record in records:
        reason, named = EXPECTED[record["expect"]]
        refusal = _refusal(record["topic"], _raw(record))
        assert refusal.reason == reason, record["expect"]
        assert named is None or named in refusal.message, refusal.message


def test_every_contract_event_type_is_registered_on_its_topic() -> None:
    for topic, types in CONTRACT_TYPES.items():
        for type_ in types:
            spec = spec_for(type_)
            assert (spec.topic, spec.producer) == (topic, "bank")
            assert spec.key_field in spec.model.model_fields


def test_every_registered_topic_is_in_the_topic_catalogue() -> None:
    assert {spec.topic for spec in all_specs()} <= set(topics.ALL_TOPICS)


def test_unknown_type_is_refused() -> None:
    with pytest.raises(MalformedRecord) as caught:
        spec_for("bank.loan.teleported.v1")
    assert caught.value.reason == "unknown_type"


def test_event_on_the_wrong_topic_is_refused() -> None:
    event = new_event(type="bank.repayment.received.v1", source="t", subject="L-1",
                      data=_payment())
    refusal = _refusal(topics.BANK_CUSTOMERS, event.to_bytes())
    assert refusal.reason == "wrong_topic"


def test_registering_a_type_twice_fails() -> None:
    spec = spec_for("bank.loan.closed.v1")
    with pytest.raises(ValueError, match="already registered"):
        register(EventSpec(spec.type, spec.topic, spec.model, spec.key_field, "", "bank"))


def test_money_given_as_float_is_refused() -> None:
    refusal = _violation("bank.repayment.received.v1", _payment(amount=2612.02))
    assert "amount" in refusal.message


def test_negative_money_is_refused() -> None:
    _violation("bank.repayment.received.v1", _payment(amount="-5.00"))
    _violation("bank.loan.disbursed.v1", _disbursed(principal="-1000.00"))


def test_a_loss_is_a_legitimate_negative_net_profit() -> None:
    payload = _parse("bank.customer.financials-reported.v1", {
        "customer_id": "C-1", "period_end": "2026-09-30", "revenue": "100.00",
        "net_profit": "-35.00", "total_assets": "80.00", "total_liabilities": "70.00",
        "current_assets": "20.00", "current_liabilities": "25.00",
        "operating_cash_flow": "-12.00"})
    assert payload.net_profit == Decimal("-35.00")


@pytest.mark.parametrize("value", ["15/12/2026", "2026-13-45", "2026-12-15T00:00:00Z", 20261215])
def test_dates_must_be_iso_dates(value: Any) -> None:
    refusal = _violation("bank.repayment.received.v1", _payment(paid_date=value))
    assert "paid_date" in refusal.message


def test_known_fields_are_strictly_typed() -> None:
    _violation("bank.customer.credit-report-updated.v1", {
        "customer_id": "C-1", "report_date": "2026-11-25", "score": "612",
        "overdue_accounts_elsewhere": 1, "total_debt_elsewhere": "0.00"})
    _violation("bank.repayment.received.v1", _payment(loan_id=123))


def test_unknown_extra_fields_are_allowed_and_kept() -> None:
    data = _disbursed(branch="Pudong")
    data["schedule"][0]["fee_due"] = "1.00"
    payload = _parse("bank.loan.disbursed.v1", data)
    dumped = payload.model_dump(mode="json")
    assert dumped["branch"] == "Pudong"
    assert dumped["schedule"][0]["fee_due"] == "1.00"


def test_payload_round_trips_through_json_with_decimals_as_strings() -> None:
    payload = LoanDisbursed.model_validate(_disbursed())
    text = payload.model_dump_json()
    assert LoanDisbursed.model_validate_json(text) == payload
    wire = json.loads(text)
    assert wire["principal"] == "1000.00" and wire["annual_rate"] == "0.0500"
    assert wire["schedule"][1]["interest_due"] == "2.08"
    assert wire["disbursed_date"] == "2026-01-10"


def test_schema_violation_names_fields_but_never_echoes_values() -> None:
    refusal = _violation("bank.customer.registered.v1", {
        "customer_id": "C-1", "kind": "individual", "name": "Zhang San",
        "id_number": 310101199001011234, "phone": "+8613912345678",
        "address": "1 Nanjing Road", "timezone": "Asia/Shanghai", "region_code": "310000",
        "industry_code": "F52", "employer": None, "monthly_income": "n/a"})
    assert "id_number" in refusal.message and "monthly_income" in refusal.message
    for secret in ("310101199001011234", "n/a", "Zhang San", "Nanjing"):
        assert secret not in refusal.message


def test_a_disbursement_needs_a_schedule() -> None:
    _violation("bank.loan.disbursed.v1", _disbursed(schedule=[]))


def test_installment_numbers_are_unique_and_start_at_one() -> None:
    schedule = _disbursed()["schedule"]
    _violation("bank.loan.disbursed.v1", _disbursed(
        schedule=[schedule[0], schedule[1] | {"installment_no": 1}]))
    _violation("bank.loan.disbursed.v1", _disbursed(
        schedule=[schedule[0] | {"installment_no": 0}]))


def test_due_dates_ascend_with_the_installment_number() -> None:
    schedule = _disbursed()["schedule"]
    refusal = _violation("bank.loan.disbursed.v1", _disbursed(
        schedule=[schedule[0] | {"installment_no": 2}, schedule[1] | {"installment_no": 1}]))
    assert "schedule" in refusal.message


def test_maturity_is_not_before_disbursement() -> None:
    _violation("bank.loan.disbursed.v1", _disbursed(maturity_date="2026-01-01"))


def test_schedule_falls_between_disbursement_and_maturity() -> None:
    schedule = _disbursed()["schedule"]
    _violation("bank.loan.disbursed.v1", _disbursed(
        schedule=[schedule[0], schedule[1] | {"due_date": "2026-04-10"}]))


def test_annual_rate_is_a_fraction_not_a_percentage() -> None:
    refusal = _violation("bank.loan.disbursed.v1", _disbursed(annual_rate="5.0"))
    assert "annual_rate" in refusal.message


def test_a_restructured_schedule_may_continue_numbering() -> None:
    payload = _parse("bank.loan.restructured.v1", {
        "loan_id": "L-1", "effective_date": "2027-02-01", "reason": "hardship_extension",
        "schedule": [{"installment_no": 3, "due_date": "2027-03-15",
                      "principal_due": "1200.00", "interest_due": "160.00"}]})
    assert payload.schedule[0].installment_no == 3


def test_contact_change_must_change_phone_or_address() -> None:
    _violation("bank.customer.contact-changed.v1", {"customer_id": "C-1"})
    payload = _parse("bank.customer.contact-changed.v1",
                     {"customer_id": "C-1", "address": "2 Nanjing Road"})
    assert payload.phone is None


def test_close_reason_is_one_of_the_contract_values() -> None:
    _violation("bank.loan.closed.v1", {"loan_id": "L-1", "closed_date": "2028-05-15",
                                       "reason": "forgiven"})

