"""The consumer loop: a partition's poll batch is applied in one database transaction
(inbox rows claimed in one statement, handlers in arrival order, one commit); the Kafka
offset is committed only after that, so a crash re-delivers and the inbox turns the
re-delivery into a no-op. If anything in the batch fails, the transaction rolls back and
the batch is applied again one record per transaction, where bounded retries and
dead-lettering single out the bad record and the good ones still apply."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field, replace
from typing import AsyncContextManager, Awaitable, Callable, Mapping

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.config import CommonSettings
from shared.db import inbox
from shared.db.delivery import DeliveryTables
from shared.events.envelope import Envelope
from shared.kafka.client import connection_kwargs
from shared.kafka.close_barrier import CloseBarrier, CloseBarrierSpec
from shared.kafka.processing import DecodedBatch, Outcome, RecordProcessor
from shared.kafka.records import RawRecord
from shared.kafka.time_order import TimeOrder
from shared.observability import metrics
from shared.observability.logging import correlation_id_var, event_id_var

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Envelope, BaseModel], Awaitable[None]]
Scope = Callable[[AsyncSession], AsyncContextManager[None]]
Prepare = Callable[[AsyncSession, list[tuple[Envelope, BaseModel]]], Awaitable[None]]
Source = Callable[[RawRecord], Awaitable[object]]
SourceFactory = Callable[[async_sessionmaker[AsyncSession], object], Source]
"""Builds, from the consumer's sessions and dead-letter producer, what decodes and applies
one record of a topic in a foreign format (Fineract's Avro) with its own inbox rules."""


def _no_scope(session: AsyncSession) -> AsyncContextManager[None]:
    return contextlib.nullcontext()


@dataclass
class ConsumerSpec:
    """What a service declares: its group name, topics and HANDLERS map. `scope` wraps the
    handlers of every consumer transaction (one record or a batch) and, on leaving without
    error, may finish work the handlers deferred to the end of the transaction. `prepare`
    sees a batch's fresh events before their handlers run, to load in bulk what they read.
    `barrier` holds the business-day close back until the gated topics caught up with it
    (see `close_barrier`). `sources` names topics whose records a `Source` applies.
    `time_ordered` applies every record in the broker's append order across all the
    partitions (see `time_order`): for services acting on another service's clock."""

    name: str
    topics: tuple[str, ...]
    handlers: Mapping[str, Handler]
    scope: Scope = _no_scope
    prepare: Prepare | None = None
    barrier: CloseBarrierSpec | None = None
    sources: Mapping[str, SourceFactory] = field(default_factory=dict)
    time_ordered: bool = False

    def with_source(self, topic: str, factory: SourceFactory) -> "ConsumerSpec":
        """Also consume `topic` through `factory`'s source, behind the same barrier."""
        barrier = self.barrier and replace(
            self.barrier, gated_topics=self.barrier.gated_topics | {topic})
        return replace(self, topics=(*self.topics, topic), barrier=barrier,
                       sources={**self.sources, topic: factory})


class EventConsumer:
    def __init__(
        self, spec: ConsumerSpec, *, settings: CommonSettings,
        sessions: async_sessionmaker[AsyncSession], tables: DeliveryTables, dlq_sender: object,
    ) -> None:
        self.spec = spec
        self.settings = settings
        self.sessions = sessions
        self.tables = tables
        self.processor = RecordProcessor(
            service=settings.service_name, consumer=spec.name, handled_types=set(spec.handlers),
            dlq_sender=dlq_sender, max_retries=settings.consumer_max_retries,
            retry_backoff_seconds=settings.consumer_retry_backoff_seconds,
            max_event_bytes=settings.max_event_bytes,
        )
        self._sources = {topic: factory(sessions, dlq_sender)
                         for topic, factory in spec.sources.items()}
        self._consumer: AIOKafkaConsumer | None = None
        self._barrier: CloseBarrier | None = None
        self._time_order: TimeOrder | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            **connection_kwargs(self.settings), group_id=self.spec.name,
            enable_auto_commit=False, auto_offset_reset="earliest",
            max_poll_records=self.settings.consumer_batch_size,
            fetch_max_bytes=max(52_428_800, self.settings.max_event_bytes * 2),
            max_partition_fetch_bytes=max(1_048_576, self.settings.max_event_bytes * 2),
        )
        if self.spec.barrier is not None:
            self._barrier = CloseBarrier(self.spec.barrier, self._consumer,
                                         self._process_partition)
        elif self.spec.time_ordered:
            self._time_order = TimeOrder(self._consumer, self._process_partition)
        ordering = self._barrier or self._time_order
        listener = _ResetOnRebalance(ordering) if ordering is not None else None
        self._consumer.subscribe(self.spec.topics, listener=listener)
        await self._consumer.start()

    async def stop(self) -> None:
        self._stopping.set()

    async def close(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def run(self) -> None:
        """Consume until `stop()`; the batch in hand is finished and committed first."""
        assert self._consumer is not None, "start() first"
        try:
            while not self._stopping.is_set():
                batches = await self._consumer.getmany(timeout_ms=200)
                ordering = self._barrier or self._time_order
                if ordering is not None:
                    await ordering.round(batches)
                else:
                    for tp, records in batches.items():
                        await self._process_partition(tp, records)
                await self._report_lag()
        finally:
            await self.close()

    async def _process_partition(self, tp: TopicPartition, records: list) -> None:
        raw = [RawRecord.from_consumer_record(record) for record in records]
        source = self._sources.get(tp.topic)
        if source is not None:
            for record in raw:
                await source(record)
        elif not await self.process_batch(raw):
            for record in raw:
                await self.processor.process(record, self._apply)
        await self._consumer.commit({tp: records[-1].offset + 1})

    async def process_batch(self, records: list[RawRecord]) -> bool:
        """Apply the records in one transaction; False (and nothing applied) when the batch
        must go record by record instead: a single record, a malformed one, or a failure."""
        if len(records) < 2:
            return False
        batch = self.processor.decode_batch(records)
        if batch is None:
            return False
        try:
            # Shielded for the reason given in `_apply`.
            applied = await asyncio.shield(self._apply_batch_in_transaction(batch))
        except Exception:  # noqa: BLE001 - the record-at-a-time path retries and dead-letters
            log.info("batch of %s rolled back; applying it record by record", len(records),
                     exc_info=True, extra={"consumer": self.spec.name})
            return False
        self.processor.count_batch(batch, applied)
        return True

    async def _apply_batch_in_transaction(self, batch: DecodedBatch) -> set[int]:
        """Positions in `batch.handled` whose handler ran; the rest were duplicates."""
        applied: set[int] = set()
        if not batch.handled:
            return applied
        async with self.sessions() as session, session.begin(), self.spec.scope(session):
            positions = await self._claim(session, batch)
            if self.spec.prepare is not None:
                await self.spec.prepare(session, [(batch.handled[p].envelope,
                                                   batch.handled[p].payload) for p in positions])
            for position in positions:
                item = batch.handled[position]
                event_id_var.set(item.envelope.id)
                correlation_id_var.set(item.envelope.correlationid or item.envelope.id)
                await self.spec.handlers[item.envelope.type](session, item.envelope, item.payload)
                applied.add(position)
        return applied

    async def _claim(self, session: AsyncSession, batch: DecodedBatch) -> list[int]:
        """Claim the batch's inbox rows in one statement; the positions to apply, in order:
        fresh events, an id repeated within the batch only at its first position."""
        fresh = await inbox.claim_many(session, self.tables, consumer=self.spec.name, events=[
            (i.envelope.id, i.envelope.type, i.record.topic, i.record.partition, i.record.offset)
            for i in batch.handled])
        first: dict[str, int] = {}
        for position, item in enumerate(batch.handled):
            if item.envelope.id in fresh:
                first.setdefault(item.envelope.id, position)
        return list(first.values())

    async def _apply(self, record: RawRecord, envelope: Envelope, payload: BaseModel) -> bool:
        # A cancelled consumer must not abandon an open transaction (on SQLite it would keep
        # the write lock): the transaction completes, then the cancellation takes effect and
        # the uncommitted offset makes Kafka redeliver, which the inbox turns into a no-op.
        return await asyncio.shield(self._apply_in_transaction(record, envelope, payload))

    async def _apply_in_transaction(self, record: RawRecord, envelope: Envelope,
                                    payload: BaseModel) -> bool:
        handler = self.spec.handlers[envelope.type]
        async with self.sessions() as session, session.begin(), self.spec.scope(session):
            fresh = await inbox.claim(
                session, self.tables, consumer=self.spec.name, event_id=envelope.id,
                event_type=envelope.type, topic=record.topic, partition=record.partition,
                offset=record.offset,
            )
            if not fresh:
                return False
            await handler(session, envelope, payload)
        return True

    async def _report_lag(self) -> None:
        consumer = self._consumer
        for tp in consumer.assignment():
            end = consumer.highwater(tp)
            if end is None:
                continue
            position = await consumer.position(tp)
            metrics.CONSUMER_LAG.labels(
                self.settings.service_name, self.spec.name, tp.topic, str(tp.partition)
            ).set(max(0, end - position))


class _ResetOnRebalance(ConsumerRebalanceListener):
    """What waits in memory was not committed: after a rebalance it is fetched again."""

    def __init__(self, ordering: CloseBarrier | TimeOrder) -> None:
        self.ordering = ordering

    async def on_partitions_revoked(self, revoked: object) -> None:
        self.ordering.reset()

    async def on_partitions_assigned(self, assigned: object) -> None:
        self.ordering.reset()


__all__ = ["ConsumerSpec", "EventConsumer", "Handler", "Outcome"]
