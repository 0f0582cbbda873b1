"""Promises to pay: one active promise per loan; kept as soon as repayments made since the
promise reach the amount by the due date plus grace; broken once a business day passes
that deadline without it."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable


class PromiseStatus(str, enum.Enum):
    active = "active"
    kept = "kept"
    broken = "broken"


class PromiseError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Repayment:
    payment_id: str
    amount: Decimal
    paid_date: date
    reversed: bool = False


def check_new_promise(*, amount: Decimal, due_date: date, today: date, max_days_ahead: int,
                      active_on_loan: bool) -> None:
    if active_on_loan:
        raise PromiseError("promise_already_active", "the loan already has an active promise")
    if amount <= 0:
        raise PromiseError("invalid_promise_amount", "a promise must be for a positive amount")
    if due_date < today:
        raise PromiseError("invalid_promise_date", "the due date is in the past")
    if (due_date - today).days > max_days_ahead:
        raise PromiseError("invalid_promise_date",
                           f"the due date is more than {max_days_ahead} days ahead")


def deadline(due_date: date, grace_days: int) -> date:
    return due_date + timedelta(days=grace_days)


def paid_towards(*, since: date, until: date, repayments: Iterable[Repayment]) -> Decimal:
    return sum((r.amount for r in repayments
                if not r.reversed and since <= r.paid_date <= until), Decimal(0))


def evaluate(*, amount: Decimal, recorded_date: date, due_date: date, grace_days: int,
             repayments: Iterable[Repayment], as_of: date) -> tuple[PromiseStatus, Decimal]:
    """The promise's status as of a business date, and the amount paid towards it."""
    last_day = deadline(due_date, grace_days)
    paid = paid_towards(since=recorded_date, until=last_day, repayments=repayments)
    if paid >= amount:
        return PromiseStatus.kept, paid
    if as_of > last_day:
        return PromiseStatus.broken, paid
    return PromiseStatus.active, paid
