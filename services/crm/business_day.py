"""The crm clock: monitoring's business-day.aged event (not the wall clock), so a replay
sends the same reminders and breaches as the live run."""
from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Envelope
from services.crm import complaints, contact_stops, repository as repo
from services.crm.domain.complaint import DeadlinePolicy
from services.crm.metrics import COMPLAINTS_OPEN, COMPLAINTS_PAST_DEADLINE


async def on_business_day(session: AsyncSession, *, as_of: date, policy: DeadlinePolicy,
                          cause: Envelope | None) -> dict[str, int]:
    counts = await complaints.watch_deadlines(session, as_of=as_of, policy=policy, cause=cause)
    counts["pauses_ended"] = len(await contact_stops.end_expired_pauses(
        session, as_of=as_of, cause=cause))
    COMPLAINTS_OPEN.set(await repo.count_open_complaints(session))
    COMPLAINTS_PAST_DEADLINE.set(await repo.count_open_complaints(session,
                                                                 past_deadline_on=as_of))
    return counts
