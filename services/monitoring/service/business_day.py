"""The business-day close: age every active loan as of that date (never the wall clock),
publish what changed, and run the date-driven inspection rules."""
from __future__ import annotations

import time
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import monitoring as out
from shared.events.envelope import Envelope
from services.monitoring.service import inspections
from services.monitoring.ageing import age_loans
from services.monitoring.service.ageing_events import publish_ageing
from services.monitoring.config import Settings
from services.monitoring.domain.classification import AgeingPolicy
from services.monitoring.metrics import (
    AGEING_SECONDS, LAST_AGED_DATE, LAST_CLOSED_DATE, LOANS_BY_CLASSIFICATION,
)
from services.monitoring.models import BusinessDay, Loan
from services.monitoring.publish import publish


async def close_business_day(session: AsyncSession, *, business_date: date, settings: Settings,
                             cause: Envelope) -> bool:
    """Returns False when that date was already aged (a re-sent close changes nothing)."""
    LAST_CLOSED_DATE.set(_timestamp(business_date))
    day = await session.get(BusinessDay, business_date)
    if day is not None and day.aged_at is not None:
        return False
    if day is None:
        day = BusinessDay(business_date=business_date, closed_at=datetime.now(timezone.utc))
        session.add(day)
        await session.flush()
    started = time.perf_counter()
    outcome = await age_loans(session, as_of=business_date,
                              policy=AgeingPolicy.from_settings(settings))
    await publish_ageing(session, outcome=outcome, as_of=business_date, cause=cause)
    await inspections.schedule_routine(session, as_of=business_date, settings=settings, cause=cause)
    await inspections.mark_overdue(session, as_of=business_date, cause=cause)
    elapsed = time.perf_counter() - started
    day.aged_at, day.loans_aged = datetime.now(timezone.utc), outcome.loans_aged
    day.ageing_seconds = Decimal(f"{elapsed:.3f}")
    await publish(session, type="monitoring.business-day.aged.v1", subject=business_date.isoformat(),
                  cause=cause, data=out.BusinessDayAged(
                      business_date=business_date, loans_aged=outcome.loans_aged,
                      changes=len(outcome.changes),
                      missed_installments=len(outcome.missed_installments)))
    AGEING_SECONDS.observe(elapsed)
    LAST_AGED_DATE.set(_timestamp(business_date))
    await _count_book(session)
    return True


def _timestamp(business_date: date) -> float:
    return datetime.combine(business_date, datetime.min.time(), tzinfo=timezone.utc).timestamp()


async def _count_book(session: AsyncSession) -> None:
    rows = await session.execute(
        select(Loan.classification, Loan.bucket, func.count())
        .where(Loan.status == "active").group_by(Loan.classification, Loan.bucket))
    LOANS_BY_CLASSIFICATION.clear()
    for classification, bucket, count in rows.all():
        LOANS_BY_CLASSIFICATION.labels(classification, bucket).set(count)
