"""A service acting on another's clock applies records in the broker's append order across
partitions: never a later day's clock before an earlier loan change fetched late, and
never while a partition not yet read to its end may still hold an earlier record."""
from __future__ import annotations

from dataclasses import dataclass

from aiokafka import TopicPartition

from shared.kafka.time_order import TimeOrder

LOANS, CLOCK = TopicPartition("postloan.monitoring.v1", 0), TopicPartition("postloan.monitoring.v1", 1)


@dataclass
class Record:
    offset: int
    timestamp: int
    name: str


class FakeConsumer:
    """What TimeOrder asks of the Kafka client: the assignment, end offsets, positions."""

    def __init__(self, ends: dict[TopicPartition, int]) -> None:
        self.ends, self.positions = dict(ends), {tp: 0 for tp in ends}
        self.paused: set[TopicPartition] = set()

    def assignment(self) -> set[TopicPartition]:
        return set(self.ends)

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: self.ends[tp] for tp in partitions}

    async def position(self, tp: TopicPartition) -> int:
        return self.positions[tp]

    def fetched(self, tp: TopicPartition, records: list[Record]) -> dict:
        self.positions[tp] = records[-1].offset + 1
        return {tp: records}

    def pause(self, *tps: TopicPartition) -> None:
        self.paused |= set(tps)

    def resume(self, *tps: TopicPartition) -> None:
        self.paused -= set(tps)


def _order(consumer: FakeConsumer) -> tuple[TimeOrder, list[str]]:
    applied: list[str] = []

    async def process(tp: TopicPartition, records: list) -> None:
        applied.extend(r.name for r in records)
    return TimeOrder(consumer, process), applied  # type: ignore[arg-type]


async def test_a_later_days_clock_fetched_first_waits_for_the_earlier_roll() -> None:
    consumer = FakeConsumer({LOANS: 2, CLOCK: 2})
    order, applied = _order(consumer)
    await order.round(consumer.fetched(CLOCK, [Record(0, 20, "aged D"), Record(1, 40, "aged D+1")]))
    assert applied == []  # the loans partition is behind its end: it may hold earlier records
    await order.round(consumer.fetched(LOANS, [Record(0, 10, "roll D"), Record(1, 30, "roll D+1")]))
    assert applied == ["roll D", "aged D", "roll D+1", "aged D+1"]


async def test_a_partition_read_to_its_end_does_not_hold_the_others_back() -> None:
    consumer = FakeConsumer({LOANS: 0, CLOCK: 1})
    order, applied = _order(consumer)
    await order.round(consumer.fetched(CLOCK, [Record(0, 20, "aged D")]))
    assert applied == ["aged D"]


async def test_a_partition_with_too_much_waiting_is_paused_until_the_others_catch_up() -> None:
    consumer = FakeConsumer({LOANS: 1, CLOCK: 3000})
    order, applied = _order(consumer)
    order.max_buffered = 2
    await order.round(consumer.fetched(CLOCK, [Record(n, 100 + n, f"aged {n}") for n in range(3)]))
    assert applied == [] and consumer.paused == {CLOCK}
    await order.round(consumer.fetched(LOANS, [Record(0, 50, "roll")]))
    assert applied[:2] == ["roll", "aged 0"] and CLOCK not in consumer.paused


async def test_the_relay_sends_a_clock_event_only_after_the_days_events_and_before_the_next() -> None:
    import asyncio
    from types import SimpleNamespace

    from shared.kafka.relay import OutboxRelay

    class SlowAcks:
        """Acknowledges each send a moment later; records what was acknowledged at each send."""

        def __init__(self) -> None:
            self.futures: list[asyncio.Future] = []
            self.acked_before: dict[str, int] = {}

        async def send(self, topic, value, key, headers):  # type: ignore[no-untyped-def]
            self.acked_before[value.decode()] = sum(f.done() for f in self.futures)
            future = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_later(0.01, future.set_result, None)
            self.futures.append(future)
            return future

    def row(n: int, kind: str) -> SimpleNamespace:
        return SimpleNamespace(id=n, topic="postloan.monitoring.v1", message_key=f"k{n}",
                               payload=f"{n}".encode(), headers=None, event_type=kind)

    producer = SlowAcks()
    relay = OutboxRelay(service="monitoring", sessions=None, tables=None, producer=producer)  # type: ignore[arg-type]
    await relay._publish([row(0, "monitoring.loan.delinquency-changed.v1"),
                          row(1, "monitoring.installment.missed.v1"),
                          row(2, "monitoring.business-day.aged.v1"),
                          row(3, "monitoring.loan.delinquency-changed.v1")])
    assert producer.acked_before == {"0": 0, "1": 0, "2": 2, "3": 3}
