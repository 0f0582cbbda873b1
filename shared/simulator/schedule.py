"""Amortising repayment schedules (equal installment, i.e. annuity) with exact cents."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_length(year: int, month: int) -> int:
    # calendar.monthrange also computes a weekday; schedules call this hundreds of times.
    return 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month - 1]


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """Same day of month `months` later, clamped to the month's end. `anchor_day` keeps a
    schedule on its original day (31 Jan -> 28 Feb -> 31 Mar, not 28 Mar)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(anchor_day or day.day, _month_length(year, month)))


@dataclass(frozen=True, slots=True)
class Installment:
    """Amounts are held in whole cents: a book of mortgages has millions of rows, and
    integers are far cheaper to make and format than Decimals."""

    number: int
    due_date: date
    principal_cents: int
    interest_cents: int

    @property
    def principal(self) -> Decimal:
        return Decimal(self.principal_cents).scaleb(-2)

    @property
    def interest(self) -> Decimal:
        return Decimal(self.interest_cents).scaleb(-2)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.principal_cents + self.interest_cents).scaleb(-2)

    def as_payload(self) -> dict[str, object]:
        return {"installment_no": self.number, "due_date": self.due_date.isoformat(),
                "principal_due": _money(self.principal_cents),
                "interest_due": _money(self.interest_cents)}


def _money(amount_cents: int) -> str:
    return f"{amount_cents // 100}.{amount_cents % 100:02d}"


def annuity_payment(principal: Decimal, annual_rate: Decimal, months: int) -> Decimal:
    monthly = annual_rate / 12
    if monthly == ZERO:
        return cents(principal / months)
    factor = (1 + monthly) ** months
    return cents(principal * monthly * factor / (factor - 1))


def annuity_schedule(principal: Decimal, annual_rate: Decimal, months: int,
                     disbursed: date) -> list[Installment]:
    """Monthly equal installments due on the disbursement day of each following month.
    Interest is the outstanding balance times rate/12, rounded half-up to cents; the last
    installment takes the remaining balance, so principal parts sum exactly to `principal`."""
    if months < 1 or principal <= ZERO:
        raise ValueError("a schedule needs a positive principal and at least one month")
    # Whole cents and an exact rate fraction: the same half-up rounding as Decimal, at a
    # fraction of the cost (a 30-year mortgage has 360 rows).
    payment = int(annuity_payment(principal, annual_rate, months) * 100)
    numerator, denominator = annual_rate.as_integer_ratio()
    denominator *= 12
    balance = int(cents(principal) * 100)
    items: list[Installment] = []
    for number in range(1, months + 1):
        interest = (2 * balance * numerator + denominator) // (2 * denominator)
        part = balance if number == months else min(balance, payment - interest)
        due = add_months(disbursed, number, anchor_day=disbursed.day)
        items.append(Installment(number, due, part, interest))
        balance -= part
    return items
