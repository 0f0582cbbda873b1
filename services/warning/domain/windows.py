"""Windowed state for the rules that look at more than one event. The state is a plain
mapping keyed by event id, so applying the same event twice (a redelivery) changes nothing,
and it is pruned by business date, so it stays small and expires deterministically on replay."""
from __future__ import annotations

from datetime import date
from typing import Iterable, Mapping


def add_dated(window: Mapping[str, str], *, event_id: str, when: date, as_of: date,
              retention_days: int) -> dict[str, str]:
    """Window of contact changes: event id -> ISO date, without entries older than retention."""
    kept = {k: v for k, v in window.items()
            if (as_of - date.fromisoformat(v)).days <= retention_days}
    kept[event_id] = when.isoformat()
    return kept


def dates_of(window: Mapping[str, str]) -> list[date]:
    return sorted(date.fromisoformat(v) for v in window.values())


def count_within(dates: Iterable[date], *, as_of: date, window_days: int) -> int:
    """Changes dated within `window_days` before `as_of` (inclusive at both ends)."""
    return sum(1 for d in dates if 0 <= (as_of - d).days <= window_days)


def add_missed(window: Mapping[str, str], *, installment_no: int, due_date: date) -> dict[str, str]:
    """Missed installments since the loan last had nothing overdue: number -> due date."""
    return {**window, str(installment_no): due_date.isoformat()}


def longest_run(numbers: Iterable[int]) -> int:
    """Longest run of consecutive installment numbers (3, 4, 5 -> 3; 3, 5 -> 1)."""
    present = set(numbers)
    best = 0
    for n in present:
        if n - 1 in present:
            continue
        length = 1
        while n + length in present:
            length += 1
        best = max(best, length)
    return best
