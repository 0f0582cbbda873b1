"""Re-ageing after a repayment, deferred to the end of the consumer transaction so that a
batch ages its loans in one set-based run instead of one run per event.

A deferred loan is aged with exactly the inputs an immediate re-ageing would have seen:
anything else that could change those inputs runs the pending work first. That is every
event that is not itself deferrable (a business-day close, a market risk change...) and
any deferrable event for a loan already pending or for another loan of the same debtor
(contagion ties a corporate debtor's loans together). A change to one debtor (credit
report, financials, legal event...) and a new loan are deferrable too: they first run what
is pending for that debtor only, then defer the ageing of the debtor's loans. Each loan's
ageing events carry its own cause and are published, followed by the event's own, in
arrival order, so the outbox holds the same events in the same order per loan.

Outside `deferred_ageing(...)` (tests driving handlers directly, the Fineract path)
nothing is deferred."""
from __future__ import annotations

from collections import defaultdict
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import AsyncIterator, Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Envelope
from services.monitoring import repository as repo
from services.monitoring.service import prefetch
from services.monitoring.ageing import MAX_LOAN_IDS, AgeingOutcome, age_loans
from services.monitoring.service.ageing_events import publish_ageing
from services.monitoring.domain.classification import AgeingPolicy
from services.monitoring.models import Loan

Then = Callable[[AsyncSession, Loan], Awaitable[None]]
"""What the event publishes once its loan is aged; receives the freshly aged loan."""

_KEY = "monitoring.deferred_ageing"


@dataclass(frozen=True)
class _Pending:
    loan_id: str
    customer_id: str
    cause: Envelope
    fallback_date: date
    then: Then


@dataclass
class _Deferred:
    policy: AgeingPolicy
    pending: dict[str, _Pending] = field(default_factory=dict)
    customers: set[str] = field(default_factory=set)


@asynccontextmanager
async def deferred_ageing(session: AsyncSession, policy: AgeingPolicy) -> AsyncIterator[None]:
    """Within it, `reage_then` defers; leaving it without error runs what is pending."""
    session.info[_KEY] = _Deferred(policy)
    try:
        yield
        await run_pending(session)
    finally:
        session.info.pop(_KEY, None)
        prefetch.clear(session)


async def reage_then(session: AsyncSession, *, loan: Loan, cause: Envelope,
                     fallback_date: date, policy: AgeingPolicy, then: Then) -> None:
    """Re-age the loan as of the latest closed business date (else `fallback_date`), then
    publish through `then`: now, or at the end of the transaction when deferring."""
    item = _Pending(loan.loan_id, loan.customer_id, cause, fallback_date, then)
    deferred: _Deferred | None = session.info.get(_KEY)
    if deferred is None:
        await _age_and_publish(session, [item], policy)
        return
    if loan.customer_id in deferred.customers:
        raise RuntimeError("make_room(session, loan) must run before the loan is changed")
    deferred.pending[loan.loan_id] = item
    deferred.customers.add(loan.customer_id)


async def reage_debtor(session: AsyncSession, *, customer_id: str, loans: list[Loan],
                       cause: Envelope, fallback_date: date, policy: AgeingPolicy) -> None:
    """After a change to the debtor: re-age all their active loans, now or with the batch.
    The caller ran `make_room_for_debtor` before changing the debtor."""
    items = [_Pending(loan.loan_id, customer_id, cause, fallback_date, _nothing_more)
             for loan in loans]
    deferred: _Deferred | None = session.info.get(_KEY)
    if deferred is None:
        await _age_and_publish(session, items, policy)
        return
    for item in items:
        deferred.pending[item.loan_id] = item
    if items:
        deferred.customers.add(customer_id)


async def make_room_for_debtor(session: AsyncSession, customer_id: str) -> None:
    """Call before changing a debtor: their pending loans age with the debtor as it was,
    as they would have one event at a time. Other debtors' loans are not affected."""
    deferred: _Deferred | None = session.info.get(_KEY)
    if deferred is not None and customer_id in deferred.customers:
        await run_pending(session)


async def _nothing_more(session: AsyncSession, loan: Loan) -> None:
    return None


async def make_room(session: AsyncSession, loan: Loan) -> None:
    """Call before changing a loan whose re-ageing may be deferred: runs the pending work
    first if it concerns the same debtor (the same loan included)."""
    deferred: _Deferred | None = session.info.get(_KEY)
    if deferred is not None and loan.customer_id in deferred.customers:
        await run_pending(session)
        await session.refresh(loan)  # the run expired it


async def settle(session: AsyncSession) -> None:
    """Before any event that is not a deferrable repayment: run the pending work and drop
    what the batch read ahead, since such an event may change any loan's schedule."""
    await run_pending(session)
    prefetch.forget(session)


async def run_pending(session: AsyncSession) -> None:
    """Age every pending loan (one run per as-of date) and publish, in arrival order."""
    deferred: _Deferred | None = session.info.get(_KEY)
    if deferred is None or not deferred.pending:
        return
    pending = list(deferred.pending.values())
    deferred.pending, deferred.customers = {}, set()
    await _age_and_publish(session, pending, deferred.policy)


async def _age_and_publish(session: AsyncSession, pending: list[_Pending],
                           policy: AgeingPolicy) -> None:
    latest = await repo.latest_business_date(session)
    by_date: dict[date, list[_Pending]] = defaultdict(list)
    for item in pending:
        by_date[latest or item.fallback_date].append(item)
    for as_of, items in by_date.items():
        for start in range(0, len(items), MAX_LOAN_IDS):
            await _age_group(session, items[start:start + MAX_LOAN_IDS], as_of, policy)


async def _age_group(session: AsyncSession, items: list[_Pending], as_of: date,
                     policy: AgeingPolicy) -> None:
    ids = [item.loan_id for item in items]
    outcome = await age_loans(session, as_of=as_of, policy=policy, loan_ids=ids)
    await prefetch.reload(session, ids)  # the run expired their installments
    # The run expired the loans; one query brings them all back for the `then` steps.
    loans = {loan.loan_id: loan for loan in (await session.scalars(
        select(Loan).where(Loan.loan_id.in_(ids))
        .execution_options(populate_existing=True))).all()}
    missed, changes = defaultdict(list), defaultdict(list)
    for row in outcome.missed_installments:
        missed[row.loan_id].append(row)
    for change in outcome.changes:
        changes[change.loan_id].append(change)
    for item in items:
        await publish_ageing(session, outcome=AgeingOutcome(
            as_of=as_of, loans_aged=1, changes=changes[item.loan_id],
            missed_installments=missed[item.loan_id]), as_of=as_of, cause=item.cause)
        await item.then(session, loans[item.loan_id])
