"""The raw baseline: how fast aiokafka alone, then Kafka's own tools, move the simulator's
real messages through this broker. Every platform rate is quoted as a share of the raw
aiokafka consume rate, so the figures stay comparable across machines."""
from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.config import CommonSettings
from shared.kafka.client import create_producer
from shared.simulator.feed import SimulationOptions, generate
from benchmarks import kafka_tools

IN_FLIGHT = 2000


def simulator_messages(count: int, seed: int = 11) -> list[tuple[bytes, bytes]]:
    """(key, value) pairs serialised exactly as the simulator publishes them."""
    feed = generate(SimulationOptions(loans=max(200, count // 10), days=365, seed=seed))
    return [(key.encode(), envelope.to_bytes())
            for _, key, envelope in itertools.islice(feed, count)]


async def create_topic(bootstrap: str, partitions: int = 6) -> str:
    name = f"bench.raw.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1)])
        # Producing before every partition has a leader costs retries inside the timing.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            described = (await admin.describe_topics([name]))[0]
            if described["partitions"] and all(p["leader"] >= 0
                                               for p in described["partitions"]):
                break
            await asyncio.sleep(0.2)
    finally:
        await admin.close()
    return name


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> float:
    """Seconds to send and have acknowledged every message, with the platform's producer."""
    producer = create_producer(CommonSettings(kafka_bootstrap_servers=bootstrap,
                                              service_name="bench"))
    await producer.start()
    try:
        started, pending = time.perf_counter(), []
        for key, value in messages:
            pending.append(await producer.send(topic, value, key=key))
            if len(pending) >= IN_FLIGHT:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def consume(bootstrap: str, topic: str, count: int, timeout: float = 300) -> float:
    """Seconds from the first fetch to the last of `count` messages, bare consumer, no group."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", max_partition_fetch_bytes=4 << 20)
    await consumer.start()
    try:
        seen, started = 0, time.perf_counter()
        deadline = started + timeout
        while seen < count:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"consumed {seen} of {count} messages in {timeout}s")
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            seen += sum(len(records) for records in batches.values())
        return time.perf_counter() - started
    finally:
        await consumer.stop()


def _rates(count: int, total_bytes: int, seconds: float) -> dict[str, float]:
    return {"messages": count, "seconds": round(seconds, 3),
            "messages_per_second": round(count / seconds, 1),
            "mb_per_second": round(total_bytes / seconds / 1_000_000, 2)}


async def aiokafka_baseline(bootstrap: str, count: int) -> dict:
    messages = simulator_messages(count)
    total = sum(len(value) for _, value in messages)
    topic = await create_topic(bootstrap)
    produced = await produce(bootstrap, topic, messages)
    consumed = await consume(bootstrap, topic, len(messages))
    return {"mean_message_bytes": round(total / len(messages), 1),
            "produce": _rates(len(messages), total, produced),
            "consume": _rates(len(messages), total, consumed)}


async def tools_baseline(bootstrap: str, libs_dir: Path, count: int, scratch: Path) -> dict:
    payloads = scratch / "simulator-payloads.txt"
    # ProducerPerformance splits the file on newlines; compact JSON envelopes have none.
    payloads.write_bytes(b"\n".join(value for _, value in simulator_messages(min(count, 5000))))
    topic = await create_topic(bootstrap)
    return await asyncio.to_thread(kafka_tools.run_tools, libs_dir, bootstrap, topic,
                                   payloads, count)
