"""Warning lifecycle: one active warning per loan and rule. A re-raise at a higher level
escalates it, at the same or a lower level changes nothing; a person acknowledges and
resolves it (confirmed or false alarm, with a comment); it clears by itself when the
condition ends."""
from __future__ import annotations

import enum

from services.warning.domain.catalogue import level_rank


class Status(str, enum.Enum):
    open = "open"
    acknowledged = "acknowledged"
    cleared = "cleared"
    resolved = "resolved"


ACTIVE = (Status.open, Status.acknowledged)


class Resolution(str, enum.Enum):
    confirmed = "confirmed"
    false_alarm = "false_alarm"


class Decision(str, enum.Enum):
    raise_ = "raise"
    escalate = "escalate"
    keep = "keep"


class WarningStateError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def decide(active_level: str | None, new_level: str) -> Decision:
    if active_level is None:
        return Decision.raise_
    if level_rank(new_level) > level_rank(active_level):
        return Decision.escalate
    return Decision.keep


def check_acknowledge(status: str) -> None:
    if status != Status.open.value:
        raise WarningStateError("not_open", f"only an open warning can be acknowledged (it is {status})")


def check_resolve(status: str, comment: str) -> None:
    if Status(status) not in ACTIVE:
        raise WarningStateError("not_active", f"the warning is already {status}")
    if not comment.strip():
        raise WarningStateError("comment_required", "a resolution needs a comment")


def is_active(status: str) -> bool:
    return Status(status) in ACTIVE
