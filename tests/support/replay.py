"""Feeding live services gently and telling when they absorbed what was published, for the
rebuild tests: a consumer group has absorbed its topics when it committed every partition
up to its end (a partition it never committed counts from 0), and a service has finished
when its outbox holds no unsent row."""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from types import TracebackType

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared.db.delivery import DeliveryTables
from shared.kafka.replay import committed_behind
from tests.faults.snapshot import Snapshot, TableState


class Absorption:
    """`groups`: consumer group -> the topics it reads; `outboxes`: (database URL, tables)."""

    def __init__(self, bootstrap: str, groups: dict[str, tuple[str, ...]],
                 outboxes: list[tuple[str, DeliveryTables]]) -> None:
        self.bootstrap, self.groups, self.outboxes = bootstrap, groups, outboxes
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
        self.partitions: dict[str, list[TopicPartition]] = {}

    async def __aenter__(self) -> "Absorption":
        await self.admin.start()
        await self.consumer.start()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.consumer.stop()
        await self.admin.close()

    async def settle(self, timeout: float = 180) -> None:
        """Wait until everything is absorbed, seen twice in a row: a record applied between
        the two looks may have added outbox rows that another group then reads."""
        deadline, quiet = time.monotonic() + timeout, 0
        while quiet < 2:
            if time.monotonic() > deadline:
                raise TimeoutError(f"not absorbed after {timeout}s")
            quiet = quiet + 1 if await self.absorbed() else 0
            await asyncio.sleep(0.05)

    async def absorbed(self) -> bool:
        for group, topics in self.groups.items():
            ends = await self.consumer.end_offsets(await self._partitions(topics))
            if await committed_behind(self.admin, group, ends):
                return False
        for url, tables in self.outboxes:
            if await unsent(url, tables):
                return False
        return True

    async def end_offsets(self) -> dict[TopicPartition, int]:
        """Every partition of every topic on the broker (the internal ones left out)."""
        topics = tuple(t for t in await self.admin.list_topics() if not t.startswith("__"))
        return await self.consumer.end_offsets(await self._partitions(topics))

    async def _partitions(self, topics: tuple[str, ...]) -> list[TopicPartition]:
        missing = [t for t in topics if t not in self.partitions]
        if missing:
            for described in await self.admin.describe_topics(missing):
                self.partitions[described["topic"]] = [
                    TopicPartition(described["topic"], p["partition"])
                    for p in described["partitions"]]
        return [tp for t in topics for tp in self.partitions[t]]


async def unsent(url: str, tables: DeliveryTables) -> int:
    outbox = tables.outbox
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(select(func.count()).select_from(outbox)
                                             .where(outbox.c.sent_at.is_(None)))).scalar_one()
    finally:
        await engine.dispose()


def without_columns(state: Snapshot, left_out: dict[str, tuple[str, ...]]) -> Snapshot:
    """`state` with some columns of some tables ("service.table") left out of a comparison."""
    kept = dict(state)
    for table, columns in left_out.items():
        if table not in state:
            continue
        at = [i for i, c in enumerate(state[table].columns) if c not in columns]
        rows: Counter[tuple[str, ...]] = Counter()
        for row, count in state[table].rows.items():
            rows[tuple(row[i] for i in at)] += count
        kept[table] = TableState(tuple(state[table].columns[i] for i in at), rows)
    return kept
