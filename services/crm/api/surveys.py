"""Satisfaction surveys (`/v1/surveys`): send, record the answer, results per month and
team. A crm_agent sends and records answers (the bank's survey channel may post answers
as bank_system); results are read by managers and auditors for the KPI scorecard."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from shared.api.deps import PageDep, SessionDep
from shared.auth import Principal, Role, require_roles
from shared.db.business_day import NO_BUSINESS_DATE_RESPONSE
from services.crm import repository as repo
from services.crm.api.common import Agent, PathId, Reader, settings_of
from services.crm.models import Survey
from services.crm.schemas import (
    AnswerIn, Page, SurveyIn, SurveyOut, SurveyResultOut, SurveyResultsOut,
)
from services.crm.service import business_day, surveys

router = APIRouter(prefix="/surveys", tags=["surveys"])
Answerer = Annotated[Principal, Depends(require_roles(Role.crm_agent, Role.bank_system))]
Period = Annotated[str, Query(pattern=r"^(19|2[01])\d{2}-(0[1-9]|1[0-2])$",
                                description="YYYY-MM, years 1900-2199")]


@router.post("", response_model=SurveyOut, status_code=201,
             responses=NO_BUSINESS_DATE_RESPONSE)
async def send(_: Agent, body: SurveyIn, session: SessionDep, request: Request) -> SurveyOut:
    async with session.begin():
        sent = body.sent_date or await business_day.today(
            session, needed_for="the survey (sent_date)")
        row = await surveys.send(session, customer_id=body.customer_id,
                                 trigger=body.trigger.value, reference_id=body.reference_id,
                                 team=body.team or settings_of(request).default_survey_team,
                                 sent_date=sent)
        return SurveyOut.model_validate(row)


@router.get("/results", response_model=SurveyResultsOut)
async def results(_: Reader, period: Period, session: SessionDep,
                  team: Annotated[str | None, Query(max_length=100)] = None) -> SurveyResultsOut:
    async with session.begin():
        rows = await surveys.results(session, period=period, team=team)
    return SurveyResultsOut(period=period, teams=[SurveyResultOut.of(r) for r in rows])


@router.get("", response_model=Page[SurveyOut])
async def list_surveys(_: Reader, session: SessionDep, page: PageDep,
                       customer_id: Annotated[str | None, Query(max_length=64)] = None,
                       status: Annotated[str | None, Query(pattern="^(sent|answered)$")] = None,
                       team: Annotated[str | None, Query(max_length=100)] = None,
                       ) -> Page[SurveyOut]:
    query = repo.where_equal(select(Survey), [(Survey.customer_id, customer_id),
                                              (Survey.status, status), (Survey.team, team)])
    async with session.begin():
        rows, total = await repo.page(session, query.order_by(Survey.sent_date, Survey.id),
                                      limit=page.limit, offset=page.offset)
        items = [SurveyOut.model_validate(r) for r in rows]
    return Page[SurveyOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{survey_id}", response_model=SurveyOut)
async def get_survey(_: Reader, survey_id: PathId, session: SessionDep) -> SurveyOut:
    async with session.begin():
        return SurveyOut.model_validate(await repo.get(session, Survey, survey_id, what="survey"))


@router.post("/{survey_id}/answer", response_model=SurveyOut)
async def answer(_: Answerer, survey_id: PathId, body: AnswerIn,
                 session: SessionDep) -> SurveyOut:
    async with session.begin():
        row = await repo.get(session, Survey, survey_id, what="survey", for_update=True)
        answered = body.answered_date or await business_day.today(
            session, needed_for="the answer", not_before=row.sent_date)
        row = await surveys.answer(session, survey=row, score=body.score, comment=body.comment,
                                   answered_date=answered)
        return SurveyOut.model_validate(row)
