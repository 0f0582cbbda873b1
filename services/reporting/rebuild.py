"""Rebuild the read models from scratch: replay every postloan topic from the beginning
into a fresh database with a new consumer group, up to the end offsets taken at the start,
which the group then commits.
The same HANDLERS and the same inbox semantics as the live worker apply, so the rebuilt
store gives the same figures as the live one."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.db import inbox
from shared.db.engine import create_engine, session_factory
from shared.db.migrate import upgrade
from shared.events.envelope import Envelope
from shared.kafka.client import connection_kwargs
from shared.kafka.processing import Outcome, RecordProcessor
from shared.kafka.records import RawRecord
from shared.kafka.replay import CountingDeadLetters
from services.reporting.config import Settings
from services.reporting.consumers import HANDLERS, TOPICS
from services.reporting.models import delivery


@dataclass
class RebuildResult:
    group: str
    records: int
    applied: int
    skipped: int


async def rebuild(settings: Settings, *, database_url: str, group: str | None = None,
                  migrate: bool = True) -> RebuildResult:
    """Replay into `database_url` (an empty database); returns what was read and applied."""
    group = group or f"{settings.consumer_group}-rebuild-{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url)
    try:
        if migrate:
            await upgrade("reporting", engine)
        return await _replay(settings, session_factory(engine), group)
    finally:
        await engine.dispose()


async def _replay(settings: Settings, sessions, group: str) -> RebuildResult:  # type: ignore[no-untyped-def]
    dead = CountingDeadLetters()
    processor = RecordProcessor(service=settings.service_name, consumer=group,
                                handled_types=set(HANDLERS), dlq_sender=dead,
                                max_retries=settings.consumer_max_retries,
                                retry_backoff_seconds=settings.consumer_retry_backoff_seconds,
                                max_event_bytes=settings.max_event_bytes)

    async def apply(record: RawRecord, envelope: Envelope, payload) -> bool:  # type: ignore[no-untyped-def]
        async with sessions() as session, session.begin():
            if not await inbox.claim(session, delivery, consumer=group, event_id=envelope.id,
                                     event_type=envelope.type, topic=record.topic,
                                     partition=record.partition, offset=record.offset):
                return False
            await HANDLERS[envelope.type](session, envelope, payload)
        return True

    consumer = AIOKafkaConsumer(**connection_kwargs(settings), group_id=group,
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        return await _read_to_end(consumer, processor, apply, group, settings)
    finally:
        await consumer.stop()


async def _partitions(settings: Settings) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    await admin.start()
    try:
        described = await admin.describe_topics([t for t in TOPICS
                                                 if t in set(await admin.list_topics())])
    finally:
        await admin.close()
    return [TopicPartition(d["topic"], p["partition"]) for d in described
            for p in d["partitions"]]


async def _read_to_end(consumer: AIOKafkaConsumer, processor: RecordProcessor, apply,  # type: ignore[no-untyped-def]
                       group: str, settings: Settings) -> RebuildResult:
    partitions = await _partitions(settings)
    consumer.assign(partitions)
    if not partitions:
        return RebuildResult(group=group, records=0, applied=0, skipped=0)
    await consumer.seek_to_beginning(*partitions)
    ends = {tp: off for tp, off in (await consumer.end_offsets(partitions)).items() if off > 0}
    read_to = dict(ends)
    records = applied = 0
    while ends:
        batches = await consumer.getmany(*ends, timeout_ms=500)
        for tp, items in batches.items():
            for item in items:
                if item.offset >= ends.get(tp, 0):
                    continue
                records += 1
                outcome = await processor.process(RawRecord.from_consumer_record(item), apply)
                applied += outcome is Outcome.applied
            if tp in ends and await consumer.position(tp) >= ends[tp]:
                del ends[tp]
    if read_to:
        # A worker started on the rebuilt store with this group goes on from here.
        await consumer.commit(read_to)
    return RebuildResult(group=group, records=records, applied=applied,
                         skipped=records - applied)
