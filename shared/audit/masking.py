"""Turning recorded values into JSON an auditor may read: personal data masked the way the
APIs mask it for roles without a need to see it, free text scrubbed of long digit runs (a
note may quote a phone or an id number)."""
from __future__ import annotations

import enum
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from shared.pii import mask_address, mask_id_number, mask_phone

_BY_NAME: tuple[tuple[str, Callable[[str | None], str | None]], ...] = (
    ("id_number", mask_id_number), ("phone", mask_phone), ("address", mask_address),
)
FREE_TEXT = frozenset({"reason", "note", "notes", "comment", "description", "message",
                       "summary", "text", "details", "resolution_note"})
_DIGIT_RUN = re.compile(r"\d{6,}")
MAX_TEXT = 500


def scrub_text(text: str | None) -> str | None:
    if text is None:
        return None
    text = _DIGIT_RUN.sub(lambda m: m.group()[:2] + "*" * (len(m.group()) - 2), text)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def plain(value: Any) -> Any:
    """A JSON-able copy: money and dates as strings, enums as their values."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, (Decimal, float)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(bytes(value))} bytes>"
    return str(value)


def mask_field(name: str, value: Any) -> Any:
    """`value` (already plain) with personal data masked according to the field's name."""
    lowered = name.lower()
    for marker, mask in _BY_NAME:
        if marker in lowered:
            return _mask_all(value, mask)
    if isinstance(value, dict):
        return {k: mask_field(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_field(name, v) for v in value]
    if lowered in FREE_TEXT and isinstance(value, str):
        return scrub_text(value)
    return value


def _mask_all(value: Any, mask: Callable[[str | None], str | None]) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _mask_all(v, mask) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_all(v, mask) for v in value]
    return value


def masked_changes(changes: dict[str, tuple[Any, Any]]) -> dict[str, list[Any]]:
    return {name: [mask_field(name, plain(old)), mask_field(name, plain(new))]
            for name, (old, new) in changes.items()}
