"""Events the crm service publishes on `postloan.crm.v1` (key: customer id)."""
from __future__ import annotations

from pydantic import Field, model_validator

from shared.events.bank.loans import Schedule, check_dues_between
from shared.events.registry import Payload, event
from shared.events.topics import CRM
from shared.events.types import IsoDate, Money

_C = {"topic": CRM, "key_field": "customer_id", "producer": "crm"}

STOP_REASONS = ("collection_complaint", "cease_request", "dispute", "hardship_pause",
                "bankruptcy", "deceased")


class ContactStopFields(Payload):
    customer_id: str
    reason: str = Field(pattern="^(" + "|".join(STOP_REASONS) + ")$")
    reference_id: str = Field(description="the complaint, request or pause that caused it")
    effective_date: IsoDate


@event("crm.contact.stopped.v1", **_C)
class ContactStopped(ContactStopFields):
    """Collection contact with this customer must stop (one stop per reference id)."""

    until_date: IsoDate | None = Field(default=None, description="end of a hardship pause")


@event("crm.contact.resumed.v1", **_C)
class ContactResumed(ContactStopFields):
    """The stop named by reference_id is lifted (complaint closed, pause ended...)."""


# --- complaints ------------------------------------------------------------------------
# Free text (the complaint itself, the resolution summary, survey comments) stays in crm:
# it routinely carries personal data and nothing downstream needs it.

COMPLAINT_CATEGORIES = ("collection_conduct", "fees", "service", "privacy", "other")


class ComplaintRef(Payload):
    complaint_id: str
    customer_id: str
    category: str = Field(pattern="^(" + "|".join(COMPLAINT_CATEGORIES) + ")$")
    loan_id: str | None = None
    case_id: str | None = Field(default=None, description="the collection case complained about")


@event("crm.complaint.opened.v1", **_C)
class ComplaintOpened(ComplaintRef):
    """A complaint was received; the legal deadline runs from received_date."""

    channel: str
    received_date: IsoDate
    deadline_date: IsoDate


@event("crm.complaint.extended.v1", **_C)
class ComplaintExtended(ComplaintRef):
    """The deadline moved: stage 1 (complex, to 30 days) or stage 2 (approved, 60 at most)."""

    stage: int = Field(ge=1, le=2)
    previous_deadline_date: IsoDate
    deadline_date: IsoDate
    requested_by: str
    approved_by: str | None = None


@event("crm.complaint.decided.v1", **_C)
class ComplaintDecided(ComplaintRef):
    """The complaint was decided and the customer informed (date and channel)."""

    outcome: str = Field(pattern="^(upheld|partially_upheld|rejected|withdrawn)$")
    root_cause: str
    informed_date: IsoDate
    informed_channel: str
    received_date: IsoDate
    deadline_date: IsoDate
    on_time: bool
    days_taken: int = Field(ge=0)
    handler: str


@event("crm.complaint.closed.v1", **_C)
class ComplaintClosed(ComplaintRef):
    """The complaint was closed after its decision."""

    outcome: str
    closed_date: IsoDate


@event("crm.complaint.deadline-approaching.v1", **_C)
class ComplaintDeadlineApproaching(ComplaintRef):
    """A reminder: the complaint is still undecided `days_left` days before its deadline."""

    deadline_date: IsoDate
    as_of_date: IsoDate
    days_left: int = Field(ge=0)
    handler: str | None = None


@event("crm.complaint.deadline-breached.v1", **_C)
class ComplaintDeadlineBreached(ComplaintRef):
    """The deadline passed without a decision communicated to the customer (once each)."""

    deadline_date: IsoDate
    as_of_date: IsoDate
    handler: str | None = None


# --- hardship and restructuring --------------------------------------------------------

RESTRUCTURING_KINDS = ("extension", "payment_holiday", "reduced_installment",
                       "interest_waiver", "fee_waiver")
_KIND = Field(pattern="^(" + "|".join(RESTRUCTURING_KINDS) + ")$")


class RestructuringRef(Payload):
    request_id: str
    loan_id: str
    customer_id: str
    kind: str = _KIND


@event("crm.restructuring.requested.v1", **_C)
class RestructuringRequested(RestructuringRef):
    """A hardship arrangement passed the eligibility checks and waits for approval."""

    hardship_reason: str
    proposed_by: str
    requested_date: IsoDate


@event("crm.restructuring.approved.v1", **_C)
class RestructuringApproved(RestructuringRef):
    """An arrangement was approved (maker-checker). Monitoring applies it as a restructuring
    exactly like bank.loan.restructured.v1 (loan_id, effective_date, reason, schedule: the
    new remaining schedule); collections applies it to the case."""

    effective_date: IsoDate
    reason: str = Field(description="reason code, e.g. hardship_extension")
    schedule: Schedule = Field(description="the new remaining schedule")
    remaining_principal: Money
    waived_interest: Money
    waived_fees: Money
    proposed_by: str
    approved_by: str

    @model_validator(mode="after")
    def _dues_from_effective_date(self) -> "RestructuringApproved":
        check_dues_between(self.schedule, self.effective_date, None)
        return self


@event("crm.restructuring.rejected.v1", **_C)
class RestructuringRejected(RestructuringRef):
    """A pending arrangement was turned down by a checker."""

    rejected_by: str
    reason: str
    decided_date: IsoDate


# --- proactive care and satisfaction ---------------------------------------------------

@event("crm.care-task.created.v1", **_C)
class CareTaskCreated(Payload):
    """A relationship manager should contact the customer by due_date."""

    task_id: str
    customer_id: str
    loan_id: str | None = None
    reason: str = Field(pattern="^(watch_list|first_overdue)$")
    due_date: IsoDate
    created_date: IsoDate
    warning_id: str | None = None


class SurveyRef(Payload):
    survey_id: str
    customer_id: str
    trigger: str = Field(pattern="^(complaint|collection_case|manual)$")
    reference_id: str | None = Field(default=None, description="complaint or case id")
    team: str


@event("crm.survey.sent.v1", **_C)
class SurveySent(SurveyRef):
    """A satisfaction survey (score 1-5 and a comment) was sent to the customer."""

    sent_date: IsoDate


@event("crm.survey.answered.v1", **_C)
class SurveyAnswered(SurveyRef):
    """The customer scored the service; the comment stays in crm."""

    score: int = Field(ge=1, le=5)
    answered_date: IsoDate
