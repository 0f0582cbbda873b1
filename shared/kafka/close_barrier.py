"""The close-of-day barrier: a business-day close is applied only after every gated record
published before it, and no gated record published after it is applied before it,
whatever the topics, partitions and consumer lag.

The bank publishes a day's events and its close back to back, on different topics and
partitions, and a consumer fetches partitions in no particular order; without the barrier
a lagging consumer ages a day before applying the repayment that made a loan current, or
applies the next day's repayment before ageing the day it was late on.

"Published before" is the record's Kafka timestamp: the broker's append time on topics
created by `postloan topics` (LogAppendTime), the producer's clock otherwise. A record is
after a close when its timestamp is later, or, in the same millisecond, when the business
date it carries is later than the closed date.

How it is kept, in one consumer that reads the calendar and the gated topics:
- a close read from the calendar waits in `pending`, with the gated partitions' end offsets
  read after it (everything published before it lies below them);
- before gated records are applied the calendar is read to its end (a close published
  before them is then known); meanwhile the gated partitions are paused;
- a gated record published after the oldest pending close is not applied: its partition is
  sought back to it and paused (`held`);
- the close is applied once every gated partition is held or has been applied up to its
  end offset; then the held partitions resume.
Calendar records are applied in order, so the calendar's committed offset never passes a
pending close; after a crash or a rebalance the pending closes are simply fetched again.
The barrier sees only the partitions assigned to its consumer, so monitoring runs one
consumer over these topics."""
from __future__ import annotations

import json
import logging
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Awaitable, Callable, Mapping

from aiokafka import AIOKafkaConsumer, TopicPartition

log = logging.getLogger(__name__)

Process = Callable[[TopicPartition, list[Any]], Awaitable[None]]
"""Applies records of one partition in order and commits past the last one."""


@dataclass(frozen=True)
class CloseBarrierSpec:
    calendar_topic: str
    gated_topics: frozenset[str]
    close_type: str
    business_date_of: Callable[[Mapping[str, Any]], date | None]
    """The business date an event's `data` carries, for records in the close's millisecond."""


@dataclass
class PendingClose:
    tp: TopicPartition
    record: Any
    closed_date: date | None = None  # None: not a readable close; applied in its turn
    timestamp: int = -1
    ends: dict[TopicPartition, int] = field(default_factory=dict)

    def is_close(self) -> bool:
        return self.closed_date is not None


def envelope_of(value: bytes | None) -> Mapping[str, Any] | None:
    try:
        envelope = json.loads(value) if value else None
    except (ValueError, UnicodeDecodeError):
        return None
    return envelope if isinstance(envelope, dict) else None


def published_after(close: PendingClose, record: Any, spec: CloseBarrierSpec) -> bool:
    timestamp = getattr(record, "timestamp", None)
    if timestamp is None or timestamp < 0 or timestamp < close.timestamp:
        return False
    if timestamp > close.timestamp:
        return True
    envelope = envelope_of(record.value) or {}
    data = envelope.get("data")
    when = spec.business_date_of(data) if isinstance(data, dict) else None
    return when is not None and close.closed_date is not None and when > close.closed_date


def closed_date_of(record: Any, close_type: str) -> date | None:
    envelope = envelope_of(record.value)
    if envelope is None or envelope.get("type") != close_type:
        return None
    data = envelope.get("data")
    try:
        return date.fromisoformat(data["business_date"])  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        return None  # dead-lettered by the normal path when its turn comes


class CloseBarrier:
    def __init__(self, spec: CloseBarrierSpec, consumer: AIOKafkaConsumer,
                 process: Process) -> None:
        self.spec, self.consumer, self.process = spec, consumer, process
        self.pending: deque[PendingClose] = deque()
        self.held: set[TopicPartition] = set()
        self.reading_calendar = False

    def reset(self) -> None:
        """After a rebalance: what was pending is fetched again from the committed offsets."""
        self.pending.clear()
        self.held.clear()
        self.reading_calendar = False

    async def round(self, batches: dict[TopicPartition, list[Any]]) -> None:
        """Handle one poll's records: queue closes, apply what the barrier allows, hold the
        rest, then apply every close that became ready."""
        gated: dict[TopicPartition, list[Any]] = {}
        for tp, records in batches.items():
            if tp.topic == self.spec.calendar_topic:
                for record in records:
                    self.pending.append(await self._pending(tp, record))
            elif tp.topic in self.spec.gated_topics:
                gated[tp] = records
            else:
                await self.process(tp, records)
        if gated:
            await self._gate(gated)
        elif self.reading_calendar and not await self._calendar_behind():
            self.reading_calendar = False
        await self._apply_ready()
        self._sync_pauses()

    async def _pending(self, tp: TopicPartition, record: Any) -> PendingClose:
        closed = closed_date_of(record, self.spec.close_type)
        if closed is None:
            return PendingClose(tp, record)
        ends = await self.consumer.end_offsets(sorted(self._gated_assignment()))
        return PendingClose(tp, record, closed, record.timestamp, dict(ends))

    async def _gate(self, gated: dict[TopicPartition, list[Any]]) -> None:
        if await self._calendar_behind():
            # A close may have been published before these records: read it first.
            self.reading_calendar = True
            for tp, records in gated.items():
                self.consumer.seek(tp, records[0].offset)
            return
        self.reading_calendar = False
        head = next((p for p in self.pending if p.is_close()), None)
        for tp, records in gated.items():
            cut = len(records) if head is None else next(
                (i for i, r in enumerate(records) if published_after(head, r, self.spec)),
                len(records))
            if cut:
                await self.process(tp, records[:cut])
            if cut < len(records):
                self.consumer.seek(tp, records[cut].offset)
                self.held.add(tp)

    async def _apply_ready(self) -> None:
        while self.pending and await self._ready(self.pending[0]):
            head = self.pending[0]
            await self.process(head.tp, [head.record])
            self.pending.popleft()
            if head.is_close():
                log.info("business day %s closed behind the barrier", head.closed_date)
                self.held.clear()  # resumed by _sync_pauses; judged against the next close

    async def _ready(self, close: PendingClose) -> bool:
        if not close.is_close():
            return True
        if self.reading_calendar:
            return False
        assigned = self._gated_assignment()
        for tp, end in close.ends.items():
            if tp in self.held or tp not in assigned:
                continue
            if await self.consumer.position(tp) < end:
                return False
        return True

    async def _calendar_behind(self) -> bool:
        calendar = [tp for tp in self.consumer.assignment()
                    if tp.topic == self.spec.calendar_topic]
        if not calendar:
            return False
        ends = await self.consumer.end_offsets(calendar)
        for tp in calendar:
            if await self.consumer.position(tp) < ends[tp]:
                return True
        return False

    def _gated_assignment(self) -> set[TopicPartition]:
        return {tp for tp in self.consumer.assignment() if tp.topic in self.spec.gated_topics}

    def _sync_pauses(self) -> None:
        gated = self._gated_assignment()
        paused = gated if self.reading_calendar else self.held & gated
        if paused:
            self.consumer.pause(*paused)
        if gated - paused:
            self.consumer.resume(*(gated - paused))
