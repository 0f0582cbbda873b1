"""The watch list (`/v1/watchlist`): who is under enhanced monitoring, and removal by a risk
officer with a reason."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from shared.api.deps import PageDep, SessionDep
from services.warning import repository as repo
from services.warning.service import watchlist
from services.warning.api.roles import Reader, RiskOfficer
from services.warning.schemas import Page, RemoveIn, WatchlistExitOut, WatchlistOut

router = APIRouter(prefix="/watchlist", tags=["watchlist"])


@router.get("", response_model=Page[WatchlistOut])
async def list_watchlist(_: Reader, session: SessionDep, page: PageDep) -> Page[WatchlistOut]:
    async with session.begin():
        rows, total = await repo.watchlist(session, limit=page.limit, offset=page.offset)
        items = [WatchlistOut.model_validate(r) for r in rows]
    return Page[WatchlistOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/{customer_id}/remove", response_model=WatchlistExitOut)
async def remove_from_watchlist(principal: RiskOfficer, body: RemoveIn, session: SessionDep,
                                customer_id: Annotated[str, Path(min_length=1, max_length=64)],
                                ) -> WatchlistExitOut:
    async with session.begin():
        entry = await watchlist.remove(session, customer_id=customer_id, comment=body.comment,
                                       principal=principal)
        return WatchlistExitOut.model_validate(entry)
