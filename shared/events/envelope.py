"""The CloudEvents 1.0 envelope (structured JSON mode), one event per Kafka record."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Envelope(BaseModel):
    """CONTRACT: field names and meanings follow CloudEvents 1.0; `data` is the typed payload."""

    model_config = ConfigDict(extra="allow")

    specversion: str
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    time: datetime = Field(default_factory=utcnow)
    subject: str | None = None
    datacontenttype: str = "application/json"
    correlationid: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("specversion")
    @classmethod
    def _only_v1(cls, value: str) -> str:
        if value != "1.0":
            raise ValueError(f"unsupported specversion {value!r}, expected '1.0'")
        return value

    @field_validator("time")
    @classmethod
    def _zone_required(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time must carry a zone (ISO-8601 with offset or Z)")
        return value

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> "Envelope":
        """Parse a record value; raises `MalformedRecord` for anything that is not an envelope."""
        if raw is None:
            raise MalformedRecord("empty_value", "record has no value")
        try:
            obj = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MalformedRecord("invalid_json", f"value is not valid JSON: {exc}") from exc
        if not isinstance(obj, dict):
            raise MalformedRecord("invalid_envelope", "value is not a JSON object")
        try:
            return cls.model_validate(obj)
        except ValidationError as exc:
            # Field paths and messages only: record values may hold personal data.
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(envelope)'}: {e['msg']}"
                for e in exc.errors(include_input=False, include_url=False, include_context=False)
            )
            raise MalformedRecord("invalid_envelope", _short(problems)) from None


class MalformedRecord(Exception):
    """A record that cannot be processed; `reason` is a stable code for the DLQ header."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _short(exc: Exception, limit: int = 900) -> str:
    text = str(exc).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def new_event(
    *, type: str, source: str, subject: str | None, data: dict[str, Any],
    time: datetime | None = None, correlationid: str | None = None, id: str | None = None,
) -> Envelope:
    kwargs: dict[str, Any] = {"specversion": "1.0", "type": type, "source": source, "subject": subject, "data": data}
    if time is not None:
        kwargs["time"] = time
    if correlationid is not None:
        kwargs["correlationid"] = correlationid
    if id is not None:
        kwargs["id"] = id
    return Envelope(**kwargs)
