"""The five services wired as in production, in one process and without a broker.

Bank events go to monitoring. After each, every service's outbox is read in order and
each new event is handed to every service whose handlers take its type, as that
service's consumer group would read it from the topic; this repeats until nothing new is
published. Each service keeps its own database, so whatever one service tells another
travels only in the events, as over Kafka."""
from __future__ import annotations

import importlib
import json
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, Callable, Collection

from sqlalchemy import select

from shared.events.envelope import Envelope
from services.reporting.consumers import HANDLERS as REPORTING_HANDLERS
from tests.support.collections import CollectionsHarness
from tests.support.crm import CrmHarness
from tests.support.monitoring import MonitoringHarness
from tests.support.reporting import ReportingHarness
from tests.support.warning import WarningHarness

@dataclass(frozen=True)
class Published:
    """One outbox row: who published it, its record key and its envelope as JSON."""

    service: str
    key: str | None
    envelope: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.envelope["type"])


@dataclass
class _Service:
    name: str
    harness: Any
    takes: Collection[str]
    read_up_to: int = 0

    @property
    def outbox(self) -> Any:
        return importlib.import_module(f"services.{self.name}.models").delivery.outbox


class InProcessPlatform:
    def __init__(self, database_url: Callable[[str], str]) -> None:
        harnesses = {
            "monitoring": MonitoringHarness(database_url("monitoring")),
            "warning": WarningHarness(database_url("warning")),
            # No challenger share: every case takes the champion path, run after run.
            "collections": CollectionsHarness(database_url("collections"), challenger_share="0"),
            "crm": CrmHarness(database_url("crm")),
            "reporting": ReportingHarness(database_url("reporting")),
        }
        self.services = [
            _Service(name, harness, REPORTING_HANDLERS if name == "reporting"
                     else harness.handlers)
            for name, harness in harnesses.items()]
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> "InProcessPlatform":
        for service in self.services:
            await self._stack.enter_async_context(service.harness)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._stack.aclose()

    async def bank(self, *envelopes: Envelope) -> None:
        """Each bank event to monitoring, then everything it set off, to the end."""
        monitoring = self.services[0].harness
        for envelope in envelopes:
            await monitoring.feed(envelope)
            await self.settle()

    async def settle(self) -> None:
        while new := [row for service in self.services for row in await self._read(service)]:
            for row in new:
                envelope = Envelope.model_validate(row.envelope)
                for consumer in self.services:
                    if envelope.type in consumer.takes:
                        await consumer.harness.feed(envelope)

    async def published(self) -> list[Published]:
        """Every outbox row of every service, in each service's publication order."""
        return [row for service in self.services for row in await self._read(service, since=0)]

    async def _read(self, service: _Service, since: int | None = None) -> list[Published]:
        outbox = service.outbox
        start = service.read_up_to if since is None else since
        async with service.harness.sessions() as session:
            rows = (await session.execute(
                select(outbox.c.id, outbox.c.message_key, outbox.c.payload)
                .where(outbox.c.id > start).order_by(outbox.c.id))).all()
        if since is None and rows:
            service.read_up_to = rows[-1].id
        return [Published(service.name, row.message_key, json.loads(row.payload))
                for row in rows]

