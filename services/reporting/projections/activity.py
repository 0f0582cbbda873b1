"""Collection, warning and customer-relationship facts from postloan.collections/warning/crm."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import collections as col, crm, warning as wrn
from shared.events.envelope import Envelope
from services.reporting.models import (
    Case, Complaint, Contact, CostFact, Promise, Recovery, Survey, Warning,
)

T = TypeVar("T")


async def _row(session: AsyncSession, model: type[T], key: Any, **defaults: Any) -> T:
    row = await session.get(model, key)
    if row is None:
        row = model(**defaults)
        session.add(row)
    return row


async def open_case(session: AsyncSession, *, event: col.CaseOpened) -> None:
    case = await _row(session, Case, event.case_id, case_id=event.case_id,
                      total_recovered=Decimal("0"), total_cost=Decimal("0"))
    case.customer_id, case.trigger_loan_id, case.path = (event.customer_id,
                                                         event.trigger_loan_id, event.path)
    case.opened_date, case.amount_due = event.opened_date, event.overdue_amount
    case.outcome, case.closed_date = None, None
    await session.flush()


async def assign_case(session: AsyncSession, *, event: col.CaseAssigned) -> None:
    case = await session.get(Case, event.case_id)
    if case is not None and event.team:
        case.team = event.team


async def close_case(session: AsyncSession, *, event: col.CaseClosed) -> None:
    case = await _row(session, Case, event.case_id, case_id=event.case_id,
                      customer_id=event.customer_id, trigger_loan_id=event.loan_ids[0],
                      path=event.path, opened_date=event.closed_date, amount_due=Decimal("0"))
    case.outcome, case.closed_date = event.outcome, event.closed_date
    case.total_recovered, case.total_cost = event.total_recovered, event.total_cost


async def record_contact(session: AsyncSession, *, event: col.ContactAttempted) -> None:
    if await session.get(Contact, event.contact_id) is None:
        session.add(Contact(contact_id=event.contact_id, case_id=event.case_id,
                            attempted_date=event.attempted_at.date(), channel=event.channel,
                            allowed=event.allowed, refusal_reason=event.refusal_reason,
                            cost=event.cost if event.allowed else Decimal("0")))


async def record_legal_cost(session: AsyncSession, *, event: col.LegalStageRecorded) -> None:
    key = f"legal:{event.case_id}:{event.loan_id}:{event.stage}"
    await _cost(session, key, event.case_id, "legal", event.stage_date, event.cost)


async def record_disposal_cost(session: AsyncSession, *, event: col.DisposalApproved,
                               envelope: Envelope) -> None:
    await _cost(session, f"disposal:{event.disposal_id}", event.case_id, "disposal",
                envelope.time.date(), event.cost)


async def _cost(session: AsyncSession, key: str, case_id: str, kind: str, day: Any,
                cost: Decimal) -> None:
    row = await _row(session, CostFact, key, cost_id=key, case_id=case_id, kind=kind)
    row.cost_date, row.cost = day, cost


async def record_promise(session: AsyncSession, *, event: col.PromiseRecorded) -> None:
    promise = await _row(session, Promise, event.promise_id, promise_id=event.promise_id,
                         status="open")
    promise.case_id, promise.amount = event.case_id, event.amount
    promise.recorded_date = event.recorded_date


async def decide_promise(session: AsyncSession, *, event: Any, status: str) -> None:
    promise = await _row(session, Promise, event.promise_id, promise_id=event.promise_id,
                         case_id=event.case_id, amount=event.amount,
                         recorded_date=event.decided_date)
    promise.status, promise.decided_date = status, event.decided_date


async def record_recovery(session: AsyncSession, *, event: col.AmountRecovered) -> None:
    key = f"{event.source}:{event.reference_id}:{event.loan_id}"
    if await session.get(Recovery, key) is None:
        session.add(Recovery(recovery_id=key, case_id=event.case_id, loan_id=event.loan_id,
                             amount=event.amount, source=event.source,
                             recovered_date=event.recovered_date))


async def raise_warning(session: AsyncSession, *, event: wrn.WarningRaised) -> None:
    row = await _row(session, Warning, event.warning_id, warning_id=event.warning_id,
                     escalations=0, status="open")
    row.loan_id, row.rule_id, row.family = event.loan_id, event.rule_id, event.family
    row.level, row.raised_level, row.raised_date = event.level, event.level, event.as_of_date


async def change_warning(session: AsyncSession, *, event: Any,
                         status: str | None = None) -> None:
    """Escalated (status None), cleared, or resolved as confirmed / false alarm."""
    row = await _row(session, Warning, event.warning_id, warning_id=event.warning_id,
                     loan_id=event.loan_id, rule_id=event.rule_id, family=event.family,
                     raised_level=event.level, raised_date=event.as_of_date, escalations=0,
                     status="open")
    row.level = event.level
    if status is None:
        row.escalations = (row.escalations or 0) + 1
    else:
        row.status, row.resolution = status, getattr(event, "resolution", None)


async def open_complaint(session: AsyncSession, *, event: crm.ComplaintOpened) -> None:
    row = await _complaint(session, event)
    row.received_date, row.deadline_date = event.received_date, event.deadline_date


async def extend_complaint(session: AsyncSession, *, event: crm.ComplaintExtended) -> None:
    (await _complaint(session, event)).deadline_date = event.deadline_date


async def decide_complaint(session: AsyncSession, *, event: crm.ComplaintDecided) -> None:
    row = await _complaint(session, event)
    row.received_date, row.deadline_date = event.received_date, event.deadline_date
    row.decided_date, row.on_time = event.informed_date, event.on_time


async def breach_complaint(session: AsyncSession, *,
                           event: crm.ComplaintDeadlineBreached) -> None:
    row = await _complaint(session, event)
    row.breached_date = row.breached_date or event.as_of_date


async def _complaint(session: AsyncSession, event: crm.ComplaintRef) -> Complaint:
    row = await _row(session, Complaint, event.complaint_id, complaint_id=event.complaint_id)
    row.category, row.case_id = event.category, event.case_id or row.case_id
    return row


async def send_survey(session: AsyncSession, *, event: crm.SurveySent) -> None:
    row = await _row(session, Survey, event.survey_id, survey_id=event.survey_id)
    row.team, row.sent_date = event.team, event.sent_date


async def answer_survey(session: AsyncSession, *, event: crm.SurveyAnswered) -> None:
    row = await _row(session, Survey, event.survey_id, survey_id=event.survey_id)
    row.team, row.answered_date, row.score = event.team, event.answered_date, event.score
