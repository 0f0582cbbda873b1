"""The worker process: consumers, the outbox relay, periodic jobs, and an ops endpoint."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from typing import Awaitable, Callable, Sequence

import uvicorn
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.api.ops import install_ops
from shared.config import CommonSettings
from shared.db.delivery import DeliveryTables
from shared.db.engine import create_engine, session_factory
from shared.kafka.client import create_producer
from shared.kafka.consumer import ConsumerSpec, EventConsumer, Handler
from shared.kafka.relay import OutboxRelay
from shared.runtime.outage import unreachable

log = logging.getLogger(__name__)


@dataclass
class WorkerContext:
    settings: CommonSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    producer: object
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


Job = Callable[[WorkerContext], Awaitable[None]]


def slowed(spec: ConsumerSpec, delay: float) -> ConsumerSpec:
    """The spec with every handler paused by `delay` seconds first: the fault suite's slow
    consumer, which builds lag without changing what any handler does. Off (0) by default."""
    if delay <= 0:
        return spec

    def pause_then(handler: Handler) -> Handler:
        async def slow_handler(session, envelope, payload):  # type: ignore[no-untyped-def]
            await asyncio.sleep(delay)
            await handler(session, envelope, payload)
        return slow_handler

    handlers = {type_: pause_then(handler) for type_, handler in spec.handlers.items()}
    return replace(spec, handlers=handlers)


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
        self.stop_requested = False  # a SIGTERM may arrive before start() has finished

    async def start(self) -> None:
        engine = create_engine(self.settings.database_url, echo=self.settings.database_echo)
        sessions = session_factory(engine)
        producer = create_producer(self.settings)
        await producer.start()
        self.context = WorkerContext(self.settings, engine, sessions, producer)
        if self.stop_requested:
            self.context.stopping.set()
        self.relay = OutboxRelay(
            service=self.settings.service_name, sessions=sessions, tables=self.tables,
            producer=producer, batch_size=self.settings.outbox_batch_size,
            poll_seconds=self.settings.outbox_poll_seconds,
        )
        for spec in self.consumer_specs:
            spec = slowed(spec, self.settings.consumer_fault_delay_seconds)
            consumer = EventConsumer(spec, settings=self.settings, sessions=sessions,
                                     tables=self.tables, dlq_sender=producer)
            await consumer.start()
            self.consumers.append(consumer)

    async def start_when_reachable(self, wait: float) -> None:
        """start(), retried while the broker or the database is away (a worker started
        during a restart of either comes up once it is back); other errors are raised."""
        loop = asyncio.get_running_loop()
        deadline, pause = loop.time() + wait, 0.5
        while True:
            try:
                await self.start()
                return
            except Exception as exc:
                await self._close_partial()
                if self.stop_requested:
                    return
                if not unreachable(exc) or loop.time() + pause > deadline:
                    raise
                log.warning("worker start: server unreachable, retrying in %.1fs", pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)

    async def _close_partial(self) -> None:
        for consumer in self.consumers:
            await consumer.close()
        self.consumers = []
        if self.context is not None:
            try:
                await self.context.producer.stop()
            finally:
                await self.context.engine.dispose()
            self.context = None

    async def run(self) -> None:
        """Run until stop(); then drain what is in hand and close everything."""
        assert self.context is not None and self.relay is not None, "start() first"
        tasks = [asyncio.create_task(self._supervise(c), name=f"consumer:{c.spec.name}")
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

    async def _supervise(self, consumer: EventConsumer) -> None:
        """Keep a consumer running: one that failed (a commit refused while the broker
        restarted, a rebalance mid-commit) is closed, started again and resumes from its
        last committed offset; the inbox turns what it re-reads into no-ops."""
        while True:
            try:
                await consumer.run()
                return  # stopped on request
            except Exception:  # noqa: BLE001 - restarted below; the worker must keep consuming
                log.exception("consumer %s failed; restarting it", consumer.spec.name)
            await consumer.close()
            while not self.context.stopping.is_set():
                await asyncio.sleep(1.0)
                try:
                    await consumer.start()
                    break
                except Exception:  # noqa: BLE001 - broker still away
                    await consumer.close()
                    log.warning("consumer %s could not restart yet", consumer.spec.name)
            if self.context.stopping.is_set():
                return

    async def stop(self) -> None:
        self.stop_requested = True
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
        install_ops(app, service=self.settings.service_name,
                    max_body_bytes=self.settings.api_max_body_bytes)
        config = uvicorn.Config(app, host=self.settings.api_host,
                                port=self.settings.worker_ops_port, log_level="warning",
                                lifespan="off")
        self._ops = uvicorn.Server(config)
        self._ops.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        await self._ops.serve()
