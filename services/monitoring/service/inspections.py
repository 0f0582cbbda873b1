"""On-site inspection use cases: schedule by rule and by warning, assign, mark overdue,
accept the report. Each change publishes an event through the outbox; nothing commits."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, and_, case, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.auth import Principal
from shared.events import monitoring_inspection as out
from shared.events.envelope import Envelope
from shared.events.registry import Payload
from services.monitoring.domain import inspections as rules
from services.monitoring.domain.inspections import (
    OPEN_STATUSES, InspectionPolicy, InspectionReport, PlannedTask, ReportIncomplete, TaskKind,
    TaskStatus,
)
from services.monitoring.models import FinancialStatement, InspectionTask, Loan
from services.monitoring.publish import publish


class ReportRejected(Unprocessable):
    code = "report_incomplete"

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"the inspection report is incomplete; missing: {', '.join(missing)}")
        self.missing = missing


def _now() -> datetime:
    return datetime.now(timezone.utc)


# --- scheduling ------------------------------------------------------------------------

async def schedule_on_disbursal(session: AsyncSession, *, loan: Loan, settings: Any,
                                cause: Envelope | None) -> list[InspectionTask]:
    facts = rules.LoanFacts(loan.loan_id, loan.customer_id, loan.disbursed_date, loan.payment_mode)
    planned = rules.tasks_on_disbursal(facts, InspectionPolicy.from_settings(settings))
    already = set((await session.scalars(select(InspectionTask.kind).where(
        InspectionTask.loan_id == loan.loan_id,
        InspectionTask.kind.in_([TaskKind.first_check.value, TaskKind.fund_usage.value]),
    ))).all())
    fresh = [plan for plan in planned if plan.kind.value not in already]
    return [await _create(session, loan_id=loan.loan_id, customer_id=loan.customer_id,
                          plan=plan, cause=cause) for plan in fresh]


async def schedule_routine(session: AsyncSession, *, as_of: date, settings: Any,
                           cause: Envelope | None) -> list[InspectionTask]:
    """One query finds the active loans whose next routine check falls within the lead
    window and that have no routine task open; the domain rule then sets each due date."""
    policy = InspectionPolicy.from_settings(settings)
    created = []
    for loan_id, customer_id, classification, base in await _loans_due_routine(
            session, as_of=as_of, policy=policy):
        plan = rules.routine_task(base, classification, as_of, policy)
        if plan is not None:
            created.append(await _create(session, loan_id=loan_id, customer_id=customer_id,
                                         plan=plan, cause=cause))
    return created


async def _loans_due_routine(session: AsyncSession, *, as_of: date,
                             policy: InspectionPolicy) -> list[tuple[str, str, str, date]]:
    # Any completed visit restarts the routine clock: an inspection is an inspection,
    # whatever rule asked for it.
    last_done = (select(InspectionTask.loan_id,
                        func.max(InspectionTask.inspected_date).label("last_date"))
                 .where(InspectionTask.status == TaskStatus.completed.value)
                 .group_by(InspectionTask.loan_id).subquery())
    base = func.coalesce(last_done.c.last_date, Loan.disbursed_date, type_=Date)
    # The cut-off date is computed here per grade, which keeps date arithmetic out of SQL;
    # a grade the policy does not know gets the shortest frequency, as in the domain rule.
    latest_base = case(
        {grade: literal(rules.latest_routine_base(as_of, grade, policy), Date)
         for grade, _ in policy.routine_days},
        value=Loan.classification,
        else_=literal(rules.latest_routine_base(as_of, "", policy), Date),
    )
    routine_open = exists().where(
        InspectionTask.loan_id == Loan.loan_id, InspectionTask.kind == TaskKind.routine.value,
        InspectionTask.status.in_(OPEN_STATUSES))
    rows = await session.execute(
        select(Loan.loan_id, Loan.customer_id, Loan.classification, base)
        .outerjoin(last_done, last_done.c.loan_id == Loan.loan_id)
        .where(Loan.status == "active", ~routine_open, base <= latest_base)
        .order_by(Loan.loan_id))
    return [(r[0], r[1], r[2], r[3]) for r in rows.all()]


async def schedule_for_warning(
    session: AsyncSession, *, loan_id: str, customer_id: str, level: str, warning_id: str,
    as_of: date, settings: Any, cause: Envelope | None,
) -> InspectionTask | None:
    """At most one task per warning: a re-delivered or escalated warning changes nothing."""
    plan = rules.task_for_warning(level, as_of, InspectionPolicy.from_settings(settings))
    if plan is None:
        return None
    if await session.scalar(select(InspectionTask.id).where(
            InspectionTask.warning_id == warning_id)) is not None:
        return None
    loan = await session.get(Loan, loan_id)
    if loan is not None and loan.status != "active":
        return None  # nothing left to protect on a closed loan
    return await _create(session, loan_id=loan_id, customer_id=customer_id, plan=plan,
                         cause=cause, warning_id=warning_id)


async def _create(session: AsyncSession, *, loan_id: str, customer_id: str, plan: PlannedTask,
                  cause: Envelope | None, warning_id: str | None = None) -> InspectionTask:
    task = InspectionTask(loan_id=loan_id, customer_id=customer_id, kind=plan.kind.value,
                          reason=plan.reason[:300], due_date=plan.due_date,
                          status=TaskStatus.open.value, warning_id=warning_id,
                          overdue_reported=False, created_at=_now())
    session.add(task)
    await session.flush()
    await _publish(session, "monitoring.inspection.scheduled.v1", task, cause,
                   out.InspectionScheduled(**_ref(task), reason=task.reason,
                                           warning_id=warning_id))
    return task


# --- overdue ---------------------------------------------------------------------------

async def mark_overdue(session: AsyncSession, *, as_of: date,
                       cause: Envelope | None) -> list[int]:
    """Flag open tasks past their due date, once each, and publish one event per task."""
    rows = (await session.execute(
        update(InspectionTask)
        .where(InspectionTask.status.in_(OPEN_STATUSES), InspectionTask.due_date < as_of,
               InspectionTask.overdue_reported.is_(False))
        .values(overdue_reported=True)
        .returning(InspectionTask.id, InspectionTask.loan_id, InspectionTask.customer_id,
                   InspectionTask.kind, InspectionTask.due_date, InspectionTask.assignee)
    )).all()
    for row in sorted(rows, key=lambda r: r.id):
        await publish(session, type="monitoring.inspection.overdue.v1", subject=row.loan_id,
                      cause=cause, discriminator=str(row.id), data=out.InspectionOverdue(
                          task_id=row.id, loan_id=row.loan_id, customer_id=row.customer_id,
                          kind=row.kind, due_date=row.due_date, as_of_date=as_of,
                          days_overdue=(as_of - row.due_date).days, assignee=row.assignee))
    return [row.id for row in rows]


def overdue_condition() -> Any:
    return and_(InspectionTask.overdue_reported.is_(True),
                InspectionTask.status.in_(OPEN_STATUSES))


async def overdue_count(session: AsyncSession, as_of: date) -> int:
    """Tasks without a report whose due date is before `as_of` (the business date)."""
    return int(await session.scalar(select(func.count()).select_from(InspectionTask).where(
        InspectionTask.status.in_(OPEN_STATUSES), InspectionTask.due_date < as_of)) or 0)


# --- work on a task --------------------------------------------------------------------

async def get_task(session: AsyncSession, *, task_id: int,
                   for_update: bool = False) -> InspectionTask:
    # populate_existing: a row read earlier in the request must not be trusted for a change.
    task = await session.get(InspectionTask, task_id, with_for_update=for_update,
                             populate_existing=for_update)
    if task is None:
        raise NotFound(f"inspection task {task_id} is not known")
    return task


async def list_tasks(
    session: AsyncSession, *, limit: int, offset: int, status: str | None = None,
    kind: str | None = None, loan_id: str | None = None, assignee: str | None = None,
    overdue: bool | None = None,
) -> tuple[list[InspectionTask], int]:
    filters = [column == value for column, value in (
        (InspectionTask.status, status), (InspectionTask.kind, kind),
        (InspectionTask.loan_id, loan_id), (InspectionTask.assignee, assignee),
    ) if value is not None]
    if overdue is not None:
        filters.append(overdue_condition() if overdue else ~overdue_condition())
    total = await session.scalar(select(func.count()).select_from(InspectionTask).where(*filters))
    rows = await session.scalars(select(InspectionTask).where(*filters)
                                 .order_by(InspectionTask.due_date, InspectionTask.id)
                                 .limit(limit).offset(offset))
    return list(rows.all()), int(total or 0)


async def assign(session: AsyncSession, *, task_id: int, inspector: str,
                 principal: Principal) -> InspectionTask:
    task = await get_task(session, task_id=task_id, for_update=True)
    if task.status == TaskStatus.completed.value:
        raise Conflict(f"inspection task {task_id} is already completed", code="task_completed")
    previous = task.assignee
    task.assignee, task.status = inspector, TaskStatus.assigned.value
    task.assigned_by, task.assigned_at = principal.subject, _now()
    await session.flush()
    await _publish(session, "monitoring.inspection.assigned.v1", task, None,
                   out.InspectionAssigned(**_ref(task), assignee=inspector,
                                          previous_assignee=previous,
                                          assigned_by=principal.subject))
    return task


async def submit_report(session: AsyncSession, *, task_id: int, report: InspectionReport,
                        principal: Principal,
                        policy: InspectionPolicy | None = None) -> InspectionTask:
    policy = policy or InspectionPolicy()
    task = await get_task(session, task_id=task_id, for_update=True)
    _check_may_submit(task, principal)
    changed = await financial_changes(session, customer_id=task.customer_id,
                                      threshold=policy.financial_change_threshold)
    try:
        rules.check_report(report, kind=TaskKind(task.kind), changed_items=changed)
    except ReportIncomplete as exc:
        raise ReportRejected(exc.missing) from None
    # The visit's own time decides `completed_late`; check_report already requires it, and
    # it is never stood in for by the moment the report happens to be submitted.
    inspected_at = report.inspected_at
    if inspected_at is None:
        raise ReportRejected(["inspected_at"])
    _complete(task, report, inspected_at, principal)
    if rules.reveals_fund_misuse(report):
        await _flag_fund_misuse(session, task.loan_id)
    await session.flush()
    await _publish(session, "monitoring.inspection.completed.v1", task, None,
                   _completed_event(task, report, inspected_at, principal, changed))
    return task


def _completed_event(task: InspectionTask, report: InspectionReport, inspected_at: datetime,
                     principal: Principal, changed: list[str]) -> out.InspectionCompleted:
    return out.InspectionCompleted(
        **_ref(task), inspector=report.inspector, inspected_at=inspected_at,
        submitted_by=principal.subject, summary=report.summary,
        risk_assessment=report.risk_assessment,
        recommended_measures=list(report.recommended_measures),
        attachments=list(report.attachments), fund_usage_compliant=report.fund_usage_compliant,
        explained_financial_changes=changed,
        completed_late=inspected_at.date() > task.due_date)


def _check_may_submit(task: InspectionTask, principal: Principal) -> None:
    if task.status == TaskStatus.completed.value:
        raise Conflict(f"inspection task {task.id} already has a report", code="report_submitted")
    if task.assignee is None:
        raise Conflict(f"inspection task {task.id} is not assigned yet", code="task_unassigned")
    # The report is the assignee's signed record of the visit; nobody signs for them.
    if principal.subject != task.assignee:
        raise Forbidden(f"only the assignee of inspection task {task.id} may submit its report")


def _complete(task: InspectionTask, report: InspectionReport, inspected_at: datetime,
              principal: Principal) -> None:
    task.report = report.model_dump(mode="json")
    task.status = TaskStatus.completed.value
    # The visit's own calendar date, in the zone the inspector recorded it.
    task.inspected_date = inspected_at.date()
    task.submitted_by, task.submitted_at = principal.subject, _now()


async def financial_changes(session: AsyncSession, *, customer_id: str,
                            threshold: Decimal) -> list[str]:
    """Items that moved beyond the threshold between the customer's two latest statements."""
    latest_two = list((await session.scalars(
        select(FinancialStatement).where(FinancialStatement.customer_id == customer_id)
        .order_by(FinancialStatement.period_end.desc()).limit(2))).all())
    if len(latest_two) < 2:
        return []
    latest, previous = latest_two
    return rules.financial_changes_requiring_explanation(previous, latest, threshold)


async def _flag_fund_misuse(session: AsyncSession, loan_id: str) -> None:
    # The classification reads this flag at the next ageing run (at least special mention).
    loan = await session.get(Loan, loan_id)
    if loan is not None and not loan.fund_misuse:
        loan.fund_misuse, loan.updated_at = True, _now()


# --- events ----------------------------------------------------------------------------

def _ref(task: InspectionTask) -> dict[str, Any]:
    return {"task_id": task.id, "loan_id": task.loan_id, "customer_id": task.customer_id,
            "kind": task.kind, "due_date": task.due_date}


async def _publish(session: AsyncSession, type_: str, task: InspectionTask,
                   cause: Envelope | None, data: Payload) -> None:
    # The task id tells apart several tasks one cause creates for the same loan.
    await publish(session, type=type_, subject=task.loan_id, data=data, cause=cause,
                  discriminator=str(task.id))


__all__ = ["ReportRejected", "assign", "financial_changes", "get_task", "list_tasks",
           "mark_overdue", "overdue_condition", "overdue_count", "schedule_for_warning",
           "schedule_on_disbursal", "schedule_routine", "submit_report"]
