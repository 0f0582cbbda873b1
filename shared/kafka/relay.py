"""The outbox relay: publishes committed outbox rows in order per key, then marks them.

Several relays may run against one outbox. On PostgreSQL each takes a batch with
`FOR UPDATE SKIP LOCKED` and holds back any row whose key has an older unsent row that
another relay holds, so per-key order survives concurrency. On SQLite every transaction
begins IMMEDIATE (see shared.db.engine), so relays simply take turns."""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import outbox as outbox_store
from shared.db.delivery import DeliveryTables
from shared.observability import metrics

log = logging.getLogger(__name__)
# Events other services run their business-day decisions on.
CLOCK_EVENT_TYPES = frozenset({"monitoring.business-day.aged.v1"})


class OutboxRelay:
    def __init__(
        self, *, service: str, sessions: async_sessionmaker[AsyncSession],
        tables: DeliveryTables, producer, batch_size: int = 500, poll_seconds: float = 0.05,
    ) -> None:
        self.service = service
        self.sessions = sessions
        self.tables = tables
        self.producer = producer
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._stopping = asyncio.Event()

    async def publish_once(self) -> int:
        """Publish one batch; returns how many rows were published."""
        async with self.sessions() as session, session.begin():
            rows = await self._claim_batch(session)
            if not rows:
                return 0
            await self._publish(rows)
            await session.execute(
                update(self.tables.outbox)
                .where(self.tables.outbox.c.id.in_([row.id for row in rows]))
                .values(sent_at=datetime.now(timezone.utc))
            )
        return len(rows)

    async def _claim_batch(self, session: AsyncSession) -> list:
        outbox = self.tables.outbox
        query = (
            select(outbox.c.id, outbox.c.topic, outbox.c.message_key, outbox.c.payload,
                   outbox.c.headers, outbox.c.event_type)
            .where(outbox.c.sent_at.is_(None)).order_by(outbox.c.id).limit(self.batch_size)
        )
        if session.bind.dialect.name != "postgresql":
            return list((await session.execute(query)).all())
        rows = list((await session.execute(query.with_for_update(skip_locked=True))).all())
        return await self._without_blocked_keys(session, rows)

    async def _without_blocked_keys(self, session: AsyncSession, rows: list) -> list:
        if not rows:
            return rows
        outbox = self.tables.outbox
        ids = [row.id for row in rows]
        keys = {row.message_key for row in rows if row.message_key is not None}
        held_elsewhere = dict(
            (await session.execute(
                select(outbox.c.message_key, func.min(outbox.c.id))
                .where(outbox.c.sent_at.is_(None), outbox.c.message_key.in_(keys),
                       outbox.c.id.not_in(ids))
                .group_by(outbox.c.message_key)
            )).all()
        ) if keys else {}
        return [r for r in rows if r.id < held_elsewhere.get(r.message_key, r.id + 1)]

    async def _publish(self, rows: list) -> None:
        # Sends are queued in id order before any is awaited: the idempotent producer keeps
        # that order per partition, and awaiting them all gives one round trip per batch.
        # A clock event is fenced: sent once everything before it is acknowledged, and
        # followed only once it is, so across partitions too it is stamped after the day's
        # events and before the next day's (shared/kafka/time_order.py relies on it).
        futures = []
        for row in rows:
            fence = row.event_type in CLOCK_EVENT_TYPES
            if fence:
                await asyncio.gather(*futures)
                futures = []
            headers = [(k, v.encode()) for k, v in json.loads(row.headers).items()] \
                if row.headers else []
            headers.append(("ce_type", row.event_type.encode()))
            key = row.message_key.encode() if row.message_key is not None else None
            futures.append(await self.producer.send(row.topic, value=row.payload, key=key,
                                                    headers=headers))
            if fence:
                await asyncio.gather(*futures)
                futures = []
        await asyncio.gather(*futures)
        for row in rows:
            metrics.OUTBOX_PUBLISHED.labels(self.service, row.topic).inc()

    async def report_backlog(self) -> None:
        async with self.sessions() as session:
            count, age = await outbox_store.backlog(session, self.tables)
        metrics.OUTBOX_BACKLOG.labels(self.service).set(count)
        metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(age)

    async def run(self) -> None:
        idle_rounds = 0
        while not self._stopping.is_set():
            try:
                published = await self.publish_once()
            except Exception:  # noqa: BLE001 - broker or database away: retry after a pause
                log.warning("outbox relay round failed; retrying", exc_info=True)
                published = 0
                await asyncio.sleep(1.0)
            idle_rounds = 0 if published else idle_rounds + 1
            if idle_rounds % 20 == 1 or published:
                await self._safe_report()
            if not published:
                await self._wait(self.poll_seconds)

    async def _safe_report(self) -> None:
        try:
            await self.report_backlog()
        except Exception:  # noqa: BLE001
            log.debug("backlog report failed", exc_info=True)

    async def _wait(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass

    async def stop(self) -> None:
        self._stopping.set()

    async def drain(self) -> None:
        """Publish everything committed so far (used at shutdown and in tests)."""
        while await self.publish_once():
            pass
