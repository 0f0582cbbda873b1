"""Logs keep where and what failed, never the values: exception messages are left out (a
driver error quotes the row it refused), and libraries that print SQL parameters or record
contents at DEBUG stay at WARNING whatever the configured level."""
from __future__ import annotations

import io
import json
import logging
from typing import Iterator

import pytest

from shared.observability.logging import QUIET_LOGGERS, JsonFormatter, configure_logging

PHONE = "+8613907138842"
NAME = "Zhang San"


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


def _store(phone: str, name: str) -> None:
    try:
        raise KeyError(f"no customer with phone {phone}")
    except KeyError as exc:
        raise RuntimeError(f"insert failed for ({phone!r}, {name!r})") from exc


def test_a_logged_exception_keeps_its_types_and_frames_but_not_its_message() -> None:
    logger = logging.getLogger("postloan.test")
    try:
        _store(PHONE, NAME)
    except RuntimeError:
        record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, "handler failed",
                                   (), exc_info=__import__("sys").exc_info())
    entry = json.loads(JsonFormatter("svc").format(record))
    text = json.dumps(entry, ensure_ascii=False)
    assert PHONE not in text and NAME not in text
    assert "builtins.RuntimeError" in entry["exception"]
    assert "builtins.KeyError" in entry["exception"], "the cause is described too"
    assert "_store" in entry["exception"], "the frames show where it failed"


def test_libraries_that_log_parameters_stay_quiet_at_debug(restore_root_logger: None) -> None:
    configure_logging("svc", "DEBUG")
    buffer = io.StringIO()
    logging.getLogger().handlers[0].setStream(buffer)  # type: ignore[attr-defined]
    logging.getLogger("postloan.test").debug("our own debug line")
    for name in ("sqlalchemy.engine.Engine", "aiosqlite", "asyncpg", "aiokafka.consumer"):
        logging.getLogger(name).info("INSERT INTO customer VALUES (%s)", PHONE)
    assert "our own debug line" in buffer.getvalue()
    assert PHONE not in buffer.getvalue()
