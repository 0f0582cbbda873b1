"""Complaint use cases: intake, assignment with recusal, extensions, decision, closing, and
the daily deadline watch. A collection-conduct complaint stops collection contact from
intake until it is closed."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.errors import Conflict
from shared.auth import Principal
from shared.events import crm as out
from shared.events.envelope import Envelope
from services.crm import repository as repo
from services.crm.domain import complaints as rules
from services.crm.domain.complaints import Category, DeadlineClock, DeadlinePolicy, Resolution
from services.crm.errors import as_api_errors
from services.crm.metrics import COMPLAINTS_OPENED, DEADLINE_BREACHES
from services.crm.models import Complaint, new_id
from services.crm.publish import publish
from services.crm.service import contact_stops, surveys

OPEN = tuple(s.value for s in rules.OPEN_STATUSES)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _ref(c: Complaint) -> dict[str, Any]:
    return {"complaint_id": c.id, "customer_id": c.customer_id, "category": c.category,
            "loan_id": c.loan_id, "case_id": c.case_id}


async def _publish(session: AsyncSession, type_: str, c: Complaint, data: Any,
                   cause: Envelope | None = None, discriminator: str = "") -> None:
    await publish(session, type=type_, subject=c.customer_id, data=data, cause=cause,
                  discriminator=f"{c.id}|{discriminator}")


async def open_complaint(session: AsyncSession, *, customer_id: str, category: Category,
                         channel: str, description: str, received_date: date,
                         received_by: str, policy: DeadlinePolicy, loan_id: str | None = None,
                         case_id: str | None = None,
                         involved_staff: list[str] | tuple[str, ...] = ()) -> Complaint:
    clock = rules.start_clock(received_date, policy)
    involved = set(involved_staff) | await repo.case_staff(session, case_id)
    row = Complaint(id=new_id("CMP"), customer_id=customer_id, loan_id=loan_id, case_id=case_id,
                    category=category.value, channel=channel, description=description,
                    received_date=received_date, received_by=received_by,
                    deadline_date=clock.deadline_date, extension_stage=0, extensions=[],
                    involved_staff=sorted(involved), status=rules.Status.received.value,
                    breached=False, reminders_sent=[], created_at=_now(), updated_at=_now())
    session.add(row)
    await session.flush()
    await _publish(session, "crm.complaint.opened.v1", row, out.ComplaintOpened(
        **_ref(row), channel=channel, received_date=received_date,
        deadline_date=row.deadline_date))
    if category is Category.collection_conduct:
        await contact_stops.stop(session, customer_id=customer_id, reason="collection_complaint",
                                 reference_id=row.id, effective_date=received_date,
                                 created_by=received_by)
    COMPLAINTS_OPENED.labels(category.value).inc()
    return row


def _check_open(c: Complaint) -> None:
    if c.status not in OPEN:
        raise Conflict(f"complaint {c.id} is already {c.status}", code="complaint_not_open")


async def _involved(session: AsyncSession, c: Complaint) -> set[str]:
    # Collectors assigned to the case after intake are involved too: read them afresh.
    involved = set(c.involved_staff) | await repo.case_staff(session, c.case_id)
    c.involved_staff = sorted(involved)
    return involved


async def assign(session: AsyncSession, *, complaint: Complaint, handler: str,
                 team: str | None) -> Complaint:
    _check_open(complaint)
    with as_api_errors():
        rules.check_may_handle(handler, await _involved(session, complaint))
    complaint.handler, complaint.handler_team = handler, team
    complaint.status, complaint.updated_at = rules.Status.assigned.value, _now()
    await session.flush()
    return complaint


def _clock(c: Complaint) -> DeadlineClock:
    return DeadlineClock(c.received_date, c.deadline_date, c.extension_stage,
                         c.pending_extension_reason, c.pending_extension_by)


def _check_handler(c: Complaint, principal: Principal, action: str) -> None:
    if c.handler is None:
        raise Conflict(f"assign complaint {c.id} before you {action}", code="handler_required")
    if principal.subject != c.handler:
        raise Conflict(f"only the handler of complaint {c.id} may {action}",
                       code="not_the_handler")


async def extend(session: AsyncSession, *, complaint: Complaint, reason: str,
                 principal: Principal, on: date, policy: DeadlinePolicy) -> Complaint:
    """Stage 1 applies at once; the further extension waits for `approve_extension`."""
    _check_open(complaint)
    _check_handler(complaint, principal, "extend it")
    before = _clock(complaint)
    with as_api_errors():
        after = rules.extend(before, policy, reason=reason, requested_by=principal.subject, on=on)
    if after.stage == before.stage:
        complaint.pending_extension_reason = reason
        complaint.pending_extension_by = principal.subject
        complaint.updated_at = _now()
        await session.flush()
        return complaint
    return await _apply_extension(session, complaint, before, after, reason=reason,
                                  requested_by=principal.subject, approved_by=None)


async def approve_extension(session: AsyncSession, *, complaint: Complaint,
                            principal: Principal, on: date,
                            policy: DeadlinePolicy) -> Complaint:
    _check_open(complaint)
    before = _clock(complaint)
    with as_api_errors():
        after = rules.approve_extension(before, policy, approved_by=principal.subject, on=on)
    complaint.pending_extension_reason = complaint.pending_extension_by = None
    return await _apply_extension(session, complaint, before, after,
                                  reason=before.pending_reason or "",
                                  requested_by=before.pending_by or "",
                                  approved_by=principal.subject)


async def _apply_extension(session: AsyncSession, c: Complaint, before: DeadlineClock,
                           after: DeadlineClock, *, reason: str, requested_by: str,
                           approved_by: str | None) -> Complaint:
    c.deadline_date, c.extension_stage, c.updated_at = after.deadline_date, after.stage, _now()
    # A new deadline earns its own reminders.
    c.reminders_sent = []
    c.extensions = [*c.extensions, {
        "stage": after.stage, "reason": reason, "requested_by": requested_by,
        "approved_by": approved_by, "previous_deadline_date": before.deadline_date.isoformat(),
        "deadline_date": after.deadline_date.isoformat()}]
    await session.flush()
    await _publish(session, "crm.complaint.extended.v1", c, out.ComplaintExtended(
        **_ref(c), stage=after.stage, previous_deadline_date=before.deadline_date,
        deadline_date=after.deadline_date, requested_by=requested_by, approved_by=approved_by),
        discriminator=str(after.stage))
    return c


async def decide(session: AsyncSession, *, complaint: Complaint, resolution: Resolution,
                 principal: Principal) -> Complaint:
    _check_open(complaint)
    with as_api_errors():
        rules.check_resolution(resolution, received_date=complaint.received_date,
                               handler=complaint.handler, decided_by=principal.subject,
                               involved_staff=await _involved(session, complaint))
    c = complaint
    for name, value in asdict(resolution).items():
        setattr(c, "resolution_summary" if name == "summary" else name,
                value.value if hasattr(value, "value") else value)
    c.on_time = not rules.is_late(c.deadline_date, resolution.informed_date)
    c.status, c.updated_at = rules.Status.decided.value, _now()
    c.pending_extension_reason = c.pending_extension_by = None
    await session.flush()
    await _publish(session, "crm.complaint.decided.v1", c, out.ComplaintDecided(
        **_ref(c), outcome=c.outcome, root_cause=c.root_cause,
        informed_date=resolution.informed_date, informed_channel=c.informed_channel,
        received_date=c.received_date, deadline_date=c.deadline_date, on_time=c.on_time,
        days_taken=rules.days_taken(c.received_date, resolution.informed_date),
        handler=principal.subject))
    return c


async def close(session: AsyncSession, *, complaint: Complaint, principal: Principal,
                closed_date: date, default_team: str) -> Complaint:
    c = complaint
    if c.status != rules.Status.decided.value:
        raise Conflict(f"complaint {c.id} is {c.status}; decide it before closing",
                       code="complaint_not_decided")
    if closed_date < (c.informed_date or c.received_date):
        raise Conflict("a complaint cannot close before the customer was informed",
                       code="closed_before_informed")
    c.status, c.closed_date, c.updated_at = rules.Status.closed.value, closed_date, _now()
    await session.flush()
    await _publish(session, "crm.complaint.closed.v1", c, out.ComplaintClosed(
        **_ref(c), outcome=c.outcome or "", closed_date=closed_date))
    await contact_stops.lift_for_reference(session, reference_id=c.id,
                                           lifted_by=principal.subject, lifted_date=closed_date)
    await surveys.send(session, customer_id=c.customer_id, trigger="complaint",
                       reference_id=c.id, team=c.handler_team or default_team,
                       sent_date=closed_date)
    return c


async def watch_deadlines(session: AsyncSession, *, as_of: date, policy: DeadlinePolicy,
                          cause: Envelope | None) -> dict[str, int]:
    """Once per business day: a reminder per offset before the deadline, and one breach
    event per deadline that passed undecided. Re-running the same day repeats nothing."""
    counts = {"reminders": 0, "breaches": 0}
    for c in await repo.open_complaints(session):
        if rules.is_late(c.deadline_date, as_of):
            counts["breaches"] += await _breach(session, c, as_of, cause)
            continue
        for offset in rules.reminders_due(c.deadline_date, as_of, policy):
            if offset in c.reminders_sent:
                continue
            c.reminders_sent = [*c.reminders_sent, offset]
            counts["reminders"] += 1
            await _publish(session, "crm.complaint.deadline-approaching.v1", c,
                           out.ComplaintDeadlineApproaching(
                               **_ref(c), deadline_date=c.deadline_date, as_of_date=as_of,
                               days_left=(c.deadline_date - as_of).days, handler=c.handler),
                           cause=cause, discriminator=f"{c.deadline_date}|{offset}")
    await session.flush()
    return counts


async def _breach(session: AsyncSession, c: Complaint, as_of: date,
                  cause: Envelope | None) -> int:
    if c.breached:
        return 0
    c.breached, c.updated_at = True, _now()
    DEADLINE_BREACHES.labels(c.category).inc()
    await _publish(session, "crm.complaint.deadline-breached.v1", c,
                   out.ComplaintDeadlineBreached(**_ref(c), deadline_date=c.deadline_date,
                                                 as_of_date=as_of, handler=c.handler),
                   cause=cause, discriminator=str(c.deadline_date))
    return 1
