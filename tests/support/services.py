"""Running service workers and APIs inside a test, against real Kafka and databases."""
from __future__ import annotations

import asyncio
import importlib
from contextlib import asynccontextmanager
from typing import AsyncIterator

import httpx

from shared.auth import mint_local_token
from shared.db.engine import create_engine
from shared.db.migrate import upgrade


async def migrate(service: str, database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(service, engine)
    finally:
        await engine.dispose()


@asynccontextmanager
async def running_worker(service: str, settings) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    worker = importlib.import_module(f"services.{service}.worker").build_worker(
        settings, serve_ops=False)
    await worker.start()
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        await worker.stop()
        await task


@asynccontextmanager
async def api_client(service: str, settings, *roles: str,  # type: ignore[no-untyped-def]
                     subject: str = "tester", team: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    app = importlib.import_module(f"services.{service}.app").create_app(settings)
    token = mint_local_token(settings, roles=list(roles) or ["admin"], subject=subject, team=team)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test",
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            yield client
