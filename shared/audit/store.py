"""The append-only audit store every service keeps in its own database, and writing one
entry: the row and its `audit.entry.recorded.v1` event on the outbox, in the caller's
transaction. UPDATE, DELETE and TRUNCATE are refused by the database itself."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Mapping

from sqlalchemy import (
    DDL, JSON, Column, Index, Insert, Integer, MetaData, String, Table, Text, event, insert,
)
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.base import BigId, UtcDateTime
from shared.db.delivery import DeliveryTables
from shared.events.audit import ENTRY_RECORDED, AuditEntryRecorded
from shared.events.envelope import new_event
from shared.events.topics import AUDIT

if TYPE_CHECKING:
    from shared.audit.decisions import Decision


CALL_KEY = "audit_call"


def call_correlation(session: AsyncSession) -> str | None:
    """The correlation id of the API call `session` serves, if it serves one."""
    call = session.sync_session.info.get(CALL_KEY)
    return call.correlation_id if call is not None else None


def audit_table(metadata: MetaData, name: str = "audit_entry") -> Table:
    table = Table(
        name, metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("entry_id", String(36), nullable=False, unique=True),
        Column("recorded_at", UtcDateTime, nullable=False),
        Column("service", String(50), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("actor_roles", JSON, nullable=False),
        Column("actor_team", String(100), nullable=True),
        Column("action", String(300), nullable=False),
        Column("target", String(500), nullable=True),
        Column("entity_type", String(100), nullable=True),
        Column("entity_id", String(200), nullable=True),
        Column("changes", JSON, nullable=False),
        Column("reason", Text, nullable=True),
        Column("cause_event_id", String(100), nullable=True),
        Column("cause_event_type", String(200), nullable=True),
        Column("outcome", String(20), nullable=False),
        Column("status_code", Integer, nullable=True),
        Column("error_code", String(100), nullable=True),
        Column("correlation_id", String(100), nullable=True),
    )
    Index(f"ix_{name}_entity", table.c.entity_type, table.c.entity_id)
    Index(f"ix_{name}_recorded_at", table.c.recorded_at)
    Index(f"ix_{name}_actor", table.c.actor)
    Index(f"ix_{name}_correlation_id", table.c.correlation_id)
    for dialect in ("sqlite", "postgresql"):
        for statement in append_only_statements(name, dialect):
            # DDL formats with %; the SQL itself holds a literal one.
            ddl = DDL(statement.replace("%", "%%")).execute_if(dialect=dialect)
            event.listen(table, "after_create", ddl)
    return table


def append_only_statements(table: str, dialect: str) -> list[str]:
    """Triggers refusing any change to recorded entries; the migrations run the same SQL."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION postloan_refuse_audit_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '42501'; END $$",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION postloan_refuse_audit_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION postloan_refuse_audit_change()",
        ]
    raise ValueError(f"no append-only triggers for {dialect}")


@dataclass(frozen=True)
class AuditTrail:
    """A service's audit store, its outbox, and which of its events are audited decisions."""

    service: str
    table: Table
    delivery: DeliveryTables
    decisions: Mapping[str, "Decision"] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return f"postloan.{self.service}"

    @property
    def system_actor(self) -> str:
        return f"system:{self.service}"


def new_entry(trail: AuditTrail, *, entry_id: str | None = None,
              recorded_at: datetime | None = None, **fields: Any) -> AuditEntryRecorded:
    return AuditEntryRecorded(
        entry_id=entry_id or str(uuid.uuid4()),
        recorded_at=recorded_at or datetime.now(timezone.utc), service=trail.service, **fields)


def entry_statements(trail: AuditTrail, entry: AuditEntryRecorded) -> tuple[Insert, Insert]:
    """The store row and the outbox row for one entry; the event id is the entry id, so an
    entry derived from a replayed cause cannot be published twice."""
    envelope = new_event(
        type=ENTRY_RECORDED, source=trail.source, subject=entry.entity_id or entry.entry_id,
        data=entry.model_dump(mode="json"), time=entry.recorded_at, id=entry.entry_id,
        correlationid=entry.correlation_id)
    row = insert(trail.table).values(**row_values(trail.table, entry))
    outbox = insert(trail.delivery.outbox).values(
        topic=AUDIT, message_key=entry.entry_id, event_id=envelope.id,
        event_type=ENTRY_RECORDED, payload=envelope.to_bytes(), headers=None,
        created_at=datetime.now(timezone.utc))
    return row, outbox


async def write(session: AsyncSession, trail: AuditTrail, entry: AuditEntryRecorded) -> None:
    for statement in entry_statements(trail, entry):
        await session.execute(statement)


def row_values(table: Table, entry: AuditEntryRecorded) -> dict[str, Any]:
    # Fields a newer producer adds travel on the event; the store keeps its own columns.
    values = {k: v for k, v in entry.model_dump().items() if k in table.c and k != "id"}
    return values | {"recorded_at": entry.recorded_at}  # the wire form is a string
