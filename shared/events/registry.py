"""The event registry: one `EventSpec` per event type, the single place a type string is
resolved to its topic, payload model and record key."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.events.envelope import Envelope, MalformedRecord
from shared.events.topics import ALL_TOPICS

MAX_REPORTED_ERRORS = 8


class Payload(BaseModel):
    """Base of every event payload. Unknown fields are kept (the contract lets producers add
    fields freely); known fields are strict, so "12" is not an int and 1.5 is not money."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)


@dataclass(frozen=True)
class EventSpec:
    type: str
    topic: str
    model: type[BaseModel]
    key_field: str
    description: str
    producer: str  # "bank" or the name of the postloan service that publishes it


_REGISTRY: dict[str, EventSpec] = {}
M = TypeVar("M", bound=type[BaseModel])


def register(spec: EventSpec) -> EventSpec:
    if spec.type in _REGISTRY:
        raise ValueError(f"event type {spec.type} is already registered")
    if spec.topic not in ALL_TOPICS:
        raise ValueError(f"{spec.type}: topic {spec.topic} is not in the topic catalogue")
    if spec.key_field not in spec.model.model_fields:
        raise ValueError(f"{spec.type}: key field {spec.key_field} is not a payload field")
    _REGISTRY[spec.type] = spec
    return spec


def event(type_: str, *, topic: str, key_field: str, producer: str) -> Callable[[M], M]:
    """Class decorator: register the payload model; its docstring is the event description."""

    def decorate(model: M) -> M:
        description = " ".join((model.__doc__ or "").split())
        register(EventSpec(type_, topic, model, key_field, description, producer))
        return model

    return decorate


def _load_catalogue() -> None:
    # Imported lazily: the catalogue imports the event modules, which import this module.
    import shared.events.catalog  # noqa: F401


def all_specs() -> list[EventSpec]:
    _load_catalogue()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def specs_for_topic(topic: str) -> list[EventSpec]:
    return [spec for spec in all_specs() if spec.topic == topic]


def spec_for(type_: str) -> EventSpec:
    _load_catalogue()
    try:
        return _REGISTRY[type_]
    except KeyError:
        raise MalformedRecord("unknown_type", f"unknown event type {type_!r}") from None


def check_topic(spec: EventSpec, topic: str) -> None:
    if topic != spec.topic:
        raise MalformedRecord("wrong_topic", f"{spec.type} belongs on {spec.topic}, not {topic}")


def parse_payload(envelope: Envelope) -> BaseModel:
    spec = spec_for(envelope.type)
    try:
        return spec.model.model_validate(envelope.data)
    except ValidationError as exc:
        raise MalformedRecord("schema_violation", f"{spec.type}: {describe_errors(exc)}") from None


def parse_record(topic: str, raw: bytes | None) -> tuple[Envelope, BaseModel]:
    """Everything a consumer checks before handling a record, in dead-letter order."""
    envelope = Envelope.from_bytes(raw)
    check_topic(spec_for(envelope.type), topic)
    return envelope, parse_payload(envelope)


def describe_errors(exc: ValidationError) -> str:
    """Field paths and messages only. The message ends up in DLQ headers and logs, so the
    offending values (personal data, amounts) are never echoed."""
    errors = exc.errors(include_input=False, include_url=False, include_context=False)
    inputs = exc.errors(include_url=False, include_context=False)
    parts = [f"{_path(e['loc'])}: {_redact(e['msg'], i.get('input'))}"
             for e, i in zip(errors, inputs)]
    extra = len(parts) - MAX_REPORTED_ERRORS
    text = "; ".join(parts[:MAX_REPORTED_ERRORS])
    return text + (f"; and {extra} more" if extra > 0 else "")


def _path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(payload)"


def _redact(message: str, value: Any) -> str:
    # Some validators (the date and decimal checks) quote the offending string in their
    # message; numbers are left alone because they also appear as limits ("at least 1").
    if isinstance(value, str):
        return message.replace(repr(value), "<value>")
    return message
