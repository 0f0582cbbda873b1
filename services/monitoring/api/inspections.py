"""On-site inspection tasks: list, read, assign, report (`/v1/inspections`)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from shared.api.deps import PageDep, SessionDep
from shared.api.schemas import Page
from shared.auth import Principal, Role, require_roles
from services.monitoring.service import inspections
from services.monitoring.domain.inspections import InspectionPolicy, TaskKind, TaskStatus
from services.monitoring.models import InspectionTask
from services.monitoring.schemas.inspections import AssignIn, ReportIn, TaskDetail, TaskOut

router = APIRouter(prefix="/inspections", tags=["inspections"])
Reader = Annotated[Principal, Depends(require_roles(Role.inspector, Role.risk_officer,
                                                    Role.auditor))]
Assigner = Annotated[Principal, Depends(require_roles(Role.risk_officer))]
Inspector = Annotated[Principal, Depends(require_roles(Role.inspector))]


async def valid_task(task_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
                     session: SessionDep) -> InspectionTask:
    # A short read-only transaction of its own, so the route can open the one that writes;
    # the service re-reads the row under lock before changing it.
    async with session.begin():
        return await inspections.get_task(session, task_id=task_id)


# Routes declare the caller before the task, so an unknown caller gets 401/403, never 404.
Task = Annotated[InspectionTask, Depends(valid_task)]


@router.get("", response_model=Page[TaskOut])
async def list_inspections(
    _: Reader, session: SessionDep, page: PageDep,
    status: Annotated[TaskStatus | None, Query()] = None,
    kind: Annotated[TaskKind | None, Query()] = None,
    loan_id: Annotated[str | None, Query(max_length=64)] = None,
    assignee: Annotated[str | None, Query(max_length=100)] = None,
    overdue: Annotated[bool | None, Query(description="true: past due without a report")] = None,
) -> Page[TaskOut]:
    async with session.begin():
        rows, total = await inspections.list_tasks(
            session, limit=page.limit, offset=page.offset,
            status=status.value if status else None, kind=kind.value if kind else None,
            loan_id=loan_id, assignee=assignee, overdue=overdue)
        items = [TaskOut.of(row) for row in rows]
    return Page[TaskOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{task_id}", response_model=TaskDetail)
async def get_inspection(_: Reader, task: Task) -> TaskDetail:
    return TaskDetail.of(task)


@router.post("/{task_id}/assign", response_model=TaskOut)
async def assign_inspection(principal: Assigner, task: Task, body: AssignIn,
                            session: SessionDep) -> TaskOut:
    async with session.begin():
        assigned = await inspections.assign(session, task_id=task.id, inspector=body.inspector,
                                            principal=principal)
        return TaskOut.of(assigned)


@router.post("/{task_id}/report", response_model=TaskDetail, responses={
    403: {"description": "only the task's assignee may submit its report"},
    409: {"description": "the report was already submitted, or the task is unassigned"},
    422: {"description": "the report is incomplete; the message names every missing item"},
})
async def submit_inspection_report(principal: Inspector, task: Task, body: ReportIn,
                                   session: SessionDep, request: Request) -> TaskDetail:
    policy = InspectionPolicy.from_settings(request.app.state.settings)
    async with session.begin():
        done = await inspections.submit_report(session, task_id=task.id, report=body.to_domain(),
                                               principal=principal, policy=policy)
        return TaskDetail.of(done)
