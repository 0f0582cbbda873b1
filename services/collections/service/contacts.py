"""Contact attempts: the compliance guard decides before anything is recorded. A refused
attempt is recorded as refused (never as a contact), counted and published; the caller
turns it into a 409."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import collections as out
from services.collections import repository as repo
from services.collections.domain import contacts as guard
from services.collections.domain.policy import Policy
from services.collections.metrics import CONTACTS_RECORDED, CONTACTS_REFUSED
from services.collections.models import CaseLoan, CollectionCase, ContactAttempt, Debtor
from services.collections.publish import publish

class ContactError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def attempt_contact(session: AsyncSession, *, case: CollectionCase, loan_id: str,
                          attempt: guard.Attempt, outcome: str | None, note: str | None,
                          collector_id: str, policy: Policy) -> ContactAttempt:
    if case.status != "open":
        raise ContactError("case_closed", "contacts are recorded on open cases only")
    if await session.get(CaseLoan, (case.case_id, loan_id)) is None:
        raise ContactError("loan_not_in_case", f"loan {loan_id} is not part of this case")
    debtor = await session.get(Debtor, case.customer_id)
    profile = policy.profile_for(debtor.region_code if debtor else None)
    zone = guard.debtor_zone(debtor.timezone if debtor else None, policy.settings.default_timezone)
    lookback = max(profile.weekly_window_days, profile.conversation_cooldown_days or 0) + 2
    since = attempt.at - timedelta(days=lookback)
    history = [guard.PastContact(c.loan_id, c.channel, c.contact_type, c.attempted_at,
                                 c.conversation)
               for c in await repo.contact_history(session, case.customer_id, since)]
    stops = [guard.Stop(s.reason, s.effective_date, s.until_date)
             for s in await repo.active_stops(session, case.customer_id)]
    decision = guard.check_contact(attempt, zone=zone, profile=profile, history=history,
                                   stops=stops)
    return await _record(session, case=case, loan_id=loan_id, attempt=attempt, decision=decision,
                         outcome=outcome, note=note, collector_id=collector_id,
                         jurisdiction=profile.name, policy=policy)


async def _record(session: AsyncSession, *, case: CollectionCase, loan_id: str,
                  attempt: guard.Attempt, decision: guard.Decision, outcome: str | None,
                  note: str | None, collector_id: str, jurisdiction: str,
                  policy: Policy) -> ContactAttempt:
    action = guard.CHANNEL_ACTION[attempt.channel.value]
    cost = policy.cost_of(action) if decision.allowed else Decimal(0)
    row = ContactAttempt(
        contact_id=str(uuid4()), case_id=case.case_id, customer_id=case.customer_id,
        loan_id=loan_id, channel=attempt.channel.value, contact_type=attempt.contact_type.value,
        purpose=attempt.purpose, discloses_debt=attempt.discloses_debt, attempted_at=attempt.at,
        allowed=decision.allowed, refusal_reason=decision.reason,
        outcome=outcome if decision.allowed else None,
        conversation=decision.allowed and outcome in guard.CONVERSATION_OUTCOMES,
        collector_id=collector_id, jurisdiction=jurisdiction, action_type=action, cost=cost,
        note=note if decision.allowed else None)
    session.add(row)
    if decision.allowed:
        case.contacts = (case.contacts or 0) + 1
        case.total_cost = case.total_cost + cost
        case.last_contact_at = _latest(case.last_contact_at, attempt.at)
        CONTACTS_RECORDED.labels(attempt.channel.value).inc()
    else:
        CONTACTS_REFUSED.labels(decision.reason).inc()
    await session.flush()
    await publish(session, type="collections.contact.attempted.v1", subject=case.customer_id,
                  data=out.ContactAttempted(
                      case_id=case.case_id, customer_id=case.customer_id,
                      contact_id=row.contact_id, loan_id=loan_id, channel=row.channel,
                      contact_type=row.contact_type, purpose=row.purpose,
                      attempted_at=attempt.at, allowed=decision.allowed,
                      refusal_reason=decision.reason, outcome=row.outcome,
                      collector_id=collector_id, jurisdiction=jurisdiction, action_type=action,
                      cost=cost))
    return row


def _latest(current: datetime | None, new: datetime) -> datetime:
    return new if current is None or new > current else current
