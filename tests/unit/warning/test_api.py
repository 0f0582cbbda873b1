"""The HTTP API with its roles: list and filter warnings, acknowledge and resolve them,
propose and approve rule changes (maker-checker), the watch list and effectiveness."""
from __future__ import annotations

from datetime import date, timedelta
from typing import AsyncIterator

import httpx
import pytest

from shared.auth import mint_local_token
from services.warning.app import create_app
from tests.support import warning as ev
from tests.support.warning import WarningHarness

D0 = date(2026, 5, 1)


@pytest.fixture
async def client(harness: WarningHarness) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(harness.settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http


def auth(harness: WarningHarness, role: str, subject: str = "officer-1") -> dict[str, str]:
    token = mint_local_token(harness.settings, roles=[role], subject=subject)
    return {"Authorization": f"Bearer {token}"}


async def _seed(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.registered("L-2", "C-2"), ev.delinquency(60, D0),
                       ev.legal("lawsuit", D0, "C-2"))


async def test_warnings_are_listed_with_filters_and_pages(harness, client) -> None:  # type: ignore[no-untyped-def]
    await _seed(harness)
    headers = auth(harness, "collection_manager")
    body = (await client.get("/v1/warnings", headers=headers)).json()
    assert body["total"] == 2 and len(body["items"]) == 2
    only = (await client.get("/v1/warnings?level=orange", headers=headers)).json()
    assert [w["rule_id"] for w in only["items"]] == ["BEH_DPD"]
    by_customer = (await client.get("/v1/warnings?customer_id=C-2&status=open",
                                    headers=headers)).json()
    assert [w["rule_id"] for w in by_customer["items"]] == ["EXT_LAWSUIT"]
    page = (await client.get("/v1/warnings?limit=1&offset=1", headers=headers)).json()
    assert len(page["items"]) == 1 and page["total"] == 2


@pytest.mark.parametrize("role", ["risk_officer", "collection_manager", "crm_agent", "inspector",
                                  "auditor", "admin"])
async def test_reading_roles_may_list_warnings(harness, client, role: str) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get("/v1/warnings", headers=auth(harness, role))).status_code == 200


async def test_collectors_and_anonymous_callers_may_not_read(harness, client) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get("/v1/warnings", headers=auth(harness, "collector"))).status_code == 403
    response = await client.get("/v1/warnings")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


async def test_risk_officer_acknowledges_and_resolves_a_warning(harness, client) -> None:  # type: ignore[no-untyped-def]
    await _seed(harness)
    (warning,) = await harness.warnings(rule_id="BEH_DPD")
    url = f"/v1/warnings/{warning.id}"
    assert (await client.post(f"{url}/acknowledge",
                              headers=auth(harness, "auditor"))).status_code == 403
    acked = await client.post(f"{url}/acknowledge", headers=auth(harness, "risk_officer"))
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    again = await client.post(f"{url}/acknowledge", headers=auth(harness, "risk_officer"))
    assert again.status_code == 409 and again.json()["code"] == "not_open"
    resolved = await client.post(f"{url}/resolve", headers=auth(harness, "risk_officer"),
                                 json={"resolution": "false_alarm", "comment": "paid at branch"})
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolution"] == "false_alarm"
    event = (await harness.published("warning.warning.resolved"))[0]
    assert event["resolution"] == "false_alarm" and event["resolved_by"] == "officer-1"
    missing = await client.post("/v1/warnings/nope/acknowledge", headers=auth(harness, "risk_officer"))
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


async def test_resolution_needs_a_comment_and_a_known_outcome(harness, client) -> None:  # type: ignore[no-untyped-def]
    await _seed(harness)
    (warning,) = await harness.warnings(rule_id="BEH_DPD")
    url = f"/v1/warnings/{warning.id}/resolve"
    for body in ({"resolution": "confirmed", "comment": ""}, {"resolution": "maybe", "comment": "x"}):
        response = await client.post(url, headers=auth(harness, "risk_officer"), json=body)
        assert response.status_code == 422


async def test_rule_change_needs_a_second_risk_officer(harness, client) -> None:  # type: ignore[no-untyped-def]
    alice, bob = auth(harness, "risk_officer", "alice"), auth(harness, "risk_officer", "bob")
    proposal = await client.post("/v1/rules/proposals", headers=alice, json={
        "segment": "consumer", "comment": "earlier warning",
        "changes": {"BEH_DPD": {"params": {"levels": {"yellow": 1, "orange": 15, "red": 60}}}}})
    assert proposal.status_code == 201 and proposal.json()["status"] == "proposed"
    pid = proposal.json()["id"]
    own = await client.post(f"/v1/rules/proposals/{pid}/approve", headers=alice)
    assert own.status_code == 403 and own.json()["code"] == "same_officer"
    approved = await client.post(f"/v1/rules/proposals/{pid}/approve", headers=bob)
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    listed = (await client.get("/v1/rules", headers=auth(harness, "auditor"))).json()
    assert [r["segment"] for r in listed["rule_sets"]] == ["consumer"]
    assert listed["effective_default"]["rules"]["BEH_DPD"]["version"] == 1
    await harness.feed(ev.registered(), ev.delinquency(15, D0))
    assert await harness.rules_fired() == {"BEH_DPD": "orange"}


async def test_proposals_are_for_risk_officers_only(harness, client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/v1/rules/proposals", headers=auth(harness, "inspector"),
                                 json={"segment": "x", "changes": {"BEH_DPD": {"level": "red"}}})
    assert response.status_code == 403


async def test_watchlist_and_removal_by_a_risk_officer(harness, client) -> None:  # type: ignore[no-untyped-def]
    await _seed(harness)
    listed = (await client.get("/v1/watchlist", headers=auth(harness, "crm_agent"))).json()
    assert [e["customer_id"] for e in listed["items"]] == ["C-1"]
    removed = await client.post("/v1/watchlist/C-1/remove", headers=auth(harness, "risk_officer"),
                                json={"comment": "restructured and paying"})
    assert removed.status_code == 200 and removed.json()["exit_reason"] == "removed_by_officer"
    assert (await client.get("/v1/watchlist", headers=auth(harness, "crm_agent"))).json()["total"] == 0


async def test_effectiveness_endpoint_reports_per_rule_and_version(harness, client) -> None:  # type: ignore[no-untyped-def]
    await harness.feed(ev.registered(), ev.delinquency(1, D0),
                       ev.delinquency(90, D0 + timedelta(89)))
    body = (await client.get("/v1/rules/effectiveness?as_of=2026-12-31",
                             headers=auth(harness, "auditor"))).json()
    dpd = next(r for r in body["rules"] if r["rule_id"] == "BEH_DPD")
    assert (dpd["rule_version"], dpd["precision"], dpd["recall"], dpd["median_lead_days"]) == (
        1, 1.0, 1.0, 89.0)
    metrics = (await client.get("/metrics/")).text
    assert 'postloan_warning_rule_precision_ratio{rule_id="BEH_DPD",rule_version="1"} 1.0' in metrics


async def test_open_warnings_gauge_counts_active_warnings_by_family_and_level(harness) -> None:  # type: ignore[no-untyped-def]
    from services.warning import metrics
    from services.warning.service.effectiveness import refresh_open_gauge
    await _seed(harness)
    async with harness.sessions() as session, session.begin():
        await refresh_open_gauge(session)
    assert metrics.OPEN_WARNINGS.labels("behavioural", "orange")._value.get() == 1
    assert metrics.OPEN_WARNINGS.labels("external", "yellow")._value.get() == 1
    assert metrics.WATCHLIST._value.get() == 1
