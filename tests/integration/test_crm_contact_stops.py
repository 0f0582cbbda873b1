"""Crm through a real broker and real databases: a collection-conduct complaint opened via
the API reaches postloan.crm.v1 as crm.contact.stopped.v1, closing it as
crm.contact.resumed.v1; and crm's worker consumes collections' events (recusal)."""
from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any, AsyncIterator

import pytest

from shared.events.topics import AUDIT, COLLECTIONS, CRM, MONITORING, WARNING, dlq
from shared.events.envelope import new_event
from services.crm.models import CaseStaff
from services.crm.worker import build_worker
from tests.support.crm import CrmHarness
from tests.support.kafka import create_topics, produce, read_all, unique, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def kafka_bootstrap(private_kafka: str) -> str:
    """These services read the real topics from the beginning, so another test's events
    (a business-day close, a repayment) would reach them: a broker of their own."""
    return private_kafka


@pytest.fixture
async def crm(kafka_bootstrap: str, database_url: str) -> AsyncIterator[CrmHarness]:
    topics = [CRM, MONITORING, WARNING, COLLECTIONS, AUDIT]
    await create_topics(kafka_bootstrap, topics + [dlq(t) for t in topics])
    async with CrmHarness(database_url, kafka_bootstrap_servers=kafka_bootstrap,
                          consumer_group=unique("crm"), environment="test") as harness:
        worker = build_worker(harness.settings, serve_ops=False)
        await worker.start()
        running = asyncio.create_task(worker.run())
        try:
            yield harness
        finally:
            await worker.stop()
            await running


async def _crm_events(bootstrap: str, reference_id: str, expect: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    async def arrived() -> bool:
        records = await read_all(bootstrap, CRM, expect=10_000, timeout=2)
        found[:] = [json.loads(r.value) for r in records
                    if reference_id.encode() in (r.value or b"")]
        return len(found) >= expect

    await wait_for(arrived, timeout=60, message=f"{expect} crm events about {reference_id}")
    return found


def _types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


async def test_complaint_about_collection_conduct_stops_then_resumes_contact_via_kafka(
        crm: CrmHarness, kafka_bootstrap: str) -> None:
    customer = unique("C")
    opened = await crm.call("POST", "/complaints", json_body={
        "customer_id": customer, "category": "collection_conduct", "channel": "phone",
        "description": "threatening calls", "received_date": date.today().isoformat()})
    complaint_id = opened.json()["id"]
    events = await _crm_events(kafka_bootstrap, complaint_id, expect=2)
    stopped = next(e for e in events if e["type"] == "crm.contact.stopped.v1")
    assert stopped["data"] == {"customer_id": customer, "reason": "collection_complaint",
                               "reference_id": complaint_id,
                               "effective_date": date.today().isoformat(), "until_date": None}
    assert stopped["subject"] == customer

    path = f"/complaints/{complaint_id}"
    await crm.call("POST", f"{path}/assign", json_body={"handler": "agent-1"})
    await crm.call("POST", f"{path}/decide", json_body={
        "outcome": "upheld", "root_cause": "staff_conduct", "summary": "apologised",
        "informed_date": date.today().isoformat(), "informed_channel": "phone"})
    closed = await crm.call("POST", f"{path}/close", json_body={})
    assert closed.status_code == 200, closed.text

    events = await _crm_events(kafka_bootstrap, complaint_id, expect=6)
    assert _types(events) == ["crm.complaint.opened.v1", "crm.contact.stopped.v1",
                              "crm.complaint.decided.v1", "crm.complaint.closed.v1",
                              "crm.contact.resumed.v1", "crm.survey.sent.v1"]
    resumed = events[4]["data"]
    assert (resumed["reason"], resumed["reference_id"]) == ("collection_complaint",
                                                            complaint_id)


async def test_collector_assigned_through_kafka_is_recused(crm: CrmHarness,
                                                           kafka_bootstrap: str) -> None:
    case_id, customer = unique("CASE"), unique("C")
    assigned = new_event(type="collections.case.assigned.v1", source="postloan.collections",
                         subject=customer, data={
                             "case_id": case_id, "customer_id": customer,
                             "collector_id": "collector-9", "team": "east",
                             "previous_collector_id": None, "mode": "automatic"})
    await produce(kafka_bootstrap, COLLECTIONS, [(customer.encode(), assigned.to_bytes())])

    async def consumed() -> bool:
        async with crm.sessions() as session:
            return await session.get(CaseStaff, (case_id, "collector-9")) is not None

    await wait_for(consumed, timeout=60, message="crm to consume the case assignment")
    opened = await crm.call("POST", "/complaints", json_body={
        "customer_id": customer, "category": "collection_conduct", "channel": "app",
        "description": "rude", "case_id": case_id, "received_date": date.today().isoformat()})
    complaint_id = opened.json()["id"]

    assert opened.json()["involved_staff"] == ["collector-9"]
    response = await crm.call("POST", f"/complaints/{complaint_id}/assign",
                              json_body={"handler": "collector-9"})
    assert (response.status_code, response.json()["code"]) == (409, "recusal_required")
