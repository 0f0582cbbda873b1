"""HTTP request/response models for on-site inspections (never ORM classes)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from services.monitoring.domain.inspections import InspectionReport, TaskStatus

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Section = Annotated[str, StringConstraints(max_length=20_000)]
Line = Annotated[str, StringConstraints(max_length=2_000)]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=500)]
ItemName = Annotated[str, StringConstraints(max_length=64)]


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inspector: Name = Field(description="the inspector's user id (the token subject)")


class ReportIn(BaseModel):
    """Sections may be sent empty or left out: the answer then names every missing item
    (422, code report_incomplete) rather than the first one."""

    model_config = ConfigDict(extra="forbid")

    summary: Section = ""
    borrower_operations: Section = ""
    financial_condition: Section = ""
    collateral_condition: Section = ""
    repayment_ability: Section = ""
    risk_assessment: Section = ""
    recommended_measures: list[Line] = Field(default_factory=list, max_length=100)
    attachments: list[Reference] = Field(
        default_factory=list, max_length=200,
        description="references to stored documents or photos; may be empty")
    inspector: Annotated[str, StringConstraints(max_length=100)] = Field(
        default="", description="who visited and signs the report")
    inspected_at: AwareDatetime | None = Field(default=None,
                                               description="when the visit took place")
    fund_usage_compliant: bool | None = Field(
        default=None, description="required for fund_usage tasks; false flags fund misuse")
    financial_change_explanations: dict[ItemName, Section] = Field(
        default_factory=dict, max_length=20,
        description="an explanation per financial item that moved more than the threshold "
                    "between the borrower's two latest statements")

    def to_domain(self) -> InspectionReport:
        return InspectionReport(**self.model_dump())


class TaskOut(BaseModel):
    id: int
    loan_id: str
    customer_id: str
    kind: str
    reason: str
    due_date: date
    status: str
    warning_id: str | None
    assignee: str | None
    assigned_at: datetime | None
    overdue: bool = Field(description="past its due date on a closed business day, no report yet")
    inspected_date: date | None
    submitted_by: str | None
    submitted_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, task: Any) -> Self:
        values = {name: getattr(task, name) for name in cls.model_fields if name != "overdue"}
        overdue = bool(task.overdue_reported) and task.status != TaskStatus.completed.value
        return cls.model_validate({**values, "overdue": overdue})


class TaskDetail(TaskOut):
    report: dict[str, Any] | None
