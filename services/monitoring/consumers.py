"""HANDLERS: one handler per inbound event type, each calling one use case. Events naming
a loan or customer that is not known yet are parked until it arrives. Within a consumer
transaction a repayment's or a debtor change's re-ageing waits for the end of the
transaction (see `deferred_ageing`), and so does a new loan's first ageing; a debtor's
registration, new loan or change first runs what waits for that debtor, every other
handler first runs everything waiting."""
from __future__ import annotations

from typing import Awaitable, Callable

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import bank, topics
from shared.events.envelope import Envelope
from shared.events.bank.business_day import business_date_of
from shared.kafka.close_barrier import CloseBarrierSpec
from shared.kafka.consumer import ConsumerSpec, Handler
from shared.kafka.processing import RejectEvent
from services.monitoring.config import Settings
from services.monitoring.domain.classification import AgeingPolicy
from services.monitoring.domain.ledger import LedgerError
from services.monitoring.metrics import EVENTS_PARKED
from services.monitoring.models import Customer, Loan
from services.monitoring import repository as repo
from services.monitoring.service import (
    business_day, customers, deferred_ageing, inspections, ledger, parking, prefetch,
)


def build_handlers(settings: Settings) -> dict[str, Handler]:
    policy = AgeingPolicy.from_settings(settings)
    handlers: dict[str, Handler] = {}

    async def dispatch(session: AsyncSession, envelope: Envelope, payload: BaseModel) -> None:
        await handlers[envelope.type](session, envelope, payload)

    def for_loan(use_case: Callable[..., Awaitable[None]], deferrable: bool = False,  # type: ignore[no-untyped-def]
                 **extra) -> Handler:
        async def handle(session: AsyncSession, envelope: Envelope, event) -> None:  # type: ignore[no-untyped-def]
            if not deferrable:
                await deferred_ageing.settle(session)
            loan = await session.get(Loan, event.loan_id)
            if loan is None:
                EVENTS_PARKED.labels(envelope.type).inc()
                await parking.park(session, entity_kind="loan", entity_id=event.loan_id,
                                   envelope=envelope)
                return
            if deferrable:
                await deferred_ageing.make_room(session, loan)
            try:
                await use_case(session, loan=loan, event=event, cause=envelope, **extra)
            except LedgerError as exc:
                raise RejectEvent(exc.code, str(exc)) from exc
        return handle

    def for_customer(use_case: Callable[..., Awaitable[object]]) -> Handler:
        async def handle(session: AsyncSession, envelope: Envelope, event) -> None:  # type: ignore[no-untyped-def]
            customer = await session.get(Customer, event.customer_id)
            if customer is None:
                EVENTS_PARKED.labels(envelope.type).inc()
                await parking.park(session, entity_kind="customer", entity_id=event.customer_id,
                                   envelope=envelope)
                return
            await deferred_ageing.make_room_for_debtor(session, customer.customer_id)
            if await use_case(session, customer=customer, event=event, cause=envelope):
                await deferred_ageing.reage_debtor(
                    session, customer_id=customer.customer_id,
                    loans=await repo.loans_of_customer(session, customer.customer_id,
                                                       active_only=True),
                    cause=envelope, fallback_date=envelope.time.date(), policy=policy)
        return handle

    def in_order(handler: Handler) -> Handler:
        async def handle(session: AsyncSession, envelope: Envelope, event: BaseModel) -> None:
            await deferred_ageing.settle(session)
            await handler(session, envelope, event)
        return handle

    async def loan_disbursed(session: AsyncSession, envelope: Envelope, event: bank.LoanDisbursed) -> None:
        # A new loan changes nothing another debtor's pending loans are aged from.
        await deferred_ageing.make_room_for_debtor(session, event.customer_id)
        prefetch.forget(session)

        async def inspect(session: AsyncSession, loan: Loan) -> None:
            await inspections.schedule_on_disbursal(session, loan=loan, settings=settings,
                                                    cause=envelope)
        loan = await ledger.register_loan(session, event=event, cause=envelope, policy=policy,
                                          then=inspect)
        if loan is None:
            return
        await parking.release(session, entity_kind="loan", entity_id=loan.loan_id, dispatch=dispatch)

    async def customer_registered(session: AsyncSession, envelope: Envelope,
                                  event: bank.CustomerRegistered) -> None:
        await deferred_ageing.make_room_for_debtor(session, event.customer_id)
        if await customers.register_customer(session, event=event, cause=envelope) is None:
            return
        await parking.release(session, entity_kind="customer", entity_id=event.customer_id,
                              dispatch=dispatch)

    async def market_risk(session: AsyncSession, envelope: Envelope, event) -> None:  # type: ignore[no-untyped-def]
        scope = "industry" if isinstance(event, bank.IndustryRiskChanged) else "region"
        code = event.industry_code if scope == "industry" else event.region_code
        await customers.change_market_risk(session, scope=scope, code=code,
                                           level=event.level.value, effective=event.effective_date,
                                           cause=envelope)

    async def business_day_closed(session: AsyncSession, envelope: Envelope,
                           event: bank.BusinessDayClosed) -> None:
        await business_day.close_business_day(session, business_date=event.business_date,
                                          settings=settings, cause=envelope)

    async def warning_raised(session: AsyncSession, envelope: Envelope, event) -> None:  # type: ignore[no-untyped-def]
        await inspections.schedule_for_warning(
            session, loan_id=event.loan_id, customer_id=event.customer_id, level=event.level,
            warning_id=event.warning_id, as_of=event.as_of_date, settings=settings, cause=envelope)

    restructure = for_loan(ledger.restructure, policy=policy)

    async def arrangement_approved(session: AsyncSession, envelope: Envelope, event) -> None:  # type: ignore[no-untyped-def]
        # A fee waiver leaves the schedule as it is: not a restructuring for classification.
        if event.kind != "fee_waiver":
            await restructure(session, envelope, event)

    handlers.update({
        "bank.loan.disbursed.v1": loan_disbursed,
        "bank.repayment.received.v1": for_loan(ledger.record_repayment, deferrable=True,
                                               policy=policy),
        "bank.repayment.reversed.v1": for_loan(ledger.reverse_repayment, deferrable=True,
                                               policy=policy),
        "bank.loan.restructured.v1": restructure,
        "crm.restructuring.approved.v1": arrangement_approved,
        "bank.collateral.revalued.v1": for_loan(ledger.revalue_collateral),
        "bank.loan.closed.v1": for_loan(ledger.close_loan),
        "bank.customer.registered.v1": customer_registered,
        "bank.customer.contact-changed.v1": for_customer(customers.change_contact),
        "bank.customer.employment-changed.v1": for_customer(customers.change_employment),
        "bank.customer.credit-report-updated.v1": for_customer(customers.update_credit_report),
        "bank.customer.financials-reported.v1": for_customer(customers.report_financials),
        "bank.customer.legal-event.v1": for_customer(customers.record_legal_event),
        "bank.industry.risk-changed.v1": in_order(market_risk),
        "bank.region.risk-changed.v1": in_order(market_risk),
        "bank.business-day.closed.v1": in_order(business_day_closed),
        "warning.warning.raised.v1": in_order(warning_raised),
        "warning.warning.escalated.v1": in_order(warning_raised),
    })
    return handlers


def consumer_spec(settings: Settings) -> ConsumerSpec:
    return ConsumerSpec(
        name=settings.consumer_group,
        topics=(topics.BANK_LOANS, topics.BANK_CUSTOMERS, topics.BANK_MARKET,
                topics.BANK_CALENDAR, topics.WARNING, topics.CRM),
        handlers=build_handlers(settings),
        scope=lambda session: deferred_ageing.deferred_ageing(
            session, AgeingPolicy.from_settings(settings)),
        prepare=prefetch.prefetch,
        barrier=CLOSE_BARRIER,
    )


# A close is aged only after every bank event published before it, never after one
# published later (the README's delivery section); crm and warning events are not gated.
CLOSE_BARRIER = CloseBarrierSpec(
    calendar_topic=topics.BANK_CALENDAR,
    gated_topics=frozenset({topics.BANK_LOANS, topics.BANK_CUSTOMERS, topics.BANK_MARKET}),
    close_type="bank.business-day.closed.v1", business_date_of=business_date_of)
