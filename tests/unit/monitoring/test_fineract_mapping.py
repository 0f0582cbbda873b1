"""Each Fineract loan event type onto the native bank payloads (pure mapping, decoded records
as fastavro returns them from the real schemas)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.monitoring.fineract.mapping import (
    MAPPERS, Context, MappingError, Native, Observe, Reopen, money, translate,
)
from tests.support.fineract import (
    ACCOUNT, ADJUSTMENT, NEEDS_SCHEMAS, REPAYMENT_DUE, TRANSACTION, account, message, periods,
    repayment_due, store, transaction,
)

DAY = date(2026, 1, 5)
FIRST_DUE = date(2026, 2, 5)
CTX = Context(business_date=date(2026, 3, 1))
pytestmark = NEEDS_SCHEMAS


def _roundtrip(schema: str, record: dict) -> dict:
    """Through the wire, so the mapper sees exactly what decoding yields."""
    from services.monitoring.fineract.avro import decode_message
    _, items = decode_message(store(), message("X", schema, record, business_date=DAY))
    return store().decode(items[0].data, expect=schema)[1]


def _map(event_type: str, schema: str, record: dict):  # type: ignore[no-untyped-def]
    return translate(event_type, schema, _roundtrip(schema, record), CTX)


def test_amounts_are_decimal_20_8_quantized_to_cents_half_up() -> None:
    assert money(Decimal("1050.00500000")) == Decimal("1050.01")
    assert money(Decimal("0.00499999")) == Decimal("0.00")
    assert money(None) == Decimal("0.00")


def test_disbursal_registers_the_loan_with_its_schedule_and_a_fractional_rate() -> None:
    [effect] = _map("LoanDisbursalBusinessEvent", ACCOUNT,
                    account(42, client_id=7, disbursed=DAY, first_due=FIRST_DUE, count=3))
    assert isinstance(effect, Native) and effect.type == "bank.loan.disbursed.v1"
    event = effect.payload
    assert (event.loan_id, event.customer_id, event.currency, event.principal) == \
        ("42", "7", "CNY", Decimal("3000.00"))
    assert event.annual_rate == Decimal("0.06") and event.disbursed_date == DAY
    assert [(i.installment_no, i.due_date, i.principal_due, i.interest_due) for i in event.schedule] == [
        (1, date(2026, 2, 5), Decimal("1000.00"), Decimal("50.00")),
        (2, date(2026, 3, 5), Decimal("1000.00"), Decimal("50.00")),
        (3, date(2026, 4, 5), Decimal("1000.00"), Decimal("50.00"))]
    assert event.maturity_date == date(2026, 4, 5) and event.collateral == []


@pytest.mark.parametrize("event_type, channel", [
    ("LoanTransactionMakeRepaymentPostBusinessEvent", "auto_debit"),
    ("LoanTransactionRecoveryPaymentPostBusinessEvent", "auto_debit"),
    ("LoanTransactionDownPaymentPostBusinessEvent", "auto_debit"),
])
def test_repayment_like_transactions_become_repayments_received(event_type, channel) -> None:
    [effect] = _map(event_type, TRANSACTION, transaction(42, 901, "1050.004", FIRST_DUE))
    assert effect.type == "bank.repayment.received.v1"
    assert (effect.payload.loan_id, effect.payload.payment_id, effect.payload.amount,
            effect.payload.paid_date, effect.payload.channel) == \
        ("42", "901", Decimal("1050.00"), FIRST_DUE, channel)


def test_an_undone_repayment_is_reversed_and_an_adjusted_one_is_replaced() -> None:
    old = transaction(42, 901, "1050.00", FIRST_DUE, reversed_on=date(2026, 2, 7))
    [reversal] = _map("LoanAdjustTransactionBusinessEvent", ADJUSTMENT,
                      {"transactionToAdjust": old, "newTransactionDetail": None})
    assert reversal.type == "bank.repayment.reversed.v1"
    assert (reversal.payload.payment_id, reversal.payload.reversed_date, reversal.payload.reason) == \
        ("901", date(2026, 2, 7), "fineract_undone")
    reversal, replacement = _map("LoanAdjustTransactionBusinessEvent", ADJUSTMENT, {
        "transactionToAdjust": old,
        "newTransactionDetail": transaction(42, 902, "500.00", FIRST_DUE)})
    assert reversal.payload.reason == "fineract_adjusted"
    assert (replacement.type, replacement.payload.payment_id, replacement.payload.amount) == \
        ("bank.repayment.received.v1", "902", Decimal("500.00"))


def test_adjusting_a_transaction_that_is_not_a_repayment_does_not_matter() -> None:
    fee = transaction(42, 5, "10.00", FIRST_DUE, kind="accrual")
    assert _map("LoanAdjustTransactionBusinessEvent", ADJUSTMENT,
                {"transactionToAdjust": fee, "newTransactionDetail": None}) is None


@pytest.mark.parametrize("event_type", ["LoanChargeOffPostBusinessEvent",
                                        "LoanWrittenOffPostBusinessEvent"])
def test_charge_off_and_write_off_take_the_loan_off_the_book(event_type) -> None:
    [effect] = _map(event_type, TRANSACTION, transaction(42, 950, "11000.00", date(2026, 6, 1),
                                                         kind="chargeOff"))
    assert effect.type == "bank.loan.closed.v1"
    assert (effect.payload.closed_date, effect.payload.reason.value) == (date(2026, 6, 1), "written_off")


@pytest.mark.parametrize("event_type, undone", [("LoanUndoChargeOffBusinessEvent", "charge_off"),
                                                ("LoanUndoWrittenOffBusinessEvent", "write_off")])
def test_undoing_a_charge_off_or_write_off_reopens_the_loan(event_type, undone) -> None:
    [effect] = _map(event_type, TRANSACTION,
                    transaction(42, 950, "11000.00", date(2026, 6, 1), reversed_on=date(2026, 6, 3)))
    assert effect == Reopen("42", date(2026, 6, 3), undone)


@pytest.mark.parametrize("event_type, reason", [
    ("LoanReAgeBusinessEvent", "fineract_re_age"),
    ("LoanReAmortizeBusinessEvent", "fineract_re_amortize"),
    ("LoanRescheduledDueAdjustScheduleBusinessEvent", "fineract_reschedule"),
])
def test_re_age_re_amortize_and_reschedule_restructure_the_unpaid_schedule(event_type, reason) -> None:
    rows = periods(date(2026, 4, 5), 4, "800.00", "20.00", paid=1)
    [effect] = _map(event_type, ACCOUNT, account(42, disbursed=DAY, first_due=FIRST_DUE,
                                                 schedule=rows))
    assert effect.type == "bank.loan.restructured.v1" and effect.payload.reason == reason
    assert effect.payload.effective_date == CTX.business_date
    assert [i.installment_no for i in effect.payload.schedule] == [2, 3, 4]
    assert effect.payload.schedule[0].principal_due == Decimal("800.00")


@pytest.mark.parametrize("event_type, flag, reason", [
    ("LoanCloseBusinessEvent", None, "repaid"),
    ("LoanCloseAsRescheduleBusinessEvent", None, "transferred"),
    ("LoanStatusChangedBusinessEvent", "closedObligationsMet", "repaid"),
    ("LoanStatusChangedBusinessEvent", "closedWrittenOff", "written_off"),
])
def test_closing_events_and_status_changes_close_the_loan(event_type, flag, reason) -> None:
    status = {"id": 600, "code": "loanStatusType.closed", flag: True} if flag else None
    record = account(42, disbursed=DAY, first_due=FIRST_DUE, status=status)
    record["timeline"]["closedOnDate"] = "2026-12-05"
    [effect] = _map(event_type, ACCOUNT, record)
    assert (effect.type, effect.payload.closed_date, effect.payload.reason.value) == \
        ("bank.loan.closed.v1", date(2026, 12, 5), reason)


def test_an_active_status_change_and_a_balance_change_are_observed() -> None:
    active = {"id": 300, "code": "loanStatusType.active", "active": True}
    assert _map("LoanStatusChangedBusinessEvent", ACCOUNT,
                account(42, disbursed=DAY, first_due=FIRST_DUE, status=active)) == [Observe("status", "42")]
    assert _map("LoanBalanceChangedBusinessEvent", ACCOUNT,
                account(42, disbursed=DAY, first_due=FIRST_DUE)) == \
        [Observe("balance", "42", Decimal("12000.00"))]


@pytest.mark.parametrize("event_type, kind", [("LoanRepaymentDueBusinessEvent", "repayment_due"),
                                              ("LoanRepaymentOverdueBusinessEvent", "repayment_overdue")])
def test_repayment_due_and_overdue_are_observed_since_postloan_ages_the_schedule_itself(
        event_type, kind) -> None:
    assert _map(event_type, REPAYMENT_DUE, repayment_due(42, 1, FIRST_DUE)) == [Observe(kind, "42")]


def test_delinquency_range_and_pause_changes_are_observed() -> None:
    range_record = {"loanId": 42, "loanAccountNo": "42", "charges": [],
                    "currency": {"code": "CNY"}, "amount": {"totalAmount": Decimal("1050")},
                    "delinquencyRange": {"id": 1, "classification": "RANGE_1", "minimumAgeDays": 1}}
    schema = "org.apache.fineract.avro.loan.v1.LoanAccountDelinquencyRangeDataV1"
    assert _map("LoanDelinquencyRangeChangeBusinessEvent", schema, range_record) == \
        [Observe("delinquency_range", "42")]
    assert _map("LoanAccountDelinquencyPauseChangedBusinessEvent", ACCOUNT,
                account(42, disbursed=DAY, first_due=FIRST_DUE)) == [Observe("delinquency_pause", "42")]


def test_types_that_do_not_matter_are_not_mapped() -> None:
    assert translate("LoanApprovedBusinessEvent", ACCOUNT, {}, CTX) is None
    assert translate("ClientCreateBusinessEvent", "x.ClientDataV1", {}, CTX) is None
    assert "LoanAccrualTransactionCreatedBusinessEvent" not in MAPPERS


def test_an_event_carrying_an_unexpected_schema_is_rejected() -> None:
    with pytest.raises(MappingError) as caught:
        translate("LoanDisbursalBusinessEvent", TRANSACTION, {}, CTX)
    assert caught.value.reason == "schema_mismatch"


def test_a_disbursal_without_its_loan_id_or_schedule_cannot_be_mapped() -> None:
    record = account(42, disbursed=DAY, first_due=FIRST_DUE)
    with pytest.raises(MappingError) as caught:
        translate("LoanDisbursalBusinessEvent", ACCOUNT, {**record, "id": None}, CTX)
    assert caught.value.reason == "unmappable"
    record["repaymentSchedule"]["periods"] = []
    with pytest.raises(MappingError) as caught:
        translate("LoanDisbursalBusinessEvent", ACCOUNT, record, CTX)
    assert caught.value.reason == "schema_violation"
