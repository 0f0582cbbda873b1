"""Starting one service process from the command line."""
from __future__ import annotations

import asyncio
import importlib
import logging
import signal
import sys
import time
from typing import Callable, TypeVar

import uvicorn

from shared.db.migrate import upgrade_url
from shared.observability.logging import configure_logging
from shared.runtime.outage import unreachable

log = logging.getLogger(__name__)
T = TypeVar("T")
# How long a starting process waits for its database and broker. A process started while
# either restarts must come up on its own once it is back, not crash-loop; a server still
# away after this long is a real outage and the process exits non-zero.
STARTUP_WAIT_SECONDS = 180.0


def load_settings(service: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"services.{service}.config").Settings()


def migrate_service(service: str) -> None:
    upgrade_url(service, load_settings(service).database_url)


def retry_while_unreachable(what: str, action: Callable[[], T],
                            wait: float = STARTUP_WAIT_SECONDS) -> T:
    deadline, pause = time.monotonic() + wait, 0.5
    while True:
        try:
            return action()
        except Exception as exc:  # noqa: BLE001 - only unreachable servers are waited for
            if not unreachable(exc) or time.monotonic() + pause > deadline:
                raise
            log.warning("%s: server unreachable, retrying in %.1fs", what, pause)
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def run_process(service: str, process: str) -> int:
    settings = load_settings(service)
    configure_logging(f"{service}-{process}", settings.log_level)
    # Until the worker's own handlers are installed, SIGTERM means "stop cleanly": nothing
    # has been consumed yet, so there is nothing to drain.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    retry_while_unreachable("migrating the database", lambda: migrate_service(service))
    if process == "api":
        app = importlib.import_module(f"services.{service}.app").create_app(settings)
        uvicorn.run(app, host=settings.api_host, port=settings.api_port, log_level="warning")
        return 0
    worker = importlib.import_module(f"services.{service}.worker").build_worker(settings)
    asyncio.run(_run_worker(worker))
    return 0


async def _run_worker(worker) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(worker.stop()))
    await worker.start_when_reachable(STARTUP_WAIT_SECONDS)
    if worker.context is not None:  # None: stopped before it could start
        await worker.run()
