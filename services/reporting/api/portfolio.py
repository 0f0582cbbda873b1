"""Portfolio quality from the read models."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.api.deps import SessionDep
from shared.db.business_day import NO_BUSINESS_DATE_RESPONSE
from services.reporting.api.common import PERIOD, ParamsDep, Reader, SettingsDep
from services.reporting.domain import period_bounds
from services.reporting.queries import loans_activity, portfolio, regulatory
from services.reporting.schemas import RepaymentActivity

router = APIRouter(prefix="/portfolio", tags=["portfolio"])


@router.get("/repayments", response_model=RepaymentActivity)
async def repayments(
    session: SessionDep, _: Reader,
    period: Annotated[str, Query(pattern=PERIOD, description="YYYY-MM")],
) -> RepaymentActivity:
    count, amount, reversed_count = await loans_activity.repayments_in_period(session,
                                                                              period=period)
    return RepaymentActivity(period=period, repayments=count, amount=amount,
                             reversed=reversed_count)


@router.get("/classification", responses=NO_BUSINESS_DATE_RESPONSE)
async def classification(session: SessionDep, _: Reader, p: ParamsDep) -> dict:
    """Count and balance by five-category classification and by delinquency bucket as of a
    date, with the NPL ratio and PAR30/60/90."""
    async with session.begin():
        return {"as_of": p.as_of, "branch": p.branch,
                "by_classification": await portfolio.distribution(
                    session, as_of=p.as_of, by="classification", branch=p.branch),
                "by_bucket": await portfolio.distribution(session, as_of=p.as_of, by="bucket",
                                                          branch=p.branch),
                **{k: v for k, v in (await portfolio.quality(
                    session, as_of=p.as_of, branch=p.branch)).items() if k != "as_of"}}


@router.get("/roll-rates", responses=NO_BUSINESS_DATE_RESPONSE)
async def roll_rates(session: SessionDep, _: Reader, p: ParamsDep) -> dict:
    """Migration matrix between `from` and `to` (by bucket, or `by=classification`)."""
    async with session.begin():
        cells = await portfolio.migration(session, start=p.start, end=p.end, by=p.by,
                                          branch=p.branch)
    return {"from": p.start, "to": p.end, "by": p.by, "cells": cells}


@router.get("/vintages", responses=NO_BUSINESS_DATE_RESPONSE)
async def vintages(session: SessionDep, _: Reader, p: ParamsDep, settings: SettingsDep) -> dict:
    async with session.begin():
        curves = await portfolio.vintages(session, as_of=p.as_of,
                                          max_months=settings.vintage_max_months)
    return {"as_of": p.as_of, "definition": "share of the vintage's loans at DPD 30+",
            "vintages": curves}


@router.get("/cure-rate", responses=NO_BUSINESS_DATE_RESPONSE)
async def cure_rate(session: SessionDep, _: Reader, p: ParamsDep) -> dict:
    start, end = period_bounds(p.period)
    async with session.begin():
        return {"period": p.period, **await portfolio.cure_rate(session, start=start, end=end,
                                                                branch=p.branch)}


@router.get("/npl-trend", responses=NO_BUSINESS_DATE_RESPONSE)
async def npl_trend(session: SessionDep, _: Reader, p: ParamsDep, settings: SettingsDep) -> dict:
    async with session.begin():
        return {"points": await portfolio.npl_trend(session, period=p.period,
                                                    months=settings.trend_months,
                                                    branch=p.branch)}


@router.get("/asset-quality", responses=NO_BUSINESS_DATE_RESPONSE)
async def asset_quality(session: SessionDep, _: Reader, p: ParamsDep) -> dict:
    """The regulatory five-category table between `from` and `to`."""
    async with session.begin():
        return await regulatory.asset_quality(session, start=p.start, end=p.end,
                                              branch=p.branch)
