"""HTTP response models for reporting."""
from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel


class RepaymentActivity(BaseModel):
    period: str
    repayments: int
    amount: Decimal
    reversed: int
