"""Dependencies shared by every service's routes."""
from __future__ import annotations

from typing import Annotated, AsyncIterator

from fastapi import Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit.api import audit_call


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    # The route opens the transaction (`async with session.begin()`); this only hands out
    # the session and closes it. A state-changing call is audited on this session: its
    # changes get their entries in the route's own commit, and a call that committed
    # nothing or failed gets one entry here, once the route is done.
    async with request.app.state.sessions() as session:
        call = await audit_call(request, session)
        if call is None:
            yield session
            return
        try:
            yield session
        except Exception as exc:
            await call.finish(request.app.state.sessions, exc)
            raise
        await call.finish(request.app.state.sessions)


# Function scope: the teardown above runs when the route returns or raises, before the
# response is sent, so nothing is ever written after the caller has had the answer.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=500, description="page size, at most 500")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]
