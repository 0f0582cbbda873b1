"""JSON logs carrying event and correlation ids. Callers log ids and codes, never payloads,
so personal data (names, id numbers, phones) stays out of logs. Two things could still carry
it and are held back here: exception messages (drivers and validators quote row values), and
libraries that log statements with their parameters at DEBUG."""
from __future__ import annotations

import contextvars
import json
import logging
import sys
import traceback
from datetime import datetime, timezone
from types import TracebackType

event_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("event_id", default=None)
correlation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)

# Loggers that print record contents or SQL parameters below WARNING.
QUIET_LOGGERS = ("aiokafka", "kafka", "faust", "mode", "sqlalchemy", "aiosqlite", "asyncpg")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def describe_exception(exc_info: ExcInfo) -> str:
    """Where it failed and what type of error, for the whole cause chain, without messages."""
    parts: list[str] = []
    exc: BaseException | None = exc_info[1]
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        frames = "".join(traceback.format_tb(exc.__traceback__))
        parts.append(f"{frames}{type(exc).__module__}.{type(exc).__qualname__}")
        exc = exc.__cause__ or exc.__context__
    return "\nwhile handling:\n".join(reversed(parts))


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, var in (("event_id", event_id_var), ("correlation_id", correlation_id_var)):
            if (value := var.get()) is not None:
                entry[key] = value
        for key in ("topic", "partition", "offset", "event_type", "reason", "consumer"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = describe_exception(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
