"""Test helpers over a real broker: produce raw records, read a topic back, poll."""
from __future__ import annotations

import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.kafka.lag import group_lag
from tests.support.infra import create_topics, wait_for  # noqa: F401  (re-exported)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def produce(bootstrap: str, topic: str, records: list[tuple[bytes | None, bytes | None]],
                  headers: list | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for key, value in records:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def publish_envelopes(bootstrap: str, records: list[tuple[str, object]]) -> None:
    """Publish (topic, envelope) pairs in order with one producer, keyed by subject."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for topic, envelope in records:
            await producer.send_and_wait(topic, value=envelope.to_bytes(),
                                         key=(envelope.subject or "").encode())
    finally:
        await producer.stop()


async def read_all(bootstrap: str, topic: str, *, expect: int, timeout: float = 30.0) -> list:
    """Read the topic from the beginning until `expect` records arrived (or the deadline)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    records: list = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for items in batch.values():
                records.extend(items)
        # A short extra poll catches records beyond the expected count (duplicates).
        batch = await consumer.getmany(timeout_ms=300)
        for items in batch.values():
            records.extend(items)
    finally:
        await consumer.stop()
    return records


async def caught_up(bootstrap: str, settings: dict) -> bool:
    """True when every consumer group of every service's settings has no lag."""
    for service in settings.values():
        for group in service.consumer_groups:
            if await group_lag(bootstrap, group) != 0:
                return False
    return True
