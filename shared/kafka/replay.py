"""Replaying topics from their first record through a service's own consumer: the spec's
`EventConsumer` (the live worker's handlers, inbox, batching, scope and close-of-day
barrier) under a consumer group of its own, which starts at the earliest offsets, until
that group has committed every record the topics held when the replay started.

A replay writes to no topic. A record the live worker dead-lettered went to the DLQ then;
the replay counts and logs it instead. Publishing is left out by the caller, which does
not start an outbox relay."""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.config import CommonSettings
from shared.db.delivery import DeliveryTables
from shared.kafka.client import connection_kwargs
from shared.kafka.consumer import ConsumerSpec, EventConsumer

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 10.0


class CountingDeadLetters:
    """A replay must not write to the live dead-letter topics; it counts and logs instead."""

    def __init__(self) -> None:
        self.count = 0

    async def send_and_wait(self, topic: str, value=None, key=None, headers=None):  # type: ignore[no-untyped-def]
        self.count += 1
        log.warning("replay skipped a record that would be dead-lettered to %s", topic)


@dataclass
class ReplayResult:
    group: str
    records: int
    """Records on the topics when the replay started, all of them read."""
    dead_lettered: int


async def replay(spec: ConsumerSpec, *, settings: CommonSettings,
                 sessions: async_sessionmaker[AsyncSession], tables: DeliveryTables,
                 poll_seconds: float = 0.5) -> ReplayResult:
    """Run `spec` (whose name is a new consumer group) from the beginning of its topics
    until it committed everything they held at the start; then stop it."""
    starts, ends = await offsets(settings, spec.topics)
    dead = CountingDeadLetters()
    consumer = EventConsumer(spec, settings=settings, sessions=sessions, tables=tables,
                             dlq_sender=dead)
    try:
        await consumer.start()
    except Exception:
        await consumer.close()
        raise
    running = asyncio.create_task(consumer.run(), name=f"replay:{spec.name}")
    try:
        await _until_committed(settings, spec.name, ends, running, poll_seconds)
    finally:
        await consumer.stop()  # the batch in hand is finished and committed first
        if not (await asyncio.wait([running], timeout=60))[0]:
            running.cancel()
    if running.done() and not running.cancelled() and running.exception() is not None:
        raise running.exception()  # type: ignore[misc]
    return ReplayResult(group=spec.name, records=sum(ends[tp] - starts[tp] for tp in ends),
                        dead_lettered=dead.count)


async def offsets(settings: CommonSettings, topics: tuple[str, ...]) -> tuple[
        dict[TopicPartition, int], dict[TopicPartition, int]]:
    """(first offset, end offset) of every partition of the topics that exist."""
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    await admin.start()
    try:
        present = set(await admin.list_topics())
        described = await admin.describe_topics([t for t in topics if t in present])
    finally:
        await admin.close()
    partitions = [TopicPartition(d["topic"], p["partition"]) for d in described
                  for p in d["partitions"]]
    consumer = AIOKafkaConsumer(**connection_kwargs(settings))
    await consumer.start()
    try:
        return (await consumer.beginning_offsets(partitions),
                await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def committed_behind(admin: AIOKafkaAdminClient, group: str,
                           ends: dict[TopicPartition, int]) -> int:
    """How many of the records below `ends` the group has not committed yet."""
    committed = await admin.list_consumer_group_offsets(group)
    return sum(max(0, end - max(0, committed[tp].offset if tp in committed else 0))
               for tp, end in ends.items())


async def _until_committed(settings: CommonSettings, group: str,
                           ends: dict[TopicPartition, int], running: asyncio.Task,
                           poll_seconds: float) -> None:
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    await admin.start()
    try:
        total, next_report = sum(ends.values()), time.monotonic() + PROGRESS_EVERY_SECONDS
        while behind := await committed_behind(admin, group, ends):
            if running.done():
                running.result()  # the consumer's error, if it failed
                raise RuntimeError(f"replay {group} stopped with {behind} records to go")
            if time.monotonic() >= next_report:
                log.info("replay %s: %s of %s records to go", group, behind, total)
                next_report = time.monotonic() + PROGRESS_EVERY_SECONDS
            await asyncio.sleep(poll_seconds)
    finally:
        await admin.close()
