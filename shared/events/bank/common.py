"""Field types shared by the bank's inbound payloads."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from shared.events.types import Money

Text = Annotated[str, StringConstraints(min_length=1)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def _fraction(value: Decimal) -> Decimal:
    # A rate above 1 is almost always a percentage sent by mistake (5 for 5%), which
    # would inflate every interest figure a hundredfold.
    if value > 1:
        raise ValueError("annual_rate is a fraction (0.05 means 5%), must be at most 1")
    return value


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be greater than zero")
    return value


Rate = Annotated[Money, AfterValidator(_fraction)]
PositiveMoney = Annotated[Money, AfterValidator(_positive)]
