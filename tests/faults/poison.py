"""Poison records for every consumed topic, and the check that each one reached the
topic's dead-letter topic once per consuming service with the right reason, while no good
record is there."""
from __future__ import annotations

import importlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.config import CommonSettings
from shared.events.envelope import new_event
from shared.events.registry import specs_for_topic
from shared.events.topics import ALL_TOPICS, COLLECTIONS, MONITORING
from shared.kafka.admin import desired_topics
from shared.kafka.dlq import header_map
from shared.runtime.launch import load_settings


@dataclass(frozen=True)
class Poison:
    topic: str
    key: str
    value: bytes
    reason: str  # the dlq.reason the consumers must give


def consuming_services() -> dict[str, set[str]]:
    """topic -> services that consume it, from the services' own consumer declarations."""
    consumers: dict[str, set[str]] = defaultdict(set)
    for service in ("monitoring", "collections", "crm", "reporting"):
        module = importlib.import_module(f"services.{service}.consumers")
        for topic in module.consumer_spec(load_settings(service)).topics:
            consumers[topic].add(service)
    consumers[MONITORING].add("warning")
    consumers[COLLECTIONS].add("warning")  # the broken-promise agent
    return dict(consumers)


def poison_records(topic: str, tag: str, max_event_bytes: int) -> list[Poison]:
    """Invalid JSON, an unknown type, a schema violation and an oversize record."""
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    spec = specs_for_topic(topic)[0]

    def envelope(type_: str, data: dict) -> bytes:
        return new_event(type=type_, source="fault-suite", subject=tag, data=data,
                         time=at).to_bytes()

    oversize = json.loads(envelope(spec.type, {}))
    oversize["data"] = {"padding": "x" * (max_event_bytes + 1)}
    records = {
        "invalid_json": b'{"specversion": "1.0", "type": ',
        "unknown_type": envelope("bank.no-such-event.v1", {"anything": 1}),
        "schema_violation": envelope(spec.type, {"unexpected": "shape"}),
        "oversize": json.dumps(oversize).encode(),
    }
    return [Poison(topic, f"poison-{tag}-{reason}", value, reason)
            for reason, value in records.items()]


def all_poison(tag: str, max_event_bytes: int) -> list[Poison]:
    consumed = consuming_services()
    return [p for topic in ALL_TOPICS if topic in consumed
            for p in poison_records(topic, tag, max_event_bytes)]


async def read_dead_letters(bootstrap: str) -> dict[str, list]:
    """Everything in every dead-letter topic, read to each partition's end."""
    return await read_topics(bootstrap, [t.name for t in desired_topics(CommonSettings())
                                         if t.name.endswith(".dlq")])


async def read_topics(bootstrap: str, topics: list[str]) -> dict[str, list]:
    """Every record of the topics, read to each partition's end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                group_id=None, max_partition_fetch_bytes=4_194_304)
    await consumer.start()
    try:
        # The platform created every topic with the partitions the settings ask for.
        partitions = [TopicPartition(t.name, p) for t in desired_topics(CommonSettings())
                      if t.name in topics for p in range(t.num_partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: dict[str, list] = defaultdict(list)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                found[tp.topic].extend(records)
            remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
        return found
    finally:
        await consumer.stop()


def dead_letter_problems(poison: list[Poison], found: dict[str, list]) -> list[str]:
    """Readable problems: a poison record missing for a consuming service or given the
    wrong reason, and any record in a DLQ that is not poison (a good record lost)."""
    consumers = consuming_services()
    expected = {(p.topic, p.key.encode()): p for p in poison}
    seen: dict[tuple[str, bytes], set[str]] = defaultdict(set)
    problems = []
    for dlq_topic, records in found.items():
        for record in records:
            topic = dlq_topic.removesuffix(".dlq")
            headers = header_map(record.headers)
            item = expected.get((topic, record.key))
            if item is None:
                problems.append(f"good record dead-lettered from {topic}: key "
                                f"{record.key!r}, reason {headers.get('dlq.reason')}, "
                                f"{headers.get('dlq.error.message')}")
                continue
            if headers.get("dlq.reason") != item.reason or record.value != item.value:
                problems.append(f"{item.key} on {topic}: reason {headers.get('dlq.reason')}, "
                                f"expected {item.reason} (value unchanged: "
                                f"{record.value == item.value})")
            seen[(topic, record.key)].add(headers.get("dlq.consumer", "").split("-")[0])
    for (topic, key), item in expected.items():
        missing = consumers[topic] - seen[(topic, key)]
        if missing:
            problems.append(f"{item.key} on {topic} not dead-lettered by {sorted(missing)}")
    return problems
