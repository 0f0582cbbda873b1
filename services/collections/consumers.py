"""HANDLERS: one handler per inbound event type, each calling one use case."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import crm, monitoring, topics, warning
from shared.events.envelope import Envelope
from shared.kafka.consumer import ConsumerSpec, Handler
from services.collections.service import cases, promises, stops
from services.collections.config import Settings
from services.collections.domain.cases import resolution_after_close
from services.collections.models import Debtor
from services.collections.domain.policy import Policy


def build_handlers(settings: Settings) -> dict[str, Handler]:
    policy = Policy.from_settings(settings)

    async def customer_registered(session: AsyncSession, envelope: Envelope,
                                  event: monitoring.CustomerRegisteredOut) -> None:
        debtor = await session.get(Debtor, event.customer_id)
        if debtor is None:
            debtor = Debtor(customer_id=event.customer_id)
            session.add(debtor)
        debtor.kind, debtor.timezone = event.kind, event.timezone
        debtor.region_code = event.region_code
        debtor.language = getattr(event, "language", None) or debtor.language

    async def ageing(session: AsyncSession, envelope: Envelope,
                     event: monitoring.DelinquencyChanged) -> None:
        # delinquency-changed, classification-changed and cured carry the same snapshot.
        position = await cases.update_position(
            session, loan_id=event.loan_id, customer_id=event.customer_id,
            as_of=event.as_of_date, dpd=event.dpd, bucket=event.bucket,
            overdue=event.overdue_principal + event.overdue_interest,
            outstanding=event.outstanding_principal, classification=event.classification)
        if position is not None:
            await cases.on_position(session, position=position, policy=policy, cause=envelope)

    async def repayment_recorded(session: AsyncSession, envelope: Envelope,
                                 event: monitoring.RepaymentRecorded) -> None:
        await promises.record_repayment(
            session, loan_id=event.loan_id, customer_id=event.customer_id,
            payment_id=event.payment_id, amount=event.amount, paid_date=event.paid_date,
            policy=policy, cause=envelope)
        position = await cases.update_position(
            session, loan_id=event.loan_id, customer_id=event.customer_id, as_of=event.paid_date,
            dpd=None, bucket=None, overdue=event.overdue_amount,
            outstanding=event.outstanding_principal)
        if position is not None:
            await cases.on_position(session, position=position, policy=policy, cause=envelope)

    async def repayment_reversed(session: AsyncSession, envelope: Envelope,
                                 event: monitoring.RepaymentReversedOut) -> None:
        await promises.reverse_repayment(session, payment_id=event.payment_id)
        position = await cases.update_position(
            session, loan_id=event.loan_id, customer_id=event.customer_id,
            as_of=event.reversed_date, dpd=None, bucket=None, overdue=event.overdue_amount,
            outstanding=event.outstanding_principal)
        if position is not None:
            await cases.on_position(session, position=position, policy=policy, cause=envelope)

    async def loan_closed(session: AsyncSession, envelope: Envelope,
                          event: monitoring.LoanClosedOut) -> None:
        position = await cases.update_position(
            session, loan_id=event.loan_id, customer_id=event.customer_id,
            as_of=event.closed_date, dpd=0, bucket="current", overdue=Decimal(0),
            outstanding=event.outstanding_principal, classification=event.classification)
        if position is not None:
            position.status, position.close_reason = "closed", event.reason
        await cases.resolve_loan(session, loan_id=event.loan_id, customer_id=event.customer_id,
                                 resolution=resolution_after_close(event.reason),
                                 on=event.closed_date, policy=policy, cause=envelope)

    async def business_day_aged(session: AsyncSession, envelope: Envelope,
                                event: monitoring.BusinessDayAged) -> None:
        await promises.business_day_aged(session, business_date=event.business_date,
                                         policy=policy, cause=envelope)

    async def profile_changed(session: AsyncSession, envelope: Envelope,
                              event: monitoring.CustomerProfileChanged) -> None:
        await stops.on_profile_changed(session, customer_id=event.customer_id,
                                       change_kind=event.change_kind, new=event.new,
                                       effective=event.effective_date)

    async def warning_raised(session: AsyncSession, envelope: Envelope,
                             event: warning.WarningRaised) -> None:
        await cases.on_warning(session, loan_id=event.loan_id, customer_id=event.customer_id,
                               level=event.level, as_of=event.as_of_date, policy=policy,
                               cause=envelope)

    async def warning_ended(session: AsyncSession, envelope: Envelope,
                            event: warning.WarningCleared) -> None:
        # A warning resolved as confirmed keeps its case; cleared or a false alarm ends it.
        if getattr(event, "resolution", "false_alarm") != "false_alarm":
            return
        await cases.on_warning_cleared(session, loan_id=event.loan_id,
                                       customer_id=event.customer_id, as_of=event.as_of_date,
                                       policy=policy, cause=envelope)

    async def contact_stopped(session: AsyncSession, envelope: Envelope,
                              event: crm.ContactStopped) -> None:
        await stops.stop_contact(session, customer_id=event.customer_id,
                                 reference_id=event.reference_id, reason=event.reason,
                                 effective=event.effective_date, until=event.until_date,
                                 source="crm")

    async def contact_resumed(session: AsyncSession, envelope: Envelope,
                              event: crm.ContactResumed) -> None:
        await stops.resume_contact(session, customer_id=event.customer_id,
                                   reference_id=event.reference_id, reason=event.reason,
                                   effective=event.effective_date)

    return {
        "monitoring.customer.registered.v1": customer_registered,
        "monitoring.customer.profile-changed.v1": profile_changed,
        "monitoring.loan.delinquency-changed.v1": ageing,
        "monitoring.loan.classification-changed.v1": ageing,
        "monitoring.loan.cured.v1": ageing,
        "monitoring.repayment.recorded.v1": repayment_recorded,
        "monitoring.repayment.reversed.v1": repayment_reversed,
        "monitoring.loan.closed.v1": loan_closed,
        "monitoring.business-day.aged.v1": business_day_aged,
        "warning.warning.raised.v1": warning_raised,
        "warning.warning.escalated.v1": warning_raised,
        "warning.warning.cleared.v1": warning_ended,
        "warning.warning.resolved.v1": warning_ended,
        "crm.contact.stopped.v1": contact_stopped,
        "crm.contact.resumed.v1": contact_resumed,
    }


def consumer_spec(settings: Settings) -> ConsumerSpec:
    return ConsumerSpec(name=settings.consumer_group,
                        topics=(topics.MONITORING, topics.WARNING, topics.CRM),
                        handlers=build_handlers(settings),
                        # Monitoring's clock and a loan's changes travel on different
                        # partitions: act on them in the order they were published.
                        time_ordered=True)

