"""Readiness probes for the broker and the database."""
from __future__ import annotations

import asyncio

from aiokafka.client import AIOKafkaClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.config import CommonSettings
from shared.kafka.client import connection_kwargs


async def kafka_ready(settings: CommonSettings, timeout: float = 3.0) -> bool:
    client = AIOKafkaClient(**connection_kwargs(settings), request_timeout_ms=int(timeout * 1000))
    try:
        await asyncio.wait_for(client.bootstrap(), timeout)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False
    finally:
        await client.close()


async def database_ready(engine: AsyncEngine, timeout: float = 3.0) -> bool:
    async def _ping() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(_ping(), timeout)
        return True
    except Exception:  # noqa: BLE001
        return False
