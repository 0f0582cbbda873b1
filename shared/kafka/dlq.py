"""Dead-lettering: the record goes to `<topic>.dlq` unchanged, the reason in headers."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Protocol

from shared.events.topics import dlq
from shared.kafka.records import RawRecord

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
    return [(name, text.encode("utf-8")) for name, text in fields.items()]


async def dead_letter(
    sender: _Sender, record: RawRecord, *, consumer: str, reason: str, error_type: str,
    message: str,
) -> None:
    headers = dead_letter_headers(
        record, consumer=consumer, reason=reason, error_type=error_type, message=message,
    )
    await sender.send_and_wait(dlq(record.topic), value=record.value, key=record.key,
                               headers=headers)


def header_map(headers: list[tuple[str, bytes]] | tuple) -> dict[str, str]:
    return {name: (value or b"").decode("utf-8", "replace") for name, value in headers}
