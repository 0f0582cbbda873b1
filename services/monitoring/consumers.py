"""HANDLERS: one adapter per inbound event type, each mapping the payload onto one use case.
Adapters hold no rules and write no rows. What happens around a use case (parking an event
whose loan or customer is not known yet, keeping the deferred re-ageing exact) is in
`arrival`: a repayment's or a debtor change's re-ageing waits for the end of the consumer
transaction (see `service.deferred_ageing`), and so does a new loan's first ageing; a
debtor's registration, new loan or change first runs what waits for that debtor, every
other handler first runs everything waiting. The configured policy reaches the adapters
through an explicit `Context`, bound once per process by `build_handlers(settings)`."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Awaitable, Callable

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import bank, crm, topics, warning
from shared.events.envelope import Envelope
from shared.events.bank.business_day import business_date_of
from shared.kafka.close_barrier import CloseBarrierSpec
from shared.kafka.consumer import ConsumerSpec, Handler
from services.monitoring import arrival
from services.monitoring.config import Settings
from services.monitoring.domain.classification import AgeingPolicy
from services.monitoring.models import Loan
from services.monitoring.service import (
    business_day, customers, deferred_ageing, inspections, ledger, parking, prefetch,
)


@dataclass(frozen=True)
class Context:
    """What a handler needs besides its event: the settings and the ageing policy."""

    settings: Settings
    policy: AgeingPolicy


Adapter = Callable[..., Awaitable[None]]
"""`async def adapter(session, envelope, event, *, context)`: a `Handler` once bound."""


async def dispatch(session: AsyncSession, envelope: Envelope, event: BaseModel, *,
                   context: Context) -> None:
    """Apply a parked event as if it had just arrived."""
    await HANDLERS[envelope.type](session, envelope, event, context=context)


async def loan_disbursed(session: AsyncSession, envelope: Envelope, event: bank.LoanDisbursed,
                         *, context: Context) -> None:
    await arrival.before_new_loan(session, event.customer_id)
    loan = await ledger.register_loan(
        session, event=event, cause=envelope, policy=context.policy,
        then=partial(_schedule_inspection, settings=context.settings, cause=envelope))
    if loan is not None:
        await parking.release(session, entity_kind="loan", entity_id=loan.loan_id,
                              dispatch=partial(dispatch, context=context))


async def _schedule_inspection(session: AsyncSession, loan: Loan, *, settings: Settings,
                               cause: Envelope) -> None:
    await inspections.schedule_on_disbursal(session, loan=loan, settings=settings, cause=cause)


async def repayment_received(session: AsyncSession, envelope: Envelope,
                             event: bank.RepaymentReceived, *, context: Context) -> None:
    await arrival.for_loan(session, envelope, event, ledger.record_repayment, deferrable=True,
                           policy=context.policy)


async def repayment_reversed(session: AsyncSession, envelope: Envelope,
                             event: bank.RepaymentReversed, *, context: Context) -> None:
    await arrival.for_loan(session, envelope, event, ledger.reverse_repayment, deferrable=True,
                           policy=context.policy)


async def loan_restructured(session: AsyncSession, envelope: Envelope,
                            event: bank.LoanRestructured | crm.RestructuringApproved, *,
                            context: Context) -> None:
    await arrival.for_loan(session, envelope, event, ledger.restructure, policy=context.policy)


async def restructuring_approved(session: AsyncSession, envelope: Envelope,
                                 event: crm.RestructuringApproved, *, context: Context) -> None:
    # A fee waiver leaves the schedule as it is: not a restructuring for classification.
    if event.kind != "fee_waiver":
        await loan_restructured(session, envelope, event, context=context)


async def collateral_revalued(session: AsyncSession, envelope: Envelope,
                              event: bank.CollateralRevalued, *, context: Context) -> None:
    await arrival.for_loan(session, envelope, event, ledger.revalue_collateral)


async def loan_closed(session: AsyncSession, envelope: Envelope, event: bank.LoanClosed, *,
                      context: Context) -> None:
    await arrival.for_loan(session, envelope, event, ledger.close_loan)


async def customer_registered(session: AsyncSession, envelope: Envelope,
                              event: bank.CustomerRegistered, *, context: Context) -> None:
    await arrival.before_new_debtor(session, event.customer_id)
    if await customers.register_customer(session, event=event, cause=envelope) is not None:
        await parking.release(session, entity_kind="customer", entity_id=event.customer_id,
                              dispatch=partial(dispatch, context=context))


async def contact_changed(session: AsyncSession, envelope: Envelope,
                          event: bank.ContactChanged, *, context: Context) -> None:
    await arrival.for_customer(session, envelope, event, customers.change_contact,
                               policy=context.policy)


async def employment_changed(session: AsyncSession, envelope: Envelope,
                             event: bank.EmploymentChanged, *, context: Context) -> None:
    await arrival.for_customer(session, envelope, event, customers.change_employment,
                               policy=context.policy)


async def credit_report_updated(session: AsyncSession, envelope: Envelope,
                                event: bank.CreditReportUpdated, *, context: Context) -> None:
    await arrival.for_customer(session, envelope, event, customers.update_credit_report,
                               policy=context.policy)


async def financials_reported(session: AsyncSession, envelope: Envelope,
                              event: bank.FinancialsReported, *, context: Context) -> None:
    await arrival.for_customer(session, envelope, event, customers.report_financials,
                               policy=context.policy)


async def legal_event(session: AsyncSession, envelope: Envelope, event: bank.LegalEvent, *,
                      context: Context) -> None:
    await arrival.for_customer(session, envelope, event, customers.record_legal_event,
                               policy=context.policy)


async def market_risk_changed(session: AsyncSession, envelope: Envelope,
                              event: bank.IndustryRiskChanged | bank.RegionRiskChanged, *,
                              context: Context) -> None:
    await arrival.in_order(session)
    scope, code = (("industry", event.industry_code)
                   if isinstance(event, bank.IndustryRiskChanged) else ("region", event.region_code))
    await customers.change_market_risk(session, scope=scope, code=code, level=event.level.value,
                                       effective=event.effective_date, cause=envelope)


async def business_day_closed(session: AsyncSession, envelope: Envelope,
                              event: bank.BusinessDayClosed, *, context: Context) -> None:
    await arrival.in_order(session)
    await business_day.close_business_day(session, business_date=event.business_date,
                                          settings=context.settings, cause=envelope)


async def warning_raised(session: AsyncSession, envelope: Envelope,
                         event: warning.WarningRaised | warning.WarningEscalated, *,
                         context: Context) -> None:
    await arrival.in_order(session)
    await inspections.schedule_for_warning(
        session, loan_id=event.loan_id, customer_id=event.customer_id, level=event.level,
        warning_id=event.warning_id, as_of=event.as_of_date, settings=context.settings,
        cause=envelope)


HANDLERS: dict[str, Adapter] = {
    "bank.loan.disbursed.v1": loan_disbursed,
    "bank.repayment.received.v1": repayment_received,
    "bank.repayment.reversed.v1": repayment_reversed,
    "bank.loan.restructured.v1": loan_restructured,
    "crm.restructuring.approved.v1": restructuring_approved,
    "bank.collateral.revalued.v1": collateral_revalued,
    "bank.loan.closed.v1": loan_closed,
    "bank.customer.registered.v1": customer_registered,
    "bank.customer.contact-changed.v1": contact_changed,
    "bank.customer.employment-changed.v1": employment_changed,
    "bank.customer.credit-report-updated.v1": credit_report_updated,
    "bank.customer.financials-reported.v1": financials_reported,
    "bank.customer.legal-event.v1": legal_event,
    "bank.industry.risk-changed.v1": market_risk_changed,
    "bank.region.risk-changed.v1": market_risk_changed,
    "bank.business-day.closed.v1": business_day_closed,
    "warning.warning.raised.v1": warning_raised,
    "warning.warning.escalated.v1": warning_raised,
}


def build_handlers(settings: Settings) -> dict[str, Handler]:
    """HANDLERS bound to this process's settings, as the consumer calls them."""
    context = Context(settings=settings, policy=AgeingPolicy.from_settings(settings))
    return {type_: partial(adapter, context=context) for type_, adapter in HANDLERS.items()}


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
