"""Contact stops (`/v1/contact-stops`): cease-contact requests, disputes and hardship pauses
recorded by a crm_agent. Each publishes crm.contact.stopped.v1, and its lifting (by hand,
or when a pause ends) crm.contact.resumed.v1; collections obeys both. Stops caused by a
collection-conduct complaint appear here too but are lifted by closing the complaint."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from shared.api.deps import PageDep, SessionDep
from shared.api.errors import Conflict
from shared.db.business_day import NO_BUSINESS_DATE_RESPONSE
from services.crm import repository as repo
from services.crm.api.common import Agent, PathId, Reader, settings_of
from services.crm.domain.contact_stops import StopReason, check_stop
from services.crm.errors import as_api_errors
from services.crm.models import ContactStop
from services.crm.schemas import ContactStopIn, ContactStopOut, LiftIn, Page
from services.crm.service import business_day, contact_stops

router = APIRouter(prefix="/contact-stops", tags=["contact stops"])


@router.post("", response_model=ContactStopOut, status_code=201,
             responses=NO_BUSINESS_DATE_RESPONSE)
async def create(principal: Agent, body: ContactStopIn, session: SessionDep,
                 request: Request) -> ContactStopOut:
    async with session.begin():
        effective = body.effective_date or await business_day.today(
            session, needed_for="the stop's start (effective_date)")
        with as_api_errors():
            check_stop(body.reason, effective, body.until_date,
                       settings_of(request).hardship_pause_max_days)
        row = await contact_stops.stop(session, customer_id=body.customer_id,
                                       reason=body.reason.value, effective_date=effective,
                                       until_date=body.until_date, note=body.note,
                                       created_by=principal.subject)
        return ContactStopOut.model_validate(row)


@router.get("", response_model=Page[ContactStopOut])
async def list_stops(_: Reader, session: SessionDep, page: PageDep,
                     customer_id: Annotated[str | None, Query(max_length=64)] = None,
                     status: Annotated[str | None, Query(pattern="^(active|lifted)$")] = None,
                     ) -> Page[ContactStopOut]:
    query = repo.where_equal(select(ContactStop), [(ContactStop.customer_id, customer_id),
                                                   (ContactStop.status, status)])
    async with session.begin():
        rows, total = await repo.page(session, query.order_by(ContactStop.created_at,
                                                              ContactStop.id),
                                      limit=page.limit, offset=page.offset)
        items = [ContactStopOut.model_validate(r) for r in rows]
    return Page[ContactStopOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{stop_id}", response_model=ContactStopOut)
async def get_stop(_: Reader, stop_id: PathId, session: SessionDep) -> ContactStopOut:
    async with session.begin():
        return ContactStopOut.model_validate(
            await repo.get(session, ContactStop, stop_id, what="contact stop"))


@router.post("/{stop_id}/lift", response_model=ContactStopOut,
             responses={409: {"description": "already lifted, or owned by a complaint"}})
async def lift(principal: Agent, stop_id: PathId, body: LiftIn,
               session: SessionDep) -> ContactStopOut:
    async with session.begin():
        row = await repo.get(session, ContactStop, stop_id, what="contact stop",
                             for_update=True)
        if row.reason not in {r.value for r in StopReason}:
            # A complaint's stop lasts until the complaint closes; lifting it by hand
            # would let collections call about a conduct complaint still open.
            raise Conflict("this stop belongs to a complaint; close the complaint",
                           code="stop_owned_by_complaint")
        lifted = body.lifted_date or await business_day.today(
            session, needed_for="the lift", not_before=row.effective_date)
        row = await contact_stops.lift(session, row=row, lifted_by=principal.subject,
                                       lifted_date=lifted)
        return ContactStopOut.model_validate(row)
