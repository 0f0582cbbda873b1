"""Watch list (关注名单): a borrower enters with an active warning at a watch level and
leaves only by explicit criteria - no active warning at a watch level and a quiet period
since the last one closed - or when a risk officer removes them with a reason."""
from __future__ import annotations

from datetime import date


def enters(level: str, *, watch_levels: list[str]) -> bool:
    return level in watch_levels


def may_exit(*, active_watch_warnings: int, last_closed: date | None, today: date,
             quiet_days: int) -> bool:
    if active_watch_warnings > 0:
        return False
    return last_closed is None or (today - last_closed).days >= quiet_days
