"""Satisfaction surveys: sent after a complaint or a collection case closes (or by hand),
answered with a score of 1-5 and a comment, summarised per month and team."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.errors import Conflict
from shared.events import crm as out
from shared.events.envelope import Envelope
from services.crm import repository as repo
from services.crm.domain.surveys import SurveyResult, check_score, summarise
from services.crm.errors import as_api_errors
from services.crm.metrics import SURVEYS_ANSWERED
from services.crm.models import Survey, new_id
from services.crm.publish import publish


def _ref(s: Survey) -> dict[str, object]:
    return {"survey_id": s.id, "customer_id": s.customer_id, "trigger": s.trigger,
            "reference_id": s.reference_id, "team": s.team}


async def send(session: AsyncSession, *, customer_id: str, trigger: str,
               reference_id: str | None, team: str, sent_date: date,
               cause: Envelope | None = None) -> Survey:
    """One survey per closed complaint or case: a second close sends nothing new."""
    if reference_id is not None:
        existing = await repo.survey_for(session, trigger, reference_id)
        if existing is not None:
            return existing
    row = Survey(id=new_id("SRV"), customer_id=customer_id, trigger=trigger,
                 reference_id=reference_id, team=team, sent_date=sent_date, status="sent")
    session.add(row)
    await session.flush()
    await publish(session, type="crm.survey.sent.v1", subject=customer_id, cause=cause,
                  discriminator=row.id, data=out.SurveySent(**_ref(row), sent_date=sent_date))
    return row


async def send_after_case_closed(session: AsyncSession, *, event: Any, cause: Envelope) -> None:
    team = await repo.latest_case_team(session, event.case_id) or "collections"
    await send(session, customer_id=event.customer_id, trigger="collection_case",
               reference_id=event.case_id, team=team, sent_date=event.closed_date, cause=cause)


async def answer(session: AsyncSession, *, survey: Survey, score: int, comment: str,
                 answered_date: date) -> Survey:
    with as_api_errors():
        check_score(score)
    if survey.status == "answered":
        raise Conflict(f"survey {survey.id} is already answered", code="survey_answered")
    if answered_date < survey.sent_date:
        raise Conflict("a survey cannot be answered before it was sent",
                       code="answered_before_sent")
    survey.status, survey.score, survey.comment = "answered", score, comment
    survey.answered_date = answered_date
    await session.flush()
    SURVEYS_ANSWERED.labels(str(score)).inc()
    await publish(session, type="crm.survey.answered.v1", subject=survey.customer_id,
                  discriminator=survey.id, data=out.SurveyAnswered(
                      **_ref(survey), score=score, answered_date=answered_date))
    return survey


def month_bounds(period: str) -> tuple[date, date]:
    """"2026-11" -> (2026-11-01, 2026-12-01), the end exclusive."""
    start = date.fromisoformat(f"{period}-01")
    return start, (start + timedelta(days=32)).replace(day=1)


async def results(session: AsyncSession, *, period: str,
                  team: str | None = None) -> list[SurveyResult]:
    """Sent counts surveys sent in the month; scores are those answered in the month."""
    start, end = month_bounds(period)
    sent_q = (select(Survey.team, func.count())
              .where(Survey.sent_date >= start, Survey.sent_date < end).group_by(Survey.team))
    scores_q = (select(Survey.team, Survey.score, func.count())
                .where(Survey.answered_date >= start, Survey.answered_date < end)
                .group_by(Survey.team, Survey.score))
    if team is not None:
        sent_q, scores_q = sent_q.where(Survey.team == team), scores_q.where(Survey.team == team)
    sent = dict((await session.execute(sent_q)).tuples().all())
    scores: dict[str, list[int]] = {}
    for row_team, score, count in (await session.execute(scores_q)).tuples().all():
        scores.setdefault(row_team, []).extend([int(score)] * int(count))
    teams = sorted(set(sent) | set(scores))
    return [summarise(t, int(sent.get(t, 0)), scores.get(t, [])) for t in teams]
