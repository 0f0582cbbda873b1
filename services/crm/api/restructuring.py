"""Hardship and restructuring requests (`/v1/restructuring-requests`): a crm_agent proposes,
a risk_officer other than the proposer approves or rejects (maker-checker)."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.deps import PageDep, SessionDep
from services.crm import repository as repo
from services.crm.api.common import Agent, Checker, PathId, Reader, settings_of
from services.crm.domain.restructuring import EligibilityPolicy, Kind, Status
from services.crm.models import RestructuringRequest
from services.crm.schemas import ApproveIn, Page, RejectIn, RestructuringIn, RestructuringOut
from services.crm.service import business_day, restructuring

router = APIRouter(prefix="/restructuring-requests", tags=["restructuring"])
RESPONSES = {409: {"description": "already decided, or maker-checker (code maker_checker); "
                                  "or no requested_date and no business day closed yet "
                                  "(no_business_date)"},
             422: {"description": "not eligible (every failed rule in the message) or the "
                                  "arrangement cannot produce a valid schedule"}}


@router.post("", response_model=RestructuringOut, status_code=201, responses=RESPONSES)
async def create(principal: Agent, body: RestructuringIn, session: SessionDep,
                 request: Request) -> RestructuringOut:
    policy = EligibilityPolicy.from_settings(settings_of(request))
    async with session.begin():
        requested = body.requested_date or await business_day.today(
            session, needed_for="the request (requested_date)")
        row = await restructuring.request(
            session, loan_id=body.loan_id, arrangement=body.arrangement(),
            hardship_reason=body.hardship_reason, description=body.description,
            requested_date=requested, principal=principal, policy=policy,
            terms=body.terms.model_dump())
        return RestructuringOut.model_validate(row)


@router.get("", response_model=Page[RestructuringOut])
async def list_requests(
    _: Reader, session: SessionDep, page: PageDep,
    status: Annotated[Status | None, Query()] = None,
    kind: Annotated[Kind | None, Query()] = None,
    loan_id: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[RestructuringOut]:
    R = RestructuringRequest
    query = repo.where_equal(select(R), [
        (R.status, status.value if status else None), (R.kind, kind.value if kind else None),
        (R.loan_id, loan_id), (R.customer_id, customer_id)]).order_by(R.created_at, R.id)
    async with session.begin():
        rows, total = await repo.page(session, query, limit=page.limit, offset=page.offset)
        items = [RestructuringOut.model_validate(r) for r in rows]
    return Page[RestructuringOut](items=items, total=total, limit=page.limit,
                                  offset=page.offset)


@router.get("/{request_id}", response_model=RestructuringOut)
async def get_request(_: Reader, request_id: PathId, session: SessionDep) -> RestructuringOut:
    async with session.begin():
        return RestructuringOut.model_validate(await repo.get(
            session, RestructuringRequest, request_id, what="restructuring request"))


async def _load(session: AsyncSession, request_id: str) -> RestructuringRequest:
    return await repo.get(session, RestructuringRequest, request_id,
                          what="restructuring request", for_update=True)


async def _decision_date(session: AsyncSession, req: RestructuringRequest) -> date:
    return await business_day.today(session, needed_for="the decision",
                                    not_before=req.requested_date)


@router.post("/{request_id}/approve", response_model=RestructuringOut, responses=RESPONSES)
async def approve(principal: Checker, request_id: PathId, body: ApproveIn,
                  session: SessionDep) -> RestructuringOut:
    async with session.begin():
        req = await _load(session, request_id)
        row = await restructuring.approve(
            session, req=req, principal=principal,
            effective_date=body.effective_date or await _decision_date(session, req))
        return RestructuringOut.model_validate(row)


@router.post("/{request_id}/reject", response_model=RestructuringOut, responses=RESPONSES)
async def reject(principal: Checker, request_id: PathId, body: RejectIn,
                 session: SessionDep) -> RestructuringOut:
    async with session.begin():
        req = await _load(session, request_id)
        row = await restructuring.reject(session, req=req, principal=principal,
                                         reason=body.reason,
                                         decided_date=await _decision_date(session, req))
        return RestructuringOut.model_validate(row)
