"""Records of many partitions applied in the order the broker appended them.

A downstream service reads monitoring's events from six partitions (and warning's, crm's
or collections' from more). A loan's bucket roll of one day and the business-day clock of
a later day sit on different partitions; a lagging consumer fetching one partition ahead of
another would act on day D+5's clock before day D's roll, and a case would escalate on the
wrong days. Here every record is applied only once no other partition can still hold an
earlier one: each partition either has a later record fetched, or has been read to an end
offset taken after the record was fetched (anything appended later is stamped later).

The timestamps are the broker's append times (`postloan topics` creates every topic with
LogAppendTime), and the relay publishes a clock event only once everything before it in
the outbox is acknowledged, and what follows only once it is (see `relay`). Records wait
in memory; a partition with more than `max_buffered` waiting is paused, so memory stays
bounded while the partitions behind it are fetched. Nothing waiting has been committed:
after a crash or a rebalance it is fetched again."""
from __future__ import annotations

from collections import deque
from typing import Any, Awaitable, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition

Process = Callable[[TopicPartition, list[Any]], Awaitable[None]]


class TimeOrder:
    def __init__(self, consumer: AIOKafkaConsumer, process: Process,
                 max_buffered: int = 2000) -> None:
        self.consumer, self.process, self.max_buffered = consumer, process, max_buffered
        self.waiting: dict[TopicPartition, deque[Any]] = {}

    def reset(self) -> None:
        self.waiting.clear()

    async def round(self, batches: dict[TopicPartition, list[Any]]) -> None:
        for tp, records in batches.items():
            self.waiting.setdefault(tp, deque()).extend(records)
        assigned = self.consumer.assignment()
        for tp in [tp for tp in self.waiting if tp not in assigned]:
            del self.waiting[tp]
        await self._apply_in_order(assigned)
        self._sync_pauses(assigned)

    async def _apply_in_order(self, assigned: set[TopicPartition]) -> None:
        caught_up: bool | None = None  # for the partitions with nothing waiting, read once
        while True:
            heads = {tp: queue[0].timestamp for tp, queue in self.waiting.items() if queue}
            if not heads:
                return
            idle = assigned - set(heads)
            if idle and caught_up is None:
                caught_up = await self._read_to_end(idle)
            if idle and not caught_up:
                return
            tp = min(heads, key=lambda t: (heads[t], t.topic, t.partition))
            limit = min((ts for other, ts in heads.items() if other != tp), default=None)
            queue, run = self.waiting[tp], []
            while queue and (limit is None or queue[0].timestamp <= limit):
                run.append(queue.popleft())
            await self.process(tp, run)
            if not queue:
                caught_up = None  # it may hold more, unfetched: look at its end again

    async def _read_to_end(self, partitions: set[TopicPartition]) -> bool:
        ends = await self.consumer.end_offsets(sorted(partitions))
        for tp in partitions:
            if await self.consumer.position(tp) < ends[tp]:
                return False
        return True

    def _sync_pauses(self, assigned: set[TopicPartition]) -> None:
        full = {tp for tp, queue in self.waiting.items() if len(queue) >= self.max_buffered}
        if full:
            self.consumer.pause(*full)
        if assigned - full:
            self.consumer.resume(*(assigned - full))
