"""The monitoring ledger end to end through its handlers: allocation, ageing by business
day, cure, reversal, restructuring, parking, legal events, and replay."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.monitoring.models import Loan
from tests.support import bank_events as bank
from tests.support.monitoring import MonitoringHarness

FIRST_DUE = date(2026, 2, 5)


def _after_due(days: int) -> date:
    return FIRST_DUE + timedelta(days=days)


@pytest.fixture
async def harness(database_url):  # type: ignore[no-untyped-def]
    async with MonitoringHarness(database_url) as h:
        await h.feed(bank.customer_registered("C-1", on=date(2026, 1, 2)),
                     bank.disbursed("L-1", "C-1", on=date(2026, 1, 5), first_due=FIRST_DUE))
        yield h


async def _loan(h: MonitoringHarness) -> Loan:
    async with h.sessions() as session:
        return await session.get(Loan, "L-1")


async def test_missed_payments_move_the_loan_through_the_five_categories_by_business_day(harness) -> None:
    expected = {0: ("normal", 1, "current"), 1: ("normal", 1, "M1"),
                7: ("normal", 1, "M1"), 8: ("special_mention", 2, "M1"),
                31: ("special_mention", 2, "M2"), 90: ("special_mention", 2, "M3"),
                91: ("substandard", 3, "M4"), 270: ("substandard", 3, "M5+"),
                271: ("doubtful", 3, "M5+"), 360: ("doubtful", 3, "M5+"), 361: ("loss", 3, "M5+")}
    for days, (classification, stage, bucket) in expected.items():
        await harness.feed(bank.business_day(_after_due(days)))
        loan = await _loan(harness)
        assert (loan.dpd, loan.classification, loan.ifrs9_stage, loan.bucket) == \
            (days, classification, stage, bucket), f"at {days} days past due"
    changes = await harness.published("monitoring.loan.classification-changed")
    assert [c["data"]["classification"] for c in changes] == \
        ["special_mention", "substandard", "doubtful", "loss"]
    assert all(c["data"]["reason"] and c["data"]["rule_version"] for c in changes)
    missed = await harness.published("monitoring.installment.missed")
    assert [m["data"]["installment_no"] for m in missed][:2] == [1, 2]
    assert len({m["data"]["installment_no"] for m in missed}) == len(missed), "each reported once"


async def test_a_payment_that_clears_the_arrears_cures_the_loan_at_once(harness) -> None:
    await harness.feed(bank.business_day(_after_due(10)))
    assert (await _loan(harness)).classification == "special_mention"
    await harness.feed(bank.repayment("L-1", "P-1", "1050.00", _after_due(10)))
    loan = await _loan(harness)
    assert (loan.dpd, loan.overdue_principal, loan.classification) == (0, Decimal("0"), "normal")
    cured = await harness.published("monitoring.loan.cured")
    assert len(cured) == 1 and cured[0]["data"]["previous_dpd"] == 10


async def test_a_partial_payment_leaves_the_loan_overdue_until_the_rest_is_below_materiality(harness) -> None:
    await harness.feed(bank.business_day(_after_due(3)),
                       bank.repayment("L-1", "P-1", "1000.00", _after_due(3)))
    loan = await _loan(harness)
    assert loan.dpd == 3 and loan.overdue_principal == Decimal("50.00")
    assert loan.overdue_interest == Decimal("0.00"), "interest is paid before principal"
    await harness.feed(bank.repayment("L-1", "P-2", "49.50", _after_due(3)))
    loan = await _loan(harness)
    assert loan.dpd == 0, "0.50 left is below the 1.00 materiality threshold"
    assert loan.overdue_principal == Decimal("0.50")


async def test_a_reversed_payment_reopens_what_it_paid(harness) -> None:
    await harness.feed(bank.repayment("L-1", "P-1", "1050.00", FIRST_DUE),
                       bank.business_day(_after_due(9)))
    assert (await _loan(harness)).dpd == 0
    await harness.feed(bank.reversal("L-1", "P-1", _after_due(9)))
    loan = await _loan(harness)
    assert (loan.dpd, loan.classification) == (9, "special_mention")
    assert (await harness.published("monitoring.repayment.reversed"))[0]["data"]["payment_id"] == "P-1"


async def test_the_same_payment_sent_twice_is_allocated_once(harness) -> None:
    await harness.feed(bank.repayment("L-1", "P-1", "500.00", FIRST_DUE),
                       bank.repayment("L-1", "P-1", "500.00", FIRST_DUE))
    assert (await _loan(harness)).outstanding_principal == Decimal("11550.00")


async def test_restructuring_floors_at_special_mention_and_a_missed_payment_in_observation_is_substandard(harness) -> None:
    await harness.feed(bank.business_day(_after_due(20)))
    await harness.feed(bank.restructured("L-1", on=_after_due(21), first_due=date(2026, 3, 20),
                                         count=24, principal_per="500.00"))
    loan = await _loan(harness)
    assert loan.restructured and loan.observation_start_date == date(2026, 3, 20)
    assert loan.observation_end_date >= date(2027, 3, 20)
    await harness.feed(bank.business_day(date(2026, 3, 19)))
    loan = await _loan(harness)
    assert (loan.dpd, loan.classification, loan.ifrs9_stage) == (0, "special_mention", 2)
    await harness.feed(bank.business_day(date(2026, 3, 25)))
    loan = await _loan(harness)
    assert loan.observation_breached and loan.classification == "substandard"


async def test_events_for_an_unknown_loan_are_parked_and_applied_when_it_arrives(tmp_path) -> None:
    async with MonitoringHarness(f"sqlite+aiosqlite:///{tmp_path}/m.db") as h:
        await h.feed(bank.repayment("L-9", "P-1", "1050.00", FIRST_DUE))
        assert await h.published("monitoring.repayment") == []
        await h.feed(bank.disbursed("L-9", "C-9", on=date(2026, 1, 5), first_due=FIRST_DUE))
        recorded = await h.published("monitoring.repayment.recorded")
        assert [r["data"]["payment_id"] for r in recorded] == ["P-1"]


async def test_a_bankrupt_debtor_makes_every_loan_a_loss(harness) -> None:
    await harness.feed(bank.business_day(FIRST_DUE),
                       bank.legal_event("C-1", "bankruptcy", FIRST_DUE))
    loan = await _loan(harness)
    assert loan.classification == "loss"
    assert "bankrupt" in loan.classification_reason


async def test_replaying_the_same_events_gives_identical_state_and_identical_events(tmp_path) -> None:
    events = [bank.customer_registered("C-1", on=date(2026, 1, 2)),
              bank.disbursed("L-1", "C-1", on=date(2026, 1, 5), first_due=FIRST_DUE),
              bank.repayment("L-1", "P-1", "700.00", FIRST_DUE),
              *(bank.business_day(_after_due(d)) for d in (1, 8, 40, 95)),
              bank.reversal("L-1", "P-1", _after_due(95)), bank.business_day(_after_due(96))]
    results = []
    for run in ("first", "second"):
        async with MonitoringHarness(f"sqlite+aiosqlite:///{tmp_path}/{run}.db") as h:
            await h.feed(*events)
            loan = await _loan(h)
            state = {c: getattr(loan, c) for c in ("dpd", "bucket", "classification",
                                                    "ifrs9_stage", "outstanding_principal",
                                                    "overdue_principal", "overdue_interest")}
            results.append((state, await h.published()))
    assert results[0] == results[1]
    assert len(results[0][1]) > 5
