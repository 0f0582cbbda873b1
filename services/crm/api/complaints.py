"""Complaints (`/v1/complaints`): intake, assignment with recusal, extensions, decision,
closing. crm_agent works them; risk_officer approves the further extension; collection
managers and auditors read."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.deps import PageDep, SessionDep
from shared.db.business_day import NO_BUSINESS_DATE_RESPONSE
from services.crm import repository as repo
from services.crm.api.common import Agent, Checker, PathId, Reader, settings_of
from services.crm.domain.complaints import Category, DeadlinePolicy, Status
from services.crm.models import Complaint
from services.crm.schemas import (
    AssignIn, CloseIn, ComplaintIn, ComplaintOut, DecideIn, ExtendIn, Page,
)
from services.crm.service import business_day, complaints

router = APIRouter(prefix="/complaints", tags=["complaints"])
CONFLICTS = {409: {"description": "a complaint rule refused (code names the rule, e.g. "
                                  "recusal_required, extension_limit_reached)"}}


def _policy(request: Request) -> DeadlinePolicy:
    return DeadlinePolicy.from_settings(settings_of(request))


@router.post("", response_model=ComplaintOut, status_code=201,
             responses=NO_BUSINESS_DATE_RESPONSE)
async def open_complaint(principal: Agent, body: ComplaintIn, session: SessionDep,
                         request: Request) -> ComplaintOut:
    async with session.begin():
        # The 15-day clock starts on the stated receipt date, else on the business date.
        received = body.received_date or await business_day.today(
            session, needed_for="the complaint's receipt (received_date)")
        row = await complaints.open_complaint(
            session, customer_id=body.customer_id, category=body.category,
            channel=body.channel.value, description=body.description,
            received_date=received, received_by=principal.subject,
            policy=_policy(request), loan_id=body.loan_id, case_id=body.case_id,
            involved_staff=body.involved_staff)
        return ComplaintOut.model_validate(row)


@router.get("", response_model=Page[ComplaintOut])
async def list_complaints(
    _: Reader, session: SessionDep, page: PageDep,
    status: Annotated[Status | None, Query()] = None,
    category: Annotated[Category | None, Query()] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    handler: Annotated[str | None, Query(max_length=100)] = None,
    breached: Annotated[bool | None, Query()] = None,
    deadline_before: Annotated[date | None, Query(description="deadline on or before")] = None,
) -> Page[ComplaintOut]:
    query = repo.where_equal(select(Complaint), [
        (Complaint.status, status.value if status else None),
        (Complaint.category, category.value if category else None),
        (Complaint.customer_id, customer_id), (Complaint.handler, handler),
        (Complaint.breached, breached)])
    if deadline_before is not None:
        query = query.where(Complaint.deadline_date <= deadline_before)
    async with session.begin():
        rows, total = await repo.page(session, query.order_by(Complaint.deadline_date,
                                                              Complaint.id),
                                      limit=page.limit, offset=page.offset)
        items = [ComplaintOut.model_validate(r) for r in rows]
    return Page[ComplaintOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{complaint_id}", response_model=ComplaintOut)
async def get_complaint(_: Reader, complaint_id: PathId, session: SessionDep) -> ComplaintOut:
    async with session.begin():
        return ComplaintOut.model_validate(
            await repo.get(session, Complaint, complaint_id, what="complaint"))


async def _load(session: AsyncSession, complaint_id: str) -> Complaint:
    return await repo.get(session, Complaint, complaint_id, what="complaint", for_update=True)


async def _today(session: AsyncSession, complaint: Complaint,
                 not_before: date | None = None) -> date:
    return await business_day.today(session, needed_for="this step on the complaint",
                                    not_before=not_before or complaint.received_date)


@router.post("/{complaint_id}/assign", response_model=ComplaintOut, responses=CONFLICTS)
async def assign(_: Agent, complaint_id: PathId, body: AssignIn,
                 session: SessionDep) -> ComplaintOut:
    async with session.begin():
        row = await complaints.assign(session, complaint=await _load(session, complaint_id),
                                      handler=body.handler, team=body.team)
        return ComplaintOut.model_validate(row)


@router.post("/{complaint_id}/extend", response_model=ComplaintOut, responses=CONFLICTS)
async def extend(principal: Agent, complaint_id: PathId, body: ExtendIn, session: SessionDep,
                 request: Request) -> ComplaintOut:
    """The first extension (to 30 days) applies at once; the further one (up to 60 days)
    waits for `/extend/approve` by someone else."""
    async with session.begin():
        complaint = await _load(session, complaint_id)
        row = await complaints.extend(session, complaint=complaint, reason=body.reason,
                                      principal=principal, on=await _today(session, complaint),
                                      policy=_policy(request))
        return ComplaintOut.model_validate(row)


@router.post("/{complaint_id}/extend/approve", response_model=ComplaintOut, responses=CONFLICTS)
async def approve_extension(principal: Checker, complaint_id: PathId, session: SessionDep,
                            request: Request) -> ComplaintOut:
    async with session.begin():
        complaint = await _load(session, complaint_id)
        row = await complaints.approve_extension(
            session, complaint=complaint, principal=principal,
            on=await _today(session, complaint), policy=_policy(request))
        return ComplaintOut.model_validate(row)


@router.post("/{complaint_id}/decide", response_model=ComplaintOut, responses=CONFLICTS)
async def decide(principal: Agent, complaint_id: PathId, body: DecideIn,
                 session: SessionDep) -> ComplaintOut:
    async with session.begin():
        row = await complaints.decide(session, complaint=await _load(session, complaint_id),
                                      resolution=body.to_domain(), principal=principal)
        return ComplaintOut.model_validate(row)


@router.post("/{complaint_id}/close", response_model=ComplaintOut, responses=CONFLICTS)
async def close(principal: Agent, complaint_id: PathId, body: CloseIn, session: SessionDep,
                request: Request) -> ComplaintOut:
    async with session.begin():
        complaint = await _load(session, complaint_id)
        closed = body.closed_date or await _today(
            session, complaint, complaint.informed_date or complaint.received_date)
        row = await complaints.close(session, complaint=complaint, principal=principal,
                                     closed_date=closed,
                                     default_team=settings_of(request).default_survey_team)
        return ComplaintOut.model_validate(row)
