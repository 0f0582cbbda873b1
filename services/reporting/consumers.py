"""HANDLERS for reporting's read models: every postloan topic, one handler per event type."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import topics
from shared.events.envelope import Envelope
from shared.kafka.consumer import ConsumerSpec
from services.reporting.config import Settings
from services.reporting.projections import activity, audit, loans

Handler = Callable[[AsyncSession, Envelope, Any], Awaitable[None]]


def _call(use_case: Callable[..., Awaitable[None]], **extra: Any) -> Handler:
    async def handler(session: AsyncSession, _: Envelope, event: Any) -> None:
        await use_case(session, event=event, **extra)

    handler.__name__ = getattr(use_case, "__name__", "handler")
    return handler


async def _disposal(session: AsyncSession, envelope: Envelope, event: Any) -> None:
    await activity.record_disposal_cost(session, event=event, envelope=envelope)


HANDLERS: dict[str, Handler] = {
    "monitoring.loan.registered.v1": _call(loans.register_loan),
    "monitoring.loan.delinquency-changed.v1": _call(loans.age_loan),
    "monitoring.loan.classification-changed.v1": _call(loans.age_loan),
    "monitoring.loan.cured.v1": _call(loans.cure_loan),
    "monitoring.loan.restructured.v1": _call(loans.restructure_loan),
    "monitoring.loan.closed.v1": _call(loans.close_loan),
    "monitoring.repayment.recorded.v1": _call(loans.record_repayment),
    "monitoring.repayment.reversed.v1": _call(loans.record_reversal),
    "monitoring.business-day.aged.v1": _call(loans.record_business_day),
    "collections.case.opened.v1": _call(activity.open_case),
    "collections.case.assigned.v1": _call(activity.assign_case),
    "collections.case.closed.v1": _call(activity.close_case),
    "collections.contact.attempted.v1": _call(activity.record_contact),
    "collections.promise.recorded.v1": _call(activity.record_promise),
    "collections.promise.kept.v1": _call(activity.decide_promise, status="kept"),
    "collections.promise.broken.v1": _call(activity.decide_promise, status="broken"),
    "collections.legal.stage-recorded.v1": _call(activity.record_legal_cost),
    "collections.disposal.approved.v1": _disposal,
    "collections.amount.recovered.v1": _call(activity.record_recovery),
    "warning.warning.raised.v1": _call(activity.raise_warning),
    "warning.warning.escalated.v1": _call(activity.change_warning),
    "warning.warning.cleared.v1": _call(activity.change_warning, status="cleared"),
    "warning.warning.resolved.v1": _call(activity.change_warning, status="resolved"),
    "crm.complaint.opened.v1": _call(activity.open_complaint),
    "crm.complaint.extended.v1": _call(activity.extend_complaint),
    "crm.complaint.decided.v1": _call(activity.decide_complaint),
    "crm.complaint.deadline-breached.v1": _call(activity.breach_complaint),
    "crm.survey.sent.v1": _call(activity.send_survey),
    "crm.survey.answered.v1": _call(activity.answer_survey),
    "audit.entry.recorded.v1": _call(audit.record_entry),
}

TOPICS = (topics.MONITORING, topics.WARNING, topics.COLLECTIONS, topics.CRM, topics.AUDIT)


def consumer_spec(settings: Settings, *, group: str | None = None) -> ConsumerSpec:
    return ConsumerSpec(name=group or settings.consumer_group, topics=TOPICS, handlers=HANDLERS)
