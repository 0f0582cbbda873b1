"""Turning an ageing outcome into monitoring events (one per change, via the outbox)."""
from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import monitoring as out
from shared.events.envelope import Envelope
from services.monitoring.publish import publish


def _fields(change, as_of: date) -> dict:  # type: ignore[no-untyped-def]
    return dict(
        loan_id=change.loan_id, customer_id=change.customer_id, as_of_date=as_of,
        product=change.product, dpd=change.new_dpd, bucket=change.new_bucket,
        classification=change.new_classification, ifrs9_stage=change.new_stage,
        outstanding_principal=change.outstanding_principal,
        overdue_principal=change.overdue_principal, overdue_interest=change.overdue_interest,
    )


async def publish_ageing(session: AsyncSession, *, outcome, as_of: date,  # type: ignore[no-untyped-def]
                         cause: Envelope) -> None:
    day = as_of.isoformat()
    for missed in outcome.missed_installments:
        await publish(session, type="monitoring.installment.missed.v1", subject=missed.loan_id,
                      cause=cause, discriminator=f"{missed.installment_no}:{missed.due_date}",
                      data=out.InstallmentMissed(
                          loan_id=missed.loan_id, customer_id=missed.customer_id,
                          installment_no=missed.installment_no, due_date=missed.due_date,
                          unpaid_amount=missed.unpaid_amount, as_of_date=as_of))
    for change in outcome.changes:
        common = _fields(change, as_of)
        if change.delinquency_changed:
            await publish(session, type="monitoring.loan.delinquency-changed.v1",
                          subject=change.loan_id, cause=cause, discriminator=day,
                          data=out.DelinquencyChanged(**common, previous_dpd=change.old_dpd,
                                                      previous_bucket=change.old_bucket))
        if change.classification_changed:
            await publish(session, type="monitoring.loan.classification-changed.v1",
                          subject=change.loan_id, cause=cause, discriminator=day,
                          data=out.ClassificationChanged(
                              **common, previous_classification=change.old_classification,
                              previous_ifrs9_stage=change.old_stage, reason=change.reason,
                              rule_version=change.rule_version))
        if change.cured:
            await publish(session, type="monitoring.loan.cured.v1", subject=change.loan_id,
                          cause=cause, discriminator=day,
                          data=out.LoanCured(**common, previous_dpd=change.old_dpd))
