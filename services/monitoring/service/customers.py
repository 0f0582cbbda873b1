"""Borrower information use cases (信息收集): keep the profile current, record every change
in normalised old/new form, and publish it without repeating personal contact data."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import bank, monitoring as out
from shared.events.envelope import Envelope
from services.monitoring import repository as repo
from services.monitoring.models import (
    Customer, CustomerChange, FinancialStatement, LegalEvent, MarketRisk,
)
from services.monitoring.publish import publish

# Legal events that change how the regulation classifies every loan of the debtor.
_FLAG_FOR_LEGAL_KIND = {"bankruptcy": "bankrupt", "dishonest_debtor": "evading_debts",
                        "deceased": "deceased"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


async def register_customer(session: AsyncSession, *, event: bank.CustomerRegistered,
                            cause: Envelope) -> Customer | None:
    if await session.get(Customer, event.customer_id) is not None:
        return None
    customer = Customer(
        customer_id=event.customer_id, kind=event.kind.value, name=event.name,
        id_number=event.id_number, phone=event.phone, address=event.address,
        timezone=event.timezone, region_code=event.region_code,
        industry_code=event.industry_code, employer=event.employer,
        monthly_income=event.monthly_income, registered_at=_now(), updated_at=_now(),
    )
    session.add(customer)
    await session.flush()
    await publish(session, type="monitoring.customer.registered.v1", subject=customer.customer_id,
                  cause=cause, data=out.CustomerRegisteredOut(
                      customer_id=customer.customer_id, kind=customer.kind,
                      timezone=customer.timezone, region_code=customer.region_code,
                      industry_code=customer.industry_code))
    return customer


async def _record_change(session: AsyncSession, *, customer: Customer, kind: str,
                         old: dict, new: dict, effective: date, cause: Envelope,
                         published_old: dict | None = None,
                         published_new: dict | None = None) -> None:
    old, new = ({k: _plain(v) for k, v in d.items()} for d in (old, new))
    session.add(CustomerChange(customer_id=customer.customer_id, change_kind=kind, old_value=old,
                               new_value=new, effective_date=effective, event_id=cause.id,
                               recorded_at=_now()))
    customer.updated_at = _now()
    await session.flush()
    await publish(session, type="monitoring.customer.profile-changed.v1",
                  subject=customer.customer_id, cause=cause, discriminator=kind,
                  data=out.CustomerProfileChanged(
                      customer_id=customer.customer_id, change_kind=kind, effective_date=effective,
                      old=published_old if published_old is not None else old,
                      new=published_new if published_new is not None else new))


async def change_contact(session: AsyncSession, *, customer: Customer,
                         event: bank.ContactChanged, cause: Envelope) -> None:
    old = {"phone": customer.phone, "address": customer.address}
    customer.phone = event.phone or customer.phone
    customer.address = event.address or customer.address
    new = {"phone": customer.phone, "address": customer.address}
    changed = {"phone_changed": old["phone"] != new["phone"],
               "address_changed": old["address"] != new["address"]}
    await _record_change(session, customer=customer, kind="contact", old=old, new=new,
                         effective=cause.time.date(), cause=cause, published_old={},
                         published_new=changed)


async def change_employment(session: AsyncSession, *, customer: Customer,
                            event: bank.EmploymentChanged, cause: Envelope) -> None:
    old = {"employer": customer.employer, "status": customer.employment_status,
           "monthly_income": customer.monthly_income}
    customer.employer, customer.employment_status = event.employer, event.status
    customer.monthly_income = event.monthly_income
    new = {"employer": customer.employer, "status": customer.employment_status,
           "monthly_income": customer.monthly_income}
    await _record_change(session, customer=customer, kind="employment", old=old, new=new,
                         effective=cause.time.date(), cause=cause)


async def update_credit_report(session: AsyncSession, *, customer: Customer,
                               event: bank.CreditReportUpdated, cause: Envelope) -> None:
    old = {"score": customer.credit_score, "report_date": customer.credit_report_date,
           "overdue_accounts_elsewhere": customer.overdue_accounts_elsewhere,
           "total_debt_elsewhere": customer.total_debt_elsewhere}
    customer.credit_score, customer.credit_report_date = event.score, event.report_date
    customer.overdue_accounts_elsewhere = event.overdue_accounts_elsewhere
    customer.total_debt_elsewhere = event.total_debt_elsewhere
    new = {"score": event.score, "report_date": event.report_date,
           "overdue_accounts_elsewhere": event.overdue_accounts_elsewhere,
           "total_debt_elsewhere": event.total_debt_elsewhere}
    await _record_change(session, customer=customer, kind="credit_report", old=old, new=new,
                         effective=event.report_date, cause=cause)


_STATEMENT_FIELDS = ("revenue", "net_profit", "total_assets", "total_liabilities",
                     "current_assets", "current_liabilities", "operating_cash_flow")


async def report_financials(session: AsyncSession, *, customer: Customer,
                            event: bank.FinancialsReported, cause: Envelope) -> None:
    previous = await session.scalar(
        select(FinancialStatement)
        .where(FinancialStatement.customer_id == customer.customer_id,
               FinancialStatement.period_end < event.period_end)
        .order_by(FinancialStatement.period_end.desc()).limit(1))
    values = {name: getattr(event, name) for name in _STATEMENT_FIELDS}
    statement = await session.get(FinancialStatement, (customer.customer_id, event.period_end))
    if statement is None:
        session.add(FinancialStatement(customer_id=customer.customer_id,
                                       period_end=event.period_end, **values))
    else:
        for name, value in values.items():
            setattr(statement, name, value)
    old = {"period_end": previous.period_end, **{n: getattr(previous, n) for n in _STATEMENT_FIELDS}} \
        if previous else {}
    await _record_change(session, customer=customer, kind="financials", old=old,
                         new={"period_end": event.period_end, **values},
                         effective=event.period_end, cause=cause)


async def record_legal_event(session: AsyncSession, *, customer: Customer,
                             event: bank.LegalEvent, cause: Envelope) -> bool:
    """Returns True when a classification-relevant flag was newly set on the debtor."""
    kind = event.kind.value
    session.add(LegalEvent(customer_id=customer.customer_id, kind=kind,
                           event_date=event.event_date, amount=event.amount,
                           case_no=event.case_no))
    flag = _FLAG_FOR_LEGAL_KIND.get(kind)
    newly_flagged = bool(flag) and not getattr(customer, flag)
    if flag:
        setattr(customer, flag, True)
    await _record_change(session, customer=customer, kind="legal_event", old={},
                         new={"kind": kind, "event_date": event.event_date,
                              "amount": event.amount, "case_no": event.case_no},
                         effective=event.event_date, cause=cause)
    return newly_flagged


async def change_market_risk(session: AsyncSession, *, scope: str, code: str, level: str,
                             effective: date, cause: Envelope) -> None:
    row = await session.get(MarketRisk, (scope, code))
    previous = row.level if row else None
    if row is None:
        session.add(MarketRisk(scope=scope, code=code, level=level, effective_date=effective))
    else:
        row.level, row.effective_date = level, effective
    await session.flush()
    active = await repo.count_active_loans_in(session, scope=scope, code=code)
    await publish(session, type="monitoring.market.risk-changed.v1", subject=code, cause=cause,
                  data=out.MarketRiskChanged(scope=scope, code=code, level=level,
                                             previous_level=previous, effective_date=effective,
                                             active_loans=active))
