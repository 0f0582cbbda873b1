"""The local servers the other integration tests stand on: a broker that delivers to consumer
groups and keeps topics and committed offsets across a clean or crashed restart, and a
PostgreSQL database that answers through SQLAlchemy's async engine."""
from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable, Iterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.localinfra.kafka import SMALL_JVM, SMALL_OVERRIDES, LocalKafka
from tests.support.infra import create_topics, new_topic_name, wait_for

pytestmark = pytest.mark.integration


async def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


async def _consume_and_commit(bootstrap: str, topic: str, group: str, *, expect: int,
                              timeout: float = 30.0) -> list[bytes]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    values: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while len(values) < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            values += [record.value for records in batch.values() for record in records]
        await consumer.commit()
    finally:
        await consumer.stop()
    return values


async def _committed_offsets_are(bootstrap: str, group: str, total: int) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return sum(meta.offset for meta in offsets.values()) == total


async def _topics(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def test_broker_delivers_a_produced_record_to_a_consumer_group(kafka_bootstrap: str) -> None:
    topic = new_topic_name("infra")
    await create_topics(kafka_bootstrap, [topic], partitions=3)

    await _produce(kafka_bootstrap, topic, [b"hello"])
    received = await _consume_and_commit(kafka_bootstrap, topic, new_topic_name("g"), expect=1)

    assert received == [b"hello"]


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    """A broker of this module's own: these tests take it down, which the shared one must not.
    It runs with the benchmark's small footprint, so that configuration is proven to start,
    restart and keep its data (its 160 MB heap does not fit Kafka's default buffers)."""
    if shutil.which("java") is None:
        pytest.skip("restart tests run a local broker and need Java")
    broker = LocalKafka(tmp_path_factory.mktemp("own-kafka"), jvm=SMALL_JVM,
                        overrides=SMALL_OVERRIDES)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def _crash_and_start(broker: LocalKafka) -> None:
    broker.kill()
    broker.start()


@pytest.mark.parametrize("bring_back", [LocalKafka.restart, _crash_and_start],
                         ids=["clean-restart", "crash-restart"])
async def test_restarted_broker_keeps_topics_and_committed_offsets(
    own_broker: LocalKafka, bring_back: Callable[[LocalKafka], None],
) -> None:
    bootstrap, topic, group = own_broker.bootstrap, new_topic_name("infra"), new_topic_name("g")
    # One partition, so "the first record after the restart is the new one" is exact.
    await create_topics(bootstrap, [topic], partitions=1)
    await _produce(bootstrap, topic, [b"a", b"b", b"c"])
    assert await _consume_and_commit(bootstrap, topic, group, expect=3) == [b"a", b"b", b"c"]

    await asyncio.to_thread(bring_back, own_broker)

    assert own_broker.bootstrap == bootstrap
    assert topic in await _topics(bootstrap)
    # Right after a start the group coordinator may still be loading __consumer_offsets, and
    # aiokafka's admin then reports no offsets instead of raising: poll to a deadline.
    await wait_for(lambda: _committed_offsets_are(bootstrap, group, 3),
                   message=f"group {group} to report its committed offsets")
    await _produce(bootstrap, topic, [b"d"])
    assert await _consume_and_commit(bootstrap, topic, group, expect=1) == [b"d"]


async def test_postgres_database_answers_select_one(pg_database_url: str) -> None:
    engine = create_async_engine(pg_database_url)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("select 1"))).scalar_one() == 1
            assert pg_database_url.rsplit("/", 1)[1] == (
                await connection.execute(text("select current_database()"))).scalar_one()
    finally:
        await engine.dispose()


async def test_each_database_backend_answers_select_one(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("select 1"))).scalar_one() == 1
    finally:
        await engine.dispose()

