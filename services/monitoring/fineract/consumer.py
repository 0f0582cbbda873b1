"""The Fineract source: a consumer loop on Fineract's topic (default `external-events`).

Same guarantees as every postloan consumer: the effect and the inbox row (keyed by
Fineract's idempotencyKey) commit in one transaction, the offset is committed after the
database commit, failures are retried and then dead-lettered to `<topic>.dlq` with the
reason in headers. Undecodable records are dead-lettered at once; event types that do
not matter are counted and skipped."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import inbox
from shared.db.delivery import DeliveryTables
from shared.events.envelope import Envelope, MalformedRecord, new_event
from shared.kafka.client import connection_kwargs
from shared.kafka.consumer import Handler
from shared.kafka.processing import RecordProcessor
from shared.kafka.records import RawRecord
from shared.observability import metrics as shared_metrics
from shared.runtime.worker import Job, WorkerContext
from services.monitoring.consumers import build_handlers
from services.monitoring.domain.classification import AgeingPolicy
from services.monitoring.fineract import metrics
from services.monitoring.fineract.apply import (
    SOURCE, apply_effects, parse_business_date, parse_created_at,
)
from services.monitoring.fineract.avro import AvroDecodeError, SchemaStore, decode_message
from services.monitoring.fineract.mapping import (
    Context, Effect, MappingError, Observe, is_mapped, translate,
)
from services.monitoring.models import delivery

log = logging.getLogger(__name__)
APPLY_TYPE = "fineract.message"
SKIP_TYPE = "fineract.skipped"


@dataclass(frozen=True)
class FineractOptions:
    """Read from the monitoring settings, with these defaults when a field is absent."""

    enabled: bool = False
    topic: str = "external-events"
    schema_dir: str | None = None
    consumer_group: str = "monitoring-fineract"
    tenant: str | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> "FineractOptions":
        group = getattr(settings, "fineract_consumer_group", None)
        return cls(
            enabled=bool(getattr(settings, "fineract_enabled", False)),
            topic=getattr(settings, "fineract_topic", None) or cls.topic,
            schema_dir=getattr(settings, "fineract_schema_dir", None),
            consumer_group=group or f"{getattr(settings, 'consumer_group', 'monitoring')}-fineract",
            tenant=getattr(settings, "fineract_tenant", None),
        )


class Translation(BaseModel):
    """What one Kafka record asks for: (stable id, effect) pairs, applied together."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    effects: list[tuple[str, Any]]
    message_type: str


@dataclass
class FineractProcessor(RecordProcessor):
    store: SchemaStore | None = None
    tenant: str | None = None

    def _decode(self, record: RawRecord) -> tuple[Envelope, BaseModel]:
        if record.value is not None and len(record.value) > self.max_event_bytes:
            raise MalformedRecord(
                "oversize", f"record of {len(record.value)} bytes exceeds {self.max_event_bytes}")
        try:
            message, items = decode_message(self.store, record.value)
        except AvroDecodeError as exc:
            raise MalformedRecord(exc.reason, exc.message) from None
        time = parse_created_at(message["createdAt"])
        key = message["idempotencyKey"]
        if not key:
            raise MalformedRecord("invalid_envelope", "MessageV1.idempotencyKey is empty")
        effects: list[tuple[str, Effect]] = []
        if self.tenant is not None and message["tenantId"] != self.tenant:
            for item in items:
                metrics.count(item.type, "other_tenant")
            items = []
        ctx = Context(business_date=parse_business_date(message["businessDate"], time))
        for item in items:
            produced = self._translate(item, ctx)
            effects += [(f"{key}:{item.id}:{n}", effect) for n, effect in enumerate(produced)]
        subject = str(effects[0][1].loan_id) if effects else None
        envelope = new_event(type=APPLY_TYPE if effects else SKIP_TYPE, source=SOURCE,
                             subject=subject, data={}, time=time, id=key, correlationid=key)
        return envelope, Translation(effects=effects, message_type=message["type"])

    def _translate(self, item, ctx: Context) -> list[Effect]:  # type: ignore[no-untyped-def]
        if not is_mapped(item.type):
            metrics.count(item.type, "skipped")
            return []
        try:
            schema, data = self.store.decode(item.data, expect=item.dataschema)
            produced = translate(item.type, schema.name, data, ctx)
        except (AvroDecodeError, MappingError) as exc:
            raise MalformedRecord(exc.reason, f"{item.type}: {exc.message}") from None
        if produced is None:
            metrics.count(item.type, "skipped")
            return []
        observed = all(isinstance(effect, Observe) for effect in produced)
        metrics.count(item.type, "observed" if observed else "mapped")
        return produced


@dataclass
class FineractSource:
    options: FineractOptions
    store: SchemaStore
    settings: Any
    sessions: async_sessionmaker[AsyncSession]
    dlq_sender: object
    tables: DeliveryTables = delivery
    handlers: dict[str, Handler] = field(init=False)

    def __post_init__(self) -> None:
        self.handlers = build_handlers(self.settings)
        self.policy = AgeingPolicy.from_settings(self.settings)
        self.processor = FineractProcessor(
            service=self.settings.service_name, consumer=self.options.consumer_group,
            handled_types={APPLY_TYPE}, dlq_sender=self.dlq_sender,
            max_retries=self.settings.consumer_max_retries,
            retry_backoff_seconds=self.settings.consumer_retry_backoff_seconds,
            max_event_bytes=self.settings.max_event_bytes,
            store=self.store, tenant=self.options.tenant,
        )

    async def process(self, record: RawRecord):  # type: ignore[no-untyped-def]
        return await self.processor.process(record, self._apply)

    async def _apply(self, record: RawRecord, envelope: Envelope, translation: Translation) -> bool:
        async with self.sessions() as session, session.begin():
            fresh = await inbox.claim(
                session, self.tables, consumer=self.options.consumer_group, event_id=envelope.id,
                event_type=f"fineract:{translation.message_type}"[:200], topic=record.topic,
                partition=record.partition, offset=record.offset)
            if not fresh:
                return False
            await apply_effects(session, translation.effects, handlers=self.handlers,
                                policy=self.policy, time=envelope.time,
                                correlation_id=envelope.id)
        return True

    async def run(self, stopping) -> None:  # type: ignore[no-untyped-def]
        settings = self.settings
        consumer = AIOKafkaConsumer(
            self.options.topic, **connection_kwargs(settings), group_id=self.options.consumer_group,
            enable_auto_commit=False, auto_offset_reset="earliest",
            max_poll_records=settings.consumer_batch_size,
            fetch_max_bytes=max(52_428_800, settings.max_event_bytes * 2),
            max_partition_fetch_bytes=max(1_048_576, settings.max_event_bytes * 2),
        )
        await consumer.start()
        try:
            while not stopping.is_set():
                batches = await consumer.getmany(timeout_ms=200)
                for tp, records in batches.items():
                    for record in records:
                        await self.process(RawRecord.from_consumer_record(record))
                    await consumer.commit({tp: records[-1].offset + 1})
                await self._report_lag(consumer)
        finally:
            await consumer.stop()

    async def _report_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            end = consumer.highwater(tp)
            if end is None:
                continue
            position = await consumer.position(tp)
            shared_metrics.CONSUMER_LAG.labels(
                self.settings.service_name, self.options.consumer_group, tp.topic,
                str(tp.partition)).set(max(0, end - position))


def fineract_job(settings: Any) -> Job | None:
    """The worker job consuming Fineract's topic; None unless `fineract_enabled`.
    The schema directory is read here, so a wrong path fails the worker at start."""
    options = FineractOptions.from_settings(settings)
    if not options.enabled:
        return None
    if not options.schema_dir:
        raise ValueError("fineract_enabled needs fineract_schema_dir (Fineract's avro folder)")
    store = SchemaStore.from_directory(options.schema_dir)

    async def fineract_source(context: WorkerContext) -> None:
        source = FineractSource(options=options, store=store, settings=context.settings,
                                sessions=context.sessions, dlq_sender=context.producer)
        log.info("consuming Fineract events", extra={"topic": options.topic,
                                                      "consumer": options.consumer_group})
        await source.run(context.stopping)

    return fineract_source


__all__ = ["FineractOptions", "FineractProcessor", "FineractSource", "fineract_job"]
