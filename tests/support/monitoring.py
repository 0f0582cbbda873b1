"""Driving the monitoring use cases directly (no broker) for fast, exact tests."""
from __future__ import annotations

import json

from sqlalchemy import select

from shared.db.engine import create_engine, session_factory
from shared.events.envelope import Envelope
from shared.events.registry import parse_payload
from services.monitoring.config import Settings
from services.monitoring.consumers import build_handlers
from services.monitoring.models import Base, delivery


class MonitoringHarness:
    def __init__(self, database_url: str, **settings) -> None:  # type: ignore[no-untyped-def]
        self.settings = Settings(database_url=database_url, **settings)
        self.engine = create_engine(database_url)
        self.sessions = session_factory(self.engine)
        self.handlers = build_handlers(self.settings)

    async def __aenter__(self) -> "MonitoringHarness":
        async with self.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        return self

    async def __aexit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
        await self.engine.dispose()

    async def feed(self, *envelopes: Envelope) -> None:
        for envelope in envelopes:
            async with self.sessions() as session, session.begin():
                await self.handlers[envelope.type](session, envelope, parse_payload(envelope))

    async def published(self, type_prefix: str = "") -> list[dict]:
        outbox = delivery.outbox
        async with self.sessions() as session:
            rows = (await session.execute(
                select(outbox.c.payload).where(outbox.c.event_type.startswith(type_prefix))
                .order_by(outbox.c.id))).scalars().all()
        return [json.loads(row) for row in rows]
