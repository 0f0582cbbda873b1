"""Cases: the list a caller may see and one case in full."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.deps import PageDep, SessionDep
from services.collections import repository as repo
from services.collections.api.deps import CaseDep, Reader, sees_everything
from services.collections.models import CollectionCase
from services.collections.schemas import (
    CaseDetail, CaseLoanOut, CaseSummary, ContactOut, LegalStageOut, OfferOut, Page, PromiseOut,
    StopOut,
)

router = APIRouter(prefix="/cases", tags=["cases"])

@router.get("", response_model=Page[CaseSummary])
async def list_cases(
    session: SessionDep, page: PageDep, principal: Reader,
    loan_id: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
) -> Page[CaseSummary]:
    async with session.begin():
        rows, total = await repo.list_cases(
            session, limit=page.limit, offset=page.offset, loan_id=loan_id,
            customer_id=customer_id, status=status, collector_id=principal.subject,
            team=principal.team, restrict=not sees_everything(principal))
    return Page[CaseSummary](items=[CaseSummary.model_validate(r) for r in rows], total=total,
                             limit=page.limit, offset=page.offset)


async def case_detail(session: AsyncSession, case: CollectionCase) -> CaseDetail:
    return CaseDetail(
        **CaseSummary.model_validate(case).model_dump(),
        loans=[CaseLoanOut.model_validate(l) for l in await repo.case_loans(session, case.case_id)],
        contacts_log=[ContactOut.model_validate(c)
                      for c in await repo.contacts_of_case(session, case.case_id)],
        promises=[PromiseOut.model_validate(p)
                  for p in await repo.promises_of_case(session, case.case_id)],
        offers=[OfferOut.model_validate(o)
                for o in await repo.offers_of_case(session, case.case_id)],
        legal_stages=[LegalStageOut.model_validate(s)
                      for s in await repo.legal_stages(session, case.case_id)],
        active_stops=[StopOut.model_validate(s)
                      for s in await repo.active_stops(session, case.customer_id)],
    )


@router.get("/{case_id}", response_model=CaseDetail)
async def get_case(case: CaseDep, session: SessionDep) -> CaseDetail:
    async with session.begin():
        return await case_detail(session, case)
