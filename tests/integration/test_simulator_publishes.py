"""The simulator publishes its whole feed to a real broker: every event once, on its topic,
under its key, with the calendar in day order on its single partition."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from shared.events.envelope import Envelope
from shared.events.topics import BANK_CALENDAR, INBOUND_TOPICS
from shared.simulator.feed import SimulationOptions, generate
from shared.simulator.publish import publish
from tests.support.kafka import read_all

pytestmark = pytest.mark.integration

OPTIONS = SimulationOptions(loans=30, days=20, start=date(2026, 4, 1), seed=2718)


async def _partitions(bootstrap: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topic])
        return len(description["partitions"])
    finally:
        await admin.close()


async def test_simulator_publishes_every_event_once_on_its_topic_and_key(
        kafka_bootstrap: str, unique_topic_prefix: str) -> None:
    prefix = unique_topic_prefix + "."
    expected = list(generate(OPTIONS))
    reports: list[tuple[int, date | None]] = []

    summary = await publish(kafka_bootstrap, iter(expected), rate=None,
                            progress=lambda sent, day: reports.append((sent, day)),
                            topic_prefix=prefix)

    per_topic = Counter(topic for topic, _, _ in expected)
    assert summary.sent == len(expected) and summary.by_topic == per_topic
    assert reports[-1] == (len(expected), OPTIONS.end)
    for topic in INBOUND_TOPICS:
        records = await read_all(kafka_bootstrap, prefix + topic, expect=per_topic[topic])
        wanted = {(key, envelope.id) for t, key, envelope in expected if t == topic}
        got = [(r.key.decode(), Envelope.from_bytes(r.value).id) for r in records]
        assert len(got) == per_topic[topic] and set(got) == wanted, topic
    calendar = await read_all(kafka_bootstrap, prefix + BANK_CALENDAR, expect=OPTIONS.days)
    days = [Envelope.from_bytes(r.value).data["business_date"] for r in calendar]
    assert days == sorted(days) and len(days) == OPTIONS.days
    assert await _partitions(kafka_bootstrap, prefix + BANK_CALENDAR) == 1
