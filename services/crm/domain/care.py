"""Proactive care, contact stops and satisfaction surveys: the small pure rules."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal


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


class StopReason(str, enum.Enum):
    """Stops an agent records by hand; complaints stop contact by themselves."""

    cease_request = "cease_request"
    dispute = "dispute"
    hardship_pause = "hardship_pause"


class SurveyTrigger(str, enum.Enum):
    complaint = "complaint"
    collection_case = "collection_case"
    manual = "manual"


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


def check_stop(reason: StopReason, effective_date: date, until_date: date | None,
               max_pause_days: int) -> None:
    if reason is StopReason.hardship_pause:
        if until_date is None:
            raise CareRuleError("a hardship pause needs an until_date", code="until_required")
        if not effective_date < until_date <= effective_date + timedelta(days=max_pause_days):
            raise CareRuleError(f"a hardship pause ends after it starts and lasts at most "
                                f"{max_pause_days} days", code="pause_too_long")
    elif until_date is not None and until_date <= effective_date:
        raise CareRuleError("until_date must come after effective_date", code="bad_until")


def pause_has_ended(until_date: date | None, as_of: date) -> bool:
    """A pause covers its until_date; contact is allowed again the day after."""
    return until_date is not None and as_of > until_date


def check_score(score: int) -> None:
    if not 1 <= score <= 5:
        raise CareRuleError("a satisfaction score is 1 to 5", code="bad_score")


@dataclass(frozen=True)
class SurveyResult:
    team: str
    sent: int
    answered: int
    average_score: Decimal | None
    satisfied_share: Decimal | None  # share of answers scoring 4 or 5
    distribution: dict[int, int]

    @property
    def response_rate(self) -> Decimal | None:
        return _ratio(self.answered, self.sent)


def _ratio(part: int | Decimal, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def summarise(team: str, sent: int, scores: list[int]) -> SurveyResult:
    distribution = {score: scores.count(score) for score in range(1, 6)}
    average = _ratio(sum(scores), len(scores))
    return SurveyResult(team=team, sent=sent, answered=len(scores),
                        average_score=average.quantize(Decimal("0.01")) if average else None,
                        satisfied_share=_ratio(sum(1 for s in scores if s >= 4), len(scores)),
                        distribution=distribution)
