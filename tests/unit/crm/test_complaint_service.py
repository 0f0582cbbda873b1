"""Complaints through the HTTP API on SQLite: intake, recusal, extensions with approval,
decision and closing, the contact stop they carry, and the daily deadline watch."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from tests.support.crm import CrmHarness, business_day_aged, event

# The latest business date crm has seen: the date every left-out date defaults to.
TODAY = date(2026, 3, 10)


@pytest.fixture
async def crm(tmp_path: Path) -> AsyncIterator[CrmHarness]:
    async with CrmHarness(f"sqlite+aiosqlite:///{tmp_path}/crm.db") as harness:
        await harness.feed(business_day_aged(TODAY))
        yield harness


def _complaint(**changes: Any) -> dict[str, Any]:
    return {"customer_id": "C-1", "category": "collection_conduct", "channel": "phone",
            "description": "the collector called my employer", "loan_id": "L-1",
            "case_id": "CASE-1", "involved_staff": ["collector-7"], **changes}


async def _open(crm: CrmHarness, **changes: Any) -> dict[str, Any]:
    response = await crm.call("POST", "/complaints", json_body=_complaint(**changes))
    assert response.status_code == 201, response.text
    return response.json()


async def _assigned(crm: CrmHarness, **changes: Any) -> dict[str, Any]:
    complaint = await _open(crm, **changes)
    response = await crm.call("POST", f"/complaints/{complaint['id']}/assign",
                              json_body={"handler": "agent-1", "team": "cr-east"})
    assert response.status_code == 200, response.text
    return response.json()


def _decision(informed: date) -> dict[str, Any]:
    return {"outcome": "upheld", "root_cause": "staff_conduct", "summary": "apologised",
            "informed_date": informed.isoformat(), "informed_channel": "phone"}


async def test_collection_conduct_complaint_stops_contact_at_intake(crm: CrmHarness) -> None:
    complaint = await _open(crm)
    assert complaint["deadline_date"] == (TODAY + timedelta(days=15)).isoformat()
    stopped = await crm.published("crm.contact.stopped")
    assert [e["data"]["reason"] for e in stopped] == ["collection_complaint"]
    assert stopped[0]["data"]["reference_id"] == complaint["id"]
    assert stopped[0]["subject"] == "C-1"
    opened = await crm.published("crm.complaint.opened")
    assert opened[0]["data"]["deadline_date"] == complaint["deadline_date"]


async def test_fee_complaint_does_not_stop_contact(crm: CrmHarness) -> None:
    await _open(crm, category="fees")
    assert await crm.published("crm.contact.stopped") == []


async def test_involved_collector_cannot_take_the_complaint(crm: CrmHarness) -> None:
    complaint = await _open(crm)
    response = await crm.call("POST", f"/complaints/{complaint['id']}/assign",
                              json_body={"handler": "collector-7"})
    assert response.status_code == 409
    assert response.json()["code"] == "recusal_required"


async def test_collector_assigned_to_the_case_by_collections_is_recused(crm: CrmHarness) -> None:
    await crm.feed(event("collections.case.assigned.v1", {
        "case_id": "CASE-9", "customer_id": "C-1", "collector_id": "collector-3",
        "team": "east", "previous_collector_id": None, "mode": "automatic"}))
    complaint = await _open(crm, case_id="CASE-9", involved_staff=[])
    assert complaint["involved_staff"] == ["collector-3"]
    response = await crm.call("POST", f"/complaints/{complaint['id']}/assign",
                              json_body={"handler": "collector-3"})
    assert response.json()["code"] == "recusal_required"


async def test_closing_the_complaint_resumes_contact_and_sends_a_survey(crm: CrmHarness) -> None:
    complaint = await _assigned(crm)
    path = f"/complaints/{complaint['id']}"
    decided = await crm.call("POST", f"{path}/decide", json_body=_decision(TODAY))
    assert decided.status_code == 200 and decided.json()["on_time"] is True
    closed = await crm.call("POST", f"{path}/close", json_body={})
    assert closed.json()["status"] == "closed"
    resumed = await crm.published("crm.contact.resumed")
    assert [(e["data"]["reason"], e["data"]["reference_id"]) for e in resumed] == [
        ("collection_complaint", complaint["id"])]
    surveys = await crm.published("crm.survey.sent")
    assert surveys[0]["data"]["team"] == "cr-east"
    assert surveys[0]["data"]["reference_id"] == complaint["id"]


async def test_only_the_handler_decides_and_only_a_decided_complaint_closes(
        crm: CrmHarness) -> None:
    complaint = await _assigned(crm)
    path = f"/complaints/{complaint['id']}"
    other = await crm.call("POST", f"{path}/decide", subject="agent-2",
                           json_body=_decision(TODAY))
    assert other.json()["code"] == "not_the_handler"
    early = await crm.call("POST", f"{path}/close", json_body={})
    assert early.json()["code"] == "complaint_not_decided"


async def test_decision_after_the_deadline_is_recorded_as_late(crm: CrmHarness) -> None:
    received = TODAY - timedelta(days=20)
    complaint = await _assigned(crm, received_date=received.isoformat())
    decided = await crm.call("POST", f"/complaints/{complaint['id']}/decide",
                             json_body=_decision(received + timedelta(days=16)))
    assert decided.json()["on_time"] is False
    event_data = (await crm.published("crm.complaint.decided"))[0]["data"]
    assert (event_data["on_time"], event_data["days_taken"]) == (False, 16)


async def test_extensions_reach_sixty_days_only_with_another_persons_approval(
        crm: CrmHarness) -> None:
    received = TODAY - timedelta(days=5)
    complaint = await _assigned(crm, received_date=received.isoformat())
    path = f"/complaints/{complaint['id']}"
    first = await crm.call("POST", f"{path}/extend", json_body={"reason": "complex"})
    assert first.json()["deadline_date"] == (received + timedelta(days=30)).isoformat()
    pending = await crm.call("POST", f"{path}/extend", json_body={"reason": "very complex"})
    assert pending.json()["pending_extension_by"] == "agent-1"
    self_approved = await crm.call("POST", f"{path}/extend/approve", role="admin")
    assert self_approved.json()["code"] == "approver_must_differ"
    agent_approves = await crm.call("POST", f"{path}/extend/approve", subject="agent-2")
    assert agent_approves.status_code == 403
    approved = await crm.call("POST", f"{path}/extend/approve", role="risk_officer",
                              subject="officer-1")
    assert approved.json()["deadline_date"] == (received + timedelta(days=60)).isoformat()
    third = await crm.call("POST", f"{path}/extend", json_body={"reason": "again"})
    assert third.json()["code"] == "extension_limit_reached"
    stages = [e["data"]["stage"] for e in await crm.published("crm.complaint.extended")]
    assert stages == [1, 2]


async def test_deadline_watch_reminds_then_reports_one_breach(crm: CrmHarness) -> None:
    received = date(2026, 3, 1)
    complaint = await _open(crm, category="service", received_date=received.isoformat())
    for day in (12, 12, 14, 15, 16, 17):  # 12 twice: a replayed business day repeats nothing
        await crm.feed(business_day_aged(received + timedelta(days=day)))
    reminders = await crm.published("crm.complaint.deadline-approaching")
    assert [e["data"]["days_left"] for e in reminders] == [3, 1]
    breaches = await crm.published("crm.complaint.deadline-breached")
    assert [e["data"]["as_of_date"] for e in breaches] == ["2026-03-17"]
    listed = await crm.call("GET", "/complaints", role="auditor", params={"breached": "true"})
    assert [c["id"] for c in listed.json()["items"]] == [complaint["id"]]


async def test_readers_cannot_open_complaints_and_unknown_ids_are_404(crm: CrmHarness) -> None:
    response = await crm.call("POST", "/complaints", role="collection_manager",
                              json_body=_complaint())
    assert response.status_code == 403
    missing = await crm.call("GET", "/complaints/CMP-none", role="auditor")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
