"""Crm: a contact stop recorded by an agent is audited with the agent, the new row and the
note as the reason (digits masked); a refused call leaves one entry naming the refusal; a
read leaves none; the entries travel on postloan.audit.v1 through the outbox."""
from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from services.crm.models import audit, delivery
from tests.support.crm import CrmHarness
from tests.unit.audit.support import audit_events, entries


@pytest.fixture
async def crm(tmp_path: Path) -> AsyncIterator[CrmHarness]:
    async with CrmHarness(f"sqlite+aiosqlite:///{tmp_path}/crm.db") as harness:
        yield harness


async def test_a_contact_stop_is_audited_with_the_agent_the_row_and_the_reason(
        crm: CrmHarness) -> None:
    response = await crm.call("POST", "/contact-stops", subject="agent-9", json_body={
        "customer_id": "C-5", "reason": "cease_request", "effective_date": "2026-05-01",
        "note": "asked by phone 13900001111 to stop calling"})
    assert response.status_code == 201, response.text
    [entry] = await entries(crm.sessions, audit, entity_type="contact_stop")
    assert (entry["actor"], entry["actor_roles"], entry["outcome"]) == \
        ("agent-9", ["crm_agent"], "committed")
    assert entry["entity_id"] == str(response.json()["id"])
    assert entry["changes"]["reason"] == [None, "cease_request"]
    assert entry["reason"] == "cease_request; asked by phone 13********* to stop calling"
    assert "13900001111" not in str(entry)
    events = await audit_events(crm.sessions, delivery)
    assert [e["data"]["entry_id"] for e in events] == [entry["entry_id"]]


async def test_a_refused_call_leaves_one_entry_with_its_status(crm: CrmHarness) -> None:
    response = await crm.call("POST", "/contact-stops/999/lift", subject="agent-9",
                              json_body={"lifted_date": "2026-05-20"})
    assert response.status_code == 404
    [entry] = await entries(crm.sessions, audit)
    assert (entry["outcome"], entry["status_code"], entry["error_code"]) == \
        ("refused", 404, "not_found")
    assert (entry["actor"], entry["target"]) == ("agent-9", "/v1/contact-stops/999/lift")


async def test_a_read_leaves_no_entry(crm: CrmHarness) -> None:
    assert (await crm.call("GET", "/contact-stops")).status_code == 200
    assert await entries(crm.sessions, audit) == []
