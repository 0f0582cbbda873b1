"""Cases: list, detail, contacts through the compliance guard, promises to pay."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.deps import PageDep, SessionDep
from shared.api.errors import Conflict
from services.collections import repository as repo
from services.collections.api.deps import (
    CaseDep, NowDep, PolicyDep, Reader, Worker, locked, sees_everything,
)
from services.collections.domain import contacts as guard
from services.collections.models import CollectionCase
from services.collections.schemas import (
    CaseDetail, CaseLoanOut, CaseSummary, ContactIn, ContactOut, LegalStageOut, OfferOut, Page,
    PromiseIn, PromiseOut, StopOut,
)
from services.collections.service import business_day, contacts, promises

router = APIRouter(prefix="/cases", tags=["cases"])

_REFUSAL_MESSAGES = {
    "outside_contact_hours": "outside the allowed contact hours in the debtor's time zone",
    "daily_attempt_cap": "the daily attempt cap for this debtor is reached",
    "weekly_attempt_cap": "the 7-day attempt cap for this loan is reached",
    "recent_conversation": "a conversation about this debt took place within the "
                           "cooling-off period",
    "third_party_disclosure": "third parties may only be contacted to locate the debtor, "
                              "without disclosing the debt",
}


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


@router.post("/{case_id}/contacts", response_model=ContactOut, status_code=201,
             responses={409: {"description": "refused by the compliance guard; `code` is the "
                                             "reason (e.g. outside_contact_hours, "
                                             "contact_stopped:dispute)"}})
async def record_contact(principal: Worker, case: CaseDep, body: ContactIn,
                         session: SessionDep, policy: PolicyDep, now: NowDep) -> ContactOut:
    attempt = guard.Attempt(loan_id=body.loan_id, channel=guard.Channel(body.channel),
                            contact_type=guard.ContactType(body.contact_type), at=now,
                            purpose=body.purpose, discloses_debt=body.discloses_debt)
    async with session.begin():
        row = await contacts.attempt_contact(
            session, case=await locked(session, CollectionCase, case.case_id),
            loan_id=body.loan_id, attempt=attempt, outcome=body.outcome, note=body.note,
            collector_id=principal.subject, policy=policy)
        result = ContactOut.model_validate(row)
    # The refusal is committed (recorded and published) before the caller hears about it.
    if not result.allowed:
        reason = result.refusal_reason or "refused"
        stop = reason.partition(":")[2]
        message = _REFUSAL_MESSAGES.get(reason, f"contact with this debtor is stopped ({stop})")
        raise Conflict(message, code=reason)
    return result


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
