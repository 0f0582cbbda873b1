"""Every record faust fetches is processed or re-delivered, never committed over.

After a restart into a rebalance (a SIGKILLed predecessor, the database or the broker
coming back) faust 0.15 can fetch records of a source partition that never reach the
agent. Its commit rule then goes wrong both ways: it treats the committed offset as the
last processed one (Kafka's is the next to read), so a single missing record at the head
is committed over and lost, and two or more block the partition's commits for good, with
nothing logged (seen in the fault suite as the last 3-5 records of postloan.monitoring.v1
never consumed, and reproduced by SIGKILL plus a PostgreSQL restart).

`AtLeastOnceApp` commits only when the acknowledged offsets start at the committed one,
and `StallWatcher` seeks a partition that stays short of its end while the agents have
nothing in hand back to its committed offset, so the missing records are re-delivered
(consumers are idempotent)."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Collection, Mapping

import faust
from aiokafka.admin import AIOKafkaAdminClient
from faust.transport.drivers import aiokafka as faust_aiokafka

log = logging.getLogger(__name__)


class AtLeastOnceConsumer(faust_aiokafka.Consumer):
    async def perform_seek(self) -> None:
        await super().perform_seek()
        # aiokafka seeks only partitions with a committed offset above 0, and faust then
        # records "nothing committed": records fetched before the seek stay skipped and the
        # head rule below cannot see the hole. Start those at the log's first offset.
        fresh = [tp for tp in self.assignment() if not self._is_changelog_tp(tp)
                 and not self._committed_offset.get(tp)]
        if fresh:
            earliest = await self.earliest_offsets(*fresh)
            await self.seek_wait({tp: earliest[tp] for tp in fresh})
            self._committed_offset.update({tp: earliest[tp] for tp in fresh})

    def _new_offset(self, tp: Any) -> int | None:
        committed = self._committed_offset[tp]
        acked = self._acked[tp]
        if acked and committed is not None:
            # Offsets absent from the log (gaps) count as done; anything else below the
            # first acknowledged offset was fetched and lost on the way to the agent.
            head = min([min(acked)] + [interval.begin for interval in self._gap[tp]])
            if head > committed:
                return None
        return super()._new_offset(tp)


class AtLeastOnceTransport(faust_aiokafka.Transport):
    Consumer = AtLeastOnceConsumer


class AtLeastOnceApp(faust.App):
    def _new_transport(self) -> Any:
        return AtLeastOnceTransport(self.conf.broker_consumer, self)


@dataclass
class Progress:
    """What the guarded agents are doing: records in hand, records finished."""

    in_flight: int = 0
    done: int = 0


def stalled_partitions(before: Mapping[Any, int], now: Mapping[Any, int],
                       ends: Mapping[Any, int], *, idle: bool) -> set:
    """Partitions behind their end whose committed offset did not move between two looks
    while no record was in hand or finished: nothing but a seek will move them."""
    if not idle:
        return set()
    return {tp for tp, committed in now.items()
            if committed < ends.get(tp, committed) and before.get(tp) == committed}


class StallWatcher:
    def __init__(self, app: Any, progress: Progress, *, topics: Collection[str],
                 admin_kwargs: dict, interval: float = 5.0) -> None:
        self.app, self.progress, self.topics = app, progress, set(topics)
        self.admin_kwargs, self.interval = admin_kwargs, interval

    async def run(self, stopping: asyncio.Event) -> None:
        admin = AIOKafkaAdminClient(**self.admin_kwargs)
        await admin.start()
        try:
            before: dict = {}
            done = self.progress.done
            while not stopping.is_set():
                try:
                    await asyncio.wait_for(stopping.wait(), self.interval)
                except asyncio.TimeoutError:
                    pass
                idle = self.progress.in_flight == 0 and self.progress.done == done
                done = self.progress.done
                try:
                    before = await self.check(admin, before, idle=idle)
                except Exception:  # noqa: BLE001 - broker away or rebalancing: look again later
                    log.info("stall check skipped", exc_info=True)
                    before = {}
        finally:
            await admin.close()

    async def check(self, admin: AIOKafkaAdminClient, before: dict, *, idle: bool) -> dict:
        if self.app.rebalancing or not self.app.consumer.assignment():
            return {}
        assigned = {tp for tp in self.app.consumer.assignment() if tp.topic in self.topics}
        offsets = await admin.list_consumer_group_offsets(self.app.conf.id)
        now = {tp: offsets[tp].offset for tp in assigned
               if tp in offsets and offsets[tp].offset >= 0}
        # Nothing committed yet: the group starts at the log's first offset.
        never = [tp for tp in assigned if tp not in now]
        now.update(await self.app.consumer.earliest_offsets(*never) if never else {})
        ends = await self.app.consumer.highwaters(*now)
        stuck = stalled_partitions(before, now, ends, idle=idle)
        if stuck:
            await self.redeliver(stuck, now, ends)
            return {}
        return now

    async def redeliver(self, stuck: set, committed: Mapping, ends: Mapping) -> None:
        log.warning("faust left partitions behind their committed offsets; re-delivering",
                    extra={"partitions": {f"{tp.topic}-{tp.partition}": [committed[tp], ends[tp]]
                                          for tp in sorted(stuck)}})
        await self.app.consumer.seek_wait({tp: committed[tp] for tp in stuck})
        self.app.consumer.resume_partitions(stuck)
