"""Collectors reach only the cases assigned to them or their team. Collections is the one
service that knows assignments; every other service refuses collectors outright, so a
collector cannot read a customer or loan outside their work by asking another service."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from pathlib import Path

import httpx

from shared.auth import mint_local_token
from services.collections.app import create_app as collections_app
from services.collections.config import Settings as CollectionsSettings
from tests.support import collections as ev
from tests.support.collections import CollectionsHarness
from tests.support.role_matrix import MATRIX_FILE
from tests.unit.security.apps import service_app

# Collections routes that take a case id check it against the caller's assignment; the
# others either list only the caller's cases or return aggregates with no customer in them.
COLLECTOR_MAY_CALL = {
    ("collections", "GET /v1/cases"), ("collections", "GET /v1/cases/{case_id}"),
    ("collections", "GET /v1/worklist"), ("collections", "GET /v1/paths/outcomes"),
    ("collections", "POST /v1/cases/{case_id}/contacts"),
    ("collections", "POST /v1/cases/{case_id}/promises"),
    ("collections", "POST /v1/cases/{case_id}/settlements"),
    ("reporting", "POST /v1/login"),
}
D = date(2026, 12, 1)


def test_collectors_are_admitted_only_where_assignments_are_checked() -> None:
    matrix = json.loads(MATRIX_FILE.read_text())
    admitted = {(service, operation) for service, operations in matrix.items()
                for operation, answer in operations.items() if "collector" in answer["roles"]}
    assert admitted == COLLECTOR_MAY_CALL


async def test_monitoring_refuses_collectors_loans_and_customers(tmp_path: Path) -> None:
    async with service_app("monitoring", tmp_path) as app:
        settings = app.state.settings
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for path in ("/v1/loans", "/v1/loans/L-1", "/v1/customers", "/v1/customers/C-1"):
                collector = mint_local_token(settings, roles=["collector"], team="east")
                refused = await client.get(path, headers={"Authorization": f"Bearer {collector}"})
                assert (refused.status_code, refused.json()["code"]) == (403, "forbidden"), path
                manager = mint_local_token(settings, roles=["collection_manager"])
                allowed = await client.get(path, headers={"Authorization": f"Bearer {manager}"})
                assert allowed.status_code in (200, 404), path


def _as(settings, subject: str, team: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    token = mint_local_token(settings, roles=["collector"], subject=subject, team=team)
    return {"Authorization": f"Bearer {token}"}


async def test_a_collector_cannot_act_on_or_list_another_teams_case(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/collections.db"
    async with CollectionsHarness(url, challenger_share="0") as harness:
        settings = CollectionsSettings(database_url=url, challenger_share="0")
        app = collections_app(settings)
        moment = datetime.combine(D, time(2, 0), tzinfo=timezone.utc)
        async with app.router.lifespan_context(app):
            app.state.clock = lambda: moment
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                manager = {"Authorization": "Bearer " + mint_local_token(
                    settings, roles=["collection_manager"])}
                await client.put("/v1/collectors/col-1", headers=manager, json={
                    "team": "east", "max_open_cases": 5, "regions": ["31"]})
                await harness.feed(ev.customer_registered("C-1"),
                                   ev.ageing("L-1", "C-1", on=D, dpd=5, bucket="M1",
                                             overdue="30000.00", outstanding="60000.00"))
                [case] = (await client.get("/v1/cases", headers=manager)).json()["items"]
                owner, stranger = _as(settings, "col-1", "east"), _as(settings, "col-9", "west")
                writes = {
                    "promises": {"loan_id": "L-1", "amount": "100.00", "due_date": "2026-12-05"},
                    "settlements": {"loan_id": "L-1", "kind": "waiver",
                                    "settlement_amount": "0", "waived_amount": "10.00"},
                    "contacts": {"loan_id": "L-1", "channel": "phone", "outcome": "no_answer"},
                }
                for kind, body in writes.items():
                    refused = await client.post(f"/v1/cases/{case['case_id']}/{kind}",
                                                headers=stranger, json=body)
                    assert refused.status_code == 404, kind
                listed = await client.get("/v1/cases", headers=stranger,
                                          params={"customer_id": "C-1"})
                assert listed.json()["total"] == 0
                borrowed = await client.get("/v1/worklist", headers=stranger,
                                            params={"collector_id": "col-1"})
                assert borrowed.json() == [], "another collector's worklist is not handed out"
                own = await client.get("/v1/worklist", headers=owner)
                assert [item["case_id"] for item in own.json()] == [case["case_id"]]
