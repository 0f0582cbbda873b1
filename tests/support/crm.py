"""Driving the crm service directly (no broker): its HTTP API over ASGI and its event
handlers, on a fresh database; what it published is read back from the outbox."""
from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import httpx
from sqlalchemy import select

from shared.auth import mint_local_token
from shared.db.engine import create_engine, session_factory
from shared.db.migrate import upgrade
from shared.events.envelope import Envelope, new_event
from shared.events.registry import parse_payload
from services.crm.app import create_app
from services.crm.config import Settings
from services.crm.consumers import build_handlers
from services.crm.models import delivery


class CrmHarness:
    def __init__(self, database_url: str, **settings: Any) -> None:
        self.settings = Settings(database_url=database_url, **settings)
        self.engine = create_engine(database_url)
        self.sessions = session_factory(self.engine)
        self.handlers = build_handlers(self.settings)
        self.app = create_app(self.settings)

    async def __aenter__(self) -> "CrmHarness":
        # The real migrations, so a model change without a migration fails here.
        await upgrade("crm", self.engine)
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app),
                                      base_url="http://crm")
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.http.aclose()
        await self._lifespan.__aexit__(None, None, None)
        await self.engine.dispose()

    def auth(self, role: str, subject: str = "agent-1", team: str | None = None) -> dict[str, str]:
        token = mint_local_token(self.settings, roles=[role], subject=subject, team=team)
        return {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, *, role: str = "crm_agent",
                   subject: str = "agent-1", json_body: Any = None,
                   params: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.request(method, f"/v1{path}", json=json_body, params=params,
                                       headers=self.auth(role, subject))

    async def feed(self, *envelopes: Envelope) -> None:
        for envelope in envelopes:
            async with self.sessions() as session, session.begin():
                await self.handlers[envelope.type](session, envelope, parse_payload(envelope))

    async def published(self, type_prefix: str = "") -> list[dict[str, Any]]:
        """Envelopes in the outbox, oldest first."""
        outbox = delivery.outbox
        async with self.sessions() as session:
            rows = (await session.execute(
                select(outbox.c.payload).where(outbox.c.event_type.startswith(type_prefix))
                .order_by(outbox.c.id))).scalars().all()
        return [json.loads(row) for row in rows]


def event(type_: str, data: dict[str, Any], source: str = "postloan.test") -> Envelope:
    subject = data.get("loan_id") or data.get("customer_id") or "x"
    return new_event(type=type_, source=source, subject=subject, data=data,
                     id=str(uuid.uuid4()))


def loan_registered(loan_id: str, customer_id: str, *, principal: str = "120000.00",
                    installments: int = 24, first_due: date = date(2026, 2, 15),
                    maturity: date = date(2028, 1, 15), **extra: Any) -> Envelope:
    return event("monitoring.loan.registered.v1", {
        "loan_id": loan_id, "customer_id": customer_id, "product": "consumer_term",
        "currency": "CNY", "principal": principal, "disbursed_date": "2026-01-15",
        "maturity_date": maturity.isoformat(), "payment_mode": "entrusted",
        "industry_code": "C13", "region_code": "310000", "installments": installments,
        "first_due_date": first_due.isoformat(), **extra})


def delinquency_changed(loan_id: str, customer_id: str, *, dpd: int, previous_dpd: int,
                        as_of: date, outstanding: str = "100000.00") -> Envelope:
    return event("monitoring.loan.delinquency-changed.v1", {
        "loan_id": loan_id, "customer_id": customer_id, "as_of_date": as_of.isoformat(),
        "product": "consumer_term", "dpd": dpd, "bucket": "M1", "classification": "normal",
        "ifrs9_stage": 1, "outstanding_principal": outstanding, "overdue_principal": "0",
        "overdue_interest": "0", "previous_dpd": previous_dpd, "previous_bucket": "current"})


def business_day_aged(as_of: date) -> Envelope:
    return event("monitoring.business-day.aged.v1", {
        "business_date": as_of.isoformat(), "loans_aged": 0, "changes": 0,
        "missed_installments": 0})
