"""A poll batch applied in one transaction, on both databases: each fresh event once, in
arrival order; a duplicate inside the batch or already in the inbox has no effect; any
failure rolls the batch back and the record-at-a-time path dead-letters only the bad
record. No broker: the consumer's batch entry point is driven with records directly."""
from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from sqlalchemy import Column, Integer, String, Table, insert, select

from shared.config import CommonSettings
from shared.db.base import BigId, new_metadata
from shared.db.delivery import delivery_tables
from shared.db.engine import create_engine, session_factory
from shared.events.envelope import new_event
from shared.events.topics import BANK_LOANS, dlq
from shared.kafka.consumer import ConsumerSpec, EventConsumer
from shared.kafka.dlq import header_map
from shared.kafka.processing import RejectEvent
from shared.kafka.records import RawRecord

REPAYMENT = "bank.repayment.received.v1"
metadata = new_metadata()
tables = delivery_tables(metadata)
effect = Table("batch_effect", metadata,
               Column("id", BigId, primary_key=True, autoincrement=True),
               Column("event_id", String(100)), Column("loan_id", String(64)))
scope_runs = Table("batch_scope_run", metadata,
                   Column("id", Integer, primary_key=True, autoincrement=True),
                   Column("effects_seen", Integer))


class _Dlq:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, dict[str, str]]] = []

    async def send_and_wait(self, topic, value=None, key=None, headers=None):  # type: ignore[no-untyped-def]
        self.sent.append((topic, value, header_map(headers or [])))


async def _apply(session, envelope, payload) -> None:  # type: ignore[no-untyped-def]
    if payload.loan_id.endswith("-boom"):
        raise RuntimeError("handler cannot apply this event")
    if payload.loan_id.endswith("-reject"):
        raise RejectEvent("unknown_payment", "payment is not on this loan")
    await session.execute(insert(effect).values(event_id=envelope.id, loan_id=payload.loan_id))


@asynccontextmanager
async def _count_at_end(session):  # type: ignore[no-untyped-def]
    """A scope that leaves a trace of when it ran: after every handler of the transaction."""
    yield
    seen = len((await session.execute(select(effect.c.id))).all())
    await session.execute(insert(scope_runs).values(effects_seen=seen))


def _record(loan_id: str, offset: int, event_id: str | None = None,
            value: bytes | None = None) -> RawRecord:
    envelope = new_event(type=REPAYMENT, source="core-banking", subject=loan_id, id=event_id,
                         data={"loan_id": loan_id, "payment_id": f"P-{offset}",
                               "amount": "10.00", "paid_date": "2026-12-15",
                               "channel": "auto_debit"})
    return RawRecord(topic=BANK_LOANS, partition=0, offset=offset, key=loan_id.encode(),
                     value=envelope.to_bytes() if value is None else value)


@pytest.fixture
async def consumer(database_url):  # type: ignore[no-untyped-def]
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    settings = CommonSettings(database_url=database_url, service_name="batch-test",
                              consumer_max_retries=1, consumer_retry_backoff_seconds=0.001)
    spec = ConsumerSpec(name="batch-test", topics=(BANK_LOANS,),
                        handlers={REPAYMENT: _apply}, scope=_count_at_end)
    worker = EventConsumer(spec, settings=settings, sessions=session_factory(engine),
                           tables=tables, dlq_sender=_Dlq())
    yield worker
    await engine.dispose()


async def _consume(worker: EventConsumer, records: list[RawRecord]) -> None:
    """What the consumer loop does with one partition's poll batch."""
    if not await worker.process_batch(records):
        for record in records:
            await worker.processor.process(record, worker._apply)


async def _effects(worker: EventConsumer) -> list[str]:
    async with worker.sessions() as session:
        return list((await session.scalars(select(effect.c.loan_id).order_by(effect.c.id))).all())


async def test_a_clean_batch_applies_every_record_in_order_in_one_transaction(consumer) -> None:
    records = [_record(f"L-{n}", n) for n in range(20)]
    assert await consumer.process_batch(records)
    assert await _effects(consumer) == [f"L-{n}" for n in range(20)]
    async with consumer.sessions() as session:
        runs = (await session.scalars(select(scope_runs.c.effects_seen))).all()
    assert runs == [20], "the scope ran once, after every handler of the batch"


async def test_a_failing_record_in_the_middle_is_dead_lettered_and_the_others_apply_once(
        consumer) -> None:
    records = [_record(f"L-{n}", n) for n in range(5)] + [_record("L-5-boom", 5)] + \
              [_record(f"L-{n}", n) for n in range(6, 10)]
    await _consume(consumer, records)
    assert await _effects(consumer) == [f"L-{n}" for n in range(10) if n != 5]
    [(topic, value, headers)] = consumer.processor.dlq_sender.sent
    assert (topic, value) == (dlq(BANK_LOANS), records[5].value)
    assert headers["dlq.reason"] == "handler_failed"
    assert headers["dlq.original.offset"] == "5"


async def test_a_rejected_or_malformed_record_is_dead_lettered_with_its_own_reason(
        consumer) -> None:
    records = [_record("L-0", 0), _record("L-1-reject", 1), _record("L-2", 2),
               _record("L-3", 3, value=b"{not json"), _record("L-4", 4)]
    await _consume(consumer, records)
    assert await _effects(consumer) == ["L-0", "L-2", "L-4"]
    reasons = [h["dlq.reason"] for _, _, h in consumer.processor.dlq_sender.sent]
    assert reasons[0] == "unknown_payment" and len(reasons) == 2
    assert reasons[1] != "handler_failed"


async def test_an_event_repeated_inside_one_batch_is_applied_once(consumer) -> None:
    records = [_record("L-0", 0, event_id="E-0"), _record("L-1", 1, event_id="E-1"),
               _record("L-0", 2, event_id="E-0"), _record("L-2", 3, event_id="E-2"),
               _record("L-1", 4, event_id="E-1")]
    assert await consumer.process_batch(records)
    assert await _effects(consumer) == ["L-0", "L-1", "L-2"]


async def test_a_redelivered_batch_has_no_second_effect(consumer) -> None:
    first = [_record(f"L-{n}", n, event_id=f"E-{n}") for n in range(6)]
    assert await consumer.process_batch(first)
    again = first[3:] + [_record("L-6", 6, event_id="E-6")]
    assert await consumer.process_batch(again)
    assert await _effects(consumer) == [f"L-{n}" for n in range(7)]
    async with consumer.sessions() as session:
        claimed = (await session.scalars(select(tables.inbox.c.event_id))).all()
    assert sorted(claimed) == [f"E-{n}" for n in range(7)]
