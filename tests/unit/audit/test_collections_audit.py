"""Collections through its API and handlers: a state-changing call is audited with the
caller, what changed and why; a read is not; a case opened by ageing and a contact the
compliance guard refuses are audited as decisions of system:collections."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import AsyncIterator
from zoneinfo import ZoneInfo

import httpx
import pytest

from shared.auth import mint_local_token
from services.collections.app import create_app
from services.collections.config import Settings
from services.collections.models import audit
from tests.support import collections as ev
from tests.support.collections import CollectionsHarness
from tests.unit.audit.support import audit_events, entries

D = date(2026, 12, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
Api = tuple[httpx.AsyncClient, CollectionsHarness, Settings]


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[Api]:
    async with CollectionsHarness(database_url, challenger_share="0") as harness:
        settings = Settings(database_url=database_url, challenger_share="0")
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            app.state.clock = lambda: datetime.combine(
                D, time(21, 0), tzinfo=SHANGHAI).astimezone(timezone.utc)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://collections") as client:
                yield client, harness, settings


def _as(settings: Settings, subject: str, role: str, team: str | None = None,
        **headers: str) -> dict[str, str]:
    token = mint_local_token(settings, roles=[role], subject=subject, team=team)
    return {"Authorization": f"Bearer {token}", **headers}


async def _open_case(client: httpx.AsyncClient, harness: CollectionsHarness,
                     settings: Settings) -> str:
    await harness.feed(ev.customer_registered("C-1"),
                       ev.ageing("L-1", "C-1", on=D, dpd=5, bucket="M1", overdue="3000.00"))
    cases = (await client.get("/v1/cases", headers=_as(settings, "mgr-1",
                                                       "collection_manager"))).json()
    return cases["items"][0]["case_id"]


async def test_a_state_changing_call_records_caller_change_and_reason(api: Api) -> None:
    client, harness, settings = api
    response = await client.put("/v1/collectors/col-1", json={
        "team": "east", "max_open_cases": 3, "regions": ["31"]},
        headers=_as(settings, "mgr-1", "collection_manager", "east",
                    **{"X-Audit-Reason": "new hire"}))
    assert response.status_code == 200, response.text
    [entry] = await entries(harness.sessions, audit, entity_type="collector")
    assert (entry["actor"], entry["actor_roles"], entry["actor_team"]) == \
        ("mgr-1", ["collection_manager"], "east")
    assert entry["action"] == "PUT /v1/collectors/{collector_id}"
    assert (entry["entity_id"], entry["outcome"], entry["reason"]) == \
        ("col-1", "committed", "new hire")
    assert entry["changes"]["team"] == [None, "east"]
    [event] = await audit_events(harness.sessions, harness.delivery)
    assert event["id"] == entry["entry_id"] and event["data"]["actor"] == "mgr-1"


async def test_a_read_leaves_no_audit_entry(api: Api) -> None:
    client, harness, settings = api
    response = await client.get("/v1/cases", headers=_as(settings, "aud-1", "auditor"))
    assert response.status_code == 200
    assert await entries(harness.sessions, audit) == []


async def test_a_case_opened_by_ageing_is_a_decision_of_the_service(api: Api) -> None:
    client, harness, settings = api
    ageing = ev.ageing("L-1", "C-1", on=D, dpd=5, bucket="M1", overdue="3000.00")
    await harness.feed(ev.customer_registered("C-1"), ageing)
    [entry] = await entries(harness.sessions, audit, action="collections.case.opened.v1")
    assert (entry["actor"], entry["kind"], entry["entity_type"]) == \
        ("system:collections", "decision", "case")
    assert (entry["cause_event_id"], entry["cause_event_type"]) == (ageing.id, ageing.type)
    assert entry["reason"].startswith("reason=delinquency") and "trigger_loan_id=L-1" in entry["reason"]
    assert entry["changes"]["loan_ids"] == [None, ["L-1"]]


async def test_a_contact_refused_by_the_guard_is_audited_as_call_refusal_and_decision(
        api: Api) -> None:
    client, harness, settings = api
    case_id = await _open_case(client, harness, settings)
    refused = await client.post(f"/v1/cases/{case_id}/contacts", json={
        "loan_id": "L-1", "channel": "phone", "note": "debtor asked for 9pm, 13812345678"},
        headers=_as(settings, "mgr-1", "collection_manager"))
    assert (refused.status_code, refused.json()["code"]) == (409, "outside_contact_hours")
    recorded = await entries(harness.sessions, audit, target=f"/v1/cases/{case_id}/contacts")
    attempt = [e for e in recorded if e["entity_type"] == "contact_attempt"]
    assert len(attempt) == 1 and attempt[0]["outcome"] == "committed"
    assert attempt[0]["changes"]["refusal_reason"] == [None, "outside_contact_hours"]
    [answer] = [e for e in recorded if e["outcome"] == "refused"]
    assert (answer["actor"], answer["status_code"], answer["error_code"]) == \
        ("mgr-1", 409, "outside_contact_hours")
    assert answer["reason"] == "debtor asked for 9pm, 13*********", "digits masked"
    [decision] = await entries(harness.sessions, audit, action="collections.contact.attempted.v1")
    assert (decision["actor"], decision["entity_type"], decision["reason"]) == \
        ("system:collections", "contact", "outside_contact_hours")
    assert decision["correlation_id"] == answer["correlation_id"] == attempt[0]["correlation_id"]
    assert "13812345678" not in str(recorded)
