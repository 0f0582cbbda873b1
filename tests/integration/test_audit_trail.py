"""The audit trail through a real broker and real databases: an agent's call in crm and a
case collections opens by itself each leave an entry that travels on postloan.audit.v1
into reporting, where an auditor finds it at GET /v1/audit and a collector is refused."""
from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import date
from typing import Any, Callable

import httpx
import pytest

from shared.auth import mint_local_token
from shared.config import CommonSettings
from shared.events.topics import AUDIT, MONITORING
from shared.kafka.admin import ensure_topics
from services.collections.config import Settings as CollectionsSettings
from services.crm.config import Settings as CrmSettings
from services.reporting.config import Settings as ReportingSettings
from tests.support import collections as monitoring_events
from tests.support.kafka import publish_envelopes, read_all, unique, wait_for
from tests.support.services import api_client, migrate, running_worker

pytestmark = pytest.mark.integration
PHONE = "13700002222"


async def _found(client: httpx.AsyncClient, **filters: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []

    async def arrived() -> bool:
        response = await client.get("/v1/audit", params=filters)
        assert response.status_code == 200, response.text
        items[:] = response.json()["items"]
        return bool(items)

    await wait_for(arrived, timeout=60, message=f"audit entries for {filters} in reporting")
    return items


async def test_entries_from_calls_and_decisions_reach_the_auditors_through_kafka(
    private_kafka: str, service_databases: Callable[[str], str],
) -> None:
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=private_kafka))
    group = unique("audit")
    common = {"kafka_bootstrap_servers": private_kafka, "environment": "test"}
    crm = CrmSettings(database_url=service_databases("crm"), consumer_group=f"crm-{group}",
                      **common)
    collections = CollectionsSettings(database_url=service_databases("collections"),
                                      consumer_group=f"col-{group}", **common)
    reporting = ReportingSettings(database_url=service_databases("reporting"),
                                  consumer_group=f"rep-{group}", **common)
    for service, settings in (("crm", crm), ("collections", collections),
                              ("reporting", reporting)):
        await migrate(service, settings.database_url)
    customer, loan = unique("C"), unique("L")
    async with AsyncExitStack() as stack:
        for service, settings in (("crm", crm), ("collections", collections),
                                  ("reporting", reporting)):
            await stack.enter_async_context(running_worker(service, settings))
        crm_api = await stack.enter_async_context(
            api_client("crm", crm, "crm_agent", subject="agent-1"))
        auditor = await stack.enter_async_context(
            api_client("reporting", reporting, "auditor", subject="aud-1"))

        stop = await crm_api.post("/v1/contact-stops", json={
            "customer_id": customer, "reason": "dispute", "note": f"disputed by phone {PHONE}",
            "effective_date": date.today().isoformat()},
            headers={"X-Correlation-ID": group})
        assert stop.status_code == 201, stop.text
        await publish_envelopes(private_kafka, [
            (MONITORING, monitoring_events.customer_registered(customer)),
            (MONITORING, monitoring_events.ageing(loan, customer, on=date.today(), dpd=5,
                                                  bucket="M1", overdue="500.00"))])

        [call] = await _found(auditor, correlation_id=group)
        assert (call["service"], call["actor"], call["actor_roles"]) == \
            ("crm", "agent-1", ["crm_agent"])
        assert (call["action"], call["entity_type"]) == ("POST /v1/contact-stops", "contact_stop")
        assert call["changes"]["customer_id"] == [None, customer]
        assert call["reason"].startswith("dispute; disputed by phone 13")
        [opened] = await _found(auditor, action="collections.case.opened.v1")
        assert (opened["actor"], opened["kind"], opened["entity_type"]) == \
            ("system:collections", "decision", "case")
        assert opened["cause_event_type"] == "monitoring.loan.delinquency-changed.v1"

        token = mint_local_token(reporting, roles=["collector"])
        refused = await auditor.get("/v1/audit", headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 403
        on_topic = await read_all(private_kafka, AUDIT, expect=2)
        assert all(PHONE.encode() not in (record.value or b"") for record in on_topic)
