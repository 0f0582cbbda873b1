"""Re-amortising what is left of a loan: the new schedule an approved restructuring hands to
monitoring.

Conventions (state them, since a schedule is money): monthly installments; each period's
interest is the balance times annual_rate / 12, rounded half-up to the cent; the payment
of an annuity is rounded half-up to the cent and the last installment takes whatever
principal is left, so the principal always sums exactly to the remaining principal.
Interest already overdue (`arrears_interest`) is carried into the first new installment,
because the restructuring replaces the unpaid installments that held it."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class ScheduleError(ValueError):
    """The requested arrangement cannot produce a valid schedule."""


@dataclass(frozen=True)
class Terms:
    remaining_principal: Decimal
    annual_rate: Decimal  # a fraction: 0.06 is 6 %
    remaining_installments: int
    next_due_date: date
    arrears_interest: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.remaining_principal <= 0:
            raise ScheduleError("nothing is left to re-amortise")
        if not 0 <= self.annual_rate <= 1:
            raise ScheduleError("annual_rate is a fraction between 0 and 1")
        if self.remaining_installments < 1:
            raise ScheduleError("at least one installment must remain")
        if self.arrears_interest < 0:
            raise ScheduleError("arrears interest cannot be negative")

    @property
    def monthly_rate(self) -> Decimal:
        return self.annual_rate / 12


@dataclass(frozen=True)
class Installment:
    installment_no: int
    due_date: date
    principal_due: Decimal
    interest_due: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal_due + self.interest_due


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(start: date, months: int) -> date:
    """Same day of the month, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def annuity_payment(principal: Decimal, monthly_rate: Decimal, periods: int) -> Decimal:
    if monthly_rate == 0:
        return money(principal / periods)
    factor = (1 + monthly_rate) ** periods
    return money(principal * monthly_rate * factor / (factor - 1))


def amortise(principal: Decimal, monthly_rate: Decimal, periods: int, first_due: date,
             *, first_no: int = 1) -> list[Installment]:
    """Equal total payments; the last one settles the rounding."""
    payment = annuity_payment(principal, monthly_rate, periods)
    balance, items = principal, []
    for k in range(periods):
        interest = money(balance * monthly_rate)
        part = balance if k == periods - 1 else min(balance, max(payment - interest, ZERO))
        items.append(Installment(first_no + k, add_months(first_due, k), part, interest))
        balance -= part
    return items


def _with_arrears(items: list[Installment], arrears: Decimal) -> list[Installment]:
    if arrears == 0:
        return items
    first = items[0]
    return [Installment(first.installment_no, first.due_date, first.principal_due,
                        first.interest_due + money(arrears)), *items[1:]]


def re_amortise(terms: Terms, *, extra_installments: int = 0) -> list[Installment]:
    """The remaining principal over the remaining installments plus any extension."""
    if extra_installments < 0:
        raise ScheduleError("an extension adds installments")
    items = amortise(terms.remaining_principal, terms.monthly_rate,
                     terms.remaining_installments + extra_installments, terms.next_due_date)
    return _with_arrears(items, terms.arrears_interest)


def payment_holiday(terms: Terms, *, holiday_months: int) -> list[Installment]:
    """Nothing falls due for `holiday_months`; the interest those months accrue (simple, on
    the remaining principal, never capitalised) is charged with the first installment after
    the holiday, and every later due date moves by the length of the holiday."""
    if holiday_months < 1:
        raise ScheduleError("a payment holiday lasts at least one month")
    deferred = money(terms.remaining_principal * terms.monthly_rate * holiday_months)
    items = amortise(terms.remaining_principal, terms.monthly_rate,
                     terms.remaining_installments,
                     add_months(terms.next_due_date, holiday_months))
    return _with_arrears(items, terms.arrears_interest + deferred)


def reduced_installment(terms: Terms, *, reduced_months: int,
                        reduced_amount: Decimal) -> list[Installment]:
    """For `reduced_months` the customer pays `reduced_amount` (interest first, the rest
    principal); the balance is then re-amortised over the installments that are left, so
    the final due date does not move."""
    if not 1 <= reduced_months < terms.remaining_installments:
        raise ScheduleError("the reduced period must leave at least one full installment")
    rate, balance, items = terms.monthly_rate, terms.remaining_principal, []
    for k in range(reduced_months):
        interest = money(balance * rate)
        if reduced_amount < interest:
            # Below the interest the debt would grow: that is not a reduced installment.
            raise ScheduleError(f"the reduced amount does not cover the interest of {interest}")
        part = min(balance, money(reduced_amount - interest))
        items.append(Installment(k + 1, add_months(terms.next_due_date, k), part, interest))
        balance -= part
    if balance <= 0:
        raise ScheduleError("the reduced amount repays the loan within the reduced period")
    items += amortise(balance, rate, terms.remaining_installments - reduced_months,
                      add_months(terms.next_due_date, reduced_months), first_no=reduced_months + 1)
    return _with_arrears(items, terms.arrears_interest)


def waive_interest(items: list[Installment], amount: Decimal) -> list[Installment]:
    """Take `amount` off the interest, earliest installments first (arrears included)."""
    total_interest = sum((i.interest_due for i in items), ZERO)
    if amount <= 0 or amount > total_interest:
        raise ScheduleError(f"an interest waiver must be above 0 and at most {total_interest}")
    left, result = money(amount), []
    for item in items:
        cut = min(left, item.interest_due)
        left -= cut
        result.append(Installment(item.installment_no, item.due_date, item.principal_due,
                                  item.interest_due - cut))
    return result


def total_principal(items: list[Installment]) -> Decimal:
    return sum((i.principal_due for i in items), ZERO)


def total_interest(items: list[Installment]) -> Decimal:
    return sum((i.interest_due for i in items), ZERO)


def remaining_dues(first_due_date: date, installments: int,
                   after: date) -> tuple[int, date | None]:
    """How many monthly due dates of the original schedule fall after `after`, and the
    first of them. Overdue installments are not counted: their principal is in the
    outstanding balance the new schedule spreads."""
    dues = [add_months(first_due_date, k) for k in range(installments)]
    later = [d for d in dues if d > after]
    return len(later), (later[0] if later else None)
