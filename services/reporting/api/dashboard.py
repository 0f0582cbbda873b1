"""The dashboard: a static page and script (no CDN, charts drawn as inline SVG by our own
script), the JSON bundle it polls, and a local-run login that trades a configured
username and password for a bearer token."""
from __future__ import annotations

import hmac
from datetime import date
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from shared.api.deps import SessionDep
from shared.api.errors import NotFound, Unauthenticated
from shared.db.business_day import NO_BUSINESS_DATE_RESPONSE
from shared.auth import mint_local_token
from services.reporting.api.common import ParamsDep, Reader, SettingsDep
from services.reporting.domain import add_months, month_end, period_bounds
from services.reporting.queries import activity, kpis, portfolio

STATIC = Path(__file__).resolve().parent.parent / "static"
page = APIRouter(tags=["dashboard"])
router = APIRouter(tags=["dashboard"])


@page.get("/dashboard", include_in_schema=False)
async def dashboard_page() -> FileResponse:
    return FileResponse(STATIC / "dashboard.html", media_type="text/html",
                        headers={"Cache-Control": "no-store"})


@page.get("/dashboard/dashboard.js", include_in_schema=False)
async def dashboard_script() -> FileResponse:
    return FileResponse(STATIC / "dashboard.js", media_type="text/javascript")


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


@router.post("/login")
async def login(body: Login, settings: SettingsDep) -> dict:
    """Local runs only: `REPORTING_LOCAL_USERS='["name:password:role+role"]'`."""
    if not settings.environment.is_local or not settings.local_users:
        raise NotFound("password login is only available in local runs with local users")
    for entry in settings.local_users:
        name, _, rest = entry.partition(":")
        password, _, roles = rest.rpartition(":")
        if name == body.username and hmac.compare_digest(password, body.password):
            token = mint_local_token(settings, roles=roles.split("+"), subject=name)
            return {"access_token": token, "token_type": "bearer"}
    raise Unauthenticated("unknown user or wrong password")


@router.get("/dashboard", responses=NO_BUSINESS_DATE_RESPONSE)
async def dashboard_data(session: SessionDep, _: Reader, p: ParamsDep,
                         settings: SettingsDep) -> dict:
    """Everything the dashboard draws, for one period (default: the newest business date's)."""
    start, end = period_bounds(p.period)
    as_of = min(p.as_of, end)
    roll_from = month_end(date.fromisoformat(add_months(p.period, -1) + "-01"))
    async with session.begin():
        return {
            "period": p.period, "as_of": as_of, "refresh_seconds": settings.dashboard_refresh_seconds,
            "scorecard": await kpis.scorecard(session, settings=settings, period=p.period,
                                              team=p.team, branch=p.branch),
            "classification": await portfolio.distribution(
                session, as_of=as_of, by="classification", branch=p.branch),
            "buckets": await portfolio.distribution(session, as_of=as_of, by="bucket",
                                                    branch=p.branch),
            "quality": await portfolio.quality(session, as_of=as_of, branch=p.branch),
            "npl_trend": await portfolio.npl_trend(session, period=p.period,
                                                   months=settings.trend_months, branch=p.branch),
            "roll_rates": {"from": roll_from, "to": as_of, "cells": await portfolio.migration(
                session, start=roll_from, end=as_of, branch=p.branch)},
            "vintages": await portfolio.vintages(session, as_of=as_of,
                                                 max_months=settings.vintage_max_months),
            "warnings": await activity.warnings(session, start=start, end=end),
            "funnel": await activity.funnel(session, start=start, end=end, team=p.team,
                                            branch=p.branch),
        }
