"""Shared route pieces: who may read reports, and report parameters with their defaults."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.deps import SessionDep
from shared.api.errors import Unprocessable
from shared.auth import Principal, Role, require_roles
from shared.db.business_day import business_today
from services.reporting.config import Settings
from services.reporting.domain import add_months, month_end
from services.reporting.queries.portfolio import latest_business_date, newest_state_date
from services.reporting.reports import Params

READ_ROLES = (Role.risk_officer, Role.collection_manager, Role.crm_agent, Role.auditor)
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
# Years 1900-2199: month arithmetic on year 1 or 9999 would step outside what dates can hold.
PERIOD = r"^(19|2[01])\d{2}-(0[1-9]|1[0-2])$"
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2199, 12, 31)
PeriodQ = Annotated[str | None, Query(pattern=PERIOD, description="YYYY-MM")]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(settings_of)]


async def default_as_of(session: AsyncSession) -> date:
    """The newest business date monitoring aged; before the first close, the newest date
    the loan events carried; with no event at all, 409 `no_business_date`. Never the wall
    clock: the same request gives the same report whenever it is asked."""
    async with session.begin():
        latest = await latest_business_date(session) or await newest_state_date(session)
    return business_today(latest, needed_for="the report's as-of date")


async def report_params(
    session: SessionDep,
    period: PeriodQ = None,
    as_of: Annotated[date | None, Query(description="as-of date; default the newest business date")] = None,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
    team: Annotated[str | None, Query(max_length=64)] = None,
    branch: Annotated[str | None, Query(max_length=32, description="region code")] = None,
    by: Annotated[str, Query(pattern="^(bucket|classification)$")] = "bucket",
) -> Params:
    for given in (as_of, from_, to):
        if given is not None and not FIRST_DATE <= given <= LAST_DATE:
            raise Unprocessable(f"dates must lie between {FIRST_DATE} and {LAST_DATE}")
    as_of = as_of or to or await default_as_of(session)  # before the route's transaction
    period = period or as_of.strftime("%Y-%m")
    end = to or as_of
    start = from_ or month_end(date.fromisoformat(add_months(end.strftime("%Y-%m"), -1) + "-01"))
    if start > end:
        raise Unprocessable("`from` must not be after `to`")
    return Params(period=period, as_of=as_of, start=start, end=end, team=team, branch=branch,
                  by=by)


ParamsDep = Annotated[Params, Depends(report_params)]
