"""Golden table for repayment allocation: oldest installment first, interest before principal."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from services.monitoring.domain.ledger import (
    Allocation, LedgerError, OpenInstallment, allocate, check_reversible, loan_to_value,
)

SCHEDULE = [
    OpenInstallment(2, date(2027, 1, 15), D("177.40"), D("2434.62")),
    OpenInstallment(1, date(2026, 12, 15), D("187.50"), D("2424.52")),
    OpenInstallment(3, date(2027, 2, 15), D("167.26"), D("2444.76")),
]


@pytest.mark.parametrize("amount, expected, leftover", [
    ("100.00", [Allocation(1, D("100.00"), D("0"))], "0"),
    ("187.50", [Allocation(1, D("187.50"), D("0"))], "0"),
    ("200.00", [Allocation(1, D("187.50"), D("12.50"))], "0"),
    ("2612.02", [Allocation(1, D("187.50"), D("2424.52"))], "0"),
    ("2700.00", [Allocation(1, D("187.50"), D("2424.52")), Allocation(2, D("87.98"), D("0"))], "0"),
    ("10000.00", [Allocation(1, D("187.50"), D("2424.52")), Allocation(2, D("177.40"), D("2434.62")),
                  Allocation(3, D("167.26"), D("2444.76"))], "2163.94"),
])
def test_a_payment_goes_to_the_oldest_installment_interest_first(amount, expected, leftover) -> None:
    allocations, rest = allocate(D(amount), SCHEDULE)
    assert allocations == expected
    assert rest == D(leftover)
    assert sum((a.interest + a.principal for a in allocations), D(0)) + rest == D(amount)


def test_a_partly_paid_installment_receives_only_what_is_still_unpaid() -> None:
    partly = [OpenInstallment(1, date(2026, 12, 15), D("0"), D("1000.00")),
              OpenInstallment(2, date(2027, 1, 15), D("50.00"), D("1000.00"))]
    allocations, rest = allocate(D("1100.00"), partly)
    assert allocations == [Allocation(1, D("0"), D("1000.00")), Allocation(2, D("50.00"), D("50.00"))]
    assert rest == 0


def test_reversing_an_unknown_or_already_reversed_payment_is_refused() -> None:
    with pytest.raises(LedgerError) as unknown:
        check_reversible(None, "P-1")
    assert unknown.value.code == "unknown_payment"
    with pytest.raises(LedgerError) as twice:
        check_reversible("reversed", "P-1")
    assert twice.value.code == "already_reversed"
    check_reversible("posted", "P-1")


def test_loan_to_value_is_outstanding_over_collateral_and_none_without_collateral() -> None:
    assert loan_to_value(D("80000"), D("100000")) == D("0.8000")
    assert loan_to_value(D("80000"), D("0")) is None
