"""Monitoring: a classification change at a business-day close is a decision of
system:monitoring with the old and new category and the rule's reason; assigning an
inspection is audited with the caller; personal data from the bank never appears unmasked."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from shared.auth import mint_local_token
from services.monitoring.app import create_app
from services.monitoring.models import InspectionTask, audit
from tests.support import bank_events as bank
from tests.support.monitoring import MonitoringHarness
from tests.unit.audit.support import entries

FIRST_DUE = date(2026, 2, 5)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[MonitoringHarness]:
    async with MonitoringHarness(f"sqlite+aiosqlite:///{tmp_path}/monitoring.db") as h:
        await h.feed(bank.customer_registered("C-1", on=date(2026, 1, 2)),
                     bank.disbursed("L-1", "C-1", on=date(2026, 1, 5), first_due=FIRST_DUE))
        yield h


async def test_a_classification_change_is_a_decision_with_its_reason(
        harness: MonitoringHarness) -> None:
    close = bank.business_day(FIRST_DUE + timedelta(days=8))
    await harness.feed(bank.business_day(FIRST_DUE + timedelta(days=1)), close)
    [entry] = await entries(harness.sessions, audit,
                            action="monitoring.loan.classification-changed.v1")
    assert (entry["actor"], entry["actor_roles"], entry["kind"]) == \
        ("system:monitoring", [], "decision")
    assert (entry["entity_type"], entry["entity_id"]) == ("loan", "L-1")
    assert entry["changes"]["classification"] == ["normal", "special_mention"]
    assert entry["changes"]["ifrs9_stage"] == [1, 2]
    assert entry["reason"] and "rule_version=" in entry["reason"]
    assert (entry["cause_event_id"], entry["cause_event_type"]) == (close.id, close.type)


async def test_assigning_an_inspection_is_audited_and_personal_data_stays_masked(
        harness: MonitoringHarness) -> None:
    async with harness.sessions() as session:
        task_id = (await session.execute(select(InspectionTask.id).limit(1))).scalar_one()
    token = mint_local_token(harness.settings, roles=["risk_officer"], subject="risk-1")
    app = create_app(harness.settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.post(f"/v1/inspections/{task_id}/assign",
                                     json={"inspector": "insp-1"},
                                     headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    [entry] = await entries(harness.sessions, audit, kind="api_call")
    assert (entry["actor"], entry["entity_type"], entry["entity_id"]) == \
        ("risk-1", "inspection_task", str(task_id))
    assert entry["changes"]["assignee"] == [None, "insp-1"]
    registered = bank.customer_registered("C-1", on=date(2026, 1, 2)).data
    everything = str(await entries(harness.sessions, audit))
    for personal in ("id_number", "phone", "address"):
        assert registered[personal] not in everything
