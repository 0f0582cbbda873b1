"""Across the whole feed, each behaviour segment leaves its mark on days past due, measured
the way monitoring does: oldest unpaid installment first, as of each business day."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest

from shared.simulator.behaviour import Segment
from shared.simulator.feed import population
from shared.simulator.loan_events import plan_loan
from tests.unit.simulator.conftest import OPTIONS

END = OPTIONS.end


@dataclass
class Ledger:
    dues: list[tuple[date, Decimal]] = field(default_factory=list)
    flows: list[tuple[date, Decimal]] = field(default_factory=list)  # payments and reversals
    paid_on: list[date] = field(default_factory=list)
    reversed: bool = False

    def dpd(self, as_of: date) -> int:
        paid = sum((amount for on, amount in self.flows if on <= as_of), Decimal(0))
        for due, amount in self.dues:
            if due >= as_of:
                return 0
            if paid < amount:
                return (as_of - due).days
            paid -= amount
        return 0


@pytest.fixture(scope="module")
def ledgers(feed) -> dict[str, Ledger]:
    books: dict[str, Ledger] = defaultdict(Ledger)
    amounts: dict[str, Decimal] = {}
    for _, key, envelope in feed:
        data, book = envelope.data, books[key]
        if envelope.type == "bank.loan.disbursed.v1":
            book.dues = [(date.fromisoformat(i["due_date"]),
                          Decimal(i["principal_due"]) + Decimal(i["interest_due"]))
                         for i in data["schedule"]]
        elif envelope.type == "bank.repayment.received.v1":
            amounts[data["payment_id"]] = Decimal(data["amount"])
            book.flows.append((date.fromisoformat(data["paid_date"]), Decimal(data["amount"])))
            book.paid_on.append(date.fromisoformat(data["paid_date"]))
        elif envelope.type == "bank.repayment.reversed.v1":
            book.reversed = True
            book.flows.append((date.fromisoformat(data["reversed_date"]),
                               -amounts[data["payment_id"]]))
    return books


def _loans(segment: Segment, ledgers: dict[str, Ledger]) -> list:
    chosen = [loan for loan in population(OPTIONS)
              if loan.customer.segment is segment and not ledgers[loan.loan_id].reversed]
    assert len(chosen) >= 5, f"too few {segment.value} loans to judge"
    return chosen


def _run_days() -> list[date]:
    return [OPTIONS.start + timedelta(days=n) for n in range(OPTIONS.days)]


def test_always_on_time_loans_are_never_past_due(ledgers) -> None:
    for loan in _loans(Segment.ON_TIME, ledgers):
        assert all(ledgers[loan.loan_id].dpd(day) == 0 for day in _run_days()[::7])


def test_drifting_into_default_stops_paying_and_ages(ledgers) -> None:
    defaulted = 0
    for loan in _loans(Segment.DRIFTING_INTO_DEFAULT, ledgers):
        default = plan_loan(loan, OPTIONS.rng(loan.loan_id), OPTIONS.start, END).default_date
        ledger = ledgers[loan.loan_id]
        if default is None or default >= END:
            continue
        defaulted += 1
        assert all(paid < default for paid in ledger.paid_on)
        assert ledger.dpd(END) >= (END - default).days
    assert defaulted >= 3


def test_curing_after_contact_falls_behind_then_returns_to_zero(ledgers) -> None:
    cured = 0
    for loan in _loans(Segment.CURING_AFTER_CONTACT, ledgers):
        ledger = ledgers[loan.loan_id]
        worst = max(ledger.dpd(day) for day in _run_days())
        if ledger.dues[1][0] + timedelta(days=21) > END or len(ledger.paid_on) == 0:
            continue  # the catch-up may still lie beyond the run
        if worst > 0:
            cured += 1
            assert worst > 28  # two installments missed: more than a month behind
        assert ledger.dpd(END) == 0 or ledger.dues[-1][0] > END - timedelta(days=21)
    assert cured >= 3


def test_partial_payers_build_arrears(ledgers) -> None:
    for loan in _loans(Segment.PARTIAL_PAYER, ledgers):
        ledger = ledgers[loan.loan_id]
        if sum(1 for due, _ in ledger.dues if due < END - timedelta(days=3)) >= 2:
            assert ledger.dpd(END) > 0


def test_chronically_late_loans_are_past_due_most_of_the_time(ledgers) -> None:
    for loan in _loans(Segment.CHRONICALLY_LATE, ledgers):
        ledger = ledgers[loan.loan_id]
        in_run = [due for due, _ in ledger.dues if OPTIONS.start <= due <= END - timedelta(days=40)]
        if len(in_run) >= 2:
            days = _run_days()
            assert sum(1 for day in days if ledger.dpd(day) > 0) > len(days) // 4
