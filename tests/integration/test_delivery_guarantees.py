"""The delivery rules every service relies on, against a real broker and real databases:
dead-lettering with reasons, idempotent consumption, exactly-once relaying, and resuming
from the committed offset."""
from __future__ import annotations

import asyncio
import json
from collections import defaultdict

import pytest
from sqlalchemy import Column, String, Table, func, insert, select

from shared.config import CommonSettings
from shared.db.base import BigId, new_metadata
from shared.db.delivery import delivery_tables
from shared.db.engine import create_engine, session_factory
from shared.db.outbox import add_event, backlog
from shared.events.envelope import new_event
from shared.events.topics import BANK_LOANS, dlq
from shared.kafka.client import create_producer
from shared.kafka.consumer import ConsumerSpec, EventConsumer
from shared.kafka.dlq import header_map
from shared.kafka.relay import OutboxRelay
from tests.support.kafka import create_topics, produce, read_all, unique, wait_for

pytestmark = pytest.mark.integration

metadata = new_metadata()
tables = delivery_tables(metadata)
effect = Table("effect", metadata,
               Column("id", BigId, primary_key=True, autoincrement=True),
               Column("event_id", String(100)), Column("loan_id", String(64)),
               Column("amount", String(32)))


async def _database(url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    return engine


def _settings(bootstrap: str, url: str) -> CommonSettings:
    return CommonSettings(kafka_bootstrap_servers=bootstrap, database_url=url,
                          service_name="delivery-test", consumer_max_retries=2,
                          consumer_retry_backoff_seconds=0.01, consumer_batch_size=50)


async def _apply_repayment(session, envelope, payload) -> None:  # type: ignore[no-untyped-def]
    if payload.loan_id.endswith("-boom"):
        raise RuntimeError("handler cannot apply this event")
    await session.execute(insert(effect).values(event_id=envelope.id, loan_id=payload.loan_id,
                                                amount=str(payload.amount)))


def _repayment(loan_id: str, payment_id: str, amount: str = "100.00", event_id: str | None = None):  # type: ignore[no-untyped-def]
    return new_event(type="bank.repayment.received.v1", source="core-banking", subject=loan_id,
                     id=event_id, data={"loan_id": loan_id, "payment_id": payment_id,
                                        "amount": amount, "paid_date": "2026-12-15",
                                        "channel": "auto_debit"})


async def _count_effects(engine, prefix: str) -> int:  # type: ignore[no-untyped-def]
    async with engine.connect() as connection:
        return int(await connection.scalar(
            select(func.count()).select_from(effect).where(effect.c.loan_id.like(f"{prefix}%"))))


class _Running:
    """One consumer in the background of a test."""

    def __init__(self, bootstrap: str, engine, url: str, group: str) -> None:  # type: ignore[no-untyped-def]
        self.settings = _settings(bootstrap, url)
        self.engine, self.group = engine, group

    async def __aenter__(self) -> "_Running":
        self.producer = create_producer(self.settings)
        await self.producer.start()
        spec = ConsumerSpec(name=self.group, topics=(BANK_LOANS,),
                            handlers={"bank.repayment.received.v1": _apply_repayment})
        self.consumer = EventConsumer(spec, settings=self.settings,
                                      sessions=session_factory(self.engine), tables=tables,
                                      dlq_sender=self.producer)
        await self.consumer.start()
        self.task = asyncio.create_task(self.consumer.run())
        return self

    async def __aexit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
        await self.consumer.stop()
        await self.task
        await self.producer.stop()

    async def crash(self) -> None:
        """Stop without finishing or committing the batch in hand."""
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass
        await self.consumer.close()
        await self.producer.stop()


@pytest.fixture
async def inbound_topics(kafka_bootstrap: str) -> str:
    await create_topics(kafka_bootstrap, [BANK_LOANS, dlq(BANK_LOANS)])
    return kafka_bootstrap


async def test_poison_records_are_dead_lettered_with_their_reason_and_good_ones_still_apply(
    inbound_topics: str, database_url: str,
) -> None:
    prefix = unique("L-poison")
    engine = await _database(database_url)
    good = _repayment(f"{prefix}-good", "P-1")
    unknown = new_event(type="bank.loan.teleported.v1", source="core-banking", subject=prefix,
                        data={"loan_id": prefix})
    wrong = _repayment(f"{prefix}-float", "P-2").model_dump(mode="json")
    wrong["data"]["amount"] = 12.5
    records = [
        (f"{prefix}-json".encode(), b"{not json"),
        (f"{prefix}-type".encode(), unknown.to_bytes()),
        (f"{prefix}-schema".encode(), json.dumps(wrong).encode()),
        (f"{prefix}-boom".encode(), _repayment(f"{prefix}-boom", "P-3").to_bytes()),
        (f"{prefix}-good".encode(), good.to_bytes()),
    ]
    async with _Running(inbound_topics, engine, database_url, unique("g")):
        await produce(inbound_topics, BANK_LOANS, records)
        await wait_for(lambda: _count_is(engine, prefix, 1), message="the good record applied")
        dead = await _dead_letters(inbound_topics, prefix, expect=4)
    assert dead == {
        f"{prefix}-json": "invalid_json", f"{prefix}-type": "unknown_type",
        f"{prefix}-schema": "schema_violation", f"{prefix}-boom": "handler_failed",
    }
    await engine.dispose()


async def _count_is(engine, prefix: str, expected: int) -> bool:  # type: ignore[no-untyped-def]
    return await _count_effects(engine, prefix) == expected


async def _dead_letters(bootstrap: str, prefix: str, expect: int) -> dict[str, str]:
    found: dict[str, str] = {}
    for record in await read_all(bootstrap, dlq(BANK_LOANS), expect=10_000, timeout=5):
        key = (record.key or b"").decode()
        if key.startswith(prefix):
            headers = header_map(record.headers)
            assert headers["dlq.original.topic"] == BANK_LOANS
            assert headers["dlq.original.offset"].isdigit()
            assert headers["dlq.error.message"]
            found[key] = headers["dlq.reason"]
    assert len(found) == expect, found
    return found


async def test_the_same_event_id_delivered_twice_has_one_effect(
    inbound_topics: str, database_url: str,
) -> None:
    prefix = unique("L-dup")
    engine = await _database(database_url)
    event = _repayment(f"{prefix}-1", "P-1")
    marker = _repayment(f"{prefix}-2", "P-2")
    async with _Running(inbound_topics, engine, database_url, unique("g")):
        await produce(inbound_topics, BANK_LOANS, [(event.subject.encode(), event.to_bytes())] * 3
                      + [(marker.subject.encode(), marker.to_bytes())])
        await wait_for(lambda: _count_is(engine, f"{prefix}-2", 1), message="marker applied")
    assert await _count_effects(engine, f"{prefix}-1") == 1
    await engine.dispose()


async def test_a_consumer_killed_mid_stream_resumes_from_its_committed_offset_without_loss_or_doubles(
    inbound_topics: str, database_url: str,
) -> None:
    prefix = unique("L-resume")
    engine = await _database(database_url)
    group = unique("g")
    events = [_repayment(f"{prefix}-{n:04d}", f"P-{n}") for n in range(300)]
    first = _Running(inbound_topics, engine, database_url, group)
    await first.__aenter__()
    await produce(inbound_topics, BANK_LOANS, [(e.subject.encode(), e.to_bytes()) for e in events])
    await wait_for(lambda: _at_least(engine, prefix, 40), message="some events applied")
    await first.crash()
    assert await _count_effects(engine, prefix) < 300, "stopped too late to test a resume"
    async with _Running(inbound_topics, engine, database_url, group):
        await wait_for(lambda: _count_is(engine, prefix, 300), message="all events applied")
    async with engine.connect() as connection:
        ids = (await connection.scalars(select(effect.c.event_id)
                                        .where(effect.c.loan_id.like(f"{prefix}%")))).all()
    assert sorted(ids) == sorted(e.id for e in events)
    await engine.dispose()


async def _at_least(engine, prefix: str, n: int) -> bool:  # type: ignore[no-untyped-def]
    return await _count_effects(engine, prefix) >= n


async def test_two_relays_over_one_outbox_publish_each_row_exactly_once_in_key_order(
    kafka_bootstrap: str, database_url: str,
) -> None:
    topic = unique("relay-test")
    await create_topics(kafka_bootstrap, [topic], partitions=4)
    engine = await _database(database_url)
    sessions = session_factory(engine)
    keys = [f"K{k}" for k in range(8)]
    async with sessions() as session, session.begin():
        for n in range(400):
            key = keys[n % len(keys)]
            await add_event(session, tables, topic=topic, key=key, envelope=new_event(
                type="test.sequence.recorded.v1", source="test", subject=key, data={"n": n}))
    settings = _settings(kafka_bootstrap, database_url)
    producers = [create_producer(settings) for _ in range(2)]
    for producer in producers:
        await producer.start()
    # One relay is slow to send, so the other would overtake it on a shared key if the
    # relay did not hold back rows whose key has an older row in flight elsewhere.
    relays = [OutboxRelay(service="delivery-test", sessions=sessions, tables=tables,
                          producer=p, batch_size=25)
              for p in (_SlowProducer(producers[0]), producers[1])]
    await asyncio.gather(*(_drain(relay) for relay in relays))
    for producer in producers:
        await producer.stop()
    async with sessions() as session:
        assert (await backlog(session, tables))[0] == 0
    published = await read_all(kafka_bootstrap, topic, expect=400)
    numbers = [json.loads(r.value)["data"]["n"] for r in published]
    assert sorted(numbers) == list(range(400)), "each row exactly once"
    by_key: dict[str, list[int]] = defaultdict(list)
    for record in sorted(published, key=lambda r: (r.partition, r.offset)):
        by_key[record.key.decode()].append(json.loads(record.value)["data"]["n"])
    assert all(seq == sorted(seq) for seq in by_key.values()), "per-key order kept"
    await engine.dispose()


class _SlowProducer:
    def __init__(self, producer) -> None:  # type: ignore[no-untyped-def]
        self.producer = producer

    async def send(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.01)
        return await self.producer.send(*args, **kwargs)


async def _drain(relay: OutboxRelay) -> None:
    idle = 0
    while idle < 3:
        idle = 0 if await relay.publish_once() else idle + 1
