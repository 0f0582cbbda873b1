"""Writing to the transactional outbox: the event is stored in the same transaction as
the state change that caused it, and the relay publishes it after commit.

The rows of one transaction are written together just before it commits, in one
multi-row statement: one INSERT per event was the largest cost of a consumer batch. They
keep their order (the relay publishes by id), and a transaction that rolls back writes
none of them."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Table, event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from shared.db.delivery import DeliveryTables
from shared.events.envelope import Envelope


async def add_event(
    session: AsyncSession, tables: DeliveryTables, *, topic: str, envelope: Envelope,
    key: str | None = None, headers: dict[str, str] | None = None,
) -> None:
    _pending(session.sync_session, tables.outbox).append(dict(
        topic=topic,
        message_key=key if key is not None else envelope.subject,
        event_id=envelope.id,
        event_type=envelope.type,
        payload=envelope.to_bytes(),
        headers=json.dumps(headers, sort_keys=True) if headers else None,
        created_at=datetime.now(timezone.utc),
    ))


_KEY = "outbox.pending"


@dataclass
class _Pending:
    transaction: SessionTransaction | None
    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)


def _pending(session: Session, table: Table) -> list[dict[str, Any]]:
    if _KEY not in session.info:
        event.listen(session, "before_commit", _write_pending)
    pending: _Pending | None = session.info.get(_KEY)
    transaction = session.get_transaction() or session.begin()
    if pending is None or pending.transaction is not transaction:
        # Left over from a transaction that rolled back: none of it may be written.
        pending = session.info[_KEY] = _Pending(transaction)
    return pending.rows.setdefault(table, [])


def _write_pending(session: Session) -> None:
    pending: _Pending | None = session.info.get(_KEY)
    if pending is None or not pending.rows:
        return
    session.info[_KEY] = _Pending(None)
    if pending.transaction is not session.get_transaction():
        return
    for table, rows in pending.rows.items():
        session.execute(insert(table), rows)


async def backlog(session: AsyncSession, tables: DeliveryTables) -> tuple[int, float]:
    """Unsent rows and the age in seconds of the oldest one (0 when empty)."""
    outbox = tables.outbox
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.sent_at.is_(None))
        )
    ).one()
    if not oldest:
        return int(count), 0.0
    if isinstance(oldest, str):  # SQLite aggregates bypass the column type
        oldest = datetime.fromisoformat(oldest)
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=timezone.utc)
    return int(count), max(0.0, (datetime.now(timezone.utc) - oldest).total_seconds())
