"""Warning: raising and escalating a warning are decisions of system:warning with the rule
that fired; a risk officer's acknowledgement is audited with its change and reason."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import AsyncIterator

import httpx
import pytest

from shared.auth import mint_local_token
from services.warning.app import create_app
from services.warning.models import audit, delivery
from tests.support import warning as ev
from tests.support.warning import WarningHarness
from tests.unit.audit.support import audit_events, entries

D0 = date(2026, 3, 11)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[WarningHarness]:
    async with WarningHarness(f"sqlite+aiosqlite:///{tmp_path}/warning.db") as h:
        yield h


async def test_raising_and_escalating_a_warning_are_decisions_of_the_service(
        harness: WarningHarness) -> None:
    blue, orange = ev.delinquency(1, D0), ev.delinquency(60, D0 + timedelta(52))
    await harness.feed(ev.registered(), blue, orange)
    raised = await entries(harness.sessions, audit, action="warning.warning.raised.v1")
    escalated = await entries(harness.sessions, audit, action="warning.warning.escalated.v1")
    assert len(raised) == len(escalated) == 1
    assert {e["actor"] for e in raised + escalated} == {"system:warning"}
    assert raised[0]["changes"]["level"] == [None, "blue"]
    assert escalated[0]["changes"]["level"] == ["blue", "orange"]
    assert escalated[0]["entity_type"] == "warning" == raised[0]["entity_type"]
    assert escalated[0]["entity_id"] == raised[0]["entity_id"]
    assert "rule_id=BEH_DPD" in escalated[0]["reason"]
    assert (escalated[0]["cause_event_id"], escalated[0]["cause_event_type"]) == \
        (orange.id, orange.type)
    assert len(await audit_events(harness.sessions, delivery)) == 2


async def test_acknowledging_a_warning_is_audited_with_the_officer_and_the_change(
        harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.delinquency(60, D0))
    (warning,) = await harness.warnings(rule_id="BEH_DPD")
    token = mint_local_token(harness.settings, roles=["risk_officer"], subject="officer-7")
    app = create_app(harness.settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.post(f"/v1/warnings/{warning.id}/acknowledge", headers={
            "Authorization": f"Bearer {token}", "X-Audit-Reason": "called the branch"})
    assert response.status_code == 200, response.text
    calls = await entries(harness.sessions, audit, kind="api_call")
    [change] = [e for e in calls if e["entity_type"] == "warning"]
    assert (change["actor"], change["actor_roles"], change["reason"]) == \
        ("officer-7", ["risk_officer"], "called the branch")
    assert change["changes"]["status"] == ["open", "acknowledged"]
    assert change["action"] == "POST /v1/warnings/{warning_id}/acknowledge"
