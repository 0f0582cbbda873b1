"""Portfolio figures from the read models."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from shared.api.deps import SessionDep
from shared.auth import Principal, Role, require_roles
from services.reporting import service
from services.reporting.schemas import RepaymentActivity

router = APIRouter(prefix="/portfolio", tags=["portfolio"])
Reader = Annotated[Principal, Depends(require_roles(
    Role.risk_officer, Role.collection_manager, Role.auditor, Role.crm_agent))]


@router.get("/repayments", response_model=RepaymentActivity)
async def repayments(
    session: SessionDep, _: Reader,
    period: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")],
) -> RepaymentActivity:
    count, amount, reversed_count = await service.repayments_in_period(session, period=period)
    return RepaymentActivity(period=period, repayments=count, amount=amount,
                             reversed=reversed_count)
