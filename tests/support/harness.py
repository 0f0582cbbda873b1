"""A service's use cases driven directly through its handlers (no broker), on one database,
for fast and exact tests."""
from __future__ import annotations

import importlib
import json

from sqlalchemy import select

from shared.db.engine import create_engine, session_factory
from shared.events.envelope import Envelope
from shared.events.registry import parse_payload


class ServiceHarness:
    service = ""

    def __init__(self, database_url: str, **settings) -> None:  # type: ignore[no-untyped-def]
        config = importlib.import_module(f"services.{self.service}.config")
        models = importlib.import_module(f"services.{self.service}.models")
        consumers = importlib.import_module(f"services.{self.service}.consumers")
        self.settings = config.Settings(database_url=database_url, **settings)
        self.metadata, self.delivery = models.Base.metadata, models.delivery
        self.engine = create_engine(database_url)
        self.sessions = session_factory(self.engine)
        self.handlers = consumers.build_handlers(self.settings)

    async def __aenter__(self):  # type: ignore[no-untyped-def]
        async with self.engine.begin() as connection:
            await connection.run_sync(self.metadata.create_all)
        return self

    async def __aexit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
        await self.engine.dispose()

    async def feed(self, *envelopes: Envelope) -> None:
        for envelope in envelopes:
            async with self.sessions() as session, session.begin():
                await self.handlers[envelope.type](session, envelope, parse_payload(envelope))

    async def published(self, type_prefix: str = "") -> list[dict]:
        outbox = self.delivery.outbox
        async with self.sessions() as session:
            rows = (await session.execute(
                select(outbox.c.payload).where(outbox.c.event_type.startswith(type_prefix))
                .order_by(outbox.c.id))).scalars().all()
        return [json.loads(row) for row in rows]
