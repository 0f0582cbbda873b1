"""Repayment activity per period."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import RepaymentFact


async def repayments_in_period(session: AsyncSession, *, period: str) -> tuple[int, Decimal, int]:
    """(repayments counted, net amount, reversed count) for a YYYY-MM period."""
    live = RepaymentFact.reversed_date.is_(None)
    row = (await session.execute(
        select(func.count().filter(live), func.coalesce(func.sum(RepaymentFact.amount).filter(live), 0),
               func.count().filter(RepaymentFact.reversed_date.is_not(None)))
        .where(RepaymentFact.period == period)
    )).one()
    return int(row[0]), Decimal(str(row[1])).quantize(Decimal("0.01")), int(row[2])
