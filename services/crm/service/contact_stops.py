"""Contact stops: while one is active, collections must not contact the customer. Each stop
is named by its reference (complaint, request or pause id) and publishes exactly one
crm.contact.stopped.v1 and, when lifted, one crm.contact.resumed.v1."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.errors import Conflict
from shared.events.crm import ContactResumed, ContactStopped
from shared.events.envelope import Envelope
from services.crm import repository as repo
from services.crm.domain.contact_stops import legal_stop_kind, pause_has_ended
from services.crm.models import ContactStop, new_id
from services.crm.publish import publish


async def stop(session: AsyncSession, *, customer_id: str, reason: str, effective_date: date,
               created_by: str, reference_id: str | None = None, until_date: date | None = None,
               note: str | None = None, cause: Envelope | None = None) -> ContactStop:
    stop_id = new_id("STP")
    row = ContactStop(id=stop_id, customer_id=customer_id, reason=reason,
                      reference_id=reference_id or stop_id, effective_date=effective_date,
                      until_date=until_date, note=note, status="active",
                      created_by=created_by, created_at=datetime.now(timezone.utc))
    session.add(row)
    await session.flush()
    await publish(session, type="crm.contact.stopped.v1", subject=customer_id, cause=cause,
                  discriminator=row.reference_id, data=ContactStopped(
                      customer_id=customer_id, reason=reason, reference_id=row.reference_id,
                      effective_date=effective_date, until_date=until_date))
    return row


async def stop_once(session: AsyncSession, *, customer_id: str, reason: str,
                    reference_id: str, effective_date: date,
                    cause: Envelope | None) -> ContactStop | None:
    """A stop that stands for a fact (bankruptcy, death) is published once, however often
    the fact is reported; it is never lifted by crm."""
    if await repo.stop_for_reference(session, reference_id) is not None:
        return None
    return await stop(session, customer_id=customer_id, reason=reason,
                      reference_id=reference_id, effective_date=effective_date,
                      created_by="system", cause=cause)


async def stop_for_legal_event(session: AsyncSession, *, event: Any, cause: Envelope) -> None:
    kind = legal_stop_kind(event.change_kind, event.new)
    if kind is not None:
        await stop_once(session, customer_id=event.customer_id, reason=kind,
                        reference_id=f"{kind}:{event.customer_id}",
                        effective_date=event.effective_date, cause=cause)


async def lift(session: AsyncSession, *, row: ContactStop, lifted_by: str, lifted_date: date,
               cause: Envelope | None = None) -> ContactStop:
    if row.status != "active":
        raise Conflict(f"contact stop {row.id} is already lifted", code="stop_lifted")
    row.status, row.lifted_by, row.lifted_date = "lifted", lifted_by, lifted_date
    await session.flush()
    await publish(session, type="crm.contact.resumed.v1", subject=row.customer_id, cause=cause,
                  discriminator=row.reference_id, data=ContactResumed(
                      customer_id=row.customer_id, reason=row.reason,
                      reference_id=row.reference_id, effective_date=lifted_date))
    return row


async def lift_for_reference(session: AsyncSession, *, reference_id: str, lifted_by: str,
                             lifted_date: date, cause: Envelope | None = None) -> None:
    row = await repo.stop_for_reference(session, reference_id)
    if row is not None and row.status == "active":
        await lift(session, row=row, lifted_by=lifted_by, lifted_date=lifted_date, cause=cause)


async def end_expired_pauses(session: AsyncSession, *, as_of: date,
                             cause: Envelope | None) -> list[str]:
    ended = []
    for row in await repo.pauses_ended(session, as_of):
        if pause_has_ended(row.until_date, as_of):
            await lift(session, row=row, lifted_by="system", lifted_date=as_of, cause=cause)
            ended.append(row.id)
    return ended
