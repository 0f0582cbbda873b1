"""Topic creation is code: every topic, its dead-letter topic, with partitions from settings."""
from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.config import CommonSettings
from shared.events.topics import ALL_TOPICS, SINGLE_PARTITION_TOPICS, dlq
from shared.kafka.client import connection_kwargs


# The broker stamps records as it appends them, so "published before" is one clock's
# order across producers and partitions (shared/kafka/close_barrier.py, time_order.py).
TOPIC_CONFIG = {"message.timestamp.type": "LogAppendTime"}


def desired_topics(settings: CommonSettings, topics=ALL_TOPICS) -> list[NewTopic]:
    wanted = []
    for topic in topics:
        partitions = 1 if topic in SINGLE_PARTITION_TOPICS else settings.topic_partitions
        wanted.append(NewTopic(name=topic, num_partitions=partitions,
                               replication_factor=settings.topic_replication_factor,
                               topic_configs=dict(TOPIC_CONFIG)))
        wanted.append(NewTopic(name=dlq(topic), num_partitions=partitions,
                               replication_factor=settings.topic_replication_factor))
    return wanted


async def ensure_topics(settings: CommonSettings, topics=ALL_TOPICS) -> list[str]:
    """Create missing topics; returns the names created. Existing topics are left alone."""
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in desired_topics(settings, topics) if t.name not in existing]
        if missing:
            await admin.create_topics(missing)
        return [t.name for t in missing]
    finally:
        await admin.close()
