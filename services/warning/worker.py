"""Composition root of the warning worker: the faust app (agents and changelog-backed
windows) runs as a job of the shared Worker, next to the outbox relay and a gauge refresher."""
from __future__ import annotations

import asyncio
import logging

from shared.kafka.client import connection_kwargs
from shared.kafka.faust_stall import StallWatcher
from shared.runtime.outage import OUTAGE_PAUSE_SECONDS, unreachable
from shared.runtime.worker import Worker, WorkerContext
from services.warning.config import Settings
from services.warning.copartition import ensure_copartitioned
from services.warning.service import effectiveness
from services.warning.models import delivery
from services.warning.streams import SOURCES, build_streams, changelog_topics

log = logging.getLogger(__name__)


async def _copartitioned(settings: Settings) -> int:
    """The source topics' partition count; a broker that is away (restarting) is waited
    for, a partition mismatch stops the worker."""
    while True:
        try:
            return await ensure_copartitioned(settings, sources=SOURCES,
                                              changelogs=changelog_topics(settings))
        except Exception as exc:  # noqa: BLE001 - only an unreachable broker is retried
            if not unreachable(exc):
                raise
            log.warning("broker unreachable while checking the stream's topics; retrying")
            await asyncio.sleep(OUTAGE_PAUSE_SECONDS)


def build_worker(settings: Settings | None = None, **options) -> Worker:  # type: ignore[no-untyped-def]
    settings = settings or Settings()

    async def run_streams(context: WorkerContext) -> None:
        partitions = await _copartitioned(settings)
        streams = build_streams(settings, context.sessions, partitions=partitions)
        try:
            await streams.app.start()
            watcher = StallWatcher(streams.app, streams.progress, topics=SOURCES,
                                   admin_kwargs=connection_kwargs(settings))
            watching = asyncio.ensure_future(watcher.run(context.stopping))
            stopping = asyncio.ensure_future(context.stopping.wait())
            ended = asyncio.ensure_future(streams.app.wait_until_stopped())
            await asyncio.wait({stopping, ended}, return_when=asyncio.FIRST_COMPLETED)
            for waiter in (stopping, ended, watching):
                waiter.cancel()
            if not context.stopping.is_set():
                raise RuntimeError(f"the faust app stopped: {streams.app.crash_reason!r}")
        except Exception:
            # A worker without its agents would only relay: stop it so it gets restarted.
            log.exception("the faust app failed; stopping the worker")
            context.stopping.set()
            raise
        finally:
            await streams.app.stop()

    async def refresh_gauges(context: WorkerContext) -> None:
        while not context.stopping.is_set():
            try:
                async with context.sessions() as session, session.begin():
                    await effectiveness.refresh_gauges(session, settings=settings)
            except Exception:  # noqa: BLE001 - gauges are best effort; the next round retries
                log.warning("could not refresh the warning gauges", exc_info=True)
            try:
                await asyncio.wait_for(context.stopping.wait(), settings.gauge_refresh_seconds)
            except asyncio.TimeoutError:
                pass

    run_streams.__name__, refresh_gauges.__name__ = "faust-streams", "gauges"
    return Worker(settings, tables=delivery, consumers=[], jobs=[run_streams, refresh_gauges],
                  **options)
