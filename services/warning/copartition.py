"""The warning stream's tables are co-partitioned with its source topics by construction.

faust writes a table key to the changelog partition of the record being processed, so every
changelog must have exactly as many partitions as every source topic. Rather than trusting
settings (or faust creating the changelogs from `topic_partitions`), the worker reads the
source topics' partition count from the broker before the app starts, creates missing
changelogs with it, and refuses to start if an existing topic disagrees.

faust's own check runs on the first write per source topic and reads the consumer's
metadata snapshot, which counts a topic the client has no metadata for yet as 0 partitions
(after a broker restart or a fresh join the assignor logs "Ignoring missing topic
...-changelog"). It then raises PartitionsMismatch for a good record, which the guard
dead-letters. `CopartitionedTable` replaces that racy check with the verified fact."""
from __future__ import annotations

import asyncio
from typing import Any, Iterable

import faust
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faust.exceptions import PartitionsMismatch

from shared.kafka.client import connection_kwargs


UNKNOWN_TOPIC = 3  # Kafka's UNKNOWN_TOPIC_OR_PARTITION


class CopartitioningError(RuntimeError):
    """A source topic or a changelog has another partition count: the stream cannot run."""


def changelog_topic(app_id: str, table: str) -> str:
    return f"{app_id}-{table}-changelog"  # faust's naming for a table's changelog


class CopartitionedTable(faust.Table):
    """A table whose changelog was checked against `source_topics` on the broker before
    the app started; a write caused by a record from any other topic is refused."""

    source_topics: frozenset[str] = frozenset()

    def _verify_source_topic_partitions(self, source_topic: str) -> None:
        if source_topic not in self.source_topics:
            raise PartitionsMismatch(
                f"table {self.name!r} written from {source_topic!r}, which was not checked "
                f"to be co-partitioned with {self.changelog_topic_name!r}")


async def ensure_copartitioned(settings: Any, *, sources: Iterable[str],
                               changelogs: Iterable[str]) -> int:
    """The partition count shared by `sources`, after creating the missing `changelogs`
    with it; raises CopartitioningError when any existing topic has another count."""
    sources, changelogs = list(sources), list(changelogs)
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    await admin.start()
    try:
        counts = await _partition_counts(admin, sources + changelogs)
        partitions = _shared_count(counts, sources, required=True)
        _shared_count(counts, changelogs, required=False, expected=partitions)
        missing = [name for name in changelogs if name not in counts]
        if missing:
            await admin.create_topics([
                NewTopic(name=name, num_partitions=partitions,
                         replication_factor=settings.topic_replication_factor,
                         topic_configs={"cleanup.policy": "compact"})
                for name in missing])
        return partitions
    finally:
        await admin.close()


async def _partition_counts(admin: AIOKafkaAdminClient, names: list[str],
                            attempts: int = 40) -> dict[str, int]:
    """Partition counts of the named topics that exist. A topic just created, or a broker
    just restarted, may be reported without its partitions for a moment: ask again rather
    than take 0 for an answer (the very mistake behind faust's false PartitionsMismatch)."""
    for _ in range(attempts):
        described = await admin.describe_topics(names)
        settled = all(t["error_code"] == UNKNOWN_TOPIC or (t["error_code"] == 0 and t["partitions"])
                      for t in described)
        if settled:
            return {t["topic"]: len(t["partitions"]) for t in described if t["error_code"] == 0}
        await asyncio.sleep(0.25)
    raise CopartitioningError(f"no settled partition metadata for {names}")


def _shared_count(counts: dict[str, int], names: list[str], *, required: bool,
                  expected: int | None = None) -> int:
    absent = [name for name in names if name not in counts]
    if required and absent:
        raise CopartitioningError(f"source topics missing on the broker: {absent}")
    found = {name: counts[name] for name in names if name in counts}
    distinct = set(found.values()) | ({expected} if expected is not None else set())
    if len(distinct) > 1:
        raise CopartitioningError(
            f"the warning stream needs equal partition counts, found {found}"
            + (f" against {expected} of its source topics" if expected is not None else ""))
    return distinct.pop()
