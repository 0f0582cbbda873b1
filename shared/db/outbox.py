"""Writing to the transactional outbox: the event is stored in the same transaction as
the state change that caused it, and the relay publishes it after commit."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.delivery import DeliveryTables
from shared.events.envelope import Envelope


async def add_event(
    session: AsyncSession, tables: DeliveryTables, *, topic: str, envelope: Envelope,
    key: str | None = None, headers: dict[str, str] | None = None,
) -> None:
    await session.execute(
        insert(tables.outbox).values(
            topic=topic,
            message_key=key if key is not None else envelope.subject,
            event_id=envelope.id,
            event_type=envelope.type,
            payload=envelope.to_bytes(),
            headers=json.dumps(headers, sort_keys=True) if headers else None,
            created_at=datetime.now(timezone.utc),
        )
    )


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
