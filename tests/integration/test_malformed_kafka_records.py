"""A consumer on a real broker survives records with binary, non-UTF-8 and null keys and
non-UTF-8, huge and null header values: good events among them are applied, bad ones are
dead-lettered with clean headers, and the next good record is applied."""
from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import Column, Integer, String, Table, insert, select

from shared.config import CommonSettings
from shared.db.base import new_metadata
from shared.db.delivery import delivery_tables
from shared.db.engine import create_engine, session_factory
from shared.events.envelope import new_event
from shared.events.topics import BANK_LOANS, dlq
from shared.kafka.client import create_producer
from shared.kafka.consumer import ConsumerSpec, EventConsumer
from shared.kafka.dlq import header_map
from tests.support.kafka import create_topics, read_all, unique, wait_for

pytestmark = pytest.mark.integration

metadata = new_metadata()
tables = delivery_tables(metadata)
applied = Table("applied", metadata, Column("id", Integer, primary_key=True),
                Column("loan_id", String(64)))


async def _record_loan(session, envelope, payload) -> None:  # type: ignore[no-untyped-def]
    await session.execute(insert(applied).values(loan_id=payload.loan_id))


def _repayment(loan_id: str) -> bytes:
    return new_event(type="bank.repayment.received.v1", source="core-banking", subject=loan_id,
                     data={"loan_id": loan_id, "payment_id": "P-1", "amount": "10.00",
                           "paid_date": "2026-12-01", "channel": "counter"}).to_bytes()


async def test_malformed_keys_and_headers_neither_stop_nor_skip_the_consumer(
    kafka_bootstrap: str, sqlite_database_url: str,
) -> None:
    await create_topics(kafka_bootstrap, [BANK_LOANS, dlq(BANK_LOANS)])
    prefix = unique("L-odd")
    engine = create_engine(sqlite_database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    # One partition for every record (same key bytes are not possible with null keys), so
    # "the next good record" really comes after the bad ones.
    records = [
        (b"\xff\xfe\xfa", _repayment(f"{prefix}-1"), [("ce_type", b"\xff\xfe")]),
        (None, b"\xff{not json " + prefix.encode(),
         [("huge", b"h" * 200_000), ("null", None)]),
        (None, _repayment(f"{prefix}-2"), [("null", None)]),
        (b"\x00\x80" * 8, b'{"specversion": "1.0", "id": "' + prefix.encode() + b'"}',
         [("ce_type", b"\x80")]),
        (f"{prefix}-3".encode(), _repayment(f"{prefix}-3"), []),
    ]
    settings = CommonSettings(kafka_bootstrap_servers=kafka_bootstrap,
                              database_url=sqlite_database_url, service_name="odd-records",
                              consumer_max_retries=0)
    dlq_sender = create_producer(settings)
    await dlq_sender.start()
    consumer = EventConsumer(
        ConsumerSpec(name=unique("g"), topics=(BANK_LOANS,),
                     handlers={"bank.repayment.received.v1": _record_loan}),
        settings=settings, sessions=session_factory(engine), tables=tables,
        dlq_sender=dlq_sender)
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        await producer.start()
        try:
            for key, value, headers in records:
                await producer.send_and_wait(BANK_LOANS, value=value, key=key,
                                             headers=headers, partition=0)
        finally:
            await producer.stop()

        async def loans() -> list[str]:
            async with engine.connect() as connection:
                rows = await connection.scalars(
                    select(applied.c.loan_id).where(applied.c.loan_id.like(f"{prefix}%")))
                return sorted(rows.all())

        await wait_for(lambda: _has(loans, 3), message="the three good records applied")
        assert await loans() == [f"{prefix}-1", f"{prefix}-2", f"{prefix}-3"]
        assert not task.done(), "the consumer is still running"
    finally:
        await consumer.stop()
        await task
        await dlq_sender.stop()
        await engine.dispose()
    dead = {r.key: r for r in await read_all(kafka_bootstrap, dlq(BANK_LOANS), expect=10_000,
                                             timeout=5) if prefix.encode() in (r.value or b"")}
    assert set(dead) == {None, b"\x00\x80" * 8}
    assert header_map(dead[None].headers)["dlq.reason"] == "invalid_json"
    for record in dead.values():
        headers = header_map(record.headers)
        assert headers["dlq.original.topic"] == BANK_LOANS
        assert all(name.startswith("dlq.") for name, _ in record.headers)


async def _has(loans, count: int) -> bool:  # type: ignore[no-untyped-def]
    return len(await loans()) >= count
