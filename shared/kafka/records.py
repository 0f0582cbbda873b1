"""A transport-neutral view of one Kafka record, shared by the aiokafka and faust paths."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence


@dataclass(frozen=True)
class RawRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]] = field(default_factory=tuple)

    @classmethod
    def from_consumer_record(cls, record: Any) -> "RawRecord":
        return cls(
            topic=record.topic, partition=record.partition, offset=record.offset,
            key=record.key, value=record.value, headers=tuple(record.headers or ()),
        )
