"""HTTP request and response models (never ORM classes)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from shared.api.schemas import Page  # noqa: F401  (re-exported for routes)
from pydantic import BaseModel, ConfigDict, Field

Id = Field(min_length=1, max_length=64)


class _FromRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CaseSummary(_FromRow):
    case_id: str
    customer_id: str
    status: str
    outcome: str | None
    reason: str
    opened_date: date
    closed_date: date | None
    reopen_count: int
    path: str
    variant: str
    step: str
    step_started_date: date
    queue: str
    bucket: str
    overdue_amount: Decimal
    risk_segment: str
    balance_band: str
    collector_id: str | None
    team: str | None
    last_contact_at: datetime | None
    contacts: int
    total_recovered: Decimal
    total_cost: Decimal


class CaseLoanOut(_FromRow):
    loan_id: str
    resolution: str
    linked_date: date


class ContactOut(_FromRow):
    contact_id: str
    loan_id: str
    channel: str
    contact_type: str
    purpose: str
    attempted_at: datetime
    allowed: bool
    refusal_reason: str | None
    outcome: str | None
    collector_id: str
    jurisdiction: str
    action_type: str
    cost: Decimal


class PromiseOut(_FromRow):
    promise_id: str
    loan_id: str
    amount: Decimal
    due_date: date
    grace_days: int
    recorded_date: date
    recorded_by: str
    status: str
    paid_amount: Decimal
    decided_date: date | None


class OfferOut(_FromRow):
    offer_id: str
    category: str
    kind: str
    case_id: str
    loan_id: str
    amount_at_stake: Decimal
    settlement_amount: Decimal
    expected_recovery: Decimal
    recovered_amount: Decimal
    level: str
    status: str
    proposed_by: str
    approvals: list[dict]


class LegalStageOut(_FromRow):
    loan_id: str
    stage: str
    stage_date: date
    recorded_by: str
    cost: Decimal


class StopOut(_FromRow):
    reference_id: str
    reason: str
    effective_date: date
    until_date: date | None


class CaseDetail(CaseSummary):
    loans: list[CaseLoanOut]
    contacts_log: list[ContactOut]
    promises: list[PromiseOut]
    offers: list[OfferOut]
    legal_stages: list[LegalStageOut]
    active_stops: list[StopOut]


class ContactIn(BaseModel):
    loan_id: str = Id
    channel: Literal["phone", "sms", "email", "field_visit", "letter"]
    contact_type: Literal["debtor", "third_party"] = "debtor"
    purpose: Literal["collection", "location", "reminder"] = "collection"
    discloses_debt: bool = Field(default=False, description="the message would reveal the debt "
                                 "to the person contacted (refused for third parties)")
    outcome: Literal["conversation", "promise_made", "refused_to_pay", "dispute_raised",
                     "visited", "no_answer", "busy", "left_message", "wrong_number", "not_home",
                     "sent", "location_obtained"] | None = None
    note: str | None = Field(default=None, max_length=1000)


class PromiseIn(BaseModel):
    loan_id: str = Id
    amount: Decimal = Field(gt=0, max_digits=20, decimal_places=2)
    due_date: date


class WorklistItem(CaseSummary):
    promise_due_today: bool


class CollectorIn(BaseModel):
    team: str | None = Field(default=None, max_length=64)
    max_open_cases: int = Field(ge=1, le=100_000)
    regions: list[str] = Field(default_factory=list, max_length=100)
    languages: list[str] = Field(default_factory=list, max_length=20)
    active: bool = True


class CollectorOut(_FromRow):
    collector_id: str
    team: str | None
    max_open_cases: int
    regions: list[str]
    languages: list[str]
    active: bool


class AssignmentIn(BaseModel):
    collector_id: str = Id


class SettlementIn(BaseModel):
    loan_id: str = Id
    kind: Literal["settlement", "waiver"]
    settlement_amount: Decimal = Field(ge=0, max_digits=20, decimal_places=2)
    waived_amount: Decimal = Field(gt=0, max_digits=20, decimal_places=2)


class DisposalIn(BaseModel):
    loan_id: str = Id
    kind: Literal["collateral_auction", "debt_transfer", "write_off"]
    expected_recovery: Decimal = Field(default=Decimal(0), ge=0, max_digits=20, decimal_places=2)


class RecoveryIn(BaseModel):
    amount: Decimal = Field(gt=0, max_digits=20, decimal_places=2)
    recovered_date: date


class LegalStageIn(BaseModel):
    loan_id: str = Id
    stage: Literal["letter_sent", "filed", "judgment", "enforcement"]
    stage_date: date


class PathOutcome(BaseModel):
    path: str
    variant: str
    cases: int
    open: int
    cured: int
    settled: int
    written_off: int
    transferred: int
    recovered: Decimal
    cost: Decimal
