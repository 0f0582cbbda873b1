"""What the bank will publish and when. Plans are made up front; the feed drains them day
by day. Something that happened before the run (the history of a seasoned loan) is
published on the first day, in the order it happened."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

# Within one day: market levels, then who the customer is, then the loan, then what
# happens on it. A loan's disbursement must precede its repayments on the same partition.
MARKET, REGISTERED, PROFILE, DISBURSED, CUSTOMER_CHANGE = 0, 1, 2, 3, 4
REPAYMENT, REVERSAL, COLLATERAL, CLOSED = 5, 6, 7, 8


Data = dict[str, Any]


@dataclass(frozen=True)
class Planned:
    on: date
    rank: int
    type: str
    # A callable is built at publication: a disbursement carries its whole schedule, and
    # holding thousands of 360-row mortgages as dicts until their day would waste memory.
    data: Data | Callable[[], Data]

    def payload(self) -> Data:
        return self.data() if callable(self.data) else self.data


class Agenda:
    def __init__(self, start: date, end: date) -> None:
        self.start, self.end = start, end
        self._days: dict[date, list[tuple[date, int, int, Planned]]] = defaultdict(list)
        self._seq = 0

    def add(self, items: list[Planned]) -> None:
        for item in items:
            if item.on > self.end:
                continue  # beyond the run: the bank has not done it yet
            self._seq += 1
            day = max(item.on, self.start)
            self._days[day].append((item.on, item.rank, self._seq, item))

    def pop(self, day: date) -> list[Planned]:
        return [entry[-1] for entry in sorted(self._days.pop(day, []), key=lambda e: e[:3])]
