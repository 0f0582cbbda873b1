"""Queues and allocation: automatic assignment by capacity and skills, reassignment by a
manager, the collector roster, and each collector's prioritised worklist."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import collections as out
from shared.events.envelope import Envelope
from services.collections import repository as repo
from services.collections.domain.allocation import (
    CollectorSlot, WorkItem, choose_collector, order_worklist,
)
from services.collections.models import CollectionCase, Collector, Debtor, Promise
from services.collections.publish import publish


class AllocationError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def _slots(session: AsyncSession) -> list[CollectorSlot]:
    counts = await repo.open_case_counts(session)
    return [CollectorSlot(c.collector_id, c.team, c.max_open_cases, counts.get(c.collector_id, 0),
                          frozenset(c.regions or ()), frozenset(c.languages or ()), c.active)
            for c in await repo.collectors(session)]


async def auto_assign(session: AsyncSession, *, case: CollectionCase,
                      cause: Envelope | None) -> None:
    """Leaves the case in its queue, unassigned, when nobody fitting has capacity."""
    debtor = await session.get(Debtor, case.customer_id)
    await session.flush()
    slot = choose_collector(await _slots(session),
                            region=debtor.region_code if debtor else None,
                            language=debtor.language if debtor else None)
    if slot is None:
        return
    await _assign(session, case=case, collector_id=slot.collector_id, team=slot.team,
                  mode="automatic", by=None, cause=cause)


async def _assign(session: AsyncSession, *, case: CollectionCase, collector_id: str | None,
                  team: str | None, mode: str, by: str | None, cause: Envelope | None) -> None:
    previous = case.collector_id
    case.collector_id, case.team = collector_id, team
    await session.flush()
    await publish(session, type="collections.case.assigned.v1", subject=case.customer_id,
                  cause=cause, discriminator=f"{case.case_id}:{case.reopen_count}",
                  data=out.CaseAssigned(case_id=case.case_id, customer_id=case.customer_id,
                                        collector_id=collector_id, team=team,
                                        previous_collector_id=previous, mode=mode,
                                        assigned_by=by))


async def reassign(session: AsyncSession, *, case: CollectionCase, collector_id: str,
                   by: str) -> None:
    if case.status != "open":
        raise AllocationError("case_closed", "only an open case can be reassigned")
    collector = await session.get(Collector, collector_id)
    if collector is None or not collector.active:
        raise AllocationError("unknown_collector", f"collector {collector_id} is not active")
    counts = await repo.open_case_counts(session)
    full = counts.get(collector_id, 0) >= collector.max_open_cases
    if full and case.collector_id != collector_id:
        raise AllocationError("collector_at_capacity", f"collector {collector_id} has reached "
                                                       f"{collector.max_open_cases} open cases")
    await _assign(session, case=case, collector_id=collector_id, team=collector.team,
                  mode="manual", by=by, cause=None)


async def save_collector(session: AsyncSession, *, collector_id: str, team: str | None,
                         max_open_cases: int, regions: list[str], languages: list[str],
                         active: bool) -> Collector:
    collector = await session.get(Collector, collector_id)
    if collector is None:
        collector = Collector(collector_id=collector_id)
        session.add(collector)
    collector.team, collector.max_open_cases = team, max_open_cases
    collector.regions, collector.languages, collector.active = regions, languages, active
    await session.flush()
    return collector


async def assign_waiting(session: AsyncSession) -> int:
    """Give unassigned open cases to collectors who now have room (e.g. after a roster change)."""
    waiting = (await session.scalars(select(CollectionCase).where(
        CollectionCase.status == "open", CollectionCase.collector_id.is_(None))
        .order_by(CollectionCase.overdue_amount.desc(), CollectionCase.case_id))).all()
    assigned = 0
    for case in waiting:
        await auto_assign(session, case=case, cause=None)
        assigned += case.collector_id is not None
    return assigned


async def worklist(session: AsyncSession, *, collector_id: str,
                   today: date) -> list[CollectionCase]:
    cases = list((await session.scalars(select(CollectionCase).where(
        CollectionCase.status == "open", CollectionCase.collector_id == collector_id))).all())
    if not cases:
        return []
    promises = (await session.scalars(select(Promise).where(
        Promise.case_id.in_([c.case_id for c in cases]), Promise.status == "active"))).all()
    due: dict[str, list[date]] = {}
    for promise in promises:
        due.setdefault(promise.case_id, []).append(promise.due_date)
    items = [WorkItem(c.case_id, c.overdue_amount or Decimal(0), c.bucket,
                      due.get(c.case_id, []), c.last_contact_at) for c in cases]
    by_id = {c.case_id: c for c in cases}
    return [by_id[item.case_id] for item in order_worklist(items, today=today)]
