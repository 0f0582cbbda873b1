"""Warning benchmark: warnings per second and the latency from a monitoring event being
produced to its warning arriving on postloan.warning.v1 (p50, p99), end to end through a
real broker, the faust agents, the warning database, the outbox and the relay.

    python -m benchmarks.warning [--loans 2000] [--latency-events 300] [--bootstrap HOST:PORT]
                                 [--database-url URL | --postgres]

Without --bootstrap a throwaway broker is started from the Maven jars; without a database
option a SQLite file is used. Prints one line per phase and a final JSON line.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from typing import Any, Iterator

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, select

from shared.db.engine import create_engine, session_factory
from shared.events.envelope import new_event
from shared.events.topics import COLLECTIONS, MONITORING, WARNING, dlq
from services.warning.config import Settings
from services.warning.models import Base, Loan
from services.warning.worker import build_worker

AS_OF = date(2026, 5, 1)


def _event(type_: str, loan_id: str, data: dict[str, Any]) -> bytes:
    return new_event(type=type_, source="benchmark", subject=loan_id, data=data).to_bytes()


def registered(loan_id: str) -> bytes:
    return _event("monitoring.loan.registered.v1", loan_id, {
        "loan_id": loan_id, "customer_id": f"C-{loan_id}", "product": "consumer",
        "currency": "CNY", "principal": "10000.00", "disbursed_date": "2026-01-01",
        "maturity_date": "2027-01-01", "payment_mode": "self", "industry_code": "C13",
        "region_code": "310000", "installments": 12, "first_due_date": "2026-02-01"})


def delinquent(loan_id: str, dpd: int = 1) -> bytes:
    return _event("monitoring.loan.delinquency-changed.v1", loan_id, {
        "loan_id": loan_id, "customer_id": f"C-{loan_id}", "as_of_date": AS_OF.isoformat(),
        "product": "consumer", "dpd": dpd, "bucket": "M1", "classification": "normal",
        "ifrs9_stage": 1, "outstanding_principal": "9000.00", "overdue_principal": "800.00",
        "overdue_interest": "100.00", "previous_dpd": 0, "previous_bucket": "C"})


class Arrivals:
    """Reads the warning topic and records when each loan's first warning arrived."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap, self.seen = bootstrap, {}
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self.consumer = AIOKafkaConsumer(WARNING, bootstrap_servers=self.bootstrap,
                                         auto_offset_reset="earliest", group_id=None)
        await self.consumer.start()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            for records in (await self.consumer.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for record in records:
                    self.seen.setdefault(record.key.decode(), now)

    async def wait(self, keys: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not all(k in self.seen for k in keys):
            if time.monotonic() > deadline:
                missing = sum(1 for k in keys if k not in self.seen)
                raise SystemExit(f"{missing} warnings did not arrive within {timeout}s")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        await self.consumer.stop()


async def _send_all(producer: AIOKafkaProducer, records: list[tuple[str, bytes]]) -> None:
    futures = [await producer.send(MONITORING, value=v, key=k.encode()) for k, v in records]
    await asyncio.gather(*futures)


async def _wait_loans(settings: Settings, count: int, timeout: float = 300) -> None:
    engine = create_engine(settings.database_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            async with session_factory(engine)() as session:
                if (await session.scalar(select(func.count()).select_from(Loan))) >= count:
                    return
            await asyncio.sleep(0.2)
        raise SystemExit("loans were not registered in time")
    finally:
        await engine.dispose()


async def run(bootstrap: str, database_url: str, loans: int, latency_events: int) -> dict:
    from tests.support.kafka import create_topics
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    await engine.dispose()
    await create_topics(bootstrap, [MONITORING, WARNING, COLLECTIONS, dlq(MONITORING),
                                    dlq(COLLECTIONS)], partitions=6)
    run_id = uuid.uuid4().hex[:8]
    settings = Settings(kafka_bootstrap_servers=bootstrap, database_url=database_url,
                        faust_app_id=f"warning-bench-{run_id}", consumer_group=f"wb-{run_id}",
                        outbox_poll_seconds=0.01)
    worker = build_worker(settings, serve_ops=False)
    await worker.start()
    running = asyncio.create_task(worker.run())
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    arrivals = Arrivals(bootstrap)
    await arrivals.start()
    try:
        ids = [f"B{run_id}-{n:06d}" for n in range(loans + latency_events)]
        await _send_all(producer, [(i, registered(i)) for i in ids])
        await _wait_loans(settings, len(ids))
        print(f"registered {len(ids)} loans", flush=True)

        bulk = ids[:loans]
        started = time.perf_counter()
        await _send_all(producer, [(i, delinquent(i)) for i in bulk])
        await arrivals.wait(bulk, timeout=600)
        elapsed = max(arrivals.seen[i] for i in bulk) - started
        rate = loans / elapsed
        print(f"throughput: {loans} warnings in {elapsed:.2f}s = {rate:.0f} warnings/s", flush=True)

        latencies = []
        for loan_id in ids[loans:]:
            sent = time.perf_counter()
            await (await producer.send(MONITORING, value=delinquent(loan_id), key=loan_id.encode()))
            await arrivals.wait([loan_id], timeout=60)
            latencies.append(arrivals.seen[loan_id] - sent)
        latencies.sort()
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"latency over {len(latencies)} events: p50 {p50 * 1000:.1f} ms, "
              f"p99 {p99 * 1000:.1f} ms", flush=True)
        return {"loans": loans, "warnings_per_second": round(rate, 1),
                "latency_events": len(latencies), "latency_p50_ms": round(p50 * 1000, 1),
                "latency_p99_ms": round(p99 * 1000, 1),
                "database": database_url.split(":")[0]}
    finally:
        await arrivals.stop()
        await producer.stop()
        await worker.stop()
        await running


@contextlib.contextmanager
def _broker(bootstrap: str | None) -> Iterator[str]:
    if bootstrap:
        yield bootstrap
        return
    from shared.localinfra.kafka import LocalKafka
    with tempfile.TemporaryDirectory() as directory:
        kafka = LocalKafka(directory)
        kafka.start()
        try:
            yield kafka.bootstrap
        finally:
            kafka.stop()


@contextlib.contextmanager
def _database(url: str | None, postgres: bool) -> Iterator[str]:
    if url:
        yield url
    elif postgres:
        from benchmarks.ageing.postgres import throwaway_postgres
        with throwaway_postgres() as pg_url:
            yield pg_url
    else:
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite+aiosqlite:///{directory}/warning-bench.db"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=2000)
    parser.add_argument("--latency-events", type=int, default=300)
    parser.add_argument("--bootstrap")
    parser.add_argument("--database-url")
    parser.add_argument("--postgres", action="store_true", help="a throwaway local cluster")
    args = parser.parse_args(argv)
    with _broker(args.bootstrap) as bootstrap, _database(args.database_url, args.postgres) as url:
        figures = asyncio.run(run(bootstrap, url, args.loans, args.latency_events))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
