"""The HTTP API end to end on a SQLite file: guard refusals as 409 with the reason code and
a metric, collectors seeing only their own or their team's cases, promises, worklist order,
reassignment, the approval ladder, disposals and legal stages."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import AsyncIterator
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
import pytest
from prometheus_client import REGISTRY

from shared.auth import mint_local_token
from services.collections.app import create_app
from services.collections.config import Settings
from tests.support import collections as ev
from tests.support.collections import CollectionsHarness

D = date(2026, 12, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


class Api:
    def __init__(self, client: httpx.AsyncClient, settings: Settings, app: FastAPI) -> None:
        self.client, self.settings, self.app = client, settings, app

    def at(self, day: date, hh: int, mm: int = 0) -> None:
        moment = datetime.combine(day, time(hh, mm), tzinfo=SHANGHAI).astimezone(timezone.utc)
        self.app.state.clock = lambda: moment

    def _headers(self, who: tuple[str, ...]) -> dict[str, str]:
        subject, role, *team = who
        token = mint_local_token(self.settings, roles=[role], subject=subject,
                                 team=team[0] if team else None)
        return {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, who: tuple[str, ...], **params: str) -> httpx.Response:
        return await self.client.get(f"/v1{path}", params=params, headers=self._headers(who))

    async def post(self, path: str, who: tuple[str, ...], body: dict | None = None,
                   method: str = "POST") -> httpx.Response:
        return await self.client.request(method, f"/v1{path}", json=body or {},
                                         headers=self._headers(who))


COL_1 = ("col-1", "collector", "east")
COL_2 = ("col-2", "collector", "east")
COL_W = ("col-9", "collector", "west")
MGR = ("mgr-1", "collection_manager")
MGR_2 = ("mgr-2", "collection_manager")
RISK = ("risk-1", "risk_officer")
AUDITOR = ("aud-1", "auditor")


@pytest.fixture
async def api(tmp_path) -> AsyncIterator[tuple[Api, CollectionsHarness]]:  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path}/collections.db"
    async with CollectionsHarness(url, challenger_share="0") as harness:
        settings = Settings(database_url=url, challenger_share="0")
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                       base_url="http://collections")
            api = Api(client, settings, app)
            for who in (COL_1, COL_2):
                assert (await api.post(f"/collectors/{who[0]}", MGR, {
                    "team": "east", "max_open_cases": 3 if who is COL_1 else 5,
                    "regions": ["31"]}, method="PUT")).status_code == 200
            await harness.feed(ev.customer_registered("C-1"),
                               ev.ageing("L-1", "C-1", on=D, dpd=5, bucket="M1",
                                         overdue="30000.00", outstanding="60000.00"))
            api.at(D, 10)
            yield api, harness
            await client.aclose()


async def _case_id(api: Api, customer: str = "C-1") -> str:
    body = (await api.get("/cases", MGR, customer_id=customer)).json()
    return body["items"][0]["case_id"]


def _refused(reason: str) -> float:
    return REGISTRY.get_sample_value("postloan_collections_contacts_refused_total",
                                     {"reason": reason}) or 0.0


async def test_contact_outside_hours_is_refused_with_409_its_reason_and_a_metric(api) -> None:  # type: ignore[no-untyped-def]
    api, harness = api
    case_id = await _case_id(api)
    api.at(D, 20, 59)
    ok = await api.post(f"/cases/{case_id}/contacts", COL_1,
                        {"loan_id": "L-1", "channel": "phone", "outcome": "no_answer"})
    assert ok.status_code == 201 and ok.json()["allowed"] is True
    before = _refused("outside_contact_hours")
    api.at(D, 21, 0)
    refused = await api.post(f"/cases/{case_id}/contacts", COL_1, {"loan_id": "L-1",
                                                                   "channel": "phone"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "outside_contact_hours" and refused.json()["message"]
    assert _refused("outside_contact_hours") == before + 1
    published = await harness.published("collections.contact.attempted")
    assert [(p["data"]["allowed"], p["data"]["refusal_reason"]) for p in published] == \
        [(True, None), (False, "outside_contact_hours")]
    log = (await api.get(f"/cases/{case_id}", MGR)).json()["contacts_log"]
    assert sorted(c["allowed"] for c in log) == [False, True], "the refusal is on record"


async def test_contact_while_stopped_is_refused_with_the_stop_reason(api) -> None:  # type: ignore[no-untyped-def]
    api, harness = api
    case_id = await _case_id(api)
    await harness.feed(ev.contact_stopped("C-1", "dispute", "DSP-1", on=D))
    response = await api.post(f"/cases/{case_id}/contacts", COL_1, {"loan_id": "L-1",
                                                                    "channel": "sms"})
    assert (response.status_code, response.json()["code"]) == (409, "contact_stopped:dispute")
    assert (await api.get(f"/cases/{case_id}", COL_1)).json()["active_stops"][0]["reason"] == \
        "dispute"


async def test_third_party_contact_that_discloses_the_debt_is_refused(api) -> None:  # type: ignore[no-untyped-def]
    api, _ = api
    case_id = await _case_id(api)
    body = {"loan_id": "L-1", "channel": "phone", "contact_type": "third_party",
            "purpose": "location", "discloses_debt": True}
    response = await api.post(f"/cases/{case_id}/contacts", COL_1, body)
    assert (response.status_code, response.json()["code"]) == (409, "third_party_disclosure")
    body["discloses_debt"] = False
    assert (await api.post(f"/cases/{case_id}/contacts", COL_1, body)).status_code == 201


async def test_collectors_see_only_their_own_and_their_teams_cases(api) -> None:  # type: ignore[no-untyped-def]
    api, _ = api
    case_id = await _case_id(api)
    assert (await api.get(f"/cases/{case_id}", COL_1)).status_code == 200
    assert (await api.get(f"/cases/{case_id}", COL_2)).status_code == 200, "same team"
    assert (await api.get(f"/cases/{case_id}", COL_W)).status_code == 404
    assert (await api.get("/cases", COL_W)).json()["total"] == 0
    assert (await api.get("/cases", AUDITOR, loan_id="L-1")).json()["total"] == 1
    contact = await api.post(f"/cases/{case_id}/contacts", COL_W, {"loan_id": "L-1",
                                                                   "channel": "phone"})
    assert contact.status_code == 404


async def test_auditors_read_but_cannot_record_contacts(api) -> None:  # type: ignore[no-untyped-def]
    api, _ = api
    case_id = await _case_id(api)
    assert (await api.get(f"/cases/{case_id}", AUDITOR)).status_code == 200
    response = await api.post(f"/cases/{case_id}/contacts", AUDITOR, {"loan_id": "L-1",
                                                                      "channel": "phone"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


async def test_one_active_promise_per_loan_through_the_api(api) -> None:  # type: ignore[no-untyped-def]
    api, harness = api
    case_id = await _case_id(api)
    body = {"loan_id": "L-1", "amount": "1000.00", "due_date": "2026-12-05"}
    created = await api.post(f"/cases/{case_id}/promises", COL_1, body)
    assert created.status_code == 201 and created.json()["status"] == "active"
    again = await api.post(f"/cases/{case_id}/promises", COL_1, body)
    assert (again.status_code, again.json()["code"]) == (409, "promise_already_active")
    [recorded] = await harness.published("collections.promise.recorded")
    assert recorded["data"]["amount"] == "1000.00" and recorded["data"]["loan_id"] == "L-1"


async def test_worklist_puts_the_largest_overdue_first_for_the_calling_collector(api) -> None:  # type: ignore[no-untyped-def]
    api, harness = api
    await harness.feed(ev.customer_registered("C-2"),
                       ev.ageing("L-2", "C-2", on=D, dpd=40, bucket="M2", overdue="90000.00"),
                       ev.customer_registered("C-3"),
                       ev.ageing("L-3", "C-3", on=D, dpd=2, bucket="M1", overdue="10.00"))
    assert [c["customer_id"] for c in (await api.get("/worklist", COL_2)).json()] == \
        ["C-2", "C-3"], "the least loaded collector took the new cases"
    for customer in ("C-2", "C-3"):
        moved = await api.post(f"/cases/{await _case_id(api, customer)}/assignment", MGR,
                               {"collector_id": "col-1"})
        assert moved.status_code == 200
    mine = (await api.get("/worklist", COL_1)).json()
    assert [c["customer_id"] for c in mine] == ["C-2", "C-1", "C-3"]
    assert (await api.get("/worklist", COL_2)).json() == []
    assert len((await api.get("/worklist", MGR, collector_id="col-1")).json()) == 3
    customer = await harness.published("collections.case.assigned")
    assert customer[-1]["data"]["previous_collector_id"] == "col-2"
    # col-1 is now at capacity 3: a fourth case cannot be pushed onto them.
    await harness.feed(ev.customer_registered("C-4"),
                       ev.ageing("L-4", "C-4", on=D, dpd=2, bucket="M1", overdue="10.00"))
    full = await api.post(f"/cases/{await _case_id(api, 'C-4')}/assignment", MGR,
                          {"collector_id": "col-1"})
    assert (full.status_code, full.json()["code"]) == (409, "collector_at_capacity")


async def test_a_manager_reassigns_a_case_within_capacity(api) -> None:  # type: ignore[no-untyped-def]
    api, harness = api
    case_id = await _case_id(api)
    moved = await api.post(f"/cases/{case_id}/assignment", MGR, {"collector_id": "col-2"})
    assert moved.status_code == 200 and moved.json()["collector_id"] == "col-2"
    assert (await api.post(f"/cases/{case_id}/assignment", COL_1,
                           {"collector_id": "col-1"})).status_code == 403
    events = await harness.published("collections.case.assigned")
    assert [e["data"]["mode"] for e in events] == ["automatic", "manual"]


async def _settle(api: Api, case_id: str, waived: str, kind: str = "waiver") -> str:
    response = await api.post(f"/cases/{case_id}/settlements", COL_1, {
        "loan_id": "L-1", "kind": kind, "settlement_amount": "20000.00",
        "waived_amount": waived})
    assert response.status_code == 201
    return response.json()["offer_id"]


async def test_the_proposer_cannot_approve_their_own_settlement(api) -> None:  # type: ignore[no-untyped-def]
    api, _ = api
    case_id = await _case_id(api)
    response = await api.post(f"/cases/{case_id}/settlements", MGR, {
        "loan_id": "L-1", "kind": "waiver", "settlement_amount": "0", "waived_amount": "100.00"})
    own = await api.post(f"/settlements/{response.json()['offer_id']}/approvals", MGR)
    assert (own.status_code, own.json()["code"]) == (403, "own_proposal")


async def test_settlement_amounts_route_to_the_right_approvers(api) -> None:  # type: ignore[no-untyped-def]
    api, harness = api
    case_id = await _case_id(api)
    small = await _settle(api, case_id, "5000.00")
    assert (await api.post(f"/settlements/{small}/approvals", MGR)).json()["status"] == "approved"
    mid = await _settle(api, case_id, "12000.00")
    first = await api.post(f"/settlements/{mid}/approvals", MGR)
    assert (first.json()["level"], first.json()["status"]) == ("dual", "proposed")
    assert (await api.post(f"/settlements/{mid}/approvals", MGR)).json()["code"] == \
        "already_approved"
    assert (await api.post(f"/settlements/{mid}/approvals", MGR_2)).json()["status"] == "approved"
    big = await _settle(api, case_id, "25000.00")
    refused = await api.post(f"/settlements/{big}/approvals", MGR)
    assert (refused.status_code, refused.json()["code"]) == (403, "approval_level")
    assert (await api.post(f"/settlements/{big}/approvals", RISK)).json()["status"] == "approved"
    approved = await harness.published("collections.settlement.approved")
    assert [a["data"]["approval_level"] for a in approved] == ["single", "dual", "risk_officer"]
    assert approved[1]["data"]["approved_by"] == ["mgr-1", "mgr-2"]


async def test_an_approved_settlement_closes_the_case_as_settled(api) -> None:  # type: ignore[no-untyped-def]
    api, harness = api
    case_id = await _case_id(api)
    waiver = await _settle(api, case_id, "1000.00")
    await api.post(f"/settlements/{waiver}/approvals", MGR)
    assert (await api.get(f"/cases/{case_id}", MGR)).json()["status"] == "open", \
        "a waiver forgives part of the debt; collection goes on"
    offer = await _settle(api, case_id, "1000.00", kind="settlement")
    await api.post(f"/settlements/{offer}/approvals", MGR)
    case = (await api.get(f"/cases/{case_id}", MGR)).json()
    assert (case["status"], case["outcome"]) == ("closed", "settled")
    [closed] = await harness.published("collections.case.closed")
    assert closed["data"]["outcome"] == "settled"


async def test_disposal_needs_a_checker_and_records_recoveries_and_cost(api) -> None:  # type: ignore[no-untyped-def]
    api, harness = api
    case_id = await _case_id(api)
    proposed = await api.post(f"/cases/{case_id}/disposals", MGR, {
        "loan_id": "L-1", "kind": "debt_transfer", "expected_recovery": "75000.00"})
    assert proposed.status_code == 201 and proposed.json()["level"] == "dual"
    offer = proposed.json()["offer_id"]
    assert (await api.post(f"/disposals/{offer}/approvals", MGR)).json()["code"] == "own_proposal"
    assert (await api.post(f"/disposals/{offer}/approvals", MGR_2)).json()["status"] == "proposed"
    assert (await api.post(f"/disposals/{offer}/approvals", RISK)).json()["status"] == "approved"
    recovered = await api.post(f"/disposals/{offer}/recoveries", MGR,
                               {"amount": "74000.00", "recovered_date": "2026-12-20"})
    assert recovered.json()["recovered_amount"] == "74000.00"
    [approved] = await harness.published("collections.disposal.approved")
    assert (approved["data"]["kind"], approved["data"]["cost"]) == ("debt_transfer", "2000.00")
    [amount] = await harness.published("collections.amount.recovered")
    assert (amount["data"]["source"], amount["data"]["amount"]) == ("disposal", "74000.00")
    case = (await api.get(f"/cases/{case_id}", MGR)).json()
    assert (case["outcome"], case["total_recovered"], case["total_cost"]) == \
        ("transferred", "74000.00", "2000.00")


async def test_legal_stages_go_forward_only_and_carry_their_cost(api) -> None:  # type: ignore[no-untyped-def]
    api, harness = api
    case_id = await _case_id(api)
    letter = await api.post(f"/cases/{case_id}/legal-stages", MGR, {
        "loan_id": "L-1", "stage": "letter_sent", "stage_date": "2026-12-02"})
    assert letter.status_code == 201 and letter.json()["cost"] == "300.00"
    backwards = await api.post(f"/cases/{case_id}/legal-stages", MGR, {
        "loan_id": "L-1", "stage": "letter_sent", "stage_date": "2026-12-03"})
    assert (backwards.status_code, backwards.json()["code"]) == (409, "legal_stage_order")
    filed = await api.post(f"/cases/{case_id}/legal-stages", MGR, {
        "loan_id": "L-1", "stage": "filed", "stage_date": "2026-12-10"})
    assert filed.json()["cost"] == "5000.00"
    stages = await harness.published("collections.legal.stage-recorded")
    assert [s["data"]["stage"] for s in stages] == ["letter_sent", "filed"]


async def test_outcomes_are_reported_per_path_and_variant(api) -> None:  # type: ignore[no-untyped-def]
    api, _ = api
    rows = (await api.get("/paths/outcomes", AUDITOR)).json()
    assert rows == [{"path": "standard", "variant": "champion",
                     "cases": 1, "open": 1, "cured": 0, "settled": 0, "written_off": 0,
                     "transferred": 0, "recovered": "0.00", "cost": "0.00"}]
