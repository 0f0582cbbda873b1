"""The faust side of the worker: agents over `postloan.monitoring.v1` and
`postloan.collections.v1` (raw bytes, guarded: decode, validate, apply with retries,
dead-letter with the reason, never let faust ack an unprocessed record), and the windowed
state in tables backed by changelog topics, so a restarted worker recovers its windows.

The windows are plain tables of event-id-keyed, date-pruned dicts rather than faust's
wall-clock windowed tables: the rules count business dates from the events, so a replay
gives the same answer as the live run."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import faust
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.events.topics import COLLECTIONS, MONITORING
from shared.kafka.client import faust_credentials
from shared.kafka.faust_guard import FaustDeadLetterSender, guarded_events
from shared.kafka.faust_stall import AtLeastOnceApp, Progress
from shared.kafka.processing import RecordProcessor
from services.warning.consumers import PROMISE_BROKEN, build_handlers, make_apply
from services.warning.copartition import CopartitionedTable, changelog_topic
from services.warning.windowing import MappingWindows

TABLES = ("missed-installments", "contact-changes")
SOURCES = (MONITORING, COLLECTIONS)


@dataclass
class WarningStreams:
    app: faust.App
    missed: Any
    contacts: Any
    monitoring_agent: Any
    collections_agent: Any | None
    progress: Progress


def _raw_topic(app: faust.App, name: str) -> Any:
    return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw",
                     value_serializer="raw")


def changelog_topics(settings: Any) -> list[str]:
    return [changelog_topic(settings.faust_app_id, table) for table in TABLES]


def build_streams(settings: Any, sessions: async_sessionmaker[AsyncSession],
                  dlq_sender: Any = None, *, partitions: int | None = None) -> WarningStreams:
    """`partitions`: the source topics' count as read from the broker
    (`copartition.ensure_copartitioned`); settings are only the fallback for tests."""
    partitions = partitions or settings.faust_table_partitions or settings.topic_partitions
    app = AtLeastOnceApp(
        settings.faust_app_id, broker=f"kafka://{settings.kafka_bootstrap_servers}",
        broker_credentials=faust_credentials(settings),
        store=settings.faust_store, web_enabled=False, autodiscover=False,
        topic_partitions=partitions, Table=CopartitionedTable,
        topic_replication_factor=settings.topic_replication_factor,
        processing_guarantee="at_least_once", producer_acks=-1,
        consumer_auto_offset_reset="earliest", broker_commit_every=100,
        broker_commit_interval=1.0, table_standby_replicas=0,
        broker_session_timeout=settings.faust_session_timeout_seconds,
        broker_heartbeat_interval=min(3.0, settings.faust_session_timeout_seconds / 3),
    )
    missed, contacts = (app.Table(name, default=dict, partitions=partitions) for name in TABLES)
    for table in (missed, contacts):
        table.source_topics = frozenset(SOURCES)
    windows = MappingWindows(missed, contacts)
    handlers = build_handlers(settings, windows)
    dlq = dlq_sender or FaustDeadLetterSender(app)
    progress = Progress()

    def agent_over(topic: str, prefix: str) -> Any:
        types = {t: h for t, h in handlers.items() if t.startswith(prefix)}
        consumer = f"{settings.consumer_group}-{prefix.rstrip('.')}"
        processor = RecordProcessor(
            service=settings.service_name, consumer=consumer, handled_types=set(types),
            dlq_sender=dlq, max_retries=settings.consumer_max_retries,
            retry_backoff_seconds=settings.consumer_retry_backoff_seconds,
            max_event_bytes=settings.max_event_bytes)
        apply = make_apply(consumer=consumer, handlers=types, windows=windows,
                           sessions=sessions, settings=settings)

        async def body(stream: Any) -> Any:
            async for outcome in guarded_events(stream, processor, apply, progress):
                yield outcome

        body.__name__ = f"{prefix.rstrip('.')}_agent"
        return app.agent(_raw_topic(app, topic), name=body.__name__)(body)

    monitoring_agent = agent_over(MONITORING, "monitoring.")
    collections_agent = agent_over(COLLECTIONS, "collections.") \
        if PROMISE_BROKEN in handlers else None
    return WarningStreams(app, missed, contacts, monitoring_agent, collections_agent,
                          progress)
