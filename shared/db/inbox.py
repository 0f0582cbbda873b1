"""The inbox: a consumer applies each event id once, in the same transaction as its effect."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.delivery import DeliveryTables


async def claim(
    session: AsyncSession, tables: DeliveryTables, *, consumer: str, event_id: str,
    event_type: str, topic: str, partition: int, offset: int,
) -> bool:
    """Record the event as applied by `consumer`; False when it already was (a duplicate)."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(tables.inbox)
        .values(
            consumer=consumer, event_id=event_id, event_type=event_type, source_topic=topic,
            source_partition=partition, source_offset=offset,
            received_at=datetime.now(timezone.utc),
        )
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        .returning(tables.inbox.c.event_id)
    )
    return (await session.execute(statement)).first() is not None
