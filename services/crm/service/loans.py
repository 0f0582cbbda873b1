"""Crm's view of loans and collection cases, kept current from other services' events.
It feeds eligibility (status, days past due, last restructuring), the default terms of a
restructuring and recusal (who worked a case)."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Envelope
from services.crm.domain.care import first_time_overdue
from services.crm.models import CaseStaff, LoanView
from services.crm.service import care


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _extra_rate(event: Any) -> Decimal | None:
    # Optional on loan.registered (added later): older events do not carry it.
    raw = event.annual_rate
    return Decimal(str(raw)) if raw is not None else None


async def register(session: AsyncSession, *, event: Any) -> LoanView:
    loan = await session.get(LoanView, event.loan_id)
    if loan is None:
        loan = LoanView(loan_id=event.loan_id, customer_id=event.customer_id,
                        principal=event.principal, outstanding_principal=event.principal,
                        dpd=0, status="active")
        session.add(loan)
    loan.installments, loan.first_due_date = event.installments, event.first_due_date
    loan.maturity_date, loan.annual_rate = event.maturity_date, _extra_rate(event)
    loan.updated_at = _now()
    await session.flush()
    return loan


async def update(session: AsyncSession, *, loan_id: str, **changes: Any) -> LoanView | None:
    """Apply what an event says about a loan crm knows; unknown loans are ignored (crm
    only needs loans that were registered while it listened)."""
    loan = await session.get(LoanView, loan_id)
    if loan is None:
        return None
    for name, value in changes.items():
        if value is not None:
            setattr(loan, name, value)
    loan.updated_at = _now()
    await session.flush()
    return loan


async def record_case_staff(session: AsyncSession, *, case_id: str, customer_id: str,
                            staff_id: str, team: str | None) -> None:
    row = await session.get(CaseStaff, (case_id, staff_id))
    if row is None:
        session.add(CaseStaff(case_id=case_id, staff_id=staff_id, customer_id=customer_id,
                              team=team, assigned_at=_now()))
    else:
        row.team, row.assigned_at = team or row.team, _now()
    await session.flush()


async def record_repayment(session: AsyncSession, *, event: Any) -> None:
    await update(session, loan_id=event.loan_id, outstanding_principal=event.outstanding_principal)


async def record_delinquency(session: AsyncSession, *, event: Any, cause: Envelope,
                             due_days: dict[str, int]) -> None:
    """Days past due changed (or the loan cured); leaving zero for the first time earns the
    customer a care task."""
    await update(session, loan_id=event.loan_id, dpd=event.dpd,
                 outstanding_principal=event.outstanding_principal)
    if first_time_overdue(getattr(event, "previous_dpd", 1), event.dpd):
        await care.open_first_overdue_task(session, event=event, cause=cause, due_days=due_days)


async def record_restructuring(session: AsyncSession, *, event: Any) -> None:
    await update(session, loan_id=event.loan_id, last_restructured_date=event.effective_date,
                 outstanding_principal=event.outstanding_principal)


async def close(session: AsyncSession, *, event: Any) -> None:
    await update(session, loan_id=event.loan_id, status="closed",
                 outstanding_principal=event.outstanding_principal)


async def assign_case(session: AsyncSession, *, event: Any) -> None:
    """A collector assigned to a case is involved in it (recusal); an unassignment is not."""
    if event.collector_id:
        await record_case_staff(session, case_id=event.case_id, customer_id=event.customer_id,
                                staff_id=event.collector_id, team=event.team)
