"""Faust agents with the consumer semantics of `shared.kafka.consumer`.

Faust acknowledges a message whose agent body raised, which silently loses it. A guarded
agent never lets the body raise: the record is decoded and validated, applied with bounded
retries, and dead-lettered with the reason; if even dead-lettering fails (broker away) it
waits and tries again rather than acknowledging."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, AsyncIterator

from shared.kafka.faust_stall import Progress
from shared.kafka.processing import Apply, Outcome, RecordProcessor
from shared.kafka.records import RawRecord

log = logging.getLogger(__name__)


class FaustDeadLetterSender:
    """Adapts faust's producer to the `send_and_wait(topic, value=, key=, headers=)` shape."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def send_and_wait(self, topic: str, value: bytes | None = None,
                            key: bytes | None = None, headers: list | None = None) -> Any:
        return await self.app.producer.send_and_wait(topic, key, value, None, None, headers)


def raw_record(message: Any) -> RawRecord:
    headers = message.headers or ()
    if isinstance(headers, dict):
        headers = tuple(headers.items())
    return RawRecord(topic=message.topic, partition=message.partition, offset=message.offset,
                     key=message.key, value=message.value, headers=tuple(headers))


async def process_guarded(
    processor: RecordProcessor, message: Any, apply: Apply, *, pause_seconds: float = 1.0,
    max_rounds: int | None = None,
) -> Outcome:
    rounds = 0
    while True:
        try:
            return await processor.process(raw_record(message), apply)
        except Exception:  # noqa: BLE001 - never let faust ack an unprocessed record
            rounds += 1
            log.error("record could not be processed or dead-lettered; retrying",
                      exc_info=True, extra={"consumer": processor.consumer})
            if max_rounds is not None and rounds >= max_rounds:
                raise
            await asyncio.sleep(pause_seconds)


async def guarded_events(
    stream: Any, processor: RecordProcessor, apply: Apply, progress: Progress | None = None,
) -> AsyncIterator[Outcome]:
    """Use as the body of a faust agent over a raw-bytes topic:

        @app.agent(topic)
        async def agent(stream):
            async for outcome in guarded_events(stream, processor, apply):
                yield outcome
    """
    progress = progress or Progress()
    async for event in stream.events():
        progress.in_flight += 1
        try:
            outcome = await process_guarded(processor, event.message, apply)
        finally:
            progress.in_flight -= 1
        progress.done += 1
        yield outcome
