"""Dead-lettering: the record goes to `<topic>.dlq` unchanged, the reason in headers.

Only our own headers travel with it: the original headers may be malformed (non-UTF-8,
huge, null) or carry personal data, and the DLQ headers must stay readable and clean."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Protocol

from aiokafka.errors import MessageSizeTooLargeError

from shared.events.topics import dlq
from shared.kafka.records import RawRecord

log = logging.getLogger(__name__)

MAX_HEADER_TEXT = 1000


class _Sender(Protocol):
    async def send_and_wait(self, topic: str, value: bytes | None = None,
                            key: bytes | None = None, headers: list | None = None): ...


def dead_letter_headers(
    record: RawRecord, *, consumer: str, reason: str, error_type: str, message: str,
) -> list[tuple[str, bytes]]:
    # The error message is built by our own code from field names and codes, never from
    # record values, so personal data does not leak into headers.
    fields = {
        "dlq.reason": reason,
        "dlq.error.type": error_type,
        "dlq.error.message": message[:MAX_HEADER_TEXT],
        "dlq.original.topic": record.topic,
        "dlq.original.partition": str(record.partition),
        "dlq.original.offset": str(record.offset),
        "dlq.consumer": consumer,
        "dlq.failed_at": datetime.now(timezone.utc).isoformat(),
    }
    return [(name, text.encode("utf-8", "replace")) for name, text in fields.items()]


async def dead_letter(
    sender: _Sender, record: RawRecord, *, consumer: str, reason: str, error_type: str,
    message: str,
) -> None:
    headers = dead_letter_headers(
        record, consumer=consumer, reason=reason, error_type=error_type, message=message,
    )
    value = record.value
    if value is None and record.key is None:
        # The protocol allows a record with neither, our producer does not.
        value, headers = b"", headers + [("dlq.original.value", b"null")]
    try:
        await sender.send_and_wait(dlq(record.topic), value=value, key=record.key,
                                   headers=headers)
    except MessageSizeTooLargeError:
        # A record (value plus key) too large for our producer would otherwise fail the
        # dead-lettering and stop the consumer on it for ever; its position still points
        # at the original, so the reason and the offset are what the DLQ gets.
        log.warning("dead-lettered record too large to copy; sent without key and payload",
                    extra={"topic": record.topic, "partition": record.partition,
                           "offset": record.offset, "reason": reason})
        # An empty value, not None: a Kafka record needs a key or a value.
        await sender.send_and_wait(dlq(record.topic), value=b"", key=None, headers=headers + [
            ("dlq.payload.dropped", b"too large to copy; read it at the original offset")])


def header_map(headers: list[tuple[str, bytes]] | tuple) -> dict[str, str]:
    return {name: (value or b"").decode("utf-8", "replace") for name, value in headers}
