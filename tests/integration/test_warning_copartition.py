"""The warning stream's changelogs are co-partitioned with its source topics by
construction: created with the partition count the broker reports for the sources, and a
worker refuses to start when an existing topic disagrees."""
from __future__ import annotations

import asyncio

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from services.warning.config import Settings
from services.warning.copartition import CopartitioningError, ensure_copartitioned
from tests.support.kafka import create_topics, unique

pytestmark = pytest.mark.integration


async def _partitions(bootstrap: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        for _ in range(40):  # a new topic's partitions show up in metadata a moment later
            (described,) = await admin.describe_topics([topic])
            if described["partitions"]:
                break
            await asyncio.sleep(0.25)
        return len(described["partitions"])
    finally:
        await admin.close()


async def test_missing_changelogs_get_the_partition_count_of_the_source_topics(
        kafka_bootstrap: str) -> None:
    sources, changelogs = [unique("src"), unique("src")], [unique("cl"), unique("cl")]
    await create_topics(kafka_bootstrap, sources, partitions=4)
    settings = Settings(kafka_bootstrap_servers=kafka_bootstrap, topic_partitions=6)
    found = await ensure_copartitioned(settings, sources=sources, changelogs=changelogs)
    assert found == 4
    assert [await _partitions(kafka_bootstrap, t) for t in changelogs] == [4, 4]


async def test_a_changelog_with_another_partition_count_stops_the_stream(
        kafka_bootstrap: str) -> None:
    source, changelog = unique("src"), unique("cl")
    await create_topics(kafka_bootstrap, [source], partitions=4)
    await create_topics(kafka_bootstrap, [changelog], partitions=6)
    settings = Settings(kafka_bootstrap_servers=kafka_bootstrap)
    with pytest.raises(CopartitioningError):
        await ensure_copartitioned(settings, sources=[source], changelogs=[changelog])
