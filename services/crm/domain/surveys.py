"""Satisfaction surveys: valid scores and the monthly summary per team. Pure rules."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from services.crm.domain.care import CareRuleError


class SurveyTrigger(str, enum.Enum):
    complaint = "complaint"
    collection_case = "collection_case"
    manual = "manual"


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
