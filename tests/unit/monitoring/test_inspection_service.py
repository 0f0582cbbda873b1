"""On-site inspections end to end on SQLite: scheduling by rule and by warning, the HTTP
routes with their roles, report validation, overdue tracking and the events in the outbox."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal as D
from pathlib import Path
from typing import Any, AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.api.app import create_service_app
from shared.auth import mint_local_token
from shared.db.engine import create_engine, session_factory
from shared.events.envelope import Envelope, new_event
from shared.events.registry import parse_payload
from services.monitoring.service import inspections
from services.monitoring.api.inspections import router
from services.monitoring.config import Settings
from services.monitoring.models import Base, FinancialStatement, InspectionTask, Loan, delivery

DISBURSED = date(2026, 3, 1)
Sessions = async_sessionmaker[AsyncSession]
Client = httpx.AsyncClient


@pytest.fixture
async def settings(tmp_path: Path) -> AsyncIterator[Settings]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/monitoring.db")
    engine = create_engine(settings.database_url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    await engine.dispose()
    yield settings


@pytest.fixture
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(settings, title="t", description="t", routers=[router])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http


def _auth(settings: Settings, role: str, subject: str = "user-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_local_token(settings, roles=[role], subject=subject)}"}


def _cause(type_: str = "bank.loan.disbursed.v1") -> Envelope:
    return new_event(type=type_, source="core-banking", subject="x", data={},
                     id=str(uuid.uuid4()))


def _loan(loan_id: str, *, payment_mode: str = "self", classification: str = "normal",
          disbursed: date = DISBURSED, status: str = "active") -> Loan:
    return Loan(loan_id=loan_id, customer_id=f"C-{loan_id}", product="sme_term", currency="CNY",
                principal=D("100000.00"), annual_rate=D("0.05"), disbursed_date=disbursed,
                maturity_date=date(2028, 3, 1), payment_mode=payment_mode, status=status,
                classification=classification, updated_at=datetime.now(timezone.utc))


def _report(**changes: Any) -> dict[str, Any]:
    body = {"summary": "visited the plant", "borrower_operations": "running two shifts",
            "financial_condition": "stable", "collateral_condition": "warehouse intact",
            "repayment_ability": "adequate", "risk_assessment": "low risk",
            "recommended_measures": ["keep routine monitoring"], "attachments": ["doc://p/1"],
            "inspector": "insp-1", "inspected_at": "2026-03-10T09:00:00+08:00"}
    return body | changes


async def _disburse(sessions: Sessions, loan: Loan) -> list[int]:
    async with sessions() as session, session.begin():
        session.add(loan)
        await session.flush()
        tasks = await inspections.schedule_on_disbursal(
            session, loan=loan, settings=Settings(), cause=_cause())
        return [t.id for t in tasks]


async def _events(sessions: Sessions, type_: str) -> list[dict[str, Any]]:
    async with sessions() as session:
        rows = await session.execute(select(delivery.outbox.c.payload)
                                     .where(delivery.outbox.c.event_type == type_)
                                     .order_by(delivery.outbox.c.id))
        envelopes = [Envelope.model_validate(json.loads(r[0])) for r in rows]
    for envelope in envelopes:
        parse_payload(envelope)  # every payload fits its registered schema
    return [e.data for e in envelopes]


async def _task(sessions: Sessions, task_id: int) -> InspectionTask:
    async with sessions() as session:
        task = await session.get(InspectionTask, task_id)
        assert task is not None
        return task


async def _assigned(client: Client, settings: Settings, task_id: int,
                    inspector: str = "insp-1") -> None:
    response = await client.post(f"/v1/inspections/{task_id}/assign", json={"inspector": inspector},
                                 headers=_auth(settings, "risk_officer", "risk-1"))
    assert response.status_code == 200, response.text


async def test_disbursal_schedules_first_check_and_fund_usage_with_events(
        sessions: Sessions) -> None:
    first, fund = await _disburse(sessions, _loan("L-1", payment_mode="self"))
    assert (await _task(sessions, first)).due_date == date(2026, 3, 16)
    assert (await _task(sessions, fund)).kind == "fund_usage"
    assert await _disburse(sessions, _loan("L-2", payment_mode="entrusted")) != []
    events = await _events(sessions, "monitoring.inspection.scheduled.v1")
    assert [(e["loan_id"], e["kind"], e["due_date"]) for e in events] == [
        ("L-1", "first_check", "2026-03-16"), ("L-1", "fund_usage", "2026-05-30"),
        ("L-2", "first_check", "2026-03-16")]
    assert events[0]["task_id"] == first and events[0]["customer_id"] == "C-L-1"


async def test_routine_tasks_are_scheduled_only_for_loans_that_need_one(
        sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        session.add_all([_loan("L-sub", classification="substandard"),
                         _loan("L-norm", classification="normal"),
                         _loan("L-closed", classification="substandard", status="closed")])
    as_of = date(2026, 3, 20)  # substandard due 2026-03-31, within the 15-day lead
    async with sessions() as session, session.begin():
        created = await inspections.schedule_routine(session, as_of=as_of, settings=Settings(),
                                                     cause=_cause("bank.business-day.closed.v1"))
        assert [(t.loan_id, t.due_date) for t in created] == [("L-sub", date(2026, 3, 31))]
    async with sessions() as session, session.begin():
        again = await inspections.schedule_routine(session, as_of=as_of, settings=Settings(),
                                                   cause=_cause("bank.business-day.closed.v1"))
        assert again == []  # a routine task is already open


async def test_a_completed_inspection_restarts_the_routine_clock(
        sessions: Sessions, client: Client, settings: Settings) -> None:
    first, _ = await _disburse(sessions, _loan("L-1", classification="substandard"))
    await _assigned(client, settings, first)
    early_morning = _report(inspected_at="2026-03-10T07:00:00+08:00")  # 2026-03-09 in UTC
    response = await client.post(f"/v1/inspections/{first}/report", json=early_morning,
                                 headers=_auth(settings, "inspector", "insp-1"))
    assert response.status_code == 200, response.text
    assert response.json()["inspected_date"] == "2026-03-10"  # the visit's own calendar day
    async with sessions() as session, session.begin():
        # substandard: every 30 days -> due 2026-04-09, created from 2026-03-25 (15-day lead)
        assert await inspections.schedule_routine(
            session, as_of=date(2026, 3, 24), settings=Settings(), cause=None) == []
        created = await inspections.schedule_routine(
            session, as_of=date(2026, 3, 25), settings=Settings(), cause=None)
        assert [t.due_date for t in created] == [date(2026, 4, 9)]


async def test_warning_inspection_only_for_orange_and_red_and_once_per_warning(
        sessions: Sessions) -> None:
    async def warn(level: str, warning_id: str) -> InspectionTask | None:
        async with sessions() as session, session.begin():
            return await inspections.schedule_for_warning(
                session, loan_id="L-1", customer_id="C-1", level=level, warning_id=warning_id,
                as_of=date(2026, 4, 1), settings=Settings(),
                cause=_cause("warning.warning.raised.v1"))

    assert await warn("yellow", "W-1") is None
    task = await warn("orange", "W-1")
    assert task is not None and task.kind == "warning_triggered"
    assert task.due_date == date(2026, 4, 8)
    assert await warn("red", "W-1") is None  # escalation of the same warning
    events = await _events(sessions, "monitoring.inspection.scheduled.v1")
    assert [e["warning_id"] for e in events] == ["W-1"]


async def test_overdue_tasks_are_marked_and_published_once(
        sessions: Sessions, client: Client, settings: Settings) -> None:
    first, _ = await _disburse(sessions, _loan("L-1"))  # fund usage is due only in May
    for _ in range(2):
        async with sessions() as session, session.begin():
            await inspections.mark_overdue(session, as_of=date(2026, 3, 17), cause=_cause())
    events = await _events(sessions, "monitoring.inspection.overdue.v1")
    assert [(e["task_id"], e["days_overdue"]) for e in events] == [(first, 1)]
    async with sessions() as session:
        assert await inspections.overdue_count(session, date(2026, 3, 17)) == 1
    response = await client.get("/v1/inspections", params={"overdue": "true"},
                                headers=_auth(settings, "auditor"))
    assert [t["id"] for t in response.json()["items"]] == [first]
    assert response.json()["items"][0]["overdue"] is True


async def test_assign_then_report_completes_the_task_with_events(
        sessions: Sessions, client: Client, settings: Settings) -> None:
    first, _ = await _disburse(sessions, _loan("L-1"))
    await _assigned(client, settings, first)
    response = await client.post(f"/v1/inspections/{first}/report", json=_report(),
                                 headers=_auth(settings, "inspector", "insp-1"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "completed" and body["report"]["risk_assessment"] == "low risk"
    assigned = await _events(sessions, "monitoring.inspection.assigned.v1")
    assert [(e["assignee"], e["assigned_by"]) for e in assigned] == [("insp-1", "risk-1")]
    completed = await _events(sessions, "monitoring.inspection.completed.v1")
    assert completed[0]["recommended_measures"] == ["keep routine monitoring"]
    assert completed[0]["completed_late"] is False
    again = await client.post(f"/v1/inspections/{first}/report", json=_report(),
                              headers=_auth(settings, "inspector", "insp-1"))
    assert again.status_code == 409 and again.json()["code"] == "report_submitted"


async def test_an_incomplete_report_is_refused_with_422_naming_the_missing_items(
        sessions: Sessions, client: Client, settings: Settings) -> None:
    first, _ = await _disburse(sessions, _loan("L-1"))
    await _assigned(client, settings, first)
    response = await client.post(f"/v1/inspections/{first}/report",
                                 json=_report(summary="", recommended_measures=[]),
                                 headers=_auth(settings, "inspector", "insp-1"))
    assert response.status_code == 422
    assert response.json()["code"] == "report_incomplete"
    assert "summary" in response.json()["message"]
    assert "recommended_measures" in response.json()["message"]
    assert (await _task(sessions, first)).status == "assigned"


async def test_a_moved_financial_item_must_be_explained(
        sessions: Sessions, client: Client, settings: Settings) -> None:
    first, _ = await _disburse(sessions, _loan("L-1"))
    figures = dict(revenue=D("1000"), net_profit=D("100"), total_assets=D("5000"),
                   total_liabilities=D("3000"), current_assets=D("2000"),
                   current_liabilities=D("1500"), operating_cash_flow=D("200"))
    async with sessions() as session, session.begin():
        session.add_all([
            FinancialStatement(customer_id="C-L-1", period_end=date(2025, 6, 30), **figures),
            FinancialStatement(customer_id="C-L-1", period_end=date(2025, 12, 31),
                               **(figures | {"total_liabilities": D("3900.30")}))])
    await _assigned(client, settings, first)
    headers = _auth(settings, "inspector", "insp-1")
    refused = await client.post(f"/v1/inspections/{first}/report", json=_report(), headers=headers)
    assert refused.status_code == 422
    assert "financial_change_explanations.total_liabilities" in refused.json()["message"]
    explained = _report(financial_change_explanations={"total_liabilities": "new plant loan"})
    accepted = await client.post(f"/v1/inspections/{first}/report", json=explained, headers=headers)
    assert accepted.status_code == 200, accepted.text
    completed = await _events(sessions, "monitoring.inspection.completed.v1")
    assert completed[0]["explained_financial_changes"] == ["total_liabilities"]


async def test_a_non_compliant_fund_usage_report_flags_fund_misuse(
        sessions: Sessions, client: Client, settings: Settings) -> None:
    _, fund = await _disburse(sessions, _loan("L-1", payment_mode="self"))
    await _assigned(client, settings, fund)
    headers = _auth(settings, "inspector", "insp-1")
    silent = await client.post(f"/v1/inspections/{fund}/report", json=_report(), headers=headers)
    assert silent.status_code == 422 and "fund_usage_compliant" in silent.json()["message"]
    response = await client.post(f"/v1/inspections/{fund}/report",
                                 json=_report(fund_usage_compliant=False), headers=headers)
    assert response.status_code == 200, response.text
    async with sessions() as session:
        loan = await session.get(Loan, "L-1")
        assert loan is not None and loan.fund_misuse is True


async def test_only_the_assignee_may_submit_the_report(
        sessions: Sessions, client: Client, settings: Settings) -> None:
    first, _ = await _disburse(sessions, _loan("L-1"))
    unassigned = await client.post(f"/v1/inspections/{first}/report", json=_report(),
                                    headers=_auth(settings, "inspector", "insp-1"))
    assert unassigned.status_code == 409
    await _assigned(client, settings, first)
    other = await client.post(f"/v1/inspections/{first}/report", json=_report(),
                              headers=_auth(settings, "inspector", "insp-2"))
    assert other.status_code == 403 and other.json()["code"] == "forbidden"


async def test_routes_check_the_caller_and_the_role(
        sessions: Sessions, client: Client, settings: Settings) -> None:
    first, _ = await _disburse(sessions, _loan("L-1"))
    assert (await client.get("/v1/inspections")).status_code == 401
    assert (await client.get(f"/v1/inspections/{first}")).status_code == 401
    collector = await client.get("/v1/inspections", headers=_auth(settings, "collector"))
    assert collector.status_code == 403
    as_inspector = await client.post(f"/v1/inspections/{first}/assign", json={"inspector": "x"},
                                     headers=_auth(settings, "inspector"))
    assert as_inspector.status_code == 403
    as_risk = await client.post(f"/v1/inspections/{first}/report", json=_report(),
                                headers=_auth(settings, "risk_officer", "insp-1"))
    assert as_risk.status_code == 403
    for role in ("inspector", "risk_officer", "auditor"):
        response = await client.get(f"/v1/inspections/{first}", headers=_auth(settings, role))
        assert response.status_code == 200 and response.json()["kind"] == "first_check"


async def test_an_unknown_task_is_404_with_the_error_shape(
        sessions: Sessions, client: Client, settings: Settings) -> None:
    response = await client.get("/v1/inspections/999", headers=_auth(settings, "auditor"))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


async def test_list_filters_and_paginates(
        sessions: Sessions, client: Client, settings: Settings) -> None:
    await _disburse(sessions, _loan("L-1", payment_mode="self"))
    await _disburse(sessions, _loan("L-2", payment_mode="self"))
    headers = _auth(settings, "risk_officer")
    page = await client.get("/v1/inspections", params={"kind": "fund_usage", "limit": 1},
                            headers=headers)
    assert page.json()["total"] == 2 and len(page.json()["items"]) == 1
    by_loan = await client.get("/v1/inspections", params={"loan_id": "L-2", "status": "open"},
                               headers=headers)
    assert {t["loan_id"] for t in by_loan.json()["items"]} == {"L-2"}
    assert by_loan.json()["total"] == 2
    bad = await client.get("/v1/inspections", params={"kind": "teleport"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"
