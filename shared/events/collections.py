"""Events the collections service publishes on `postloan.collections.v1` (key: customer id,
so everything about one debtor stays in order). Amounts and action costs are carried so
reporting can compute recovery, cost per recovered yuan and outcomes per treatment path."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from shared.events.registry import Payload, event
from shared.events.topics import COLLECTIONS
from shared.events.types import IsoDate, Money

_C = {"topic": COLLECTIONS, "key_field": "customer_id", "producer": "collections"}


def _zoned_datetime(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError("not an ISO-8601 date-time") from exc
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError("date-time must carry a zone")
    return value


ZonedDateTime = Annotated[
    datetime, BeforeValidator(_zoned_datetime),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class CaseRef(Payload):
    case_id: str
    customer_id: str


class _PathFields(CaseRef):
    path: str = Field(description="treatment path name from the strategy table")
    variant: str = Field(pattern="^(champion|challenger)$")


@event("collections.case.opened.v1", **_C)
class CaseOpened(_PathFields):
    """A collection case was opened (or reopened) for a debtor; one open case per customer."""

    reason: str = Field(pattern="^(delinquency|red_warning)$")
    reopened: bool
    loan_ids: list[str]
    trigger_loan_id: str
    dpd: int = Field(ge=0)
    bucket: str
    overdue_amount: Money
    risk_segment: str
    balance_band: str
    queue: str
    step: str
    opened_date: IsoDate


@event("collections.case.assigned.v1", **_C)
class CaseAssigned(CaseRef):
    """A case was given to a collector, automatically by capacity and skills or by a manager."""

    collector_id: str | None
    team: str | None
    previous_collector_id: str | None
    mode: str = Field(pattern="^(automatic|manual)$")
    assigned_by: str | None = None


@event("collections.case.escalated.v1", **_C)
class CaseEscalated(_PathFields):
    """The case moved to the next step of its treatment path."""

    from_step: str
    to_step: str
    trigger: str = Field(pattern="^(days_in_step|broken_promise|bucket_roll)$")
    as_of_date: IsoDate


@event("collections.case.closed.v1", **_C)
class CaseClosed(_PathFields):
    """A case closed: cured, settled, written off or transferred; with its totals."""

    outcome: str = Field(pattern="^(cured|settled|written_off|transferred)$")
    closed_date: IsoDate
    loan_ids: list[str]
    total_recovered: Money
    total_cost: Money
    contacts: int = Field(ge=0)


@event("collections.contact.attempted.v1", **_C)
class ContactAttempted(CaseRef):
    """A contact attempt was checked by the compliance guard: recorded when allowed,
    refused with a reason code otherwise (a refused attempt costs nothing)."""

    contact_id: str
    loan_id: str
    channel: str
    contact_type: str = Field(pattern="^(debtor|third_party)$")
    purpose: str
    attempted_at: ZonedDateTime
    allowed: bool
    refusal_reason: str | None
    outcome: str | None
    collector_id: str
    jurisdiction: str
    action_type: str
    cost: Money


class _PromiseFields(CaseRef):
    loan_id: str
    promise_id: str
    amount: Money
    due_date: IsoDate


@event("collections.promise.recorded.v1", **_C)
class PromiseRecorded(_PromiseFields):
    """A debtor promised to pay an amount by a date (one active promise per loan)."""

    grace_days: int = Field(ge=0)
    recorded_by: str
    recorded_date: IsoDate


@event("collections.promise.kept.v1", **_C)
class PromiseKept(_PromiseFields):
    """Repayments since the promise reached the promised amount by the due date plus grace."""

    paid_amount: Money
    decided_date: IsoDate


@event("collections.promise.broken.v1", **_C)
class PromiseBroken(_PromiseFields):
    """The due date plus grace passed without the promised amount being repaid."""

    paid_amount: Money
    decided_date: IsoDate


@event("collections.settlement.approved.v1", **_C)
class SettlementApproved(CaseRef):
    """A settlement or waiver offer passed its approval ladder."""

    offer_id: str
    loan_id: str
    kind: str = Field(pattern="^(settlement|waiver)$")
    settlement_amount: Money
    waived_amount: Money
    proposed_by: str
    approved_by: list[str]
    approval_level: str


@event("collections.disposal.approved.v1", **_C)
class DisposalApproved(CaseRef):
    """A disposal (collateral auction, debt transfer, write-off) passed maker-checker."""

    disposal_id: str
    loan_id: str
    kind: str = Field(pattern="^(collateral_auction|debt_transfer|write_off)$")
    exposure_amount: Money
    expected_recovery: Money
    proposed_by: str
    approved_by: list[str]
    approval_level: str
    cost: Money


@event("collections.legal.stage-recorded.v1", **_C)
class LegalStageRecorded(CaseRef):
    """A legal step (letter sent, filed, judgment, enforcement) happened on a date."""

    loan_id: str
    stage: str = Field(pattern="^(letter_sent|filed|judgment|enforcement)$")
    stage_date: IsoDate
    recorded_by: str
    action_type: str
    cost: Money


@event("collections.amount.recovered.v1", **_C)
class AmountRecovered(_PathFields):
    """Money came back on a loan under an open case: a repayment or a disposal proceeds."""

    loan_id: str
    amount: Money
    source: str = Field(pattern="^(repayment|disposal)$")
    reference_id: str
    recovered_date: IsoDate
