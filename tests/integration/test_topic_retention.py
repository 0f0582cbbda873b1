"""Topic configs on a real broker: the bank's and postloan's topics keep every record, so a
rebuild from the beginning replays the whole history; a topic created earlier with the
broker's 7-day default is reported by `postloan topics --check` and altered by
`postloan topics`, keeping whatever else was set on it."""
from __future__ import annotations

import asyncio

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from shared import cli
from shared.config import CommonSettings
from shared.events.topics import (
    ALL_TOPICS, AUDIT, BANK_CALENDAR, BANK_LOANS, MONITORING, dlq,
)
from shared.kafka.admin import DLQ_RETENTION_DAYS, ensure_topics

pytestmark = pytest.mark.integration
WEEK_MS = str(7 * 24 * 3600 * 1000)
NAMES = ("retention.ms", "retention.bytes", "message.timestamp.type", "max.message.bytes")


async def _configs(bootstrap: str, topics: list[str]) -> dict[str, dict[str, str]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t) for t in topics])
    finally:
        await admin.close()
    return {name: {e[0]: e[1] for e in entries if e[0] in NAMES}
            for response in responses for _, _, _, name, entries in response.resources}


async def test_inbound_and_outbound_topics_keep_every_record_and_dead_letters_a_month(
    private_kafka: str,
) -> None:
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=private_kafka))

    configs = await _configs(private_kafka, [*ALL_TOPICS, *(dlq(t) for t in ALL_TOPICS)])

    for topic in ALL_TOPICS:
        assert (configs[topic]["retention.ms"], configs[topic]["retention.bytes"]) == (
            "-1", "-1"), topic
        assert configs[topic]["message.timestamp.type"] == "LogAppendTime", topic
        assert configs[dlq(topic)]["retention.ms"] == str(DLQ_RETENTION_DAYS * 86_400_000)


def test_postloan_topics_reports_a_finite_retention_and_alters_it_keeping_other_settings(
    private_kafka: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(_create_the_old_way(private_kafka))
    monkeypatch.setenv("POSTLOAN_KAFKA_BOOTSTRAP_SERVERS", private_kafka)

    assert cli.main(["topics", "--check"]) == 1
    checked = capsys.readouterr()
    assert f"{BANK_LOANS}: retention.ms={WEEK_MS}, wanted -1 (records older than 7 days are " \
           "deleted; a rebuild needs them all)" in checked.out
    assert f"{MONITORING}: retention.ms={WEEK_MS}, wanted -1" in checked.out
    assert f"{BANK_CALENDAR}: missing" in checked.out
    assert asyncio.run(_configs(private_kafka, [BANK_LOANS]))[BANK_LOANS]["retention.ms"] == WEEK_MS

    assert cli.main(["topics"]) == 0
    altered = capsys.readouterr()
    assert f"altered {BANK_LOANS}: retention.ms={WEEK_MS}, wanted -1" in altered.out
    assert "a rebuild replays only what the topics still hold" in altered.err
    configs = asyncio.run(_configs(private_kafka, [BANK_LOANS, MONITORING, AUDIT, BANK_CALENDAR]))
    assert configs[BANK_LOANS] == {"retention.ms": "-1", "retention.bytes": "-1",
                                   "message.timestamp.type": "LogAppendTime",
                                   "max.message.bytes": "2000000"}
    assert configs[MONITORING]["retention.ms"] == configs[AUDIT]["retention.ms"] == "-1"
    assert configs[BANK_CALENDAR]["retention.ms"] == "-1"

    assert cli.main(["topics", "--check"]) == 0


async def _create_the_old_way(bootstrap: str) -> None:
    """Catalogue topics as an older version left them: broker defaults, plus one override
    an operator set by hand on the loans topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        old = [t for t in ALL_TOPICS if t != BANK_CALENDAR]
        await admin.create_topics(
            [NewTopic(t, 1, 1, topic_configs={"max.message.bytes": "2000000"}
                      if t == BANK_LOANS else {}) for t in old])
    finally:
        await admin.close()
