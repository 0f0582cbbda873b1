"""HTTP request/response models (never ORM classes)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Self

from shared.api.schemas import Page  # noqa: F401  (re-exported for routes)
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from services.crm.domain.care import InteractionChannel, InteractionOutcome
from services.crm.domain.complaints import (
    Category, Channel, InformChannel, Outcome, Resolution, RootCause,
)
from services.crm.domain.contact_stops import StopReason
from services.crm.domain.restructuring import Arrangement, HardshipReason, Kind
from services.crm.domain.surveys import SurveyTrigger

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=2)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)



# --- complaints ------------------------------------------------------------------------

class ComplaintIn(_In):
    customer_id: Id
    category: Category
    channel: Channel
    description: Reason
    received_date: date | None = Field(default=None, description="defaults to today")
    loan_id: Id | None = None
    case_id: Id | None = Field(default=None, description="the collection case complained about")
    involved_staff: list[Name] = Field(default_factory=list, max_length=50,
                                       description="staff involved in the matter (recused)")


class AssignIn(_In):
    handler: Name
    team: Name | None = None


class ExtendIn(_In):
    reason: Reason


class DecideIn(_In):
    outcome: Outcome
    root_cause: RootCause
    summary: Reason
    informed_date: date
    informed_channel: InformChannel

    def to_domain(self) -> Resolution:
        return Resolution(**self.model_dump())


class CloseIn(_In):
    closed_date: date | None = Field(default=None, description="defaults to today")


class ComplaintOut(_Out):
    id: str
    customer_id: str
    loan_id: str | None
    case_id: str | None
    category: str
    channel: str
    description: str
    received_date: date
    received_by: str
    deadline_date: date
    extension_stage: int
    pending_extension_by: str | None
    extensions: list[dict[str, Any]]
    involved_staff: list[str]
    status: str
    handler: str | None
    handler_team: str | None
    outcome: str | None
    root_cause: str | None
    resolution_summary: str | None
    informed_date: date | None
    informed_channel: str | None
    on_time: bool | None
    breached: bool
    closed_date: date | None
    created_at: datetime


# --- restructuring ---------------------------------------------------------------------

class TermsIn(_In):
    """Loan terms from the bank's books; any left out come from crm's loan view."""

    remaining_principal: Amount | None = None
    annual_rate: Annotated[Decimal, Field(ge=0, le=1)] | None = None
    remaining_installments: Annotated[int, Field(ge=1, le=600)] | None = None
    next_due_date: date | None = None
    arrears_interest: Amount | None = None


class RestructuringIn(_In):
    loan_id: Id
    kind: Kind
    hardship_reason: HardshipReason
    description: Reason
    extra_installments: Annotated[int, Field(ge=0, le=600)] = 0
    holiday_months: Annotated[int, Field(ge=0, le=60)] = 0
    reduced_months: Annotated[int, Field(ge=0, le=120)] = 0
    reduced_amount: Amount = Decimal("0")
    waived_amount: Amount = Decimal("0")
    terms: TermsIn = Field(default_factory=TermsIn)
    requested_date: date | None = Field(default=None, description="defaults to today")

    def arrangement(self) -> Arrangement:
        return Arrangement(kind=self.kind, extra_installments=self.extra_installments,
                           holiday_months=self.holiday_months,
                           reduced_months=self.reduced_months,
                           reduced_amount=self.reduced_amount, waived_amount=self.waived_amount)


class ApproveIn(_In):
    effective_date: date | None = Field(default=None, description="defaults to today")


class RejectIn(_In):
    reason: Reason


class ScheduleItemOut(BaseModel):
    installment_no: int
    due_date: date
    principal_due: Decimal
    interest_due: Decimal


class RestructuringOut(_Out):
    id: str
    loan_id: str
    customer_id: str
    kind: str
    hardship_reason: str
    description: str
    arrangement: dict[str, Any]
    terms: dict[str, Any]
    status: str
    proposed_by: str
    requested_date: date
    decided_by: str | None
    decided_date: date | None
    decision_reason: str | None
    effective_date: date | None
    schedule: list[ScheduleItemOut] | None
    waived_interest: Decimal
    waived_fees: Decimal


# --- contact stops, care, interactions, surveys ----------------------------------------

class ContactStopIn(_In):
    customer_id: Id
    reason: StopReason
    effective_date: date | None = Field(default=None, description="defaults to today")
    until_date: date | None = Field(default=None, description="required for a hardship pause")
    note: Text | None = None


class LiftIn(_In):
    lifted_date: date | None = Field(default=None, description="defaults to today")


class ContactStopOut(_Out):
    id: str
    customer_id: str
    reason: str
    reference_id: str
    effective_date: date
    until_date: date | None
    note: str | None
    status: str
    created_by: str
    lifted_by: str | None
    lifted_date: date | None


class CareTaskOut(_Out):
    id: str
    customer_id: str
    loan_id: str | None
    reason: str
    warning_id: str | None
    due_date: date
    status: str
    assignee: str | None
    created_date: date
    completed_date: date | None
    completed_by: str | None
    outcome: str | None


class CareAssignIn(_In):
    assignee: Name


class InteractionIn(_In):
    customer_id: Id
    channel: InteractionChannel
    direction: Annotated[str, Field(pattern="^(outbound|inbound)$")] = "outbound"
    occurred_at: AwareDatetime
    outcome: InteractionOutcome
    notes: Text = ""
    loan_id: Id | None = None
    care_task_id: Id | None = None
    complaint_id: Id | None = None
    completes_task: bool = Field(default=False, description="closes the named care task")


class InteractionOut(_Out):
    id: str
    customer_id: str
    loan_id: str | None
    channel: str
    direction: str
    occurred_at: datetime
    outcome: str
    notes: str
    recorded_by: str
    care_task_id: str | None
    complaint_id: str | None


class SurveyIn(_In):
    customer_id: Id
    trigger: SurveyTrigger = SurveyTrigger.manual
    reference_id: Id | None = None
    team: Name | None = None
    sent_date: date | None = Field(default=None, description="defaults to today")


class AnswerIn(_In):
    score: Annotated[int, Field(ge=1, le=5)]
    comment: Text = ""
    answered_date: date | None = Field(default=None, description="defaults to today")


class SurveyOut(_Out):
    id: str
    customer_id: str
    trigger: str
    reference_id: str | None
    team: str
    sent_date: date
    status: str
    score: int | None
    comment: str | None
    answered_date: date | None


class SurveyResultOut(BaseModel):
    team: str
    sent: int
    answered: int
    response_rate: Decimal | None
    average_score: Decimal | None
    satisfied_share: Decimal | None = Field(description="share of answers scoring 4 or 5")
    distribution: dict[int, int]

    @classmethod
    def of(cls, result: Any) -> Self:
        return cls(team=result.team, sent=result.sent, answered=result.answered,
                   response_rate=result.response_rate, average_score=result.average_score,
                   satisfied_share=result.satisfied_share, distribution=result.distribution)


class SurveyResultsOut(BaseModel):
    period: str
    teams: list[SurveyResultOut]
