"""HANDLERS: one handler per inbound event type, each calling one use case.

Inbound: monitoring (loans, delinquency, the business-day clock), warning (orange and red
warnings put a customer on the watch list) and collections (who worked a case; a closed
case earns a satisfaction survey)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import topics
from shared.events.envelope import Envelope
from shared.kafka.consumer import ConsumerSpec, Handler
from services.crm import repository as repo
from services.crm.service import business_day, care, contact_stops, loans, surveys
from services.crm.config import Settings
from services.crm.domain.care import CareReason, first_time_overdue, warning_puts_on_watch_list
from services.crm.domain.complaints import DeadlinePolicy

# Legal events after which the bank must not pursue the debtor by contact (domain.md).
LEGAL_STOP_KINDS = ("bankruptcy", "deceased")


def build_handlers(settings: Settings) -> dict[str, Handler]:
    policy = DeadlinePolicy.from_settings(settings)
    due_days = dict(settings.care_due_days)

    async def first_overdue(session: AsyncSession, envelope: Envelope, loan_id: str,
                            customer_id: str, as_of: Any) -> None:
        await care.create_task(session, customer_id=customer_id, loan_id=loan_id,
                               reason=CareReason.first_overdue,
                               dedupe_key=f"first_overdue:{loan_id}", as_of=as_of,
                               due_days=due_days, cause=envelope)

    async def loan_registered(session: AsyncSession, envelope: Envelope, e: Any) -> None:
        await loans.register(session, event=e)

    async def repayment(session: AsyncSession, envelope: Envelope, e: Any) -> None:
        await loans.update(session, loan_id=e.loan_id,
                           outstanding_principal=e.outstanding_principal)

    async def delinquency(session: AsyncSession, envelope: Envelope, e: Any) -> None:
        await loans.update(session, loan_id=e.loan_id, dpd=e.dpd,
                           outstanding_principal=e.outstanding_principal)
        if first_time_overdue(getattr(e, "previous_dpd", 1), e.dpd):
            await first_overdue(session, envelope, e.loan_id, e.customer_id, e.as_of_date)

    async def missed(session: AsyncSession, envelope: Envelope, e: Any) -> None:
        # Whichever of missed / delinquency-changed comes first creates the one task.
        await first_overdue(session, envelope, e.loan_id, e.customer_id, e.as_of_date)

    async def restructured(session: AsyncSession, envelope: Envelope, e: Any) -> None:
        await loans.update(session, loan_id=e.loan_id, last_restructured_date=e.effective_date,
                           outstanding_principal=e.outstanding_principal)

    async def closed(session: AsyncSession, envelope: Envelope, e: Any) -> None:
        await loans.update(session, loan_id=e.loan_id, status="closed",
                           outstanding_principal=e.outstanding_principal)

    async def aged(session: AsyncSession, envelope: Envelope, e: Any) -> None:
        await business_day.on_business_day(session, as_of=e.business_date, policy=policy,
                                           cause=envelope)

    async def warning(session: AsyncSession, envelope: Envelope, e: Any) -> None:
        if warning_puts_on_watch_list(e.level):
            await care.create_task(session, customer_id=e.customer_id, loan_id=e.loan_id,
                                   reason=CareReason.watch_list,
                                   dedupe_key=f"warning:{e.warning_id}", as_of=e.as_of_date,
                                   due_days=due_days, warning_id=e.warning_id, cause=envelope)

    async def profile_changed(session: AsyncSession, envelope: Envelope, e: Any) -> None:
        kind = e.new.get("kind") if e.change_kind == "legal_event" else None
        if kind in LEGAL_STOP_KINDS:
            await contact_stops.stop_once(session, customer_id=e.customer_id, reason=kind,
                                          reference_id=f"{kind}:{e.customer_id}",
                                          effective_date=e.effective_date, cause=envelope)

    async def case_assigned(session: AsyncSession, envelope: Envelope, e: Any) -> None:
        if e.collector_id:
            await loans.record_case_staff(session, case_id=e.case_id, customer_id=e.customer_id,
                                          staff_id=e.collector_id, team=e.team)

    async def case_closed(session: AsyncSession, envelope: Envelope, e: Any) -> None:
        team = await repo.latest_case_team(session, e.case_id) or "collections"
        await surveys.send(session, customer_id=e.customer_id, trigger="collection_case",
                           reference_id=e.case_id, team=team, sent_date=e.closed_date,
                           cause=envelope)

    return {
        "monitoring.loan.registered.v1": loan_registered,
        "monitoring.repayment.recorded.v1": repayment,
        "monitoring.repayment.reversed.v1": repayment,
        "monitoring.loan.delinquency-changed.v1": delinquency,
        "monitoring.loan.cured.v1": delinquency,
        "monitoring.installment.missed.v1": missed,
        "monitoring.loan.restructured.v1": restructured,
        "monitoring.loan.closed.v1": closed,
        "monitoring.business-day.aged.v1": aged,
        "warning.warning.raised.v1": warning,
        "warning.warning.escalated.v1": warning,
        "monitoring.customer.profile-changed.v1": profile_changed,
        "collections.case.assigned.v1": case_assigned,
        "collections.case.closed.v1": case_closed,
    }


def consumer_spec(settings: Settings) -> ConsumerSpec:
    return ConsumerSpec(name=settings.consumer_group,
                        topics=(topics.MONITORING, topics.WARNING, topics.COLLECTIONS),
                        handlers=build_handlers(settings),
                        # Monitoring's clock and a loan's changes travel on different
                        # partitions: act on them in the order they were published.
                        time_ordered=True)
