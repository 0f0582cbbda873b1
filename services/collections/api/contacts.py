"""Contact attempts on a case, through the compliance guard; a refusal is a 409 whose code
is the reason."""
from __future__ import annotations

from fastapi import APIRouter

from shared.api.deps import SessionDep
from shared.api.errors import Conflict
from services.collections.api.deps import CaseDep, NowDep, PolicyDep, Worker, locked
from services.collections.domain import contacts as guard
from services.collections.models import CollectionCase
from services.collections.schemas import ContactIn, ContactOut
from services.collections.service import contacts

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
