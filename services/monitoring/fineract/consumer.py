"""The Fineract source: Fineract's topic (default `external-events`) read by monitoring's
own consumer, so its events pass the same close-of-day barrier as the native bank topics;
only decoding (Avro) and applying (one inbox row per Fineract idempotencyKey) are its own.

Same guarantees as every postloan consumer: the effect and the inbox row commit in one
transaction, the offset is committed after the database commit, failures are retried and
then dead-lettered to `<topic>.dlq` with the reason in headers. Undecodable records are
dead-lettered at once; event types that do not matter are counted and skipped."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import inbox
from shared.db.delivery import DeliveryTables
from shared.events.envelope import Envelope, MalformedRecord, new_event
from shared.kafka.consumer import Handler, Source, SourceFactory
from shared.kafka.processing import RecordProcessor
from shared.kafka.records import RawRecord
from services.monitoring.consumers import build_handlers
from services.monitoring.domain.classification import AgeingPolicy
from services.monitoring.fineract import metrics
from services.monitoring.fineract.apply import SOURCE, apply_effects, message_dates
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
        time, business_date = message_dates(message["createdAt"], message["businessDate"])
        key = message["idempotencyKey"]
        if not key:
            raise MalformedRecord("invalid_envelope", "MessageV1.idempotencyKey is empty")
        effects: list[tuple[str, Effect]] = []
        if self.tenant is not None and message["tenantId"] != self.tenant:
            for item in items:
                metrics.count(item.type, "other_tenant")
            items = []
        ctx = Context(business_date=business_date)
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


def fineract_source(settings: Any) -> tuple[str, SourceFactory] | None:
    """(Fineract's topic, the factory of its source) for monitoring's consumer; None unless
    `fineract_enabled`. The schema directory is read here, so a wrong path fails the
    worker at start."""
    options = FineractOptions.from_settings(settings)
    if not options.enabled:
        return None
    if not options.schema_dir:
        raise ValueError("fineract_enabled needs fineract_schema_dir (Fineract's avro folder)")
    store = SchemaStore.from_directory(options.schema_dir)

    def factory(sessions: async_sessionmaker[AsyncSession], dlq_sender: object) -> Source:
        return FineractSource(options=options, store=store, settings=settings,
                              sessions=sessions, dlq_sender=dlq_sender).process

    return options.topic, factory


__all__ = ["FineractOptions", "FineractProcessor", "FineractSource", "fineract_source"]
