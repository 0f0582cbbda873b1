"""Each loan's state on a date: its newest `loan_state` row on or before the date."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, select

from services.reporting.models import Loan, LoanState

NPL_CLASSES = ("substandard", "doubtful", "loss")
CLASSIFICATIONS = ("normal", "special_mention", "substandard", "doubtful", "loss")
BUCKETS = ("current", "M1", "M2", "M3", "M4", "M5+")
CENT = Decimal("0.01")


def states_as_of(day: date, *, branch: str | None = None, include_closed: bool = False) -> Select:
    """Columns: loan_id, dpd, bucket, classification, balance, closed, region_code, vintage."""
    latest = (select(LoanState.loan_id, func.max(LoanState.effective_date).label("day"))
              .where(LoanState.effective_date <= day).group_by(LoanState.loan_id).subquery())
    stmt = (select(LoanState.loan_id, LoanState.dpd, LoanState.bucket, LoanState.classification,
                   LoanState.outstanding_principal.label("balance"), LoanState.closed,
                   Loan.region_code, Loan.vintage)
            .join(latest, and_(LoanState.loan_id == latest.c.loan_id,
                               LoanState.effective_date == latest.c.day))
            .join(Loan, Loan.loan_id == LoanState.loan_id))
    if not include_closed:
        stmt = stmt.where(LoanState.closed.is_(False))
    if branch:
        stmt = stmt.where(Loan.region_code == branch)
    return stmt


def money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def share(numerator: Any, denominator: Any) -> float | None:
    numerator, denominator = Decimal(str(numerator or 0)), Decimal(str(denominator or 0))
    return None if not denominator else float((numerator / denominator).quantize(Decimal("0.0001")))
