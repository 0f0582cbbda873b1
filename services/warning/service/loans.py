"""Loan use cases: a loan's registration and close, and the monitoring facts about one
loan (missed installments, delinquency, classification) that it is judged on."""
from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Envelope
from services.warning.domain.rules import Signal
from services.warning.models import Loan
from services.warning.service import loan_defaults, market, recent_signals, warnings
from services.warning.windowing import MISSED, WindowStore


async def register(session: AsyncSession, *, event: Any, settings: Any) -> None:
    """A late registration is judged against the signals dated since its disbursal, each
    with its own cause, as if it had arrived first."""
    if await session.get(Loan, event.loan_id) is not None:
        return
    loan = Loan(loan_id=event.loan_id, customer_id=event.customer_id,
                product=event.product, industry_code=event.industry_code,
                region_code=event.region_code, active=True,
                registered_date=event.disbursed_date)
    session.add(loan)
    for scope, signal, cause in await recent_signals.since_disbursal(session, loan):
        if scope == "customer" or await market.concerns(
                session, loan=loan, scope=scope, signal=signal, settings=settings):
            await warnings.judge_on(session, loans=[loan], signal=signal, settings=settings,
                                    cause=cause)


async def close(session: AsyncSession, *, event: Any, cause: Envelope) -> None:
    loan = await session.get(Loan, event.loan_id)
    if loan is None:
        return
    loan.active, loan.closed_date = False, event.closed_date
    await warnings.clear_all(session, loan=loan, on=event.closed_date, cause=cause)


async def miss_installment(session: AsyncSession, *, event: Any, windows: WindowStore,
                           settings: Any, cause: Envelope) -> None:
    window = windows.get(MISSED, event.loan_id)
    await warnings.judge_loan(session, loan_id=event.loan_id, settings=settings, cause=cause,
                              signal=Signal("installment_missed", event.as_of_date, {
                                  "installment_no": event.installment_no,
                                  "due_date": event.due_date,
                                  "unpaid_amount": event.unpaid_amount,
                                  "missed_installments": sorted(int(n) for n in window)
                                  or [event.installment_no]}))


async def change_delinquency(session: AsyncSession, *, event: Any, settings: Any,
                             cause: Envelope) -> None:
    if event.dpd >= settings.default_dpd:
        await loan_defaults.record(session, event=event, trigger=f"dpd_{settings.default_dpd}")
    await warnings.judge_loan(session, loan_id=event.loan_id, settings=settings, cause=cause,
                              signal=Signal("delinquency", event.as_of_date, {
                                  "dpd": event.dpd, "bucket": event.bucket,
                                  "previous_dpd": event.previous_dpd}))


async def change_classification(session: AsyncSession, *, event: Any, settings: Any) -> None:
    if event.classification in settings.default_classifications:
        await loan_defaults.record(session, event=event, trigger=event.classification)
