"""Loan state from postloan.monitoring.v1. Each event writes the loan's current state and
the change row for the event's own business date (the last event of a day wins)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import monitoring as mon
from services.reporting.models import BusinessDay, Cure, Loan, LoanState, RepaymentFact

_STATE_FIELDS = ("dpd", "bucket", "classification", "ifrs9_stage", "outstanding_principal",
                 "overdue_amount")


async def register_loan(session: AsyncSession, *, event: mon.LoanRegistered) -> None:
    loan = await session.get(Loan, event.loan_id)
    if loan is None:
        loan = Loan(loan_id=event.loan_id, dpd=0, bucket="current", classification="normal",
                    ifrs9_stage=1, overdue_amount=Decimal("0"))
        session.add(loan)
    loan.customer_id, loan.product, loan.region_code = (event.customer_id, event.product,
                                                        event.region_code)
    loan.principal, loan.disbursed_date = event.principal, event.disbursed_date
    loan.vintage = event.disbursed_date.strftime("%Y-%m")
    loan.outstanding_principal = event.principal
    await _write_state(session, loan, event.disbursed_date)


async def age_loan(session: AsyncSession, *, event: Any) -> None:
    """delinquency-changed, classification-changed and cured all carry the full state."""
    loan = await _loan(session, event.loan_id, event.customer_id, event.as_of_date,
                       event.outstanding_principal, event.product)
    await _apply(session, loan, event.as_of_date, dpd=event.dpd, bucket=event.bucket,
                 classification=event.classification, ifrs9_stage=event.ifrs9_stage,
                 outstanding_principal=event.outstanding_principal,
                 overdue_amount=event.overdue_principal + event.overdue_interest)


async def cure_loan(session: AsyncSession, *, event: mon.LoanCured) -> None:
    await age_loan(session, event=event)
    if await session.get(Cure, (event.loan_id, event.as_of_date)) is None:
        session.add(Cure(loan_id=event.loan_id, cured_date=event.as_of_date,
                         previous_dpd=event.previous_dpd))


async def record_repayment(session: AsyncSession, *, event: mon.RepaymentRecorded) -> None:
    loan = await _loan(session, event.loan_id, event.customer_id, event.paid_date,
                       event.outstanding_principal)
    await _apply(session, loan, event.paid_date, outstanding_principal=event.outstanding_principal,
                 overdue_amount=event.overdue_amount)
    if await session.get(RepaymentFact, event.payment_id) is None:
        session.add(RepaymentFact(
            payment_id=event.payment_id, loan_id=event.loan_id, customer_id=event.customer_id,
            amount=event.amount, paid_date=event.paid_date,
            period=event.paid_date.strftime("%Y-%m"), recorded_at=datetime.now(timezone.utc)))


async def record_reversal(session: AsyncSession, *, event: mon.RepaymentReversedOut) -> None:
    loan = await _loan(session, event.loan_id, event.customer_id, event.reversed_date,
                       event.outstanding_principal)
    await _apply(session, loan, event.reversed_date,
                 outstanding_principal=event.outstanding_principal,
                 overdue_amount=event.overdue_amount)
    fact = await session.get(RepaymentFact, event.payment_id)
    if fact is not None:
        fact.reversed_date = event.reversed_date


async def restructure_loan(session: AsyncSession, *, event: mon.LoanRestructuredOut) -> None:
    loan = await _loan(session, event.loan_id, event.customer_id, event.effective_date,
                       event.outstanding_principal)
    await _apply(session, loan, event.effective_date,
                 outstanding_principal=event.outstanding_principal)


async def close_loan(session: AsyncSession, *, event: mon.LoanClosedOut) -> None:
    loan = await _loan(session, event.loan_id, event.customer_id, event.closed_date,
                       event.outstanding_principal)
    loan.closed_date, loan.close_reason = event.closed_date, event.reason
    await _apply(session, loan, event.closed_date, classification=event.classification,
                 outstanding_principal=event.outstanding_principal)


async def record_business_day(session: AsyncSession, *, event: mon.BusinessDayAged) -> None:
    day = await session.get(BusinessDay, event.business_date)
    if day is None:
        day = BusinessDay(business_date=event.business_date)
        session.add(day)
    day.loans_aged, day.changes = event.loans_aged, event.changes


async def _loan(session: AsyncSession, loan_id: str, customer_id: str, day: date,
                outstanding: Decimal, product: str = "unknown") -> Loan:
    """The loan, or a placeholder when its registration never reached us (it is filled in
    if the registration arrives later)."""
    loan = await session.get(Loan, loan_id)
    if loan is None:
        loan = Loan(loan_id=loan_id, customer_id=customer_id, product=product,
                    region_code="unknown", principal=outstanding, disbursed_date=day,
                    vintage=day.strftime("%Y-%m"), dpd=0, bucket="current",
                    classification="normal", ifrs9_stage=1, outstanding_principal=outstanding,
                    overdue_amount=Decimal("0"))
        session.add(loan)
    return loan


async def _apply(session: AsyncSession, loan: Loan, day: date, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(loan, name, value)
    await _write_state(session, loan, day)


async def _write_state(session: AsyncSession, loan: Loan, day: date) -> None:
    row = await session.get(LoanState, (loan.loan_id, day))
    if row is None:
        row = LoanState(loan_id=loan.loan_id, effective_date=day)
        session.add(row)
    for name in _STATE_FIELDS:
        setattr(row, name, getattr(loan, name))
    row.closed = loan.closed_date is not None and loan.closed_date <= day
    await session.flush()
