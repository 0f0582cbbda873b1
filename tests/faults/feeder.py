"""The simulated bank, fed two ways. Gently, in batch windows: a day's loan, customer and
market events, wait until the platform absorbed them, then that day's close, wait again;
the fault-free state is then a function of the seed. Or as a bank feeds (`wait=False`):
each day's events and its close back to back, the next day right after, whatever the
consumers' lag; the close-of-day barrier must make that end in the gentle run's state."""
from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from shared.config import CommonSettings
from shared.kafka.client import create_producer
from shared.simulator.feed import BUSINESS_DAY_CLOSED, Published, SimulationOptions, generate
from shared.simulator.publish import ensure_inbound_topics

log = logging.getLogger(__name__)

# Called after a day's events are sent and before the platform is waited for, so a fault
# lands while those events are being processed. Arguments: day index, the events sent.
DayHook = Callable[[int, list[Published]], Awaitable[None]]
# Called just before a day's close is sent (to measure the lag it is published into).
CloseHook = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class Profile:
    loans: int
    days: int
    seed: int


def days_of(options: SimulationOptions) -> Iterator[tuple[list[Published], Published]]:
    """The feed cut into (the day's events, the day's close)."""
    events: list[Published] = []
    for item in generate(options):
        if item[2].type == BUSINESS_DAY_CLOSED:
            yield events, item
            events = []
        else:
            events.append(item)


def interleave_keeping_key_order(events: list[Published], rng: random.Random) -> list[Published]:
    """A random order of the day's events that keeps each (topic, key)'s own order: the
    only order the contract promises (one partition per key; nothing across keys)."""
    queues: dict[tuple[str, str], list[Published]] = {}
    for event in events:
        queues.setdefault((event[0], event[1]), []).append(event)
    lanes = [list(reversed(q)) for q in queues.values()]
    result = []
    while lanes:
        lane = rng.choice(lanes)
        result.append(lane.pop())
        if not lane:
            lanes.remove(lane)
    return result


class BatchWindowFeeder:
    def __init__(self, bootstrap: str, settle: Callable[[], Awaitable[None]]) -> None:
        self.settings = CommonSettings(kafka_bootstrap_servers=bootstrap,
                                       service_name="simulator")
        self.settle = settle
        self.sent: list[Published] = []

    async def run(self, profile: Profile, on_day: DayHook | None = None,
                  reorder: random.Random | None = None, wait: bool = True,
                  on_close: CloseHook | None = None) -> None:
        await ensure_inbound_topics(self.settings)
        options = SimulationOptions(loans=profile.loans, days=profile.days, seed=profile.seed)
        for index, (events, close) in enumerate(days_of(options)):
            if reorder is not None:
                events = interleave_keeping_key_order(events, reorder)
            await self.send(events)
            if on_day is not None:
                await on_day(index, events)
            if wait:
                await self.settle()
            if on_close is not None:
                await on_close(index)
            await self.send([close])
            if wait:
                await self.settle()

    async def send(self, events: list[Published]) -> None:
        """Send with retries: a broker restarted under a fault may refuse a batch, and a
        batch sent again is only a redelivery, which the consumers' inboxes absorb."""
        for attempt in range(30):
            try:
                await self._send_once(events)
                self.sent += events
                return
            except Exception:  # noqa: BLE001 - broker away: wait and send the batch again
                log.warning("sending %s events failed (attempt %s)", len(events), attempt + 1)
                await asyncio.sleep(1)
        raise RuntimeError("could not publish the day's events")

    async def _send_once(self, events: list[Published]) -> None:
        producer = create_producer(self.settings, linger_ms=5)
        await producer.start()
        try:
            futures = [await producer.send(topic, envelope.to_bytes(), key=key.encode())
                       for topic, key, envelope in events]
            await asyncio.gather(*futures)
        finally:
            await producer.stop()
