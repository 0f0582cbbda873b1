"""Wire types for event payloads: money as decimal strings, ISO dates, zoned times."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema


def _decimal_from_string(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("money must be a decimal string such as \"1234.56\"")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError("money must be a finite number")
    return result


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}") from exc
    if isinstance(value, datetime):
        raise ValueError("expected a date, got a datetime")
    return value


_DECIMAL_SCHEMA = WithJsonSchema(
    {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "decimal number as a string"}
)

Decimal_ = Annotated[
    Decimal, BeforeValidator(_decimal_from_string), PlainSerializer(str, return_type=str),
    _DECIMAL_SCHEMA,
]
Money = Annotated[
    Decimal, BeforeValidator(_decimal_from_string), AfterValidator(_non_negative),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d+)?$",
                    "description": "non-negative decimal number as a string"}),
]
IsoDate = Annotated[
    date, BeforeValidator(_iso_date), PlainSerializer(lambda d: d.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]
