"""Amortisation: exact cents, equal installments, the last one absorbing the rounding."""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from shared.simulator.schedule import add_months, annuity_payment, annuity_schedule


def _cases() -> list[tuple[Decimal, Decimal, int]]:
    rng = random.Random(2024)
    fixed = [(Decimal("100000"), Decimal("0.12"), 12), (Decimal("5000"), Decimal("0.18"), 36),
             (Decimal("3000000"), Decimal("0.049"), 360), (Decimal("700"), Decimal("0.06"), 3)]
    drawn = [(Decimal(rng.randint(50, 50000) * 100), Decimal(rng.randint(300, 1800)) / 10000,
              rng.choice((3, 6, 12, 24, 36, 120, 240, 360))) for _ in range(150)]
    return fixed + drawn


@pytest.mark.parametrize(("principal", "rate", "months"), _cases())
def test_schedule_principal_sums_exactly_to_the_principal(principal, rate, months) -> None:
    items = annuity_schedule(principal, rate, months, date(2026, 1, 15))
    assert sum(i.principal for i in items) == principal
    assert len(items) == months
    assert all(i.principal.as_tuple().exponent >= -2 and i.interest.as_tuple().exponent >= -2
               for i in items)


@pytest.mark.parametrize(("principal", "rate", "months"), _cases())
def test_schedule_installments_are_ascending(principal, rate, months) -> None:
    items = annuity_schedule(principal, rate, months, date(2026, 1, 31))
    assert [i.number for i in items] == list(range(1, months + 1))
    assert all(b.due_date > a.due_date for a, b in zip(items, items[1:]))
    # An annuity repays more principal and less interest every month.
    assert all(b.principal >= a.principal for a, b in zip(items, items[1:]))
    assert all(b.interest <= a.interest for a, b in zip(items, items[1:]))


def test_every_installment_but_the_last_is_the_same_amount() -> None:
    items = annuity_schedule(Decimal("100000"), Decimal("0.12"), 12, date(2026, 1, 15))
    assert annuity_payment(Decimal("100000"), Decimal("0.12"), 12) == Decimal("8884.88")
    assert {i.amount for i in items[:-1]} == {Decimal("8884.88")}
    assert abs(items[-1].amount - Decimal("8884.88")) <= Decimal("0.05")
    assert items[0].interest == Decimal("1000.00")


def test_zero_rate_splits_the_principal_evenly() -> None:
    items = annuity_schedule(Decimal("1000"), Decimal("0"), 3, date(2026, 1, 15))
    assert [i.principal for i in items] == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
    assert all(i.interest == 0 for i in items)


def test_due_dates_keep_the_disbursement_day_clamped_to_the_month_end() -> None:
    items = annuity_schedule(Decimal("12000"), Decimal("0.06"), 4, date(2026, 1, 31))
    assert [i.due_date for i in items] == [date(2026, 2, 28), date(2026, 3, 31),
                                          date(2026, 4, 30), date(2026, 5, 31)]
    assert add_months(date(2027, 12, 15), 2) == date(2028, 2, 15)
