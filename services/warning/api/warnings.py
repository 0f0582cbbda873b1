"""Warnings: list, read, acknowledge, resolve (`/v1/warnings`)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from shared.api.deps import PageDep, SessionDep
from services.warning import repository as repo
from services.warning.service import warnings
from services.warning.api.roles import Reader, RiskOfficer
from services.warning.domain.lifecycle import Status
from services.warning.schemas import Page, ResolveIn, WarningOut

router = APIRouter(prefix="/warnings", tags=["warnings"])
WarningId = Annotated[str, Path(min_length=1, max_length=40)]


@router.get("", response_model=Page[WarningOut])
async def list_warnings(
    _: Reader, session: SessionDep, page: PageDep,
    loan_id: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    level: Annotated[str | None, Query(pattern="^(blue|yellow|orange|red)$")] = None,
    status: Annotated[Status | None, Query()] = None,
) -> Page[WarningOut]:
    async with session.begin():
        rows, total = await repo.list_warnings(
            session, limit=page.limit, offset=page.offset, loan_id=loan_id,
            customer_id=customer_id, level=level, status=status.value if status else None)
        items = [WarningOut.model_validate(row) for row in rows]
    return Page[WarningOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{warning_id}", response_model=WarningOut)
async def get_warning(_: Reader, warning_id: WarningId, session: SessionDep) -> WarningOut:
    async with session.begin():
        return WarningOut.model_validate(await warnings.get_warning(session, warning_id=warning_id))


@router.post("/{warning_id}/acknowledge", response_model=WarningOut,
             responses={409: {"description": "the warning is not open"}})
async def acknowledge_warning(principal: RiskOfficer, warning_id: WarningId,
                              session: SessionDep) -> WarningOut:
    async with session.begin():
        row = await warnings.acknowledge(session, warning_id=warning_id, principal=principal)
        return WarningOut.model_validate(row)


@router.post("/{warning_id}/resolve", response_model=WarningOut,
             responses={409: {"description": "the warning is already cleared or resolved"}})
async def resolve_warning(principal: RiskOfficer, warning_id: WarningId, body: ResolveIn,
                          session: SessionDep) -> WarningOut:
    async with session.begin():
        row = await warnings.resolve(session, warning_id=warning_id,
                                     resolution=body.resolution.value, comment=body.comment,
                                     principal=principal)
        return WarningOut.model_validate(row)
