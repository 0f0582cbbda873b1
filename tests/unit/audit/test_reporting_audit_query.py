"""Reporting keeps every service's audit entries (a redelivery stored once) and serves them
at GET /v1/audit to auditors and admins only, newest first, with filters and pages."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from shared.auth import mint_local_token
from shared.events.audit import ENTRY_RECORDED
from shared.events.envelope import Envelope, new_event
from services.reporting.app import create_app
from services.reporting.models import audit_record
from tests.support.reporting import ReportingHarness

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def recorded(n: int, **fields: Any) -> Envelope:
    data = {"entry_id": f"00000000-0000-4000-8000-{n:012d}",
            "recorded_at": (T0 + timedelta(minutes=n)).isoformat(), "service": "collections",
            "kind": "api_call", "actor": "mgr-1", "actor_roles": ["collection_manager"],
            "action": "PUT /v1/collectors/{collector_id}", "entity_type": "collector",
            "entity_id": f"col-{n}", "changes": {"team": [None, "east"]}, "outcome": "committed",
            "correlation_id": f"req-{n}"} | fields
    return new_event(type=ENTRY_RECORDED, source="postloan.collections",
                     subject=data["entry_id"], data=data, id=data["entry_id"])


@pytest.fixture
async def reporting(database_url: str) -> AsyncIterator[tuple[ReportingHarness, httpx.AsyncClient]]:
    async with ReportingHarness(database_url) as harness:
        app = create_app(harness.settings)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield harness, client


def _as(harness: ReportingHarness, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_local_token(harness.settings, roles=[role])}"}


async def test_auditors_search_the_trail_with_filters_and_pages(reporting) -> None:  # type: ignore[no-untyped-def]
    harness, client = reporting
    decision = recorded(3, kind="decision", actor="system:monitoring", actor_roles=[],
                        action="monitoring.loan.classification-changed.v1", entity_type="loan",
                        entity_id="L-1", outcome="decided", service="monitoring")
    await harness.feed(recorded(1), recorded(2, actor="mgr-2"), decision)
    auditor = _as(harness, "auditor")
    everything = (await client.get("/v1/audit", headers=auditor)).json()
    assert everything["total"] == 3
    assert [e["entity_id"] for e in everything["items"]] == ["L-1", "col-2", "col-1"]
    by_actor = (await client.get("/v1/audit", headers=auditor, params={"actor": "mgr-2"})).json()
    assert [e["entity_id"] for e in by_actor["items"]] == ["col-2"]
    by_entity = (await client.get("/v1/audit", headers=auditor, params={
        "entity_type": "loan", "entity_id": "L-1"})).json()
    assert by_entity["items"][0]["changes"] is not None and by_entity["total"] == 1
    by_action = (await client.get("/v1/audit", headers=auditor, params={
        "action": "PUT /v1/collectors/{collector_id}"})).json()
    assert by_action["total"] == 2
    window = (await client.get("/v1/audit", headers=auditor, params={
        "from": (T0 + timedelta(minutes=2)).isoformat(),
        "to": (T0 + timedelta(minutes=3)).isoformat()})).json()
    assert [e["entity_id"] for e in window["items"]] == ["col-2"]
    correlated = (await client.get("/v1/audit", headers=auditor,
                                   params={"correlation_id": "req-1"})).json()
    assert [e["entity_id"] for e in correlated["items"]] == ["col-1"]
    page = (await client.get("/v1/audit", headers=auditor, params={"limit": 1, "offset": 1})).json()
    assert (page["total"], [e["entity_id"] for e in page["items"]]) == (3, ["col-2"])


async def test_only_auditors_and_admins_may_read_the_trail(reporting) -> None:  # type: ignore[no-untyped-def]
    harness, client = reporting
    assert (await client.get("/v1/audit", headers=_as(harness, "admin"))).status_code == 200
    for role in ("collector", "risk_officer", "collection_manager", "crm_agent", "bank_system"):
        response = await client.get("/v1/audit", headers=_as(harness, role))
        assert (response.status_code, response.json()["code"]) == (403, "forbidden"), role
    assert (await client.get("/v1/audit")).status_code == 401


async def test_a_redelivered_entry_is_stored_once(reporting) -> None:  # type: ignore[no-untyped-def]
    harness, _ = reporting
    await harness.feed(recorded(1), recorded(1))
    async with harness.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(audit_record)) == 1


async def test_a_time_window_without_a_zone_is_refused(reporting) -> None:  # type: ignore[no-untyped-def]
    harness, client = reporting
    response = await client.get("/v1/audit", headers=_as(harness, "auditor"),
                                params={"from": "2026-12-01T00:00:00"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")
