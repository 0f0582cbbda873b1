"""What happens to one record, whatever client delivered it: decode, validate, apply with
bounded retries, or dead-letter with the reason and move on. A poll batch may first be
decoded whole (`decode_batch`) so a consumer can apply it in one transaction; anything
unusual in it sends the consumer back to the record-at-a-time path."""
from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, Collection

from pydantic import BaseModel

from shared.events.envelope import Envelope, MalformedRecord
from shared.events.registry import parse_record
from shared.kafka.dlq import dead_letter
from shared.kafka.records import RawRecord
from shared.observability import metrics
from shared.observability.logging import correlation_id_var, event_id_var
from shared.runtime.outage import OUTAGE_PAUSE_SECONDS, unreachable

log = logging.getLogger(__name__)

Apply = Callable[[RawRecord, Envelope, BaseModel], Awaitable[bool]]
"""Applies the event; returns False when it was a duplicate (already applied)."""


class RejectEvent(Exception):
    """Raised by a handler for an event that no retry can fix; it is dead-lettered at once."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class Outcome(enum.Enum):
    applied = "applied"
    duplicate = "duplicate"
    ignored = "ignored"
    dead_lettered = "dead_lettered"


@dataclass(frozen=True)
class Decoded:
    record: RawRecord
    envelope: Envelope
    payload: BaseModel


@dataclass
class DecodedBatch:
    """The handled records of a batch in arrival order, and the ones no handler wants."""

    handled: list[Decoded]
    ignored: list[RawRecord]


@dataclass
class RecordProcessor:
    service: str
    consumer: str
    handled_types: Collection[str]
    dlq_sender: object
    max_retries: int = 3
    retry_backoff_seconds: float = 0.05
    max_event_bytes: int = 1_000_000

    async def process(self, record: RawRecord, apply: Apply) -> Outcome:
        try:
            envelope, payload = self._decode(record)
        except MalformedRecord as exc:
            return await self._dead_letter(record, exc.reason, "MalformedRecord", exc.message)
        if envelope.type not in self.handled_types:
            metrics.EVENTS_IGNORED.labels(self.service, self.consumer, record.topic).inc()
            return Outcome.ignored
        event_id_var.set(envelope.id)
        correlation_id_var.set(envelope.correlationid or envelope.id)
        return await self._apply_with_retries(record, envelope, payload, apply)

    def decode_batch(self, records: list[RawRecord]) -> DecodedBatch | None:
        """None when a record is malformed: dead-lettering belongs to the one-at-a-time path."""
        batch = DecodedBatch(handled=[], ignored=[])
        for record in records:
            try:
                envelope, payload = self._decode(record)
            except MalformedRecord:
                return None
            if envelope.type in self.handled_types:
                batch.handled.append(Decoded(record, envelope, payload))
            else:
                batch.ignored.append(record)
        return batch

    def count_batch(self, batch: DecodedBatch, applied: Collection[int]) -> None:
        """Metrics for a committed batch; `applied` holds the positions in `batch.handled`
        whose handler ran, the others were duplicates."""
        for record in batch.ignored:
            metrics.EVENTS_IGNORED.labels(self.service, self.consumer, record.topic).inc()
        for position, item in enumerate(batch.handled):
            if position in applied:
                metrics.EVENTS_CONSUMED.labels(
                    self.service, self.consumer, item.record.topic, item.envelope.type).inc()
            else:
                metrics.EVENTS_DUPLICATE.labels(
                    self.service, self.consumer, item.record.topic).inc()

    def _decode(self, record: RawRecord) -> tuple[Envelope, BaseModel]:
        if record.value is not None and len(record.value) > self.max_event_bytes:
            raise MalformedRecord(
                "oversize", f"record of {len(record.value)} bytes exceeds {self.max_event_bytes}"
            )
        return parse_record(record.topic, record.value)

    async def _apply_with_retries(
        self, record: RawRecord, envelope: Envelope, payload: BaseModel, apply: Apply,
    ) -> Outcome:
        attempt = 0
        while True:
            try:
                applied = await apply(record, envelope, payload)
            except RejectEvent as exc:
                return await self._dead_letter(record, exc.reason, "RejectEvent", exc.message)
            except Exception as exc:  # noqa: BLE001 - any handler failure is retried, then parked
                if unreachable(exc):
                    # The database (or broker) is away, not the record at fault: wait for it
                    # without using up the retries; dead-lettering would lose a good event.
                    log.warning("server unreachable while applying; waiting", exc_info=True,
                                extra={"event_type": envelope.type, "consumer": self.consumer})
                    await asyncio.sleep(OUTAGE_PAUSE_SECONDS)
                    continue
                attempt += 1
                metrics.EVENTS_FAILED.labels(
                    self.service, self.consumer, record.topic, type(exc).__name__
                ).inc()
                log.warning("handler failed (attempt %s)", attempt, exc_info=True,
                            extra={"event_type": envelope.type, "consumer": self.consumer})
                if attempt > self.max_retries:
                    return await self._dead_letter(
                        record, "handler_failed", type(exc).__name__, _describe(exc)
                    )
                await asyncio.sleep(self.retry_backoff_seconds * (2 ** (attempt - 1)))
                continue
            if not applied:
                metrics.EVENTS_DUPLICATE.labels(self.service, self.consumer, record.topic).inc()
                return Outcome.duplicate
            metrics.EVENTS_CONSUMED.labels(
                self.service, self.consumer, record.topic, envelope.type
            ).inc()
            return Outcome.applied

    async def _dead_letter(
        self, record: RawRecord, reason: str, error_type: str, message: str,
    ) -> Outcome:
        await dead_letter(self.dlq_sender, record, consumer=self.consumer, reason=reason,
                          error_type=error_type, message=message)
        metrics.EVENTS_DEAD_LETTERED.labels(
            self.service, self.consumer, record.topic, reason
        ).inc()
        log.warning("record dead-lettered", extra={
            "reason": reason, "topic": record.topic, "partition": record.partition,
            "offset": record.offset, "consumer": self.consumer,
        })
        return Outcome.dead_lettered


def _describe(exc: Exception) -> str:
    # Exception text from database drivers can quote row values; keep the class and the
    # first line only, which for our own errors is a code-like sentence.
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first_line}"[:500]
