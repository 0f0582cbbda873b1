"""Ledger use cases: disbursal, repayment, reversal, restructuring, revaluation, closure.
Each loads, applies a pure rule, persists, re-ages the loan and publishes via the outbox."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import bank, monitoring as out
from shared.events.envelope import Envelope
from services.monitoring import repository as repo
from services.monitoring.service import prefetch
from services.monitoring.ageing import age_loans
from services.monitoring.domain.classification import AgeingPolicy, observation_end
from services.monitoring.domain.ledger import (
    ZERO, LedgerError, OpenInstallment, allocate, check_reversible, loan_to_value,
)
from services.monitoring.models import Collateral, Installment, Loan, Payment, PaymentAllocation
from services.monitoring.publish import publish
from services.monitoring.service.ageing_events import publish_ageing
from services.monitoring.service.deferred_ageing import Then, reage_then


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def register_loan(session: AsyncSession, *, event: bank.LoanDisbursed, cause: Envelope,
                        policy: AgeingPolicy, then: Then) -> Loan | None:
    """Book the loan and its schedule, then age it (with the batch when deferring) and
    run `then` on the aged loan."""
    if await session.get(Loan, event.loan_id) is not None:
        return None  # the bank re-sent the disbursal under a new event id
    loan = Loan(
        loan_id=event.loan_id, customer_id=event.customer_id, product=event.product,
        currency=event.currency, principal=event.principal, annual_rate=event.annual_rate,
        disbursed_date=event.disbursed_date, maturity_date=event.maturity_date,
        payment_mode=event.payment_mode.value, purpose=event.purpose,
        industry_code=event.industry_code, region_code=event.region_code,
        outstanding_principal=sum((i.principal_due for i in event.schedule), ZERO),
        updated_at=_now(),
    )
    session.add(loan)
    await session.flush()  # the schedule rows reference the loan row
    session.add_all(_installments(loan.loan_id, 1, event.schedule))
    session.add_all(Collateral(loan_id=loan.loan_id, collateral_id=c.collateral_id, kind=c.kind,
                               value=c.value, valued_date=c.valued_date)
                    for c in event.collateral)
    await session.flush()
    await publish(session, type="monitoring.loan.registered.v1", subject=loan.loan_id, cause=cause,
                  data=out.LoanRegistered(
                      loan_id=loan.loan_id, customer_id=loan.customer_id, product=loan.product,
                      currency=loan.currency, principal=loan.principal,
                      annual_rate=str(event.annual_rate), disbursed_date=loan.disbursed_date, maturity_date=loan.maturity_date,
                      payment_mode=loan.payment_mode, industry_code=loan.industry_code,
                      region_code=loan.region_code, installments=len(event.schedule),
                      first_due_date=min(i.due_date for i in event.schedule)))
    await reage_then(session, loan=loan, cause=cause, fallback_date=loan.disbursed_date,
                     policy=policy, then=then)
    return loan


def _installments(loan_id: str, version: int, schedule) -> list[Installment]:  # type: ignore[no-untyped-def]
    return [Installment(loan_id=loan_id, schedule_version=version, installment_no=item.installment_no,
                        due_date=item.due_date, principal_due=item.principal_due,
                        interest_due=item.interest_due, principal_paid=ZERO, interest_paid=ZERO,
                        superseded=False, missed_reported=False)
            for item in schedule]


async def record_repayment(session: AsyncSession, *, loan: Loan, event: bank.RepaymentReceived,
                           cause: Envelope, policy: AgeingPolicy) -> None:
    if await prefetch.payment(session, event.payment_id) is not None:
        return  # the same payment re-sent: one payment, one allocation
    open_items = await prefetch.open_installments(session, loan.loan_id)
    allocations, leftover = allocate(event.amount, [
        OpenInstallment(i.id, i.due_date, i.interest_due - i.interest_paid,
                        i.principal_due - i.principal_paid) for i in open_items])
    by_id = {i.id: i for i in open_items}
    session.add(Payment(payment_id=event.payment_id, loan_id=loan.loan_id, amount=event.amount,
                        paid_date=event.paid_date, channel=event.channel, status="posted",
                        unallocated=leftover, recorded_at=_now()))
    # No flush here: the rows go with the next flush, in a batch with the other repayments
    # of the transaction (the unit of work inserts a payment before its allocations).
    for part in allocations:
        item = by_id[part.installment_id]
        item.interest_paid += part.interest
        item.principal_paid += part.principal
        session.add(PaymentAllocation(payment_id=event.payment_id, installment_id=item.id,
                                      interest_amount=part.interest, principal_amount=part.principal))
    loan.advance_balance += leftover
    interest = sum((a.interest for a in allocations), ZERO)
    principal = sum((a.principal for a in allocations), ZERO)

    async def recorded(session: AsyncSession, loan: Loan) -> None:
        await publish(session, type="monitoring.repayment.recorded.v1", subject=loan.loan_id,
                      cause=cause, data=out.RepaymentRecorded(
                          loan_id=loan.loan_id, customer_id=loan.customer_id,
                          payment_id=event.payment_id, amount=event.amount,
                          paid_date=event.paid_date, channel=event.channel,
                          allocated_interest=interest, allocated_principal=principal,
                          unallocated=leftover,
                          outstanding_principal=loan.outstanding_principal,
                          overdue_amount=loan.overdue_principal + loan.overdue_interest))
    await reage_then(session, loan=loan, cause=cause, fallback_date=event.paid_date,
                     policy=policy, then=recorded)


async def reverse_repayment(session: AsyncSession, *, loan: Loan, event: bank.RepaymentReversed,
                            cause: Envelope, policy: AgeingPolicy) -> None:
    payment = await session.get(Payment, event.payment_id)
    if payment is not None and payment.loan_id != loan.loan_id:
        payment = None
    if payment is not None and payment.status == "reversed":
        return  # the same reversal re-sent
    check_reversible(payment.status if payment else None, event.payment_id)
    prefetch.forget(session, [loan.loan_id])  # a settled installment may reopen
    for part, item in await repo.allocations_with_installments(session, event.payment_id):
        item.interest_paid -= part.interest_amount
        item.principal_paid -= part.principal_amount
        await session.delete(part)
    loan.advance_balance = max(ZERO, loan.advance_balance - payment.unallocated)
    payment.status, payment.reversed_date = "reversed", event.reversed_date
    payment.reversal_reason = event.reason
    await session.flush()
    amount = payment.amount

    async def reversed_(session: AsyncSession, loan: Loan) -> None:
        await publish(session, type="monitoring.repayment.reversed.v1", subject=loan.loan_id,
                      cause=cause, data=out.RepaymentReversedOut(
                          loan_id=loan.loan_id, customer_id=loan.customer_id,
                          payment_id=event.payment_id, amount=amount,
                          reversed_date=event.reversed_date, reason=event.reason,
                          outstanding_principal=loan.outstanding_principal,
                          overdue_amount=loan.overdue_principal + loan.overdue_interest))
    await reage_then(session, loan=loan, cause=cause, fallback_date=event.reversed_date,
                     policy=policy, then=reversed_)


async def restructure(session: AsyncSession, *, loan: Loan, event: bank.LoanRestructured,
                      cause: Envelope, policy: AgeingPolicy) -> None:
    in_observation = (loan.observation_end_date is not None
                      and event.effective_date <= loan.observation_end_date)
    await repo.supersede_unpaid(session, loan.loan_id)
    loan.schedule_version += 1
    session.add_all(_installments(loan.loan_id, loan.schedule_version, event.schedule))
    dues = sorted(item.due_date for item in event.schedule)
    loan.restructure_count += 1
    loan.restructured_date = event.effective_date
    loan.observation_start_date = dues[0]
    loan.observation_end_date = observation_end(dues[0], dues, policy)
    # A new restructuring inside the observation period is a breach (domain.md).
    loan.observation_breached = in_observation
    await session.flush()
    await reage(session, loan_ids=[loan.loan_id], policy=policy, cause=cause,
                fallback_date=event.effective_date)
    await publish(session, type="monitoring.loan.restructured.v1", subject=loan.loan_id,
                  cause=cause, data=out.LoanRestructuredOut(
                      loan_id=loan.loan_id, customer_id=loan.customer_id,
                      effective_date=event.effective_date, reason=event.reason,
                      installments=len(event.schedule),
                      observation_start_date=loan.observation_start_date,
                      observation_end_date=loan.observation_end_date,
                      outstanding_principal=loan.outstanding_principal))


async def revalue_collateral(session: AsyncSession, *, loan: Loan,
                             event: bank.CollateralRevalued, cause: Envelope) -> None:
    item = await session.get(Collateral, (loan.loan_id, event.collateral_id))
    previous = item.value if item else ZERO
    if item is None:
        item = Collateral(loan_id=loan.loan_id, collateral_id=event.collateral_id,
                          kind="unspecified", value=event.value, valued_date=event.valued_date)
        session.add(item)
    item.value, item.valued_date = event.value, event.valued_date
    await session.flush()
    total = await session.scalar(select(func.coalesce(func.sum(Collateral.value), 0))
                                 .where(Collateral.loan_id == loan.loan_id))
    total = Decimal(str(total))
    ltv = loan_to_value(loan.outstanding_principal, total)
    await publish(session, type="monitoring.collateral.revalued.v1", subject=loan.loan_id,
                  cause=cause, data=out.CollateralRevalued(
                      loan_id=loan.loan_id, customer_id=loan.customer_id,
                      collateral_id=event.collateral_id, value=event.value,
                      previous_value=previous, valued_date=event.valued_date,
                      total_collateral_value=total,
                      outstanding_principal=loan.outstanding_principal,
                      loan_to_value=str(ltv) if ltv is not None else None))


async def close_loan(session: AsyncSession, *, loan: Loan, event: bank.LoanClosed,
                     cause: Envelope) -> None:
    if loan.status == "closed":
        return
    loan.status, loan.closed_date, loan.close_reason = "closed", event.closed_date, event.reason.value
    loan.updated_at = _now()
    await session.flush()
    await publish(session, type="monitoring.loan.closed.v1", subject=loan.loan_id, cause=cause,
                  data=out.LoanClosedOut(loan_id=loan.loan_id, customer_id=loan.customer_id,
                                         closed_date=event.closed_date, reason=loan.close_reason,
                                         outstanding_principal=loan.outstanding_principal,
                                         classification=loan.classification))


async def reage(session: AsyncSession, *, loan_ids: list[str], policy: AgeingPolicy,
                cause: Envelope, fallback_date: date) -> None:
    """Re-age these loans as of the latest closed business date, so a payment that clears
    the arrears cures the loan now rather than at the next close."""
    as_of = await repo.latest_business_date(session) or fallback_date
    outcome = await age_loans(session, as_of=as_of, policy=policy, loan_ids=loan_ids)
    await publish_ageing(session, outcome=outcome, as_of=as_of, cause=cause)
    for loan_id in loan_ids:
        loan = await session.get(Loan, loan_id)
        if loan is not None:
            await session.refresh(loan)


__all__ = ["LedgerError", "close_loan", "reage", "record_repayment", "register_loan",
           "restructure", "reverse_repayment", "revalue_collateral"]
