"""Reading a service's audit store and its audit events back, for the audit tests."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.delivery import DeliveryTables
from shared.events.audit import ENTRY_RECORDED
from shared.events.topics import AUDIT


async def entries(sessions: async_sessionmaker[AsyncSession], table: Table,
                  **equal: Any) -> list[dict[str, Any]]:
    query = select(table).where(*(table.c[k] == v for k, v in equal.items())).order_by(table.c.id)
    async with sessions() as session:
        return [dict(row) for row in (await session.execute(query)).mappings()]


async def audit_events(sessions: async_sessionmaker[AsyncSession],
                       delivery: DeliveryTables) -> list[dict[str, Any]]:
    outbox = delivery.outbox
    query = (select(outbox.c.topic, outbox.c.payload)
             .where(outbox.c.event_type == ENTRY_RECORDED).order_by(outbox.c.id))
    async with sessions() as session:
        rows = (await session.execute(query)).all()
    assert all(topic == AUDIT for topic, _ in rows)
    return [json.loads(payload) for _, payload in rows]
