"""Debtors as monitoring registers them: the kind, time zone, region and language that the
compliance guard and allocation read."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.collections.models import Debtor


async def register_debtor(session: AsyncSession, *, customer_id: str, kind: str,
                          timezone: str | None, region_code: str | None,
                          language: str | None) -> Debtor:
    """A registration without a language keeps the one already known."""
    debtor = await session.get(Debtor, customer_id)
    if debtor is None:
        debtor = Debtor(customer_id=customer_id)
        session.add(debtor)
    debtor.kind, debtor.timezone = kind, timezone
    debtor.region_code = region_code
    debtor.language = language or debtor.language
    return debtor
