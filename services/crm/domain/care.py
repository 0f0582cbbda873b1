"""Proactive care: who gets a care task, for what, and by when. Pure rules."""
from __future__ import annotations

import enum
from datetime import date, timedelta


class CareReason(str, enum.Enum):
    watch_list = "watch_list"
    first_overdue = "first_overdue"


class TaskStatus(str, enum.Enum):
    open = "open"
    done = "done"
    cancelled = "cancelled"


class InteractionChannel(str, enum.Enum):
    call = "call"
    visit = "visit"
    sms = "sms"
    message = "message"
    email = "email"
    letter = "letter"


class InteractionOutcome(str, enum.Enum):
    reached = "reached"
    no_answer = "no_answer"
    wrong_number = "wrong_number"
    refused = "refused"
    arrangement_discussed = "arrangement_discussed"
    complaint_raised = "complaint_raised"
    info_sent = "info_sent"


WARNING_LEVELS_FOR_CARE = ("orange", "red")


class CareRuleError(Exception):
    code = "care_rule"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


def care_due_date(reason: CareReason, as_of: date, due_days: dict[str, int]) -> date:
    return as_of + timedelta(days=due_days[reason.value])


def warning_puts_on_watch_list(level: str) -> bool:
    return level in WARNING_LEVELS_FOR_CARE


def first_time_overdue(previous_dpd: int, dpd: int) -> bool:
    return previous_dpd == 0 and dpd > 0
