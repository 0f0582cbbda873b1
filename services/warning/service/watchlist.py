"""Watch-list use cases (关注名单): entry with a warning at a watch level; exit by the
explicit criteria on each business day, or by a risk officer's removal with a reason."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.errors import NotFound, Unprocessable
from shared.auth import Principal
from services.warning import metrics, repository as repo
from services.warning.service import business_day as clock
from services.warning.domain import watchlist as rules
from services.warning.models import EarlyWarning, WatchlistEntry


async def enter(session: AsyncSession, *, warning: EarlyWarning, as_of: date, settings: Any) -> None:
    if not rules.enters(warning.level, watch_levels=list(settings.watchlist_levels)):
        return
    if await repo.watchlist_entry(session, warning.customer_id) is not None:
        return
    session.add(WatchlistEntry(customer_id=warning.customer_id, on_list=True,
                               entered_date=as_of, entry_warning_id=warning.id,
                               entry_level=warning.level))
    await session.flush()
    metrics.WATCHLIST.inc()


async def review(session: AsyncSession, *, today: date, settings: Any) -> list[str]:
    """Take off the list every customer who meets the exit criteria on `today`."""
    levels = list(settings.watchlist_levels)
    entries = (await session.scalars(select(WatchlistEntry).where(
        WatchlistEntry.on_list.is_(True)).with_for_update())).all()
    exited = []
    for entry in entries:
        active = await repo.active_warning_counts(session, entry.customer_id, levels)
        last = await repo.last_closed(session, entry.customer_id, levels)
        if rules.may_exit(active_watch_warnings=active, last_closed=last, today=today,
                          quiet_days=settings.watchlist_quiet_days):
            _exit(entry, today=today, reason="criteria_met")
            exited.append(entry.customer_id)
    await session.flush()
    return exited


async def remove(session: AsyncSession, *, customer_id: str, comment: str,
                 principal: Principal) -> WatchlistEntry:
    if not comment.strip():
        raise Unprocessable("removing a customer from the watch list needs a reason",
                            code="comment_required")
    entry = await repo.watchlist_entry(session, customer_id)
    if entry is None:
        raise NotFound(f"customer {customer_id} is not on the watch list")
    _exit(entry, today=await clock.today(session, not_before=entry.entered_date),
          reason="removed_by_officer")
    entry.removed_by, entry.comment = principal.subject, comment
    await session.flush()
    return entry


def _exit(entry: WatchlistEntry, *, today: date, reason: str) -> None:
    entry.on_list, entry.exited_date, entry.exit_reason = False, today, reason
    metrics.WATCHLIST.dec()
