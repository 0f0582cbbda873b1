"""The simulated bank's event feed: a pure, seeded generator of (topic, key, envelope) in
publication order, one business-day close after each simulated day's events.

Same options, same bytes: every random draw comes from `random.Random` seeded from the
options, event ids are uuid5 of the options and a counter, and times derive from the
simulated date, never the wall clock."""
from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from shared.events.envelope import Envelope, new_event
from shared.events.registry import spec_for
from shared.simulator.agenda import Agenda
from shared.simulator.customer_events import plan_customer
from shared.simulator.loan_events import plan_loan
from shared.simulator.market import plan_market
from shared.simulator.population import Loan, build_book

SOURCE = "core-banking"
BUSINESS_DAY_CLOSED = "bank.business-day.closed.v1"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:postloan:simulator")
# Events of a day are stamped from 08:00 UTC a millisecond apart (their order is their
# time order); the day closes at 15:00 UTC, 23:00 in Beijing.
_DAY_OPENS, _DAY_CLOSES = time(8, 0, tzinfo=timezone.utc), time(15, 0, tzinfo=timezone.utc)

Published = tuple[str, str, Envelope]


@dataclass(frozen=True)
class SimulationOptions:
    loans: int = 1000
    days: int = 90
    start: date = date(2026, 1, 1)
    seed: int = 7
    # Share of loans already on the book when the run starts, and how old they may be.
    backbook_share: float = 0.5
    max_seasoning_months: int = 9

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def rng(self, *scope: str) -> random.Random:
        """An independent stream per scope (the market, the book, each loan and customer),
        so one story does not shift when another draws more or fewer numbers."""
        return random.Random(":".join((str(self.seed), *scope)))


def population(options: SimulationOptions) -> list[Loan]:
    """The book the feed tells the story of, in disbursement order."""
    return build_book(options.rng("book"), loans=options.loans, start=options.start,
                      days=options.days, backbook_share=options.backbook_share,
                      max_seasoning_months=options.max_seasoning_months)


def build_agenda(options: SimulationOptions) -> Agenda:
    agenda = Agenda(options.start, options.end)
    agenda.add(plan_market(options.rng("market"), options.start, options.days))
    book = population(options)
    defaults: dict[str, list[date | None]] = {}
    for loan in book:
        plan = plan_loan(loan, options.rng(loan.loan_id), options.start, options.end)
        agenda.add(plan.items)
        defaults.setdefault(loan.customer.customer_id, []).append(plan.default_date)
    for customer_id, first in _first_loans(book).items():
        dated = [d for d in defaults[customer_id] if d is not None]
        agenda.add(plan_customer(first.customer, options.rng(customer_id),
                                 first_loan=first.disbursed,
                                 default_date=min(dated) if dated else None, end=options.end))
    return agenda


def _first_loans(book: list[Loan]) -> dict[str, Loan]:
    first: dict[str, Loan] = {}
    for loan in book:  # the book is in disbursement order
        first.setdefault(loan.customer.customer_id, loan)
    return first


def generate(options: SimulationOptions) -> Iterator[Published]:
    agenda = build_agenda(options)
    stamp = _Stamper(options)
    for offset in range(options.days):
        day = options.start + timedelta(days=offset)
        for n, item in enumerate(agenda.pop(day)):
            opened = datetime.combine(item.on, _DAY_OPENS) + timedelta(milliseconds=n)
            yield stamp(item.type, item.payload(), opened)
        yield stamp(BUSINESS_DAY_CLOSED, {"business_date": day.isoformat()},
                    datetime.combine(day, _DAY_CLOSES))


class _Stamper:
    """Turns a planned payload into a routed envelope with the next deterministic id."""

    def __init__(self, options: SimulationOptions) -> None:
        self._prefix = f"{options.seed}|{options.loans}|{options.days}|{options.start}|" \
                       f"{options.backbook_share}|{options.max_seasoning_months}|"
        self._count = 0

    def __call__(self, type_: str, data: dict, at: datetime) -> Published:
        self._count += 1
        spec = spec_for(type_)
        key = str(data[spec.key_field])
        event_id = str(uuid.uuid5(_NAMESPACE, f"{self._prefix}{self._count}"))
        envelope = new_event(type=type_, source=SOURCE, subject=key, data=data, time=at,
                             id=event_id)
        return spec.topic, key, envelope
