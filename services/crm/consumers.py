"""HANDLERS: one handler per inbound event type, each calling one use case.

Inbound: monitoring (loans, delinquency, the business-day clock), warning (orange and red
warnings put a customer on the watch list) and collections (who worked a case; a closed
case earns a satisfaction survey)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import topics
from shared.events.envelope import Envelope
from shared.kafka.consumer import ConsumerSpec, Handler
from services.crm.config import Settings
from services.crm.domain.complaints import DeadlinePolicy
from services.crm.service import business_day, care, contact_stops, loans, surveys


@dataclass(frozen=True)
class Context:
    """What the use cases take from settings, read once per process."""

    policy: DeadlinePolicy
    due_days: dict[str, int]

    @classmethod
    def from_settings(cls, settings: Settings) -> Context:
        return cls(policy=DeadlinePolicy.from_settings(settings),
                   due_days=dict(settings.care_due_days))


Adapter = Callable[[AsyncSession, Envelope, Any, Context], Awaitable[None]]


def _call(use_case: Callable[..., Awaitable[Any]], *needs: str) -> Adapter:
    """Calls `use_case(session, event=...)` plus what it `needs`: "cause" (the envelope,
    so its events name their cause) or a `Context` field."""
    async def adapter(session: AsyncSession, envelope: Envelope, event: Any,
                      context: Context) -> None:
        given = {"cause": envelope, "policy": context.policy, "due_days": context.due_days}
        await use_case(session, event=event, **{name: given[name] for name in needs})

    adapter.__name__ = use_case.__name__
    return adapter


HANDLERS: dict[str, Adapter] = {
    "monitoring.loan.registered.v1": _call(loans.register),
    "monitoring.repayment.recorded.v1": _call(loans.record_repayment),
    "monitoring.repayment.reversed.v1": _call(loans.record_repayment),
    "monitoring.loan.delinquency-changed.v1":
        _call(loans.record_delinquency, "cause", "due_days"),
    "monitoring.loan.cured.v1": _call(loans.record_delinquency, "cause", "due_days"),
    "monitoring.installment.missed.v1":
        _call(care.open_first_overdue_task, "cause", "due_days"),
    "monitoring.loan.restructured.v1": _call(loans.record_restructuring),
    "monitoring.loan.closed.v1": _call(loans.close),
    "monitoring.business-day.aged.v1": _call(business_day.on_business_day, "cause", "policy"),
    "warning.warning.raised.v1": _call(care.put_on_watch_list, "cause", "due_days"),
    "warning.warning.escalated.v1": _call(care.put_on_watch_list, "cause", "due_days"),
    "monitoring.customer.profile-changed.v1":
        _call(contact_stops.stop_for_legal_event, "cause"),
    "collections.case.assigned.v1": _call(loans.assign_case),
    "collections.case.closed.v1": _call(surveys.send_after_case_closed, "cause"),
}


def build_handlers(settings: Settings) -> dict[str, Handler]:
    """HANDLERS bound to one process's settings, in the shape the consumer calls."""
    context = Context.from_settings(settings)
    return {type_: partial(adapter, context=context) for type_, adapter in HANDLERS.items()}


def consumer_spec(settings: Settings) -> ConsumerSpec:
    return ConsumerSpec(name=settings.consumer_group,
                        topics=(topics.MONITORING, topics.WARNING, topics.COLLECTIONS),
                        handlers=build_handlers(settings),
                        # Monitoring's clock and a loan's changes travel on different
                        # partitions: act on them in the order they were published.
                        time_ordered=True)
