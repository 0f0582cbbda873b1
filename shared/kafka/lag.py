"""Consumer-group lag from the broker's point of view (committed offset vs log end)."""
from __future__ import annotations

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient


async def group_lag(bootstrap: str, group: str) -> int | None:
    """Records not yet committed by `group`; None while the group has committed nothing."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    if not committed:
        return None
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(list(committed))
    finally:
        await consumer.stop()
    return sum(max(0, ends[tp] - meta.offset) for tp, meta in committed.items())
