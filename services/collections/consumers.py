"""HANDLERS: one adapter per inbound event type, each mapping the payload onto one use case.
Adapters hold no rules and write no rows; the configured policy reaches them through an
explicit `Context`, bound once per process by `build_handlers(settings)`."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import crm, monitoring, topics, warning
from shared.events.envelope import Envelope
from shared.kafka.consumer import ConsumerSpec, Handler
from services.collections.config import Settings
from services.collections.domain.policy import Policy
from services.collections.service import business_day, cases, debtors, loans, stops


@dataclass(frozen=True)
class Context:
    """What a handler needs besides its event: the business rules as configured."""

    policy: Policy


Adapter = Callable[..., Awaitable[None]]
"""`async def adapter(session, envelope, event, *, context)`: a `Handler` once bound."""


async def register_debtor(session: AsyncSession, envelope: Envelope,
                          event: monitoring.CustomerRegisteredOut, *, context: Context) -> None:
    await debtors.register_debtor(
        session, customer_id=event.customer_id, kind=event.kind, timezone=event.timezone,
        region_code=event.region_code, language=getattr(event, "language", None))


async def age_loan(session: AsyncSession, envelope: Envelope,
                   event: monitoring.DelinquencyChanged, *, context: Context) -> None:
    await loans.age_loan(
        session, loan_id=event.loan_id, customer_id=event.customer_id, as_of=event.as_of_date,
        dpd=event.dpd, bucket=event.bucket, overdue_principal=event.overdue_principal,
        overdue_interest=event.overdue_interest, outstanding=event.outstanding_principal,
        classification=event.classification, policy=context.policy, cause=envelope)


async def repay_loan(session: AsyncSession, envelope: Envelope,
                     event: monitoring.RepaymentRecorded, *, context: Context) -> None:
    await loans.repay_loan(
        session, loan_id=event.loan_id, customer_id=event.customer_id,
        payment_id=event.payment_id, amount=event.amount, paid_date=event.paid_date,
        overdue=event.overdue_amount, outstanding=event.outstanding_principal,
        policy=context.policy, cause=envelope)


async def reverse_loan_repayment(session: AsyncSession, envelope: Envelope,
                                 event: monitoring.RepaymentReversedOut, *,
                                 context: Context) -> None:
    await loans.reverse_loan_repayment(
        session, loan_id=event.loan_id, customer_id=event.customer_id,
        payment_id=event.payment_id, reversed_date=event.reversed_date,
        overdue=event.overdue_amount, outstanding=event.outstanding_principal,
        policy=context.policy, cause=envelope)


async def close_loan(session: AsyncSession, envelope: Envelope,
                     event: monitoring.LoanClosedOut, *, context: Context) -> None:
    await loans.close_loan(
        session, loan_id=event.loan_id, customer_id=event.customer_id,
        closed_date=event.closed_date, reason=event.reason,
        outstanding=event.outstanding_principal, classification=event.classification,
        policy=context.policy, cause=envelope)


async def business_day_aged(session: AsyncSession, envelope: Envelope,
                            event: monitoring.BusinessDayAged, *, context: Context) -> None:
    await business_day.business_day_aged(session, business_date=event.business_date,
                                         policy=context.policy, cause=envelope)


async def profile_changed(session: AsyncSession, envelope: Envelope,
                          event: monitoring.CustomerProfileChanged, *, context: Context) -> None:
    await stops.on_profile_changed(session, customer_id=event.customer_id,
                                   change_kind=event.change_kind, new=event.new,
                                   effective=event.effective_date)


async def warning_raised(session: AsyncSession, envelope: Envelope,
                         event: warning.WarningRaised, *, context: Context) -> None:
    await cases.on_warning(session, loan_id=event.loan_id, customer_id=event.customer_id,
                           level=event.level, as_of=event.as_of_date, policy=context.policy,
                           cause=envelope)


async def warning_ended(session: AsyncSession, envelope: Envelope,
                        event: warning.WarningCleared, *, context: Context) -> None:
    await cases.end_warning(session, loan_id=event.loan_id, customer_id=event.customer_id,
                            resolution=getattr(event, "resolution", None),
                            as_of=event.as_of_date, policy=context.policy, cause=envelope)


async def contact_stopped(session: AsyncSession, envelope: Envelope,
                          event: crm.ContactStopped, *, context: Context) -> None:
    await stops.stop_contact(session, customer_id=event.customer_id,
                             reference_id=event.reference_id, reason=event.reason,
                             effective=event.effective_date, until=event.until_date,
                             source="crm")


async def contact_resumed(session: AsyncSession, envelope: Envelope,
                          event: crm.ContactResumed, *, context: Context) -> None:
    await stops.resume_contact(session, customer_id=event.customer_id,
                               reference_id=event.reference_id, reason=event.reason,
                               effective=event.effective_date)


HANDLERS: dict[str, Adapter] = {
    "monitoring.customer.registered.v1": register_debtor,
    "monitoring.customer.profile-changed.v1": profile_changed,
    "monitoring.loan.delinquency-changed.v1": age_loan,
    "monitoring.loan.classification-changed.v1": age_loan,
    "monitoring.loan.cured.v1": age_loan,
    "monitoring.repayment.recorded.v1": repay_loan,
    "monitoring.repayment.reversed.v1": reverse_loan_repayment,
    "monitoring.loan.closed.v1": close_loan,
    "monitoring.business-day.aged.v1": business_day_aged,
    "warning.warning.raised.v1": warning_raised,
    "warning.warning.escalated.v1": warning_raised,
    "warning.warning.cleared.v1": warning_ended,
    "warning.warning.resolved.v1": warning_ended,
    "crm.contact.stopped.v1": contact_stopped,
    "crm.contact.resumed.v1": contact_resumed,
}


def build_handlers(settings: Settings) -> dict[str, Handler]:
    """HANDLERS bound to this process's settings, as the consumer calls them."""
    context = Context(policy=Policy.from_settings(settings))
    return {type_: partial(adapter, context=context) for type_, adapter in HANDLERS.items()}


def consumer_spec(settings: Settings) -> ConsumerSpec:
    return ConsumerSpec(name=settings.consumer_group,
                        topics=(topics.MONITORING, topics.WARNING, topics.CRM),
                        handlers=build_handlers(settings),
                        # Monitoring's clock and a loan's changes travel on different
                        # partitions: act on them in the order they were published.
                        time_ordered=True)
