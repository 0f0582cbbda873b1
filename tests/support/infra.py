"""Test infrastructure helpers that are not fixtures: picking servers, polling, naming."""
from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import inspect
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.kafka.admin import topic_config


def new_topic_name(prefix: str = "test") -> str:
    """A topic name no other test (or earlier run against the same broker) has used."""
    return f"{prefix}.{uuid.uuid4().hex[:12]}"


def new_database_name(prefix: str = "test") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


async def wait_for(predicate: Callable[[], Awaitable[bool] | bool], *, timeout: float = 30.0,
                   interval: float = 0.05, message: str = "condition") -> None:
    """Poll `predicate` (sync or async) until true; fail with `message` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        outcome = predicate()
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if outcome:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        await asyncio.sleep(interval)


async def create_topics(bootstrap: str, names: list[str], partitions: int = 3) -> None:
    """Create the missing topics; a catalogue topic gets the catalogue's configs (retention,
    timestamp type), as `postloan topics` would give it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [NewTopic(n, partitions, 1, topic_configs=topic_config(n))
                  for n in names if n not in existing]
        if wanted:
            await admin.create_topics(wanted)
    finally:
        await admin.close()


def docker_available() -> bool:
    """True only when a Docker engine answers; the docker CLI alone is not enough."""
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no SDK, no socket, no permission: all mean "no Docker"
        return False


def run_sync(factory: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a coroutine to completion from sync code, even inside a running event loop
    (fixtures may be called from async tests), by giving it its own thread and loop."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, factory()).result()


class PostgresServer:
    """A PostgreSQL server reached by URL (from the environment, a container or LocalPostgres)
    on which tests create throwaway databases."""

    def __init__(self, server_url: str) -> None:
        parts = urlsplit(server_url)
        self._netloc = parts.netloc
        self._admin_dsn = f"postgresql://{parts.netloc}/{parts.path.lstrip('/') or 'postgres'}"

    def url(self, dbname: str) -> str:
        return f"postgresql+asyncpg://{self._netloc}/{dbname}"

    def create_database(self, name: str) -> str:
        run_sync(functools.partial(self._execute, f'CREATE DATABASE "{_checked(name)}"'))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        run_sync(functools.partial(
            self._execute, f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)'))

    async def _execute(self, sql: str) -> None:
        import asyncpg

        connection = await asyncpg.connect(self._admin_dsn, timeout=10)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()


def _checked(name: str) -> str:
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise ValueError(f"unsafe database name: {name!r}")
    return name
