"""Allocation and worklist order. A case goes to an active collector whose skills fit
(region, language) and who is below capacity; the least loaded wins so work spreads."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Sequence

from services.collections.domain.cases import bucket_rank


@dataclass(frozen=True)
class CollectorSlot:
    collector_id: str
    team: str | None
    max_open_cases: int
    open_cases: int
    regions: frozenset[str]
    languages: frozenset[str]
    active: bool = True

    def fits(self, *, region: str | None, language: str | None) -> bool:
        region_ok = not self.regions or (region is not None and any(
            region.startswith(r) for r in self.regions))
        language_ok = not language or not self.languages or language in self.languages
        return self.active and region_ok and language_ok and self.open_cases < self.max_open_cases


def choose_collector(slots: Iterable[CollectorSlot], *, region: str | None,
                     language: str | None) -> CollectorSlot | None:
    fitting = [s for s in slots if s.fits(region=region, language=language)]
    if not fitting:
        return None
    return min(fitting, key=lambda s: (Decimal(s.open_cases) / Decimal(s.max_open_cases),
                                       s.open_cases, s.collector_id))


@dataclass(frozen=True)
class WorkItem:
    case_id: str
    overdue_amount: Decimal
    bucket: str
    promise_due_dates: Sequence[date]
    last_contact_at: datetime | None


def priority_key(item: WorkItem, *, today: date) -> tuple:
    """Sort ascending: larger overdue first, then worse bucket, then a promise due today,
    then the longest without contact (never contacted before anyone else)."""
    promise_today = today in item.promise_due_dates
    last = item.last_contact_at.timestamp() if item.last_contact_at else float("-inf")
    return (-item.overdue_amount, -bucket_rank(item.bucket), not promise_today, last,
            item.case_id)


def order_worklist(items: Iterable[WorkItem], *, today: date) -> list[WorkItem]:
    return sorted(items, key=lambda i: priority_key(i, today=today))
