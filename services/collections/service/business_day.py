"""The collections clock. `business_day_aged` applies monitoring's close of a business
day; `today` is the latest business date so recorded, never the wall clock, so the
worklist, promises and settlements answer the same in a replay on another day."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.business_day import business_today
from shared.events.envelope import Envelope
from services.collections import repository as repo
from services.collections.domain.policy import Policy
from services.collections.models import BusinessDay
from services.collections.service import cases, promises


async def today(session: AsyncSession, *, not_before: date | None = None,
                needed_for: str = "this step") -> date:
    """Never before `not_before` (e.g. the case's opening date). Before the first close,
    the newest as-of date monitoring's events carried stands in; with nothing at all the
    call is refused (409 `no_business_date`)."""
    latest = await repo.latest_business_date(session) or await repo.newest_position_date(session)
    return business_today(latest, not_before=not_before, needed_for=needed_for)


async def business_day_aged(session: AsyncSession, *, business_date: date, policy: Policy,
                            cause: Envelope) -> bool:
    """The collections clock: decide due promises, then move cases whose step ran out."""
    if await session.get(BusinessDay, business_date) is not None:
        return False
    session.add(BusinessDay(business_date=business_date, processed_at=datetime.now(timezone.utc)))
    await session.flush()
    for promise in await repo.active_promises(session):
        await promises.decide(session, promise=promise, as_of=business_date, policy=policy,
                              cause=cause)
    for case in await repo.open_cases(session):
        await cases.close_business_day(session, case=case, business_date=business_date,
                                       policy=policy, cause=cause)
    return True
