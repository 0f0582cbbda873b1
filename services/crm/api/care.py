"""Proactive care tasks (`/v1/care-tasks`) and the interaction history
(`/v1/interactions`): calls, visits and messages with their outcomes, per customer."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from shared.api.deps import PageDep, SessionDep
from services.crm import repository as repo
from services.crm.api.common import Agent, PathId, Reader
from services.crm.models import CareTask
from services.crm.schemas import (
    CareAssignIn, CareTaskOut, InteractionIn, InteractionOut, Page,
)
from services.crm.service import care

router = APIRouter(tags=["care"])


@router.get("/care-tasks", response_model=Page[CareTaskOut])
async def list_tasks(
    _: Reader, session: SessionDep, page: PageDep,
    status: Annotated[str | None, Query(pattern="^(open|done|cancelled)$")] = None,
    reason: Annotated[str | None, Query(pattern="^(watch_list|first_overdue)$")] = None,
    assignee: Annotated[str | None, Query(max_length=100)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    due_before: Annotated[date | None, Query(description="due on or before")] = None,
) -> Page[CareTaskOut]:
    query = repo.where_equal(select(CareTask), [
        (CareTask.status, status), (CareTask.reason, reason), (CareTask.assignee, assignee),
        (CareTask.customer_id, customer_id)])
    if due_before is not None:
        query = query.where(CareTask.due_date <= due_before)
    async with session.begin():
        rows, total = await repo.page(session, query.order_by(CareTask.due_date, CareTask.id),
                                      limit=page.limit, offset=page.offset)
        items = [CareTaskOut.model_validate(r) for r in rows]
    return Page[CareTaskOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/care-tasks/{task_id}", response_model=CareTaskOut)
async def get_task(_: Reader, task_id: PathId, session: SessionDep) -> CareTaskOut:
    async with session.begin():
        return CareTaskOut.model_validate(
            await repo.get(session, CareTask, task_id, what="care task"))


@router.post("/care-tasks/{task_id}/assign", response_model=CareTaskOut)
async def assign_task(_: Agent, task_id: PathId, body: CareAssignIn,
                      session: SessionDep) -> CareTaskOut:
    async with session.begin():
        task = await repo.get(session, CareTask, task_id, what="care task", for_update=True)
        return CareTaskOut.model_validate(
            await care.assign_task(session, task=task, assignee=body.assignee))


@router.post("/interactions", response_model=InteractionOut, status_code=201)
async def record_interaction(principal: Agent, body: InteractionIn,
                             session: SessionDep) -> InteractionOut:
    async with session.begin():
        task = (await repo.get(session, CareTask, body.care_task_id, what="care task",
                               for_update=True) if body.care_task_id else None)
        row = await care.record_interaction(
            session, customer_id=body.customer_id, channel=body.channel.value,
            direction=body.direction, occurred_at=body.occurred_at, outcome=body.outcome.value,
            notes=body.notes, recorded_by=principal.subject, loan_id=body.loan_id,
            care_task=task, complaint_id=body.complaint_id, completes_task=body.completes_task)
        return InteractionOut.model_validate(row)


@router.get("/interactions", response_model=Page[InteractionOut])
async def list_interactions(
    _: Reader, session: SessionDep, page: PageDep,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    loan_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[InteractionOut]:
    async with session.begin():
        rows, total = await repo.page(session, repo.interactions_query(customer_id, loan_id),
                                      limit=page.limit, offset=page.offset)
        items = [InteractionOut.model_validate(r) for r in rows]
    return Page[InteractionOut](items=items, total=total, limit=page.limit, offset=page.offset)
