"""The collections "today": the latest business date monitoring aged, as recorded by the
promise clock (`promises.business_day_aged`), never the wall clock, so the worklist,
promises and settlements answer the same in a replay on another day."""
from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.business_day import business_today
from services.collections import repository as repo


async def today(session: AsyncSession, *, not_before: date | None = None,
                needed_for: str = "this step") -> date:
    """Never before `not_before` (e.g. the case's opening date). Before the first close,
    the newest as-of date monitoring's events carried stands in; with nothing at all the
    call is refused (409 `no_business_date`)."""
    latest = await repo.latest_business_date(session) or await repo.newest_position_date(session)
    return business_today(latest, not_before=not_before, needed_for=needed_for)
