"""crm and collections through a real broker: a complaint about collection conduct makes
collections refuse the next contact with the complaint as the reason; closing the
complaint lets contact resume."""
from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from shared.config import CommonSettings
from shared.db.engine import create_engine, session_factory
from shared.events.topics import MONITORING
from shared.kafka.admin import ensure_topics
from services.collections import repository as collections_repo
from services.collections.config import Settings as CollectionsSettings
from services.crm.config import Settings as CrmSettings
from tests.support import collections as monitoring_events
from tests.support.kafka import publish_envelopes, unique, wait_for
from tests.support.services import api_client, migrate, running_worker

pytestmark = pytest.mark.integration
ZONES = ("Asia/Shanghai", "Europe/London", "America/New_York", "Asia/Kolkata",
         "America/Los_Angeles", "Pacific/Auckland", "Europe/Moscow", "America/Sao_Paulo")


def _zone_in_office_hours() -> str:
    """The contact time is the server clock; pick a debtor zone where it is midday-ish now,
    so the contact-hours rule cannot be what refuses the call."""
    now = datetime.now(timezone.utc)
    return next(z for z in ZONES if 10 <= now.astimezone(ZoneInfo(z)).hour < 19)


async def _active_stops(url: str, customer: str) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return len(await collections_repo.active_stops(session, customer))
    finally:
        await engine.dispose()


async def test_a_conduct_complaint_stops_collection_contact_until_it_is_closed(
    private_kafka: str, tmp_path,
) -> None:
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=private_kafka))
    group = unique("g")
    crm = CrmSettings(kafka_bootstrap_servers=private_kafka, consumer_group=f"crm-{group}",
                      database_url=f"sqlite+aiosqlite:///{tmp_path}/crm.db")
    collections = CollectionsSettings(kafka_bootstrap_servers=private_kafka,
                                      consumer_group=f"col-{group}",
                                      database_url=f"sqlite+aiosqlite:///{tmp_path}/col.db")
    await migrate("crm", crm.database_url)
    await migrate("collections", collections.database_url)
    customer, loan, today = unique("C"), unique("L"), date.today()
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(running_worker("crm", crm))
        await stack.enter_async_context(running_worker("collections", collections))
        crm_api = await stack.enter_async_context(
            api_client("crm", crm, "crm_agent", subject="agent-1"))
        col_api = await stack.enter_async_context(
            api_client("collections", collections, "collection_manager"))
        await publish_envelopes(private_kafka, [
            (MONITORING, monitoring_events.customer_registered(customer, tz=_zone_in_office_hours())),
            (MONITORING, monitoring_events.ageing(loan, customer, on=today, dpd=5, bucket="M1",
                                                  overdue="500.00"))])
        case_id = await _open_case(col_api, customer)

        opened = await crm_api.post("/v1/complaints", json={
            "customer_id": customer, "category": "collection_conduct", "channel": "phone",
            "description": "calls at night", "received_date": today.isoformat()})
        assert opened.status_code == 201, opened.text
        await wait_for(lambda: _stops_are(collections.database_url, customer, 1), timeout=60,
                       message="collections received the contact stop")
        refused = await col_api.post(f"/v1/cases/{case_id}/contacts",
                                     json={"loan_id": loan, "channel": "phone"})
        assert refused.status_code == 409
        assert refused.json()["code"] == "contact_stopped:collection_complaint"

        await _close_complaint(crm_api, opened.json()["id"], today)
        await wait_for(lambda: _stops_are(collections.database_url, customer, 0), timeout=60,
                       message="collections received the resumption")
        allowed = await col_api.post(f"/v1/cases/{case_id}/contacts",
                                     json={"loan_id": loan, "channel": "phone"})
        assert allowed.status_code == 201, allowed.text


async def _stops_are(url: str, customer: str, expected: int) -> bool:
    return await _active_stops(url, customer) == expected


async def _open_case(client, customer: str) -> str:  # type: ignore[no-untyped-def]
    found: list[str] = []

    async def opened() -> bool:
        items = (await client.get("/v1/cases", params={"customer_id": customer})).json()["items"]
        found[:] = [c["case_id"] for c in items if c["status"] == "open"]
        return bool(found)

    await wait_for(opened, timeout=60, message="collections opened a case")
    return found[0]


async def _close_complaint(client, complaint_id: str, today: date) -> None:  # type: ignore[no-untyped-def]
    path = f"/v1/complaints/{complaint_id}"
    for step, body in (("assign", {"handler": "agent-1"}),
                       ("decide", {"outcome": "upheld", "root_cause": "staff_conduct",
                                   "summary": "apologised", "informed_date": today.isoformat(),
                                   "informed_channel": "phone"}),
                       ("close", {})):
        response = await client.post(f"{path}/{step}", json=body)
        assert response.status_code == 200, f"{step}: {response.text}"
