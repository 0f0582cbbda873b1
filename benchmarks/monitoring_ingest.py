"""Monitoring ingest rate of repayment events, from a real Kafka topic into the ledger.

The book (customers, loans, one closed business day that leaves every loan a few days
past due) is ingested first and not timed. The repayments are then published while the
worker is stopped, and the clock runs from the moment the restarted consumer holds its
partitions until the inbox has recorded the last repayment. The same records read by a
bare aiokafka consumer give the raw consume rate the ingest rate is compared with.

    python -m benchmarks.monitoring_ingest --loans 1000 --payments 10 \
        [--databases sqlite postgresql] [--batch-size N]

    figures = await run(loans=1000, payments_per_loan=10, databases=("sqlite", "postgresql"))

Prints one line per database and appends JSON lines to --json."""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import func, select

from shared.config import CommonSettings
from shared.db.engine import create_engine
from shared.events.envelope import Envelope
from shared.events.topics import BANK_CALENDAR, BANK_CUSTOMERS, BANK_LOANS
from shared.kafka.admin import ensure_topics
from shared.kafka.client import create_producer
from shared.localinfra.kafka import LocalKafka
from shared.localinfra.postgres import LocalPostgres
from services.monitoring.config import Settings
from services.monitoring.models import delivery
from tests.support import bank_events as bank
from tests.support.services import migrate, running_worker

REPAYMENT = "bank.repayment.received.v1"
FIRST_DUE = date(2026, 2, 5)
# Half an installment (1000 principal + 50 interest): the first payment leaves the loan in
# arrears, the second cures it (ageing events), later ones pay ahead (no ageing change).
PAYMENT_AMOUNT = "525.00"


def book(loans: int) -> list[tuple[str, str, Envelope]]:
    events: list[tuple[str, str, Envelope]] = []
    for n in range(loans):
        customer, loan = f"C-{n:06d}", f"L-{n:06d}"
        events.append((BANK_CUSTOMERS, customer,
                       bank.customer_registered(customer, on=date(2026, 1, 2))))
        events.append((BANK_LOANS, loan, bank.disbursed(loan, customer, on=date(2026, 1, 5),
                                                        first_due=FIRST_DUE)))
    day = bank.business_day(FIRST_DUE + timedelta(days=3))
    events.append((BANK_CALENDAR, day.subject, day))
    return events


def repayments(loans: int, per_loan: int) -> list[tuple[str, str, Envelope]]:
    """Round by round over the book, as a day's repayments arrive from many loans."""
    paid = FIRST_DUE + timedelta(days=3)
    return [(BANK_LOANS, f"L-{n:06d}",
             bank.repayment(f"L-{n:06d}", f"P-{n:06d}-{k:03d}", PAYMENT_AMOUNT, paid))
            for k in range(per_loan) for n in range(loans)]


async def _send(bootstrap: str, events: Iterable[tuple[str, str, Envelope]]) -> None:
    producer = create_producer(CommonSettings(kafka_bootstrap_servers=bootstrap), linger_ms=20)
    await producer.start()
    try:
        pending = [await producer.send(topic, envelope.to_bytes(), key=key.encode())
                   for topic, key, envelope in events]
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def _wait_for_inbox(database_url: str, event_type: str, expected: int,
                          poll: float = 0.05, timeout: float = 1800) -> None:
    """Polls with one connection: a new engine per poll would cost the worker CPU."""
    inbox = delivery.inbox
    count = (select(func.count()).select_from(inbox)
             .where(inbox.c.event_type == event_type))
    deadline = time.monotonic() + timeout
    engine = create_engine(database_url)
    try:
        while True:
            async with engine.connect() as connection:
                if int(await connection.scalar(count)) >= expected:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{event_type}: fewer than {expected} in the inbox")
            await asyncio.sleep(poll)
    finally:
        await engine.dispose()


async def _wait_for_assignment(worker, poll: float = 0.005) -> None:  # type: ignore[no-untyped-def]
    while not any(c._consumer is not None and c._consumer.assignment()
                  for c in worker.consumers):
        await asyncio.sleep(poll)


async def raw_consume_rate(bootstrap: str, topic: str = BANK_LOANS,
                           batch_size: int = 500) -> dict:
    """A bare aiokafka consumer reading the whole topic: the ceiling for any consumer."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", max_poll_records=batch_size)
    await consumer.start()
    try:
        count = CommonSettings(kafka_bootstrap_servers=bootstrap).topic_partitions
        partitions = [TopicPartition(topic, p) for p in range(count)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        starts, ends = (await consumer.beginning_offsets(partitions),
                        await consumer.end_offsets(partitions))
        expected = sum(ends[tp] - starts[tp] for tp in partitions)
        total, started = 0, time.perf_counter()
        while total < expected:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                total += len(records)
        elapsed = time.perf_counter() - started
    finally:
        await consumer.stop()
    return {"records": total, "seconds": round(elapsed, 3),
            "records_per_second": round(total / elapsed, 1)}


async def measure_database(bootstrap: str, database_url: str, *, loans: int,
                           payments_per_loan: int, batch_size: int | None = None) -> dict:
    group = f"bench-monitoring-{uuid.uuid4().hex[:8]}"
    extra = {} if batch_size is None else {"consumer_batch_size": batch_size}
    settings = Settings(kafka_bootstrap_servers=bootstrap, database_url=database_url,
                        consumer_group=group, log_level="WARNING", **extra)
    await migrate("monitoring", database_url)
    setup = book(loans)
    await _send(bootstrap, setup)
    async with running_worker("monitoring", settings):
        await _wait_for_inbox(database_url, "bank.business-day.closed.v1", 1, poll=0.2)
        await _wait_for_inbox(database_url, "bank.loan.disbursed.v1", loans, poll=0.2)
    payments = repayments(loans, payments_per_loan)
    await _send(bootstrap, payments)
    async with running_worker("monitoring", settings) as worker:
        await _wait_for_assignment(worker)
        started = time.perf_counter()
        await _wait_for_inbox(database_url, REPAYMENT, len(payments))
        elapsed = time.perf_counter() - started
    return {"database": database_url.split(":", 1)[0].split("+", 1)[0],
            "events": len(payments), "seconds": round(elapsed, 3),
            "events_per_second": round(len(payments) / elapsed, 1),
            "batch_size": settings.consumer_batch_size}


async def run(*, loans: int = 1000, payments_per_loan: int = 10,
              databases: Sequence[str] = ("sqlite", "postgresql"),
              bootstrap: str | None = None, postgres_url: str | None = None,
              batch_size: int | None = None) -> dict:
    """Figures as a dict: per database events, seconds, events/s and the share of the raw
    consume rate. Starts a throwaway broker and PostgreSQL unless given; `postgres_url` is
    a server URL whose `postgres` database may create and drop benchmark databases."""
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        if bootstrap is None:
            broker = LocalKafka(Path(scratch) / "kafka")
            await asyncio.to_thread(broker.start)
            stack.callback(broker.stop)
            bootstrap = broker.bootstrap
        results = []
        for database in databases:
            # Each database gets fresh topics, so the raw rate reads exactly its records.
            await _reset_topics(bootstrap)
            url = await _database_url(database, scratch, stack, postgres_url)
            figures = await measure_database(bootstrap, url, loans=loans,
                                             payments_per_loan=payments_per_loan,
                                             batch_size=batch_size)
            raw = await raw_consume_rate(bootstrap)
            figures["raw_consume_records_per_second"] = raw["records_per_second"]
            figures["share_of_raw_consume"] = round(
                figures["events_per_second"] / raw["records_per_second"], 3)
            results.append(figures)
    return {"benchmark": "monitoring_ingest", "loans": loans,
            "payments_per_loan": payments_per_loan, "results": results}


async def _reset_topics(bootstrap: str) -> None:
    from aiokafka.admin import AIOKafkaAdminClient

    settings = CommonSettings(kafka_bootstrap_servers=bootstrap)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [t for t in (BANK_LOANS, BANK_CUSTOMERS, BANK_CALENDAR) if t in existing]
        if doomed:
            await admin.delete_topics(doomed)
            while set(await admin.list_topics()) & set(doomed):
                await asyncio.sleep(0.2)
    finally:
        await admin.close()
    await ensure_topics(settings)


async def _database_url(database: str, scratch: str, stack: ExitStack,
                        postgres_url: str | None) -> str:
    if database == "sqlite":
        return f"sqlite+aiosqlite:///{scratch}/monitoring-{uuid.uuid4().hex[:8]}.db"
    if database != "postgresql":
        raise ValueError(f"unknown database {database!r}")
    if postgres_url is None:
        # The server runs as the postgres user, which must reach its data directory.
        base = Path(tempfile.mkdtemp(prefix="postloan-bench-pg-"))
        base.chmod(0o755)
        stack.callback(shutil.rmtree, base, ignore_errors=True)
        server = LocalPostgres(base / "data")
        await asyncio.to_thread(server.start)
        stack.callback(server.stop)
        name = f"bench_{uuid.uuid4().hex[:8]}"
        return await asyncio.to_thread(server.create_database, name)
    return postgres_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loans", type=int, default=1000)
    parser.add_argument("--payments", type=int, default=10, help="repayments per loan")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--json", type=Path, default=Path("bench-results/monitoring_ingest.jsonl"))
    args = parser.parse_args()
    figures = asyncio.run(run(loans=args.loans, payments_per_loan=args.payments,
                              databases=args.databases, batch_size=args.batch_size))
    for result in figures["results"]:
        print(f"monitoring ingest ({result['database']}): {result['events']:,} repayments in "
              f"{result['seconds']}s = {result['events_per_second']:,} events/s; raw aiokafka "
              f"{result['raw_consume_records_per_second']:,} records/s "
              f"({result['share_of_raw_consume']:.0%})")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    with args.json.open("a") as out:
        out.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
