"""Repayment behaviour segments: how a borrower pays the installments that fall due.

Each plan function takes the installments due within the run and returns the payments the
borrower makes; `default_date` is the first due date the borrower never pays (drifting into
default), which the customer events use to make other signals (job loss, a worse credit
report, lawsuits) appear around the same time, as they do in real books."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from shared.simulator.schedule import Installment, cents


class Segment(str, Enum):
    ON_TIME = "on_time"
    OCCASIONALLY_LATE = "occasionally_late"
    CHRONICALLY_LATE = "chronically_late"
    DRIFTING_INTO_DEFAULT = "drifting_into_default"
    CURING_AFTER_CONTACT = "curing_after_contact"
    PARTIAL_PAYER = "partial_payer"


SEGMENT_WEIGHTS = {
    Segment.ON_TIME: 62, Segment.OCCASIONALLY_LATE: 14, Segment.CHRONICALLY_LATE: 6,
    Segment.DRIFTING_INTO_DEFAULT: 6, Segment.CURING_AFTER_CONTACT: 7, Segment.PARTIAL_PAYER: 5,
}


def pick_segment(rng: random.Random) -> Segment:
    return rng.choices(list(SEGMENT_WEIGHTS), weights=list(SEGMENT_WEIGHTS.values()))[0]


@dataclass(frozen=True)
class Payment:
    paid_date: date
    amount: Decimal
    channel: str


@dataclass(frozen=True)
class Plan:
    payments: list[Payment]
    default_date: date | None = None


def _late(due: date, days: int) -> date:
    return due + timedelta(days=days)


def on_time(rng: random.Random, dues: list[Installment]) -> Plan:
    return Plan([Payment(i.due_date, i.amount, "auto_debit") for i in dues])


def occasionally_late(rng: random.Random, dues: list[Installment]) -> Plan:
    payments = []
    for item in dues:
        if rng.random() < 0.25:
            paid = _late(item.due_date, rng.randint(1, 6))
            payments.append(Payment(paid, item.amount, "transfer"))
        else:
            payments.append(Payment(item.due_date, item.amount, "auto_debit"))
    return Plan(payments)


def chronically_late(rng: random.Random, dues: list[Installment]) -> Plan:
    payments: list[Payment] = []
    for item in dues:
        paid = _late(item.due_date, rng.randint(8, 35))
        # Payments go out in order: a borrower a month behind pays the older bill first.
        if payments and paid < payments[-1].paid_date:
            paid = payments[-1].paid_date
        payments.append(Payment(paid, item.amount, rng.choice(("transfer", "counter"))))
    return Plan(payments)


def drifting_into_default(rng: random.Random, dues: list[Installment]) -> Plan:
    """On time for a few months, then later and later, then nothing at all."""
    healthy = rng.randint(0, 4)
    payments = [Payment(i.due_date, i.amount, "auto_debit") for i in dues[:healthy]]
    for lag, item in zip((rng.randint(5, 12), rng.randint(15, 28)), dues[healthy:healthy + 2]):
        payments.append(Payment(_late(item.due_date, lag), item.amount, "transfer"))
    stopped = healthy + min(2, len(dues) - healthy)
    default = dues[stopped].due_date if stopped < len(dues) else None
    return Plan(payments, default_date=default)


def curing_after_contact(rng: random.Random, dues: list[Installment]) -> Plan:
    """Misses two installments in a row, then, after the bank makes contact, pays both in
    one payment and is on time again."""
    if len(dues) < 2:
        return on_time(rng, dues)
    missed = rng.randint(0, min(3, len(dues) - 2))
    payments = [Payment(i.due_date, i.amount, "auto_debit") for i in dues[:missed]]
    first, second = dues[missed], dues[missed + 1]
    catch_up = _late(second.due_date, rng.randint(3, 20))
    payments.append(Payment(catch_up, first.amount + second.amount, "transfer"))
    payments.extend(Payment(max(i.due_date, catch_up), i.amount, "auto_debit")
                    for i in dues[missed + 2:])
    return Plan(payments)


def partial_payer(rng: random.Random, dues: list[Installment]) -> Plan:
    """Pays a steady share of every installment, so arrears build up slowly."""
    share = Decimal(rng.randint(40, 85)) / 100
    return Plan([Payment(_late(i.due_date, rng.randint(0, 3)), cents(i.amount * share), "transfer")
                 for i in dues])


PLANS = {
    Segment.ON_TIME: on_time, Segment.OCCASIONALLY_LATE: occasionally_late,
    Segment.CHRONICALLY_LATE: chronically_late,
    Segment.DRIFTING_INTO_DEFAULT: drifting_into_default,
    Segment.CURING_AFTER_CONTACT: curing_after_contact, Segment.PARTIAL_PAYER: partial_payer,
}


def plan_payments(segment: Segment, rng: random.Random, dues: list[Installment]) -> Plan:
    return PLANS[segment](rng, dues)
