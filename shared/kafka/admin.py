"""Topic creation is code: every topic and its dead-letter topic, with partitions from
settings and the configs of `topic_config`.

A catalogue topic that already exists keeps its partitions, but its configs are checked:
where one differs from the catalogue (a topic created by hand or by an older version, with
the broker's default retention of 7 days), `ensure_topics` reports it and, unless it was
asked only to check, alters the topic to the catalogue's value. Dead-letter topics are
configured when created and left to the operator afterwards."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from shared.config import CommonSettings
from shared.events.topics import ALL_TOPICS, SINGLE_PARTITION_TOPICS, dlq
from shared.kafka.client import connection_kwargs

# The broker stamps records as it appends them, so "published before" is one clock's
# order across producers and partitions (shared/kafka/close_barrier.py, time_order.py).
TOPIC_CONFIG = {"message.timestamp.type": "LogAppendTime"}
# Monitoring's and reporting's state is rebuilt by replaying these topics from their first
# record (README, "Rebuilding from the topics"): they keep every record, however old, and
# however large the partition grows.
KEEP_EVERYTHING = {"retention.ms": "-1", "retention.bytes": "-1"}
# A dead-lettered record waits for someone to read its reason and republish it; no rebuild
# reads it. A month is time enough; the operator may change it on the topic.
DLQ_RETENTION_DAYS = 30
DLQ_CONFIG = {"retention.ms": str(DLQ_RETENTION_DAYS * 24 * 3600 * 1000)}
_TOPIC_OVERRIDE = 1  # DescribeConfigs config_source: set on the topic itself


def topic_config(topic: str) -> dict[str, str]:
    """The configs the catalogue sets on `topic`; {} for a topic outside the catalogue."""
    if topic in ALL_TOPICS:
        return {**KEEP_EVERYTHING, **TOPIC_CONFIG}
    if topic in {dlq(t) for t in ALL_TOPICS}:
        return dict(DLQ_CONFIG)
    return {}


def desired_topics(settings: CommonSettings, topics=ALL_TOPICS) -> list[NewTopic]:
    wanted = []
    for topic in topics:
        partitions = 1 if topic in SINGLE_PARTITION_TOPICS else settings.topic_partitions
        for name in (topic, dlq(topic)):
            wanted.append(NewTopic(name=name, num_partitions=partitions,
                                   replication_factor=settings.topic_replication_factor,
                                   topic_configs=topic_config(name)))
    return wanted


@dataclass(frozen=True)
class ConfigDrift:
    """A config of an existing topic that differs from the catalogue's."""

    topic: str
    name: str
    actual: str
    wanted: str

    def describe(self) -> str:
        return f"{self.topic}: {self.name}={self.actual}, wanted {self.wanted} ({self.meaning()})"

    def meaning(self) -> str:
        limit = int(self.actual) if self.actual.lstrip("-").isdigit() else -1
        if self.name == "retention.ms" and limit >= 0:
            return f"records older than {limit / 86_400_000:g} days are deleted; " \
                   "a rebuild needs them all"
        if self.name == "retention.bytes" and limit >= 0:
            return f"a partition is cut to {limit} bytes; a rebuild needs every record"
        return "differs from the catalogue"


@dataclass
class TopicsReport:
    missing: list[str] = field(default_factory=list)
    """Topics that did not exist (created unless only checking)."""
    drift: list[ConfigDrift] = field(default_factory=list)
    """Configs that differed from the catalogue (altered unless only checking)."""

    @property
    def in_order(self) -> bool:
        return not self.missing and not self.drift


async def ensure_topics(settings: CommonSettings, topics=ALL_TOPICS, *,
                        check_only: bool = False) -> TopicsReport:
    """Create the missing topics and bring the existing catalogue topics' configs to the
    catalogue's; with `check_only`, change nothing and only report."""
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = desired_topics(settings, topics)
        report = TopicsReport(missing=[t.name for t in wanted if t.name not in existing])
        checked = {t.name: t.topic_configs for t in wanted
                   if t.name in existing and t.name in set(topics) and t.topic_configs}
        described = await _describe(admin, checked) if checked else {}
        report.drift = [ConfigDrift(topic, name, actual.get(name, ""), value)
                        for topic, (actual, _) in described.items()
                        for name, value in checked[topic].items() if actual.get(name) != value]
        if check_only:
            return report
        if report.missing:
            await admin.create_topics([t for t in wanted if t.name in report.missing])
        drifted = sorted({d.topic for d in report.drift})
        if drifted:
            await _alter(admin, {t: {**described[t][1], **checked[t]} for t in drifted})
            await _until_applied(admin, {t: checked[t] for t in drifted})
        return report
    finally:
        await admin.close()


async def _describe(admin: AIOKafkaAdminClient,
                    topics: dict[str, dict[str, str]]) -> dict[str, tuple[dict, dict]]:
    """Per topic: (every config's effective value, the configs set on the topic itself)."""
    responses = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name) for name in topics])
    described = {}
    for response in responses:
        for error, message, _, name, entries in response.resources:
            if error:
                raise RuntimeError(f"describing the configs of {name} failed: {message}")
            described[name] = ({e[0]: e[1] for e in entries},
                               {e[0]: e[1] for e in entries if e[3] == _TOPIC_OVERRIDE})
    return described


async def _alter(admin: AIOKafkaAdminClient, configs: dict[str, dict[str, str]]) -> None:
    # AlterConfigs replaces a topic's whole set of overrides, so the ones already set on
    # the topic are sent along with the catalogue's and survive.
    responses = await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, values)
                                           for name, values in configs.items()])
    for response in responses:
        for error, message, _, name in response.resources:
            if error:
                raise RuntimeError(f"altering the configs of {name} failed: {message}")


async def _until_applied(admin: AIOKafkaAdminClient, configs: dict[str, dict[str, str]],
                         timeout: float = 30.0) -> None:
    """The controller accepts an alteration before the broker applies it: wait until the
    topics describe the new values, so that "altered" means in effect."""
    deadline = time.monotonic() + timeout
    while True:
        described = await _describe(admin, configs)
        if all(described[t][0].get(k) == v for t, want in configs.items() for k, v in want.items()):
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"topic configs not in effect after {timeout}s: {sorted(configs)}")
        await asyncio.sleep(0.2)
