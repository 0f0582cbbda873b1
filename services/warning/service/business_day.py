"""The warning clock: the business dates monitoring aged, as seen in its business-day.aged
event. Resolutions, watch-list removals, rule-set effective dates and effectiveness
figures are dated by it, never by the wall clock, so a replay dates them the same."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.business_day import business_today, latest_business_date, record_business_day
from services.warning.models import business_day as table


async def record(session: AsyncSession, *, business_date: date) -> bool:
    return await record_business_day(session, table, business_date=business_date)


async def latest(session: AsyncSession) -> date | None:
    return await latest_business_date(session, table.c.business_date)


async def today(session: AsyncSession, *, not_before: date | None = None,
                needed_for: str = "this decision") -> date:
    """The latest business date seen, never before `not_before` (the record's own date);
    before the first close that date, and without one a 409 `no_business_date`."""
    return business_today(await latest(session), not_before=not_before, needed_for=needed_for)


async def business_day_aged(session: AsyncSession, *, business_date: date, settings: Any) -> None:
    """Monitoring closed a business day: record it, review the watch list on it, and
    forget the recent signals too old to meet a late registration."""
    from services.warning.service import recent_signals, watchlist  # they read this clock

    await record(session, business_date=business_date)
    await watchlist.review(session, today=business_date, settings=settings)
    await recent_signals.forget_before(session, business_date)
