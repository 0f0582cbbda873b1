"""Loan events from monitoring: keep each loan's latest position (ageing, repayments,
reversals, closure), then let the debtor's case react to where the loan now stands."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Envelope
from services.collections.domain import cases as rules
from services.collections.domain.policy import Policy
from services.collections.models import LoanPosition
from services.collections.service import cases, promises


async def age_loan(session: AsyncSession, *, loan_id: str, customer_id: str, as_of: date,
                   dpd: int, bucket: str, overdue_principal: Decimal,
                   overdue_interest: Decimal, outstanding: Decimal, classification: str,
                   policy: Policy, cause: Envelope) -> None:
    """Delinquency-changed, classification-changed and cured carry the same snapshot."""
    position = await update_position(
        session, loan_id=loan_id, customer_id=customer_id, as_of=as_of, dpd=dpd, bucket=bucket,
        overdue=overdue_principal + overdue_interest, outstanding=outstanding,
        classification=classification)
    await _react(session, position=position, policy=policy, cause=cause)


async def repay_loan(session: AsyncSession, *, loan_id: str, customer_id: str,
                     payment_id: str, amount: Decimal, paid_date: date, overdue: Decimal,
                     outstanding: Decimal, policy: Policy, cause: Envelope) -> None:
    """The promise on the loan hears of the payment before the case sees the new arrears."""
    await promises.record_repayment(
        session, loan_id=loan_id, customer_id=customer_id, payment_id=payment_id,
        amount=amount, paid_date=paid_date, policy=policy, cause=cause)
    position = await update_position(
        session, loan_id=loan_id, customer_id=customer_id, as_of=paid_date, dpd=None,
        bucket=None, overdue=overdue, outstanding=outstanding)
    await _react(session, position=position, policy=policy, cause=cause)


async def reverse_loan_repayment(session: AsyncSession, *, loan_id: str, customer_id: str,
                                 payment_id: str, reversed_date: date, overdue: Decimal,
                                 outstanding: Decimal, policy: Policy, cause: Envelope) -> None:
    await promises.reverse_repayment(session, payment_id=payment_id)
    position = await update_position(
        session, loan_id=loan_id, customer_id=customer_id, as_of=reversed_date, dpd=None,
        bucket=None, overdue=overdue, outstanding=outstanding)
    await _react(session, position=position, policy=policy, cause=cause)


async def close_loan(session: AsyncSession, *, loan_id: str, customer_id: str,
                     closed_date: date, reason: str, outstanding: Decimal,
                     classification: str, policy: Policy, cause: Envelope) -> None:
    """The bank closed the loan: it leaves its case as cured (repaid) or for the bank's
    reason, even when the closure arrives behind a newer snapshot."""
    position = await update_position(
        session, loan_id=loan_id, customer_id=customer_id, as_of=closed_date, dpd=0,
        bucket="current", overdue=Decimal(0), outstanding=outstanding,
        classification=classification)
    if position is not None:
        position.status, position.close_reason = "closed", reason
    await cases.resolve_loan(session, loan_id=loan_id, customer_id=customer_id,
                             resolution=rules.resolution_after_close(reason), on=closed_date,
                             policy=policy, cause=cause)


async def _react(session: AsyncSession, *, position: LoanPosition | None, policy: Policy,
                 cause: Envelope) -> None:
    if position is not None:
        await cases.on_position(session, position=position, policy=policy, cause=cause)


async def update_position(session: AsyncSession, *, loan_id: str, customer_id: str,
                          as_of: date, dpd: int | None, bucket: str | None,
                          overdue: Decimal, outstanding: Decimal | None = None,
                          classification: str | None = None) -> LoanPosition | None:
    """None when the snapshot is older than the one we hold (a reordered event)."""
    position = await session.get(LoanPosition, loan_id)
    if position is None:
        position = LoanPosition(loan_id=loan_id, customer_id=customer_id, dpd=0,
                                bucket="current", overdue_amount=Decimal(0),
                                outstanding_principal=Decimal(0), as_of_date=as_of,
                                status="active")
        session.add(position)
    elif not rules.is_newer(as_of, position.as_of_date):
        return None
    position.as_of_date, position.overdue_amount = as_of, overdue
    if dpd is not None:
        position.dpd, position.bucket = dpd, bucket or position.bucket
    elif overdue <= 0:
        position.dpd, position.bucket = 0, "current"
    if outstanding is not None:
        position.outstanding_principal = outstanding
    if classification is not None:
        position.classification = classification
    await session.flush()
    return position

