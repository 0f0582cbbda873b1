"""Proactive care tasks and the interaction history per customer."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.errors import Conflict
from shared.events import crm as out
from shared.events.envelope import Envelope
from services.crm import repository as repo
from services.crm.domain.care import CareReason, care_due_date, warning_puts_on_watch_list
from services.crm.metrics import CARE_TASKS_CREATED
from services.crm.models import CareTask, Interaction, new_id
from services.crm.publish import publish


async def create_task(session: AsyncSession, *, customer_id: str, loan_id: str | None,
                      reason: CareReason, dedupe_key: str, as_of: date,
                      due_days: dict[str, int], warning_id: str | None = None,
                      cause: Envelope | None = None) -> CareTask | None:
    """One task per cause (a warning, a loan's first overdue): a repeat creates nothing."""
    if await repo.care_task_by_key(session, dedupe_key) is not None:
        return None
    task = CareTask(id=new_id("CARE"), customer_id=customer_id, loan_id=loan_id,
                    reason=reason.value, dedupe_key=dedupe_key, warning_id=warning_id,
                    due_date=care_due_date(reason, as_of, due_days), status="open",
                    created_date=as_of, created_at=datetime.now(timezone.utc))
    session.add(task)
    await session.flush()
    CARE_TASKS_CREATED.labels(reason.value).inc()
    await publish(session, type="crm.care-task.created.v1", subject=customer_id, cause=cause,
                  discriminator=task.dedupe_key, data=out.CareTaskCreated(
                      task_id=task.id, customer_id=customer_id, loan_id=loan_id,
                      reason=reason.value, due_date=task.due_date, created_date=as_of,
                      warning_id=warning_id))
    return task


async def open_first_overdue_task(session: AsyncSession, *, event: Any, cause: Envelope,
                                  due_days: dict[str, int]) -> None:
    """Whichever of installment.missed / delinquency-changed comes first creates the one
    task."""
    await create_task(session, customer_id=event.customer_id, loan_id=event.loan_id,
                      reason=CareReason.first_overdue, dedupe_key=f"first_overdue:{event.loan_id}",
                      as_of=event.as_of_date, due_days=due_days, cause=cause)


async def put_on_watch_list(session: AsyncSession, *, event: Any, cause: Envelope,
                            due_days: dict[str, int]) -> None:
    if warning_puts_on_watch_list(event.level):
        await create_task(session, customer_id=event.customer_id, loan_id=event.loan_id,
                          reason=CareReason.watch_list, dedupe_key=f"warning:{event.warning_id}",
                          as_of=event.as_of_date, due_days=due_days,
                          warning_id=event.warning_id, cause=cause)


def _check_open(task: CareTask) -> None:
    if task.status != "open":
        raise Conflict(f"care task {task.id} is already {task.status}", code="task_closed")


async def assign_task(session: AsyncSession, *, task: CareTask, assignee: str) -> CareTask:
    _check_open(task)
    task.assignee = assignee
    await session.flush()
    return task


async def record_interaction(session: AsyncSession, *, customer_id: str, channel: str,
                             direction: str, occurred_at: datetime, outcome: str, notes: str,
                             recorded_by: str, loan_id: str | None = None,
                             care_task: CareTask | None = None,
                             complaint_id: str | None = None,
                             completes_task: bool = False) -> Interaction:
    if care_task is not None and care_task.customer_id != customer_id:
        raise Conflict(f"care task {care_task.id} is for another customer",
                       code="task_customer_mismatch")
    row = Interaction(id=new_id("INT"), customer_id=customer_id, loan_id=loan_id,
                      channel=channel, direction=direction, occurred_at=occurred_at,
                      outcome=outcome, notes=notes, recorded_by=recorded_by,
                      care_task_id=care_task.id if care_task else None,
                      complaint_id=complaint_id)
    session.add(row)
    if care_task is not None and completes_task:
        _check_open(care_task)
        care_task.status, care_task.outcome = "done", outcome
        care_task.completed_by, care_task.completed_date = recorded_by, occurred_at.date()
    await session.flush()
    return row
