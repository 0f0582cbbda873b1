"""Worklists, the collector roster and reassignment."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from shared.api.deps import SessionDep
from shared.db.business_day import NO_BUSINESS_DATE_RESPONSE
from services.collections import repository as repo
from services.collections.api.cases import case_detail
from services.collections.api.deps import (
    CaseDep, Manager, Reader, locked, sees_everything,
)
from services.collections.models import CollectionCase, Promise
from services.collections.schemas import (
    AssignmentIn, CaseDetail, CaseSummary, CollectorIn, CollectorOut, WorklistItem,
)
from services.collections.service import allocation, business_day

router = APIRouter(tags=["worklist"])


@router.get("/worklist", response_model=list[WorklistItem],
            responses=NO_BUSINESS_DATE_RESPONSE)
async def worklist(session: SessionDep, principal: Reader,
                   collector_id: Annotated[str | None, Query(max_length=64)] = None,
                   ) -> list[WorklistItem]:
    """The calling collector's open cases, highest priority first; managers may ask for
    any collector's list. "Due today" means on the latest business date."""
    if collector_id is not None and collector_id != principal.subject \
            and not sees_everything(principal):
        collector_id = principal.subject
    who = collector_id or principal.subject
    async with session.begin():
        today = await business_day.today(session, needed_for="the worklist")
        cases = await allocation.worklist(session, collector_id=who, today=today)
        due_today = set((await session.scalars(select(Promise.case_id).where(
            Promise.status == "active", Promise.due_date == today))).all())
    return [WorklistItem(**CaseSummary.model_validate(c).model_dump(),
                         promise_due_today=c.case_id in due_today) for c in cases]


@router.get("/collectors", response_model=list[CollectorOut])
async def list_collectors(session: SessionDep, _: Manager) -> list[CollectorOut]:
    return [CollectorOut.model_validate(c) for c in await repo.collectors(session)]


@router.put("/collectors/{collector_id}", response_model=CollectorOut)
async def save_collector(collector_id: Annotated[str, Path(max_length=64)], body: CollectorIn,
                         session: SessionDep, _: Manager) -> CollectorOut:
    async with session.begin():
        collector = await allocation.save_collector(
            session, collector_id=collector_id, team=body.team,
            max_open_cases=body.max_open_cases, regions=body.regions,
            languages=body.languages, active=body.active)
        await allocation.assign_waiting(session)
        return CollectorOut.model_validate(collector)


@router.post("/cases/{case_id}/assignment", response_model=CaseDetail)
async def reassign(principal: Manager, case: CaseDep, body: AssignmentIn,
                   session: SessionDep) -> CaseDetail:
    async with session.begin():
        case = await locked(session, CollectionCase, case.case_id)
        await allocation.reassign(session, case=case, collector_id=body.collector_id,
                                  by=principal.subject)
        return await case_detail(session, case)
