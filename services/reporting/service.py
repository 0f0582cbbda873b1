"""Read-model updates and queries. Never commits; the consumer or route owns the transaction."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import monitoring as mon
from services.reporting.models import RepaymentFact


async def record_repayment(session: AsyncSession, *, event: mon.RepaymentRecorded) -> None:
    if await session.get(RepaymentFact, event.payment_id) is not None:
        return
    session.add(RepaymentFact(
        payment_id=event.payment_id, loan_id=event.loan_id, customer_id=event.customer_id,
        amount=event.amount, paid_date=event.paid_date, period=event.paid_date.strftime("%Y-%m"),
        recorded_at=datetime.now(timezone.utc),
    ))
    await session.flush()


async def record_reversal(session: AsyncSession, *, event: mon.RepaymentReversedOut) -> None:
    fact = await session.get(RepaymentFact, event.payment_id)
    if fact is not None:
        fact.reversed_date = event.reversed_date


async def repayments_in_period(session: AsyncSession, *, period: str) -> tuple[int, Decimal, int]:
    """(repayments counted, net amount, reversed count) for a YYYY-MM period."""
    live = RepaymentFact.reversed_date.is_(None)
    row = (await session.execute(
        select(func.count().filter(live), func.coalesce(func.sum(RepaymentFact.amount).filter(live), 0),
               func.count().filter(RepaymentFact.reversed_date.is_not(None)))
        .where(RepaymentFact.period == period)
    )).one()
    return int(row[0]), Decimal(str(row[1])).quantize(Decimal("0.01")), int(row[2])
