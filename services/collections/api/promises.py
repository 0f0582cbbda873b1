"""Promises to pay, taken on a case."""
from __future__ import annotations

from fastapi import APIRouter

from shared.api.deps import SessionDep
from services.collections.api.deps import CaseDep, PolicyDep, Worker, locked
from services.collections.models import CollectionCase
from services.collections.schemas import PromiseIn, PromiseOut
from services.collections.service import business_day, promises

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("/{case_id}/promises", response_model=PromiseOut, status_code=201)
async def record_promise(principal: Worker, case: CaseDep, body: PromiseIn,
                         session: SessionDep, policy: PolicyDep) -> PromiseOut:
    async with session.begin():
        row = await locked(session, CollectionCase, case.case_id)
        # Taken on the business date, like the deadline it is later judged against.
        today = await business_day.today(session, not_before=row.opened_date)
        promise = await promises.record_promise(
            session, case=row, loan_id=body.loan_id, amount=body.amount,
            due_date=body.due_date, today=today, by=principal.subject, policy=policy)
        return PromiseOut.model_validate(promise)
