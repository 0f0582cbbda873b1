"""Builders for the events the warning service consumes, and a harness that drives its
handlers directly (no broker) through the same apply path as the faust agents."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timezone
from typing import Any

from sqlalchemy import select

from shared.db.engine import create_engine, session_factory
from shared.events.envelope import Envelope, new_event
from shared.events.registry import parse_payload
from shared.events.topics import COLLECTIONS, MONITORING
from shared.kafka.records import RawRecord
from services.warning.config import Settings
from services.warning.consumers import build_handlers, make_apply
from services.warning.models import Base, EarlyWarning, delivery
from services.warning.windowing import MappingWindows

CUSTOMER, LOAN, PRODUCT = "C-1", "L-1", "consumer"


def _event(type_: str, subject: str, data: dict[str, Any], on: date | None = None) -> Envelope:
    when = datetime.combine(on, time(12), tzinfo=timezone.utc) if on else None
    return new_event(type=type_, source="postloan.monitoring", subject=subject, data=data,
                     time=when)


def _loan(loan_id: str, customer_id: str) -> dict[str, Any]:
    return {"loan_id": loan_id, "customer_id": customer_id}


def registered(loan_id: str = LOAN, customer_id: str = CUSTOMER, *, product: str = PRODUCT,
               industry: str = "C13", region: str = "310000") -> Envelope:
    return _event("monitoring.loan.registered.v1", loan_id, {
        **_loan(loan_id, customer_id), "product": product, "currency": "CNY",
        "principal": "100000.00", "disbursed_date": "2026-01-10", "maturity_date": "2027-01-10",
        "payment_mode": "self", "industry_code": industry, "region_code": region,
        "installments": 12, "first_due_date": "2026-02-10"})


def closed(on: date, loan_id: str = LOAN, customer_id: str = CUSTOMER) -> Envelope:
    return _event("monitoring.loan.closed.v1", loan_id, {
        **_loan(loan_id, customer_id), "closed_date": on.isoformat(), "reason": "repaid",
        "outstanding_principal": "0", "classification": "normal"}, on)


def missed(no: int, as_of: date, loan_id: str = LOAN, customer_id: str = CUSTOMER) -> Envelope:
    return _event("monitoring.installment.missed.v1", loan_id, {
        **_loan(loan_id, customer_id), "installment_no": no, "due_date": as_of.isoformat(),
        "unpaid_amount": "900.00", "as_of_date": as_of.isoformat()}, as_of)


def _ageing(loan_id: str, customer_id: str, dpd: int, as_of: date,
            classification: str = "normal") -> dict[str, Any]:
    return {**_loan(loan_id, customer_id), "as_of_date": as_of.isoformat(), "product": PRODUCT,
            "dpd": dpd, "bucket": "M1" if dpd else "C", "classification": classification,
            "ifrs9_stage": 1, "outstanding_principal": "90000.00",
            "overdue_principal": "800.00", "overdue_interest": "100.00"}


def delinquency(dpd: int, as_of: date, loan_id: str = LOAN, customer_id: str = CUSTOMER,
                previous: int = 0) -> Envelope:
    return _event("monitoring.loan.delinquency-changed.v1", loan_id, {
        **_ageing(loan_id, customer_id, dpd, as_of), "previous_dpd": previous,
        "previous_bucket": "C"}, as_of)


def classified(classification: str, as_of: date, loan_id: str = LOAN,
               customer_id: str = CUSTOMER) -> Envelope:
    return _event("monitoring.loan.classification-changed.v1", loan_id, {
        **_ageing(loan_id, customer_id, 95, as_of, classification),
        "previous_classification": "special_mention", "previous_ifrs9_stage": 2,
        "reason": "dpd", "rule_version": "cn-2023-07-v1"}, as_of)


def cured(as_of: date, loan_id: str = LOAN, customer_id: str = CUSTOMER) -> Envelope:
    return _event("monitoring.loan.cured.v1", loan_id, {
        **_ageing(loan_id, customer_id, 0, as_of), "previous_dpd": 12}, as_of)


def repayment(as_of: date, overdue: str, loan_id: str = LOAN, customer_id: str = CUSTOMER,
              amount: str = "500.00") -> Envelope:
    return _event("monitoring.repayment.recorded.v1", loan_id, {
        **_loan(loan_id, customer_id), "payment_id": f"P-{uuid.uuid4().hex[:6]}",
        "amount": amount, "paid_date": as_of.isoformat(), "channel": "counter",
        "allocated_interest": "100.00", "allocated_principal": "400.00", "unallocated": "0",
        "outstanding_principal": "89600.00", "overdue_amount": overdue}, as_of)


def reversed_payment(as_of: date, loan_id: str = LOAN, customer_id: str = CUSTOMER) -> Envelope:
    return _event("monitoring.repayment.reversed.v1", loan_id, {
        **_loan(loan_id, customer_id), "payment_id": "P-9", "amount": "500.00",
        "reversed_date": as_of.isoformat(), "reason": "insufficient_funds",
        "outstanding_principal": "90000.00", "overdue_amount": "500.00"}, as_of)


def revalued(ltv: str | None, as_of: date, loan_id: str = LOAN,
             customer_id: str = CUSTOMER) -> Envelope:
    return _event("monitoring.collateral.revalued.v1", loan_id, {
        **_loan(loan_id, customer_id), "collateral_id": "K-1", "value": "100000.00",
        "previous_value": "150000.00", "valued_date": as_of.isoformat(),
        "total_collateral_value": "100000.00", "outstanding_principal": "90000.00",
        "loan_to_value": ltv}, as_of)


def profile(kind: str, old: dict, new: dict, on: date, customer_id: str = CUSTOMER) -> Envelope:
    return _event("monitoring.customer.profile-changed.v1", customer_id, {
        "customer_id": customer_id, "change_kind": kind, "effective_date": on.isoformat(),
        "old": old, "new": new}, on)


def contact_changed(on: date, customer_id: str = CUSTOMER) -> Envelope:
    return profile("contact", {}, {"phone_changed": True, "address_changed": False}, on,
                   customer_id)


def credit_report(old: int | None, new: int, on: date, overdue_elsewhere: int = 0,
                  customer_id: str = CUSTOMER) -> Envelope:
    return profile("credit_report", {"score": old, "overdue_accounts_elsewhere": 0},
                   {"score": new, "report_date": on.isoformat(),
                    "overdue_accounts_elsewhere": overdue_elsewhere,
                    "total_debt_elsewhere": "0"}, on, customer_id)


def financials(period_end: date, *, revenue: str = "1000000", assets: str = "1000000",
               liabilities: str = "500000", current_assets: str = "300000",
               current_liabilities: str = "200000", customer_id: str = CUSTOMER) -> Envelope:
    return profile("financials", {}, {
        "period_end": period_end.isoformat(), "revenue": revenue, "net_profit": "1000",
        "total_assets": assets, "total_liabilities": liabilities,
        "current_assets": current_assets, "current_liabilities": current_liabilities,
        "operating_cash_flow": "1000"}, period_end, customer_id)


def legal(kind: str, on: date, customer_id: str = CUSTOMER) -> Envelope:
    return profile("legal_event", {}, {"kind": kind, "event_date": on.isoformat(),
                                       "amount": "50000.00", "case_no": "(2026)01"}, on,
                   customer_id)


def market(scope: str, code: str, level: str, on: date, previous: str | None = "medium") -> Envelope:
    return _event("monitoring.market.risk-changed.v1", code, {
        "scope": scope, "code": code, "level": level, "previous_level": previous,
        "effective_date": on.isoformat(), "active_loans": 0}, on)


def business_day(on: date) -> Envelope:
    return _event("monitoring.business-day.aged.v1", on.isoformat(), {
        "business_date": on.isoformat(), "loans_aged": 1, "changes": 0,
        "missed_installments": 0}, on)


def promise_broken(on: date, loan_id: str = LOAN, customer_id: str = CUSTOMER) -> Envelope:
    return new_event(type="collections.promise.broken.v1", source="postloan.collections",
                     subject=customer_id, data={
                         "case_id": "CASE-1", "customer_id": customer_id, "loan_id": loan_id,
                         "promise_id": "PTP-1", "amount": "1000.00",
                         "due_date": on.isoformat(), "paid_amount": "0",
                         "decided_date": on.isoformat()},
                     time=datetime.combine(on, time(12), tzinfo=timezone.utc))


class WarningHarness:
    """The warning handlers over a SQLite file and dict windows, fed through `make_apply`
    exactly as the faust agents feed them (windows, inbox, handler, outbox)."""

    def __init__(self, database_url: str, **settings: Any) -> None:
        self.settings = Settings(database_url=database_url, **settings)
        self.engine = create_engine(database_url)
        self.sessions = session_factory(self.engine)
        self.missed_table: dict = {}
        self.contacts_table: dict = {}
        windows = MappingWindows(self.missed_table, self.contacts_table)
        self.handlers = build_handlers(self.settings, windows)
        self.apply = make_apply(consumer="warning-test", handlers=self.handlers, windows=windows,
                                sessions=self.sessions, settings=self.settings)
        self._offset = 0

    async def __aenter__(self) -> "WarningHarness":
        async with self.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.engine.dispose()

    async def feed(self, *envelopes: Envelope) -> list[bool]:
        applied = []
        for envelope in envelopes:
            self._offset += 1
            topic = COLLECTIONS if envelope.type.startswith("collections.") else MONITORING
            record = RawRecord(topic=topic, partition=0, offset=self._offset,
                               key=(envelope.subject or "").encode(), value=envelope.to_bytes())
            applied.append(await self.apply(record, envelope, parse_payload(envelope)))
        return applied

    async def published(self, type_prefix: str = "warning.") -> list[dict]:
        outbox = delivery.outbox
        async with self.sessions() as session:
            rows = (await session.execute(
                select(outbox.c.payload).where(outbox.c.event_type.startswith(type_prefix))
                .order_by(outbox.c.id))).scalars().all()
        return [json.loads(row)["data"] for row in rows]

    async def warnings(self, **filters: Any) -> list[EarlyWarning]:
        async with self.sessions() as session:
            query = select(EarlyWarning).order_by(EarlyWarning.raised_at, EarlyWarning.id)
            for name, value in filters.items():
                query = query.where(getattr(EarlyWarning, name) == value)
            return list((await session.scalars(query)).all())

    async def rules_fired(self, loan_id: str = LOAN) -> dict[str, str]:
        """Active warnings on a loan: rule id -> level."""
        return {w.rule_id: w.level for w in await self.warnings(loan_id=loan_id, active=True)}


def run_worker_from_environment() -> None:
    """`python -m tests.support.warning`: the warning worker from WARNING_* variables, without
    migrations (integration tests create the tables), so a test can SIGKILL it."""
    import asyncio

    from shared.runtime.launch import _run_worker
    from services.warning.worker import build_worker

    asyncio.run(_run_worker(build_worker(Settings(), serve_ops=False)))


if __name__ == "__main__":
    run_worker_from_environment()
