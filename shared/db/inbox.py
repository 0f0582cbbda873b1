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


# Seven bound parameters a row; drivers cap a statement at 32767.
_CLAIM_CHUNK = 1000


async def claim_many(
    session: AsyncSession, tables: DeliveryTables, *, consumer: str,
    events: list[tuple[str, str, str, int, int]],
) -> set[str]:
    """Claim a batch of (event_id, event_type, topic, partition, offset) in one statement
    per thousand rows; returns the ids that were fresh. An id repeated in the batch is
    claimed once."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    now = datetime.now(timezone.utc)
    by_id: dict[str, dict] = {}
    for event_id, event_type, topic, partition, offset in events:
        by_id.setdefault(event_id, dict(
            consumer=consumer, event_id=event_id, event_type=event_type, source_topic=topic,
            source_partition=partition, source_offset=offset, received_at=now,
        ))
    rows = list(by_id.values())
    fresh: set[str] = set()
    for start in range(0, len(rows), _CLAIM_CHUNK):
        statement = (
            dialect.insert(tables.inbox).values(rows[start:start + _CLAIM_CHUNK])
            .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
            .returning(tables.inbox.c.event_id)
        )
        fresh.update((await session.execute(statement)).scalars().all())
    return fresh
