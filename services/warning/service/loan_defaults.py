"""Loan defaults (DPD 90+ or substandard-or-worse), the outcome effectiveness is measured on."""
from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.warning.models import LoanDefault


async def record(session: AsyncSession, *, event: Any, trigger: str) -> None:
    """Only the first default counts: later ones are the same credit event deepening."""
    if await session.get(LoanDefault, event.loan_id) is None:
        session.add(LoanDefault(loan_id=event.loan_id, customer_id=event.customer_id,
                                default_date=event.as_of_date, trigger=trigger))
        await session.flush()
