"""Collections against a real broker and real databases: monitoring events published to
postloan.monitoring.v1 open a case, repayments keep a promise, a business day breaks one,
a cure closes the case, and the decisions leave on postloan.collections.v1."""
from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import select

from shared.db.engine import create_engine, session_factory
from shared.db.migrate import upgrade
from shared.events.envelope import Envelope
from shared.events.topics import AUDIT, COLLECTIONS, CRM, MONITORING, WARNING, dlq
from services.collections.config import Settings
from services.collections.domain.policy import Policy
from services.collections.models import CollectionCase, Promise
from services.collections.service import promises
from services.collections.worker import build_worker
from tests.support import collections as ev
from tests.support.kafka import create_topics, produce, read_all, unique, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def kafka_bootstrap(private_kafka: str) -> str:
    """These services read the real topics from the beginning, so another test's events
    (a business-day close, a repayment) would reach them: a broker of their own."""
    return private_kafka



def _fresh_date() -> date:
    # The business-day clock is shared by everyone on postloan.monitoring.v1 and a new
    # consumer group reads it from the beginning: a date no other run has used keeps
    # earlier runs' closes from counting as ours.
    return date(2100, 1, 1) + timedelta(days=uuid.uuid4().int % 2_500_000 // 10)


async def _send(bootstrap: str, *envelopes: Envelope) -> None:
    await produce(bootstrap, MONITORING, [(e.subject.encode(), e.to_bytes()) for e in envelopes])


class _Service:
    def __init__(self, bootstrap: str, url: str) -> None:
        self.settings = Settings(kafka_bootstrap_servers=bootstrap, database_url=url,
                                 consumer_group=unique("collections"), challenger_share="0",
                                 outbox_poll_seconds=0.05)
        self.policy = Policy.from_settings(self.settings)

    async def __aenter__(self) -> "_Service":
        self.engine = create_engine(self.settings.database_url)
        await upgrade("collections", self.engine)
        self.sessions = session_factory(self.engine)
        self.worker = build_worker(self.settings, serve_ops=False)
        await self.worker.start()
        self.task = asyncio.create_task(self.worker.run())
        return self

    async def __aexit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
        await self.worker.stop()
        await self.task
        await self.engine.dispose()

    async def case(self, customer: str) -> CollectionCase | None:
        async with self.sessions() as session:
            return await session.scalar(select(CollectionCase).where(
                CollectionCase.customer_id == customer).order_by(CollectionCase.opened_date.desc()))

    async def promise(self, promise_id: str) -> Promise:
        async with self.sessions() as session:
            return await session.get(Promise, promise_id)

    async def caught_up(self, bootstrap: str) -> bool:
        """The group has committed every record on the monitoring topic so far."""
        ends = await _end_offsets(bootstrap, MONITORING)
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            committed = await admin.list_consumer_group_offsets(self.settings.consumer_group)
        finally:
            await admin.close()
        return all(end == 0 or (tp in committed and committed[tp].offset >= end)
                   for tp, end in ends.items())

    async def promise_for(self, customer: str, loan: str, amount: str, due: date,
                          today: date) -> str:
        async with self.sessions() as session, session.begin():
            case = await session.scalar(select(CollectionCase).where(
                CollectionCase.customer_id == customer, CollectionCase.status == "open"))
            promise = await promises.record_promise(
                session, case=case, loan_id=loan, amount=Decimal(amount), due_date=due,
                today=today, by="col-1", policy=self.policy)
            return promise.promise_id


@pytest.fixture
async def topics(kafka_bootstrap: str) -> str:
    await create_topics(kafka_bootstrap, [MONITORING, WARNING, CRM, COLLECTIONS, AUDIT,
                                          dlq(MONITORING), dlq(WARNING), dlq(CRM)])
    return kafka_bootstrap


async def test_promises_are_kept_and_broken_from_real_monitoring_events_and_cure_closes(
    topics: str, database_url: str,
) -> None:
    D = _fresh_date()
    keeper, breaker = unique("C-keep"), unique("C-break")
    loan_k, loan_b = f"{keeper}-L", f"{breaker}-L"
    async with _Service(topics, database_url) as service:
        await _send(topics, ev.customer_registered(keeper), ev.customer_registered(breaker),
                    ev.ageing(loan_k, keeper, on=D, dpd=3, bucket="M1", overdue="800.00"),
                    ev.ageing(loan_b, breaker, on=D, dpd=3, bucket="M1", overdue="800.00"))
        await wait_for(lambda: _open(service, keeper, breaker), message="both cases open")
        # Earlier runs' records on the shared topic are behind us before any promise exists.
        await wait_for(lambda: service.caught_up(topics), timeout=60, message="consumer caught up")

        kept_id = await service.promise_for(keeper, loan_k, "800.00", D + timedelta(days=3), D)
        broken_id = await service.promise_for(breaker, loan_b, "800.00", D + timedelta(days=3), D)
        await _send(topics,
                    ev.repayment(loan_k, keeper, unique("P"), "800.00", on=D + timedelta(days=2),
                                 overdue_after="0.00"),
                    ev.repayment(loan_b, breaker, unique("P"), "300.00", on=D + timedelta(days=2),
                                 overdue_after="500.00"))
        await wait_for(lambda: _status(service, kept_id, "kept"), message="promise kept")
        await wait_for(lambda: _paid(service, broken_id, "300.00"), message="partial payment")
        # Business days come one after another, as they do in a live run (each on its own
        # partition, so sending both at once would not fix their order).
        await _send(topics, ev.business_day(D + timedelta(days=5)))
        await wait_for(lambda: _step(service, breaker, "phone_call"), message="days in step")
        # Due D+3 with 2 days' grace: the business day D+6 breaks the promise.
        await _send(topics, ev.business_day(D + timedelta(days=6)))
        await wait_for(lambda: _status(service, broken_id, "broken"), message="promise broken")
        kept = await service.promise(kept_id)
        assert (kept.status, kept.paid_amount) == ("kept", Decimal("800.00"))
        assert (await service.promise(broken_id)).paid_amount == Decimal("300.00")
        closed = await service.case(keeper)
        assert (closed.status, closed.outcome) == ("closed", "cured")
        # The reminder step (3 days) ran out on D+5, then the broken promise moved it on again.
        assert (await service.case(breaker)).step == "field_visit"

        await _send(topics, ev.cured(loan_b, breaker, on=D + timedelta(days=7)))
        await wait_for(lambda: _closed(service, breaker), message="cure closes the case")

    published = await _collections_events(topics, {keeper, breaker}, expect=10)
    types = {(e["data"]["customer_id"], e["type"]) for e in published}
    assert (keeper, "collections.promise.kept.v1") in types
    assert (breaker, "collections.promise.broken.v1") in types
    assert (keeper, "collections.case.closed.v1") in types
    assert (breaker, "collections.case.closed.v1") in types
    triggers = [e["data"]["trigger"] for e in published
                if e["type"] == "collections.case.escalated.v1"
                and e["data"]["customer_id"] == breaker]
    assert triggers == ["days_in_step", "broken_promise"]
    broken = next(e for e in published if e["type"] == "collections.promise.broken.v1")
    assert {k: broken["data"][k] for k in ("loan_id", "promise_id", "amount", "due_date")} == \
        {"loan_id": loan_b, "promise_id": broken_id, "amount": "800.00",
         "due_date": (D + timedelta(days=3)).isoformat()}


async def _end_offsets(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()


async def _open(service: _Service, *customers: str) -> bool:
    for customer in customers:
        case = await service.case(customer)
        if case is None or case.status != "open":
            return False
    return True


async def _closed(service: _Service, customer: str) -> bool:
    case = await service.case(customer)
    return case is not None and case.status == "closed"


async def _paid(service: _Service, promise_id: str, amount: str) -> bool:
    return (await service.promise(promise_id)).paid_amount == Decimal(amount)


async def _step(service: _Service, customer: str, step: str) -> bool:
    case = await service.case(customer)
    return case is not None and case.step == step


async def _status(service: _Service, promise_id: str, status: str) -> bool:
    return (await service.promise(promise_id)).status == status


async def _collections_events(bootstrap: str, customers: set[str], expect: int) -> list[dict]:
    found: list[dict] = []

    async def enough() -> bool:
        records = await read_all(bootstrap, COLLECTIONS, expect=100_000, timeout=2)
        found[:] = [json.loads(r.value) for r in records
                    if (r.key or b"").decode() in customers]
        return len(found) >= expect

    await wait_for(enough, timeout=30, message="collections events on the topic")
    return found
