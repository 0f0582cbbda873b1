"""The warning worker against a real broker and a real database: monitoring events in,
warnings out on postloan.warning.v1; and a worker killed mid-window (SIGKILL, no clean
shutdown) whose successor recovers the window from the faust changelog and still fires
exactly one warning."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.db.engine import create_engine
from shared.events.topics import AUDIT, COLLECTIONS, MONITORING, WARNING, dlq
from services.warning.models import Base
from tests.support import warning as ev
from tests.support.kafka import create_topics, produce, unique, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def kafka_bootstrap(private_kafka: str) -> str:
    """These services read the real topics from the beginning, so another test's events
    (a business-day close, a repayment) would reach them: a broker of their own."""
    return private_kafka
REPO = Path(__file__).resolve().parents[2]
D0 = date(2026, 5, 1)


async def _prepare(bootstrap: str, database_url: str) -> int:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    await engine.dispose()
    await create_topics(bootstrap, [MONITORING, WARNING, COLLECTIONS, AUDIT, dlq(MONITORING),
                                    dlq(COLLECTIONS)], partitions=6)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:  # faust's tables must have as many partitions as the topic they are keyed by
        return len(await producer.partitions_for(MONITORING))
    finally:
        await producer.stop()


def _spawn(bootstrap: str, database_url: str, app_id: str, partitions: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "WARNING_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
           "WARNING_DATABASE_URL": database_url, "WARNING_FAUST_APP_ID": app_id,
           "WARNING_CONSUMER_GROUP": app_id, "WARNING_FAUST_TABLE_PARTITIONS": str(partitions),
           "WARNING_ENVIRONMENT": "test", "WARNING_FAUST_SESSION_TIMEOUT_SECONDS": "10"}
    return subprocess.Popen([sys.executable, "-m", "tests.support.warning"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _send(bootstrap: str, *envelopes: Any) -> None:
    await produce(bootstrap, MONITORING,
                  [((e.subject or "").encode(), e.to_bytes()) for e in envelopes])


class WarningTopic:
    """Reads postloan.warning.v1 from the beginning, keeping one loan's events."""

    def __init__(self, bootstrap: str, loan_id: str) -> None:
        self.bootstrap, self.loan_id = bootstrap, loan_id.encode()
        self.events: list[dict] = []

    async def __aenter__(self) -> "WarningTopic":
        self.consumer = AIOKafkaConsumer(WARNING, bootstrap_servers=self.bootstrap,
                                         auto_offset_reset="earliest", group_id=None)
        await self.consumer.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.consumer.stop()

    async def raised(self, rule_id: str) -> list[dict]:
        batch = await self.consumer.getmany(timeout_ms=200)
        for records in batch.values():
            self.events += [json.loads(r.value) for r in records if r.key == self.loan_id]
        return [e for e in self.events if e["type"] == "warning.warning.raised.v1"
                and e["data"]["rule_id"] == rule_id]


async def _committed_to_end(bootstrap: str, group: str, partitions: int) -> bool:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        parts = [TopicPartition(MONITORING, p) for p in range(partitions)]
        ends = await consumer.end_offsets(parts)
        committed = [await consumer.committed(tp) or 0 for tp in parts]
        return all(done >= ends[tp] for done, tp in zip(committed, parts))
    finally:
        await consumer.stop()


def _stop(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is None:
        process.send_signal(sig)
    process.wait(timeout=60)


async def test_monitoring_events_become_a_warning_on_the_warning_topic(
        kafka_bootstrap: str, database_url: str) -> None:
    partitions = await _prepare(kafka_bootstrap, database_url)
    loan, customer = unique("L"), unique("C")
    worker = _spawn(kafka_bootstrap, database_url, unique("warning-it"), partitions)
    try:
        async with WarningTopic(kafka_bootstrap, loan) as topic:
            await _send(kafka_bootstrap, ev.registered(loan, customer),
                        ev.delinquency(30, D0, loan, customer))
            await wait_for(lambda: _has(topic, "BEH_DPD"), timeout=90, message="BEH_DPD raised")
            (event,) = await topic.raised("BEH_DPD")
    finally:
        _stop(worker, signal.SIGTERM)
    assert event["subject"] == loan and event["source"] == "postloan.warning"
    assert event["data"]["level"] == "yellow" and event["data"]["evidence"]["dpd"] == 30


async def _has(topic: WarningTopic, rule_id: str) -> bool:
    return bool(await topic.raised(rule_id))


async def test_worker_killed_mid_window_recovers_the_window_and_fires_exactly_one_warning(
        kafka_bootstrap: str, database_url: str) -> None:
    partitions = await _prepare(kafka_bootstrap, database_url)
    loan, customer, app_id = unique("L"), unique("C"), unique("warning-it")
    async with WarningTopic(kafka_bootstrap, loan) as topic:
        first = _spawn(kafka_bootstrap, database_url, app_id, partitions)
        try:
            await _send(kafka_bootstrap, ev.registered(loan, customer), ev.missed(3, D0, loan, customer))
            await wait_for(lambda: _has(topic, "BEH_INSTALLMENT_MISSED"), timeout=90,
                           message="first missed installment warned")
            # Only once the offset is committed is the window's sole copy in the changelog.
            await wait_for(lambda: _committed_to_end(kafka_bootstrap, app_id, partitions), timeout=60,
                           message="offsets committed")
        finally:
            _stop(first, signal.SIGKILL)
        second = _spawn(kafka_bootstrap, database_url, app_id, partitions)
        try:
            await _send(kafka_bootstrap, ev.missed(4, D0 + timedelta(30), loan, customer))
            await wait_for(lambda: _has(topic, "BEH_CONSECUTIVE_MISSED"), timeout=90,
                           message="consecutive missed installments warned after restart")
            await wait_for(lambda: _committed_to_end(kafka_bootstrap, app_id, partitions), timeout=60,
                           message="offsets committed")
            consecutive = await topic.raised("BEH_CONSECUTIVE_MISSED")
            missed = await topic.raised("BEH_INSTALLMENT_MISSED")
        finally:
            _stop(second, signal.SIGTERM)
    assert len(consecutive) == 1 and len(missed) == 1
    assert consecutive[0]["data"]["evidence"]["missed_installments"] == [3, 4]
