"""On-site inspection events the monitoring service publishes on `postloan.monitoring.v1`
(key: loan id): a task scheduled, assigned, overdue, completed."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from shared.events.registry import Payload, event
from shared.events.topics import MONITORING
from shared.events.types import IsoDate

_LOAN = {"topic": MONITORING, "key_field": "loan_id", "producer": "monitoring"}


def _iso_datetime(value: Any) -> Any:
    # Payloads are validated strictly from parsed JSON, where a time is always a string.
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError("not an ISO-8601 time") from exc
    return value


def _zoned(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("time must carry a zone")
    return value


ZonedTime = Annotated[
    datetime, BeforeValidator(_iso_datetime), AfterValidator(_zoned),
    PlainSerializer(lambda t: t.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class InspectionRef(Payload):
    task_id: int
    loan_id: str
    customer_id: str
    kind: str = Field(description="first_check, fund_usage, routine or warning_triggered")
    due_date: IsoDate


@event("monitoring.inspection.scheduled.v1", **_LOAN)
class InspectionScheduled(InspectionRef):
    """An on-site inspection task was created by rule (disbursal, routine frequency) or by
    an orange or red warning; reason says which."""

    reason: str
    warning_id: str | None = None


@event("monitoring.inspection.assigned.v1", **_LOAN)
class InspectionAssigned(InspectionRef):
    """An inspection task was given (or given again) to an inspector."""

    assignee: str
    previous_assignee: str | None = None
    assigned_by: str


@event("monitoring.inspection.overdue.v1", **_LOAN)
class InspectionOverdue(InspectionRef):
    """An inspection task passed its due date without a report (published once per task)."""

    as_of_date: IsoDate
    days_overdue: int = Field(ge=1)
    assignee: str | None = None


@event("monitoring.inspection.completed.v1", **_LOAN)
class InspectionCompleted(InspectionRef):
    """The inspection report was submitted: the risk assessment and recommended measures,
    and whether a fund-usage check found the funds misused."""

    inspector: str
    inspected_at: ZonedTime
    submitted_by: str
    summary: str
    risk_assessment: str
    recommended_measures: list[str]
    attachments: list[str]
    fund_usage_compliant: bool | None = None
    explained_financial_changes: list[str] = Field(
        description="financial items that moved beyond the threshold and were explained")
    completed_late: bool
