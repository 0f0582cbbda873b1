"""Starting one service process from the command line."""
from __future__ import annotations

import asyncio
import importlib
import signal

import uvicorn

from shared.db.migrate import upgrade_url
from shared.observability.logging import configure_logging


def load_settings(service: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"services.{service}.config").Settings()


def migrate_service(service: str) -> None:
    upgrade_url(service, load_settings(service).database_url)


def run_process(service: str, process: str) -> int:
    settings = load_settings(service)
    configure_logging(f"{service}-{process}", settings.log_level)
    migrate_service(service)
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
    await worker.start()
    await worker.run()
