"""What happens around a use case when a bank event arrives: an event naming a loan or
customer not known yet is parked until it arrives, the deferred re-ageing (see
`service.deferred_ageing`) keeps every loan aged with the inputs it would have seen one
event at a time, and a ledger error rejects the event. The consumers' adapters call these;
they hold no business rule."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Envelope
from shared.kafka.processing import RejectEvent
from services.monitoring import repository as repo
from services.monitoring.domain.classification import AgeingPolicy
from services.monitoring.domain.ledger import LedgerError
from services.monitoring.metrics import EVENTS_PARKED
from services.monitoring.models import Customer, Loan
from services.monitoring.service import deferred_ageing, parking, prefetch

LoanUseCase = Callable[..., Awaitable[None]]
"""`async def use_case(session, *, loan, event, cause, **extra)`."""
CustomerUseCase = Callable[..., Awaitable[object]]
"""`async def use_case(session, *, customer, event, cause)`: truthy when the debtor's loans
need re-ageing."""


async def in_order(session: AsyncSession) -> None:
    """Before an event that may change any loan's inputs: run all pending re-ageing."""
    await deferred_ageing.settle(session)


async def for_loan(session: AsyncSession, envelope: Envelope, event: Any,
                   use_case: LoanUseCase, *, deferrable: bool = False, **extra: Any) -> None:
    """Apply `use_case` to the event's loan, or park the event until the loan arrives. A
    deferrable use case only runs first what is pending for the same debtor."""
    if not deferrable:
        await deferred_ageing.settle(session)
    loan = await session.get(Loan, event.loan_id)
    if loan is None:
        await _park(session, envelope, entity_kind="loan", entity_id=event.loan_id)
        return
    if deferrable:
        await deferred_ageing.make_room(session, loan)
    try:
        await use_case(session, loan=loan, event=event, cause=envelope, **extra)
    except LedgerError as exc:
        raise RejectEvent(exc.code, str(exc)) from exc


async def for_customer(session: AsyncSession, envelope: Envelope, event: Any,
                       use_case: CustomerUseCase, *, policy: AgeingPolicy) -> None:
    """Apply `use_case` to the event's debtor, or park the event until the debtor arrives;
    a change that matters re-ages the debtor's active loans (with the batch if deferring)."""
    customer = await session.get(Customer, event.customer_id)
    if customer is None:
        await _park(session, envelope, entity_kind="customer", entity_id=event.customer_id)
        return
    await deferred_ageing.make_room_for_debtor(session, customer.customer_id)
    if await use_case(session, customer=customer, event=event, cause=envelope):
        await deferred_ageing.reage_debtor(
            session, customer_id=customer.customer_id,
            loans=await repo.loans_of_customer(session, customer.customer_id, active_only=True),
            cause=envelope, fallback_date=envelope.time.date(), policy=policy)


async def before_new_debtor(session: AsyncSession, customer_id: str) -> None:
    """Before a debtor is written: their pending loans age with the debtor as it was."""
    await deferred_ageing.make_room_for_debtor(session, customer_id)


async def before_new_loan(session: AsyncSession, customer_id: str) -> None:
    """Before a debtor's new loan is written: their pending loans age first (a new loan
    changes nothing another debtor's pending loans are aged from), and what the batch read
    ahead is dropped."""
    await deferred_ageing.make_room_for_debtor(session, customer_id)
    prefetch.forget(session)


async def _park(session: AsyncSession, envelope: Envelope, *, entity_kind: str,
                entity_id: str) -> None:
    EVENTS_PARKED.labels(envelope.type).inc()
    await parking.park(session, entity_kind=entity_kind, entity_id=entity_id, envelope=envelope)
