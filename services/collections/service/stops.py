"""Contact stops from crm (complaint, cease request, dispute, hardship pause, bankruptcy,
deceased) and from monitoring's legal events. Contact is stopped while any stop is active."""
from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.collections.domain import stops as rules
from services.collections.models import ContactStop


async def stop_contact(session: AsyncSession, *, customer_id: str, reference_id: str,
                       reason: str, effective: date, until: date | None, source: str) -> None:
    stop = await session.get(ContactStop, (customer_id, reference_id))
    if stop is not None:
        # A stop already lifted stays lifted (a late or repeated start), but it records the
        # start's own terms, as it would have had the start come before its resume.
        stop.reason, stop.effective_date, stop.until_date = reason, effective, until
        stop.source = source
        await session.flush()
        return
    session.add(ContactStop(customer_id=customer_id, reference_id=reference_id, reason=reason,
                            effective_date=effective, until_date=until, active=True,
                            source=source))
    await session.flush()


async def resume_contact(session: AsyncSession, *, customer_id: str, reference_id: str,
                         reason: str, effective: date) -> None:
    stop = await session.get(ContactStop, (customer_id, reference_id))
    if stop is None:
        # The resume overtook its stop: keep a tombstone so the stop never takes effect.
        stop = ContactStop(customer_id=customer_id, reference_id=reference_id, reason=reason,
                           effective_date=effective, active=False, source="crm")
        session.add(stop)
    stop.active, stop.resumed_date = False, effective
    await session.flush()


async def on_profile_changed(session: AsyncSession, *, customer_id: str, change_kind: str,
                             new: dict, effective: date) -> None:
    stop = rules.legal_stop(change_kind=change_kind, new=new)
    if stop is None:
        return
    await stop_contact(session, customer_id=customer_id, reference_id=stop.reference_id,
                       reason=stop.reason, effective=effective, until=None, source="monitoring")
