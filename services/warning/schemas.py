"""HTTP request and response models (never ORM classes)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared.api.schemas import Page  # noqa: F401  (re-exported for routes)
from pydantic import BaseModel, ConfigDict, Field

from services.warning.domain.effectiveness import RuleEffect
from services.warning.domain.lifecycle import Resolution
from services.warning.domain.rulesets import RuleChange




class _FromRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class WarningOut(_FromRow):
    id: str
    loan_id: str
    customer_id: str
    rule_id: str
    rule_version: int
    rule_set: str
    rule_set_version: int
    family: str
    level: str
    status: str
    measure: str
    evidence: dict[str, Any]
    raised_date: date
    raised_at: datetime
    escalated_date: date | None
    acknowledged_by: str | None
    closed_date: date | None
    clear_reason: str | None
    resolution: str | None
    resolution_comment: str | None
    resolved_by: str | None


class ResolveIn(BaseModel):
    resolution: Resolution
    comment: str = Field(min_length=1, max_length=4000)


class RuleChangeIn(BaseModel):
    level: str | None = Field(default=None, pattern="^(blue|yellow|orange|red)$")
    measure: str | None = Field(default=None, min_length=1, max_length=1000)
    params: dict[str, Any] | None = None
    enabled: bool | None = None

    def to_domain(self) -> RuleChange:
        return RuleChange(level=self.level, measure=self.measure, params=self.params,
                          enabled=self.enabled)


class ProposalIn(BaseModel):
    segment: str = Field(min_length=1, max_length=64,
                         description="a product code, or `default` for every other loan")
    changes: dict[str, RuleChangeIn] = Field(min_length=1)
    comment: str = Field(default="", max_length=4000)


class RuleSetOut(_FromRow):
    id: int
    segment: str
    version: int
    status: str
    rules: dict[str, Any]
    changes: dict[str, Any]
    comment: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    effective_date: date | None = Field(
        default=None, description="first business date whose signals an approved set judges; "
                                  "null: every date")


class EffectiveRuleSetOut(BaseModel):
    segment: str
    version: int
    rules: dict[str, Any]


class RulesOut(BaseModel):
    effective_default: EffectiveRuleSetOut
    rule_sets: list[RuleSetOut]


class WatchlistOut(_FromRow):
    customer_id: str
    entered_date: date
    entry_warning_id: str
    entry_level: str


class RemoveIn(BaseModel):
    comment: str = Field(min_length=1, max_length=4000)


class WatchlistExitOut(WatchlistOut):
    exited_date: date | None
    exit_reason: str | None
    removed_by: str | None
    comment: str | None


class EffectOut(BaseModel):
    rule_id: str
    rule_version: int
    warnings: int
    evaluated: int
    followed_by_default: int
    precision: float | None
    defaults: int
    caught_defaults: int
    recall: float | None
    median_lead_days: float | None

    @classmethod
    def of(cls, effect: RuleEffect) -> "EffectOut":
        return cls(**vars(effect))


class EffectivenessOut(BaseModel):
    as_of: date
    horizon_days: int
    min_lead_days: int
    rules: list[EffectOut]
