"""Warning, collection and complaint figures for a period."""
from __future__ import annotations

from fastapi import APIRouter

from shared.api.deps import SessionDep
from shared.db.business_day import NO_BUSINESS_DATE_RESPONSE
from services.reporting.api.common import ParamsDep, Reader
from services.reporting.domain import period_bounds
from services.reporting.queries import activity

router = APIRouter(prefix="/activity", tags=["activity"],
                   responses=NO_BUSINESS_DATE_RESPONSE)


@router.get("/warnings")
async def warnings(session: SessionDep, _: Reader, p: ParamsDep) -> dict:
    start, end = period_bounds(p.period)
    async with session.begin():
        return {"period": p.period, "rules": await activity.warnings(session, start=start,
                                                                      end=end)}


@router.get("/collection-funnel")
async def collection_funnel(session: SessionDep, _: Reader, p: ParamsDep) -> dict:
    start, end = period_bounds(p.period)
    async with session.begin():
        return {"period": p.period, "team": p.team, "branch": p.branch,
                **await activity.funnel(session, start=start, end=end, team=p.team,
                                        branch=p.branch)}


@router.get("/complaints")
async def complaints(session: SessionDep, _: Reader, p: ParamsDep) -> dict:
    start, end = period_bounds(p.period)
    async with session.begin():
        figures = await activity.compliance(session, start=start, end=end, team=p.team,
                                            branch=p.branch)
    return {"period": p.period, **figures}
