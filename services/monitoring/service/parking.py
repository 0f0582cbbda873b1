"""Events that arrive before the loan or customer they name wait here, in arrival order,
and are applied when it arrives: nothing lost, nothing dead-lettered for ordering alone."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Awaitable, Callable

from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Envelope
from shared.events.registry import parse_payload
from services.monitoring.models import ParkedEvent

Dispatch = Callable[[AsyncSession, Envelope, BaseModel], Awaitable[None]]


async def park(session: AsyncSession, *, entity_kind: str, entity_id: str,
               envelope: Envelope) -> None:
    session.add(ParkedEvent(
        entity_kind=entity_kind, entity_id=entity_id, event_type=envelope.type,
        envelope=envelope.to_bytes(), parked_at=datetime.now(timezone.utc),
    ))
    await session.flush()


async def release(session: AsyncSession, *, entity_kind: str, entity_id: str,
                  dispatch: Dispatch) -> int:
    """Apply the parked events for an entity that now exists, oldest first."""
    parked = (await session.scalars(
        select(ParkedEvent)
        .where(ParkedEvent.entity_kind == entity_kind, ParkedEvent.entity_id == entity_id)
        .order_by(ParkedEvent.id)
    )).all()
    if not parked:
        return 0
    await session.execute(delete(ParkedEvent).where(ParkedEvent.id.in_([p.id for p in parked])))
    for row in parked:
        envelope = Envelope.from_bytes(row.envelope)
        await dispatch(session, envelope, parse_payload(envelope))
    return len(parked)


async def parked_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(ParkedEvent)) or 0)
