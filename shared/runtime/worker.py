"""The worker process: consumers, the outbox relay, periodic jobs, and an ops endpoint."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Sequence

import uvicorn
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.api.ops import install_ops
from shared.config import CommonSettings
from shared.db.delivery import DeliveryTables
from shared.db.engine import create_engine, session_factory
from shared.kafka.client import create_producer
from shared.kafka.consumer import ConsumerSpec, EventConsumer
from shared.kafka.relay import OutboxRelay

log = logging.getLogger(__name__)


@dataclass
class WorkerContext:
    settings: CommonSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    producer: object
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


Job = Callable[[WorkerContext], Awaitable[None]]


class Worker:
    def __init__(
        self, settings: CommonSettings, *, tables: DeliveryTables,
        consumers: Sequence[ConsumerSpec], jobs: Sequence[Job] = (), serve_ops: bool = True,
    ) -> None:
        self.settings = settings
        self.tables = tables
        self.consumer_specs = list(consumers)
        self.jobs = list(jobs)
        self.serve_ops = serve_ops
        self.context: WorkerContext | None = None
        self.consumers: list[EventConsumer] = []
        self.relay: OutboxRelay | None = None
        self._ops: uvicorn.Server | None = None

    async def start(self) -> None:
        engine = create_engine(self.settings.database_url, echo=self.settings.database_echo)
        sessions = session_factory(engine)
        producer = create_producer(self.settings)
        await producer.start()
        self.context = WorkerContext(self.settings, engine, sessions, producer)
        self.relay = OutboxRelay(
            service=self.settings.service_name, sessions=sessions, tables=self.tables,
            producer=producer, batch_size=self.settings.outbox_batch_size,
            poll_seconds=self.settings.outbox_poll_seconds,
        )
        for spec in self.consumer_specs:
            consumer = EventConsumer(spec, settings=self.settings, sessions=sessions,
                                     tables=self.tables, dlq_sender=producer)
            await consumer.start()
            self.consumers.append(consumer)

    async def run(self) -> None:
        """Run until stop(); then drain what is in hand and close everything."""
        assert self.context is not None and self.relay is not None, "start() first"
        tasks = [asyncio.create_task(c.run(), name=f"consumer:{c.spec.name}")
                 for c in self.consumers]
        tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))
        tasks += [asyncio.create_task(job(self.context), name=getattr(job, "__name__", "job"))
                  for job in self.jobs]
        if self.serve_ops:
            tasks.append(asyncio.create_task(self._serve_ops(), name="ops"))
        try:
            await self.context.stopping.wait()
        finally:
            await self._shutdown(tasks)

    async def stop(self) -> None:
        if self.context is not None:
            self.context.stopping.set()

    async def _shutdown(self, tasks: list[asyncio.Task]) -> None:
        for consumer in self.consumers:
            await consumer.stop()
        await self.relay.stop()
        if self._ops is not None:
            self._ops.should_exit = True
        done, pending = await asyncio.wait(tasks, timeout=30)
        for task in pending:
            task.cancel()
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("worker task %s ended with an error", task.get_name(),
                          exc_info=task.exception())
        try:
            await self.relay.drain()
        except Exception:  # noqa: BLE001 - rows stay in the outbox for the next start
            log.warning("could not drain the outbox at shutdown", exc_info=True)
        await self.context.producer.stop()
        await self.context.engine.dispose()

    async def _serve_ops(self) -> None:
        app = FastAPI(title=f"{self.settings.service_name} worker")
        app.state.settings = self.settings
        app.state.engine = self.context.engine
        install_ops(app, service=self.settings.service_name)
        config = uvicorn.Config(app, host=self.settings.api_host,
                                port=self.settings.worker_ops_port, log_level="warning",
                                lifespan="off")
        self._ops = uvicorn.Server(config)
        self._ops.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        await self._ops.serve()
