"""Publishing mechanics without a broker: pacing, batching, progress, the summary."""
from __future__ import annotations

import asyncio
from datetime import date

import pytest

from shared.simulator.feed import SimulationOptions, generate
from shared.simulator.publish import Pacer, _send_all


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes]] = []

    async def send(self, topic: str, value: bytes, key: bytes) -> asyncio.Future:
        self.sent.append((topic, key, value))
        future = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future


def test_pacer_holds_the_loop_to_the_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(100.0, clock)
    assert pacer.delay_before(0) == 0
    assert pacer.delay_before(50) == pytest.approx(0.5)
    clock.now += 2.0  # fell behind: catch up without waiting
    assert pacer.delay_before(150) == 0


def test_pacer_without_a_rate_never_waits() -> None:
    assert Pacer(None).delay_before(10**9) == 0


def test_pacer_refuses_a_non_positive_rate() -> None:
    with pytest.raises(ValueError):
        Pacer(0)


async def test_send_all_publishes_in_order_and_reports_progress() -> None:
    options = SimulationOptions(loans=20, days=10, start=date(2026, 2, 1), seed=3)
    events = list(generate(options))
    producer, reports = FakeProducer(), []
    summary = await _send_all(producer, iter(events), Pacer(None),
                              lambda n, d: reports.append((n, d)), 0.0, "sandbox.")
    assert [(t, k, v) for t, k, v in producer.sent] == [
        ("sandbox." + t, k.encode(), e.to_bytes()) for t, k, e in events]
    assert summary.sent == len(events) == sum(summary.by_topic.values())
    assert reports[-1] == (len(events), options.end)
    assert summary.last_date == options.end
