"""Everything the simulated bank publishes obeys the inbound contract."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

from shared.events.registry import parse_record, spec_for
from shared.events.topics import (
    BANK_CALENDAR, BANK_CUSTOMERS, BANK_LOANS, BANK_MARKET, INBOUND_TOPICS,
)
from tests.unit.simulator.conftest import OPTIONS

KEY_FIELDS = {BANK_LOANS: "loan_id", BANK_CUSTOMERS: "customer_id",
              BANK_CALENDAR: "business_date"}


def test_every_event_validates_against_its_registered_payload_model(feed) -> None:
    for topic, key, envelope in feed:
        parsed_envelope, payload = parse_record(topic, envelope.to_bytes())
        assert parsed_envelope == envelope
        assert type(payload) is spec_for(envelope.type).model


def test_every_event_sits_on_its_topic_with_the_right_key(feed) -> None:
    for topic, key, envelope in feed:
        assert topic in INBOUND_TOPICS and topic == spec_for(envelope.type).topic
        if topic == BANK_MARKET:
            expected = envelope.data.get("industry_code") or envelope.data["region_code"]
        else:
            expected = envelope.data[KEY_FIELDS[topic]]
        assert key == expected == envelope.subject


def test_envelopes_come_from_core_banking_with_zoned_times_and_unique_ids(feed) -> None:
    assert {e.source for _, _, e in feed} == {"core-banking"}
    assert all(e.time.utcoffset() is not None for _, _, e in feed)
    assert len({e.id for _, _, e in feed}) == len(feed)


def test_business_days_close_in_date_order_one_per_day(feed) -> None:
    closes = [e.data["business_date"] for t, _, e in feed if t == BANK_CALENDAR]
    expected = [(OPTIONS.start + timedelta(days=n)).isoformat() for n in range(OPTIONS.days)]
    assert closes == expected
    assert feed[-1][0] == BANK_CALENDAR


def test_each_business_day_closes_after_that_days_events(feed) -> None:
    day = OPTIONS.start
    for topic, _, envelope in feed:
        if topic == BANK_CALENDAR:
            assert envelope.data["business_date"] == day.isoformat()
            day += timedelta(days=1)
        else:
            # A seasoned loan's past goes out on the first day; nothing from the future.
            assert envelope.time.date() <= day


def test_a_loan_story_starts_with_its_disbursement_and_ends_at_its_closure(feed) -> None:
    stories: dict[str, list[str]] = defaultdict(list)
    for topic, key, envelope in feed:
        if topic == BANK_LOANS:
            stories[key].append(envelope.type)
    assert len(stories) == OPTIONS.loans
    for types in stories.values():
        assert types[0] == "bank.loan.disbursed.v1" and types.count("bank.loan.disbursed.v1") == 1
        assert "bank.loan.closed.v1" not in types[:-1]


def test_customers_are_registered_before_their_first_loan(feed) -> None:
    registered: set[str] = set()
    for topic, key, envelope in feed:
        if envelope.type == "bank.customer.registered.v1":
            assert key not in registered
            registered.add(key)
        elif topic == BANK_CUSTOMERS or envelope.type == "bank.loan.disbursed.v1":
            assert envelope.data["customer_id"] in registered


def test_reversals_name_an_earlier_payment_of_the_same_loan(feed) -> None:
    paid: set[tuple[str, str]] = set()
    reversals = 0
    for _, key, envelope in feed:
        if envelope.type == "bank.repayment.received.v1":
            paid.add((key, envelope.data["payment_id"]))
        elif envelope.type == "bank.repayment.reversed.v1":
            reversals += 1
            assert (key, envelope.data["payment_id"]) in paid
    assert reversals > 0


def test_loans_closed_as_repaid_received_exactly_their_schedule(feed) -> None:
    owed: dict[str, Decimal] = {}
    received: dict[str, Decimal] = defaultdict(Decimal)
    amounts: dict[tuple[str, str], Decimal] = {}
    closed = 0
    for _, key, envelope in feed:
        data = envelope.data
        if envelope.type == "bank.loan.disbursed.v1":
            owed[key] = sum(Decimal(i["principal_due"]) + Decimal(i["interest_due"])
                            for i in data["schedule"])
            principal = sum(Decimal(i["principal_due"]) for i in data["schedule"])
            assert principal == Decimal(data["principal"])
        elif envelope.type == "bank.repayment.received.v1":
            amounts[(key, data["payment_id"])] = Decimal(data["amount"])
            received[key] += Decimal(data["amount"])
        elif envelope.type == "bank.repayment.reversed.v1":
            received[key] -= amounts[(key, data["payment_id"])]
        elif envelope.type == "bank.loan.closed.v1" and data["reason"] == "repaid":
            closed += 1
            assert received[key] == owed[key]
    assert closed > 0


def test_the_book_has_every_product_kind_zone_and_payment_mode(feed) -> None:
    loans = [e.data for _, _, e in feed if e.type == "bank.loan.disbursed.v1"]
    customers = [e.data for _, _, e in feed if e.type == "bank.customer.registered.v1"]
    assert {x["product"] for x in loans} == {"consumer_installment", "mortgage", "small_business"}
    assert {x["payment_mode"] for x in loans} == {"entrusted", "self"}
    assert {x["kind"] for x in customers} == {"individual", "corporate"}
    zones = {x["timezone"] for x in customers}
    assert {"Asia/Shanghai", "Asia/Urumqi", "America/New_York"} <= zones
    assert all(x["collateral"] and x["collateral"][0]["kind"] == "real_estate"
               for x in loans if x["product"] == "mortgage")


def test_corporate_borrowers_report_financials_and_everyone_gets_a_credit_report(feed) -> None:
    kinds = {e.data["customer_id"]: e.data["kind"] for _, _, e in feed
             if e.type == "bank.customer.registered.v1"}
    reporting = Counter(e.data["customer_id"] for _, _, e in feed
                        if e.type == "bank.customer.financials-reported.v1")
    scored = {e.data["customer_id"] for _, _, e in feed
              if e.type == "bank.customer.credit-report-updated.v1"}
    assert {c for c, k in kinds.items() if k == "corporate"} == set(reporting)
    assert scored == set(kinds)


def test_every_inbound_event_type_is_produced(feed) -> None:
    produced = {e.type for _, _, e in feed}
    expected = {"bank.loan.disbursed.v1", "bank.repayment.received.v1",
                "bank.repayment.reversed.v1",
                "bank.collateral.revalued.v1", "bank.loan.closed.v1",
                "bank.customer.registered.v1", "bank.customer.contact-changed.v1",
                "bank.customer.employment-changed.v1", "bank.customer.credit-report-updated.v1",
                "bank.customer.financials-reported.v1", "bank.customer.legal-event.v1",
                "bank.industry.risk-changed.v1", "bank.region.risk-changed.v1",
                "bank.business-day.closed.v1"}
    assert expected <= produced


def test_money_is_a_decimal_string_with_cents(feed) -> None:
    money = {"bank.loan.disbursed.v1": ("principal",), "bank.repayment.received.v1": ("amount",),
             "bank.collateral.revalued.v1": ("value",),
             "bank.customer.credit-report-updated.v1": ("total_debt_elsewhere",),
             "bank.customer.financials-reported.v1": ("revenue", "net_profit", "total_assets")}
    for _, _, envelope in feed:
        for name in money.get(envelope.type, ()):
            whole, _, fraction = envelope.data[name].lstrip("-").partition(".")
            assert whole.isdigit() and len(fraction) == 2 and fraction.isdigit()
