"""The crm clock: monitoring's business-day.aged event (not the wall clock), so a replay
sends the same reminders and breaches as the live run, and a date an agent leaves out
(a complaint's receipt, a stop's start, a decision) is the latest business date seen."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.business_day import business_today, latest_business_date, record_business_day
from shared.events.envelope import Envelope
from services.crm import repository as repo
from services.crm.domain.complaints import DeadlinePolicy
from services.crm.metrics import COMPLAINTS_OPEN, COMPLAINTS_PAST_DEADLINE
from services.crm.models import business_day as table
from services.crm.service import complaints, contact_stops


async def on_business_day(session: AsyncSession, *, event: Any, policy: DeadlinePolicy,
                          cause: Envelope | None) -> dict[str, int]:
    as_of = event.business_date
    await record_business_day(session, table, business_date=as_of)
    counts = await complaints.watch_deadlines(session, as_of=as_of, policy=policy, cause=cause)
    counts["pauses_ended"] = len(await contact_stops.end_expired_pauses(
        session, as_of=as_of, cause=cause))
    COMPLAINTS_OPEN.set(await repo.count_open_complaints(session))
    COMPLAINTS_PAST_DEADLINE.set(await repo.count_open_complaints(session,
                                                                 past_deadline_on=as_of))
    return counts


async def today(session: AsyncSession, *, needed_for: str,
                not_before: date | None = None) -> date:
    """The date of an agent's step that states none: the latest business date seen, never
    before `not_before` (the record's own date). Before the first close that date stands
    in; without one the call is refused (409 `no_business_date`) and must state the date."""
    latest = await latest_business_date(session, table.c.business_date)
    return business_today(latest, not_before=not_before, needed_for=needed_for)
