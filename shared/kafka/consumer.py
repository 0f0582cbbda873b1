"""The consumer loop: each record's effect and its inbox row commit in one database
transaction; the Kafka offset is committed only after that, so a crash re-delivers and
the inbox turns the re-delivery into a no-op."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, Mapping

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.config import CommonSettings
from shared.db import inbox
from shared.db.delivery import DeliveryTables
from shared.events.envelope import Envelope
from shared.kafka.client import connection_kwargs
from shared.kafka.processing import Outcome, RecordProcessor
from shared.kafka.records import RawRecord
from shared.observability import metrics

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Envelope, BaseModel], Awaitable[None]]


@dataclass
class ConsumerSpec:
    """What a service declares: its group name, topics and HANDLERS map."""

    name: str
    topics: tuple[str, ...]
    handlers: Mapping[str, Handler]


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
        self._consumer: AIOKafkaConsumer | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            *self.spec.topics, **connection_kwargs(self.settings), group_id=self.spec.name,
            enable_auto_commit=False, auto_offset_reset="earliest",
            max_poll_records=self.settings.consumer_batch_size,
            fetch_max_bytes=max(52_428_800, self.settings.max_event_bytes * 2),
            max_partition_fetch_bytes=max(1_048_576, self.settings.max_event_bytes * 2),
        )
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
                for tp, records in batches.items():
                    await self._process_partition(tp, records)
                await self._report_lag()
        finally:
            await self.close()

    async def _process_partition(self, tp: TopicPartition, records: list) -> None:
        for record in records:
            await self.processor.process(RawRecord.from_consumer_record(record), self._apply)
        await self._consumer.commit({tp: records[-1].offset + 1})

    async def _apply(self, record: RawRecord, envelope: Envelope, payload: BaseModel) -> bool:
        # A cancelled consumer must not abandon an open transaction (on SQLite it would keep
        # the write lock): the transaction completes, then the cancellation takes effect and
        # the uncommitted offset makes Kafka redeliver, which the inbox turns into a no-op.
        return await asyncio.shield(self._apply_in_transaction(record, envelope, payload))

    async def _apply_in_transaction(self, record: RawRecord, envelope: Envelope,
                                    payload: BaseModel) -> bool:
        handler = self.spec.handlers[envelope.type]
        async with self.sessions() as session, session.begin():
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


__all__ = ["ConsumerSpec", "EventConsumer", "Handler", "Outcome"]
