"""Telling a server that is away from a mistake: the first is waited for (a broker or a
database restarting), the second is raised, retried a bounded number of times or
dead-lettered."""
from __future__ import annotations

import asyncio

# Between attempts while a server is away: short enough to resume within a second or two of
# its return, long enough not to flood the log.
OUTAGE_PAUSE_SECONDS = 1.0

# Raised by asyncpg while a server starts up or after it dropped the connection; matched by
# name so this module imports no driver.
_DRIVER_ERRORS = frozenset({"CannotConnectNowError", "ConnectionDoesNotExistError",
                            "ConnectionFailureError", "AdminShutdownError",
                            "CrashShutdownError"})


def unreachable(exc: BaseException) -> bool:
    """True when `exc`, or anything that caused it, says a server could not be reached,
    went away or is starting up."""
    from aiokafka.errors import KafkaConnectionError
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    transient: tuple[type[BaseException], ...] = (
        OSError, ConnectionError, TimeoutError, asyncio.TimeoutError, KafkaConnectionError,
        OperationalError, InterfaceError)
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, transient) or type(seen).__name__ in _DRIVER_ERRORS:
            return True
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        seen = seen.__cause__ or seen.__context__
    return False
