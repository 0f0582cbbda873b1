"""The outbox and inbox tables that give every service at-least-once delivery with
idempotent effects. Each service adds them to its own metadata."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Index, Integer, LargeBinary, MetaData, String, Table, Text

from shared.db.base import BigId, UtcDateTime


@dataclass(frozen=True)
class DeliveryTables:
    outbox: Table
    inbox: Table


def delivery_tables(metadata: MetaData) -> DeliveryTables:
    outbox = Table(
        "outbox_message", metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("topic", String(200), nullable=False),
        Column("message_key", String(200), nullable=True),
        Column("event_id", String(100), nullable=False, unique=True),
        Column("event_type", String(200), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("headers", Text, nullable=True),
        Column("created_at", UtcDateTime, nullable=False),
        Column("sent_at", UtcDateTime, nullable=True),
    )
    Index(
        "ix_outbox_message_unsent", outbox.c.id,
        postgresql_where=outbox.c.sent_at.is_(None), sqlite_where=outbox.c.sent_at.is_(None),
    )
    Index("ix_outbox_message_key_unsent", outbox.c.message_key, outbox.c.id,
          postgresql_where=outbox.c.sent_at.is_(None), sqlite_where=outbox.c.sent_at.is_(None))
    inbox = Table(
        "inbox_message", metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(100), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("source_topic", String(200), nullable=False),
        Column("source_partition", Integer, nullable=False),
        Column("source_offset", BigId, nullable=False),
        Column("received_at", UtcDateTime, nullable=False),
    )
    return DeliveryTables(outbox=outbox, inbox=inbox)
