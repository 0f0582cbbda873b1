"""Publishing the feed to Kafka: an idempotent producer (acks=all), optional pacing to an
events-per-second rate, and a progress callback every few seconds."""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from shared.config import CommonSettings
from shared.events.envelope import Envelope
from shared.events.topics import INBOUND_TOPICS, SINGLE_PARTITION_TOPICS
from shared.kafka.admin import ensure_topics
from shared.kafka.client import connection_kwargs, create_producer
from shared.simulator.feed import BUSINESS_DAY_CLOSED, Published

Progress = Callable[[int, "date | None"], None]
# Futures awaited together: big enough to fill producer batches, small enough that a broker
# error surfaces within seconds rather than after the whole run.
IN_FLIGHT = 2000


@dataclass
class PublishSummary:
    sent: int = 0
    by_topic: Counter = field(default_factory=Counter)
    by_type: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    last_date: date | None = None  # the last business day closed


class Pacer:
    """Holds the send loop to `rate` events per second, measured from the first event (not
    from construction: planning the feed takes seconds, which must not become a burst), so
    short stalls are caught up rather than lost. None means no limit."""

    def __init__(self, rate: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive (or None for as fast as possible)")
        self.rate, self._clock = rate, clock
        self._started: float | None = None

    def delay_before(self, sent: int) -> float:
        if self.rate is None:
            return 0.0
        if self._started is None:
            self._started = self._clock() - sent / self.rate
        return max(0.0, self._started + sent / self.rate - self._clock())


async def ensure_inbound_topics(settings: CommonSettings, topic_prefix: str = "",
                                leader_timeout: float = 60.0) -> None:
    if not topic_prefix:
        await ensure_topics(settings)
    else:
        # A prefixed sandbox still keeps the calendar on one partition: days stay in order.
        single = settings.model_copy(update={"topic_partitions": 1})
        for topic in INBOUND_TOPICS:
            chosen = single if topic in SINGLE_PARTITION_TOPICS else settings
            await ensure_topics(chosen, [topic_prefix + topic])
    await _wait_for_leaders(settings, [topic_prefix + t for t in INBOUND_TOPICS], leader_timeout)


async def _wait_for_leaders(settings: CommonSettings, topics: list[str], timeout: float) -> None:
    """A topic created a moment ago may have no partition leader yet; a batch that finds
    none for longer than the producer's request timeout fails (a busy broker can take that
    long), so wait here, where the wait is visible and bounded."""
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    await admin.start()
    deadline = time.monotonic() + timeout
    try:
        while True:
            described = await admin.describe_topics(topics)
            if all(d.get("error_code", 0) == 0 and d["partitions"]
                   and all(p["leader"] >= 0 for p in d["partitions"]) for d in described):
                return
            if time.monotonic() >= deadline:
                raise TimeoutError(f"inbound topics have no partition leaders after {timeout}s")
            await asyncio.sleep(0.2)
    finally:
        await admin.close()


async def publish(bootstrap: str, events: Iterable[Published], rate: float | None = None,
                  progress: Progress | None = None, *, progress_every: float = 2.0,
                  topic_prefix: str = "") -> PublishSummary:
    """Send every event in order; returns what was sent. `topic_prefix` lets a test or a
    sandbox publish to its own copies of the inbound topics."""
    settings = CommonSettings(kafka_bootstrap_servers=bootstrap, service_name="simulator")
    await ensure_inbound_topics(settings, topic_prefix)
    producer = create_producer(settings, linger_ms=20)
    await producer.start()
    try:
        return await _send_all(producer, events, Pacer(rate), progress, progress_every,
                               topic_prefix)
    finally:
        await producer.stop()


async def _send_all(producer: AIOKafkaProducer, events: Iterable[Published], pacer: Pacer,
                    progress: Progress | None, every: float, prefix: str) -> PublishSummary:
    summary, pending = PublishSummary(), []
    started = time.monotonic()
    next_report = started + every
    for topic, key, envelope in events:
        if (pause := pacer.delay_before(summary.sent)) > 0:
            await asyncio.gather(*pending)
            pending = []
            await asyncio.sleep(pause)
        closing = envelope.type == BUSINESS_DAY_CLOSED
        if closing:
            # As a bank does: the close goes out once the day's events are acknowledged,
            # and the next day's once the close is, so each is stamped after the other.
            await asyncio.gather(*pending)
            pending = []
        pending.append(await producer.send(prefix + topic, envelope.to_bytes(),
                                           key=key.encode("utf-8")))
        if closing:
            await asyncio.gather(*pending)
            pending = []
        _count(summary, topic, envelope)
        if len(pending) >= IN_FLIGHT:
            await asyncio.gather(*pending)
            pending = []
        if progress is not None and time.monotonic() >= next_report:
            progress(summary.sent, summary.last_date)
            next_report = time.monotonic() + every
    await asyncio.gather(*pending)
    summary.seconds = time.monotonic() - started
    if progress is not None:
        progress(summary.sent, summary.last_date)
    return summary


def _count(summary: PublishSummary, topic: str, envelope: Envelope) -> None:
    summary.sent += 1
    summary.by_topic[topic] += 1
    summary.by_type[envelope.type] += 1
    if envelope.type == BUSINESS_DAY_CLOSED:
        # Progress is "closed through": a seasoned loan's history, published on the first
        # day, carries older dates that would make the run look like it went backwards.
        summary.last_date = date.fromisoformat(envelope.data["business_date"])
