"""The KPI scorecard."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.api.deps import SessionDep
from services.reporting.api.common import PERIOD, Reader, SettingsDep
from services.reporting.queries import kpis

router = APIRouter(tags=["kpis"])


@router.get("/kpis")
async def scorecard(
    session: SessionDep, _: Reader, settings: SettingsDep,
    period: Annotated[str, Query(pattern=PERIOD, description="YYYY-MM")],
    team: Annotated[str | None, Query(max_length=64, description="collection/CRM team")] = None,
    branch: Annotated[str | None, Query(max_length=32, description="region code")] = None,
) -> dict:
    """Each KPI with its components (actual, target, worst, score), the weights and the
    weighted total; the formula is in services/reporting/domain.py."""
    async with session.begin():
        return await kpis.scorecard(session, settings=settings, period=period, team=team,
                                    branch=branch)
