"""HANDLERS for reporting's read models."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import monitoring as mon, topics
from shared.events.envelope import Envelope
from shared.kafka.consumer import ConsumerSpec
from services.reporting import service
from services.reporting.config import Settings


async def repayment_recorded(session: AsyncSession, _: Envelope, event: mon.RepaymentRecorded) -> None:
    await service.record_repayment(session, event=event)


async def repayment_reversed(session: AsyncSession, _: Envelope,
                             event: mon.RepaymentReversedOut) -> None:
    await service.record_reversal(session, event=event)


HANDLERS = {
    "monitoring.repayment.recorded.v1": repayment_recorded,
    "monitoring.repayment.reversed.v1": repayment_reversed,
}


def consumer_spec(settings: Settings) -> ConsumerSpec:
    return ConsumerSpec(name=settings.consumer_group,
                        topics=(topics.MONITORING, topics.WARNING, topics.COLLECTIONS,
                                topics.CRM, topics.AUDIT),
                        handlers=HANDLERS)
