"""Read-ahead for a consumer batch: the loans, payments and open installments its
repayments will need, loaded in a few set-based queries instead of three per event.

What is loaded stays right for the rest of the transaction because every change goes
through the same session: a repayment updates the cached installments in place, a
reversal (which may reopen a settled installment) or an ageing run (which expires them)
drops its loan's entry (an ageing run reloads it), and `forget()` drops everything before
any other kind of event.
Without a batch nothing is cached and every lookup queries."""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import bank
from shared.events.envelope import Envelope
from services.monitoring import repository as repo
from services.monitoring.models import Installment, Loan, Payment

_ABSENT_PAYMENTS = "monitoring.prefetch.absent_payments"
_OPEN_INSTALLMENTS = "monitoring.prefetch.open_installments"
_LOANS = "monitoring.prefetch.loans"
# Bound parameters per IN list; drivers cap a statement at 32767.
_CHUNK = 1000


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[start:start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


async def prefetch(session: AsyncSession, events: list[tuple[Envelope, BaseModel]]) -> None:
    """Load what the batch's repayments will read; loans land in the identity map, so the
    handlers' `session.get` finds them without a query."""
    repayments = [p for _, p in events if isinstance(p, bank.RepaymentReceived)]
    if not repayments:
        return
    loan_ids = sorted({p.loan_id for p in repayments})
    payment_ids = sorted({p.payment_id for p in repayments})
    loans: list[Loan] = []
    for chunk in _chunks(loan_ids):
        loans.extend((await session.scalars(select(Loan).where(Loan.loan_id.in_(chunk)))).all())
    # The identity map holds unchanged objects weakly: keep them for the transaction.
    session.info[_LOANS] = loans
    known_loans = {loan.loan_id for loan in loans}
    recorded: set[str] = set()
    for chunk in _chunks(payment_ids):
        recorded.update(p.payment_id for p in (await session.scalars(
            select(Payment).where(Payment.payment_id.in_(chunk)))).all())
    open_items: dict[str, list[Installment]] = defaultdict(list)
    for chunk in _chunks(sorted(known_loans)):
        for item in await repo.open_installments_of(session, chunk):
            open_items[item.loan_id].append(item)
    session.info[_ABSENT_PAYMENTS] = set(payment_ids) - recorded
    session.info[_OPEN_INSTALLMENTS] = {loan_id: open_items[loan_id] for loan_id in known_loans}


async def payment(session: AsyncSession, payment_id: str) -> Payment | None:
    absent: set[str] | None = session.info.get(_ABSENT_PAYMENTS)
    if absent is not None and payment_id in absent:
        # Known absent once; the handler is about to add it, so the next look finds it.
        absent.discard(payment_id)
        return None
    return await session.get(Payment, payment_id)


async def open_installments(session: AsyncSession, loan_id: str) -> list[Installment]:
    """As `repository.open_installments`: unpaid, not superseded, oldest due first."""
    cached: dict[str, list[Installment]] | None = session.info.get(_OPEN_INSTALLMENTS)
    if cached is None or loan_id not in cached:
        return await repo.open_installments(session, loan_id)
    return sorted((i for i in cached[loan_id] if not i.superseded and _unpaid(i) > 0),
                  key=lambda i: (i.due_date, i.id))


def _unpaid(item: Installment):  # type: ignore[no-untyped-def]
    return item.principal_due + item.interest_due - item.principal_paid - item.interest_paid


async def reload(session: AsyncSession, loan_ids: Sequence[str]) -> None:
    """After an ageing run expired these loans' installments: read the cached ones again,
    in one query rather than one per later repayment."""
    cached: dict[str, list[Installment]] | None = session.info.get(_OPEN_INSTALLMENTS)
    if cached is None:
        return
    ids = [loan_id for loan_id in loan_ids if loan_id in cached]
    for loan_id in ids:
        cached[loan_id] = []
    for chunk in _chunks(ids):
        for item in await repo.open_installments_of(session, chunk):
            cached[item.loan_id].append(item)


def forget(session: AsyncSession, loan_ids: Sequence[str] | None = None) -> None:
    """Drop the cached installments of these loans (all loans when None)."""
    cached: dict[str, list[Installment]] | None = session.info.get(_OPEN_INSTALLMENTS)
    if cached is None:
        return
    if loan_ids is None:
        cached.clear()
        return
    for loan_id in loan_ids:
        cached.pop(loan_id, None)


def clear(session: AsyncSession) -> None:
    """End of the transaction: nothing read ahead outlives it."""
    for key in (_ABSENT_PAYMENTS, _OPEN_INSTALLMENTS, _LOANS):
        session.info.pop(key, None)
