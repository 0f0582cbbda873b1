"""Real servers for integration tests, chosen in this order: what the environment names
(KAFKA_BOOTSTRAP_SERVERS, POSTLOAN_TEST_POSTGRES_URL), testcontainers when a Docker engine
answers, else a local broker/server started from this checkout in a temporary directory.

Server fixtures are sync and session-scoped: they do not depend on any event loop, and a
broker or database server starts at most once per run, only when a test asks for it."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.infra import (
    PostgresServer, docker_available, new_database_name, new_topic_name,
)

_docker: bool | None = None


def _use_docker() -> bool:
    global _docker
    if _docker is None:
        _docker = docker_available()
    return _docker


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`host:port` of a real Kafka broker for the whole session."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    elif _use_docker():
        yield from _kafka_container()
    else:
        from shared.localinfra.kafka import LocalKafka

        broker = LocalKafka(tmp_path_factory.mktemp("kafka"))
        broker.start()
        try:
            yield broker.bootstrap
        finally:
            broker.stop()


def _kafka_container() -> Iterator[str]:
    try:
        from testcontainers.community.kafka import KafkaContainer
    except ImportError:
        from testcontainers.kafka import KafkaContainer
    with KafkaContainer("confluentinc/cp-kafka:7.6.0").with_kraft() as container:
        yield container.get_bootstrap_server()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session; `url(db)` and `create_database(name)` on it."""
    if os.environ.get("POSTLOAN_TEST_POSTGRES_URL"):
        yield PostgresServer(os.environ["POSTLOAN_TEST_POSTGRES_URL"])
    elif _use_docker():
        yield from _postgres_container()
    else:
        yield from _local_postgres()


def _postgres_container() -> Iterator[PostgresServer]:
    try:
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:
        from testcontainers.postgres import PostgresContainer
    with PostgresContainer("postgres:15", driver="asyncpg") as container:
        yield PostgresServer(container.get_connection_url())


def _local_postgres() -> Iterator[PostgresServer]:
    from shared.localinfra.postgres import LocalPostgres

    # Not tmp_path_factory: pytest makes its base dir 0700 for root, and the server runs
    # as the postgres user, which must reach the data dir. /tmp itself is world-traversable.
    base = Path(tempfile.mkdtemp(prefix="postloan-pg-"))
    base.chmod(0o755)
    server = LocalPostgres(base / "data")
    server.start()
    try:
        yield PostgresServer(server.url("postgres"))
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_database_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty, randomly named PostgreSQL database (asyncpg URL), dropped afterwards."""
    name = new_database_name()
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture
def sqlite_database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once per supported database; PostgreSQL starts only if requested."""
    fixture = "sqlite_database_url" if request.param == "sqlite" else "pg_database_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def unique_topic_prefix() -> str:
    """A random prefix; topics named `<prefix>.<anything>` belong to this test alone."""
    return new_topic_name("t")


@pytest.fixture
def private_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A broker for one test alone, for pipeline tests that read the real CONTRACT topics
    (another test's business-day closes or repayments would otherwise reach its services)."""
    from shared.localinfra.kafka import LocalKafka

    broker = LocalKafka(tmp_path_factory.mktemp("private-kafka"))
    broker.start()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def service_databases(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`name -> database URL` maker: each service gets its own database, as in production."""
    if request.param == "sqlite":
        return lambda name: f"sqlite+aiosqlite:///{tmp_path / name}.db"
    server = request.getfixturevalue("postgres_server")
    return lambda name: server.create_database(new_database_name(name))


@pytest.fixture
def wall_clock(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`wall_clock.set(day_or_moment)`: what the platform's code reads as the time."""
    from tests.support.wall_clock import WallClock

    return WallClock(monkeypatch)
