"""Applying translated Fineract events inside the caller's transaction.

Native effects go through the same handlers as the bank's own events (parking for loans
not known yet included), under an envelope whose id derives from Fineract's
idempotencyKey, so a redelivery publishes nothing new."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Envelope, MalformedRecord, new_event
from shared.kafka.consumer import Handler
from services.monitoring.service import ledger
from services.monitoring.domain.classification import AgeingPolicy
from services.monitoring.fineract import metrics
from services.monitoring.fineract.mapping import Effect, Native, Observe, Reopen
from services.monitoring.models import Loan

SOURCE = "fineract"


def effect_envelope(effect: Native, *, event_id: str, time: datetime,
                    correlation_id: str) -> Envelope:
    return new_event(type=effect.type, source=SOURCE, subject=effect.loan_id,
                     data=effect.payload.model_dump(mode="json"), time=time, id=event_id,
                     correlationid=correlation_id)


async def apply_effects(session: AsyncSession, effects: list[tuple[str, Effect]], *,
                        handlers: dict[str, Handler], policy: AgeingPolicy, time: datetime,
                        correlation_id: str) -> None:
    """`effects` pairs each effect with its stable id (idempotencyKey, item and position)."""
    for event_id, effect in effects:
        envelope = new_event(type=f"fineract.{type(effect).__name__.lower()}", source=SOURCE,
                             subject=effect.loan_id, data={}, time=time, id=event_id,
                             correlationid=correlation_id)
        if isinstance(effect, Native):
            envelope = effect_envelope(effect, event_id=event_id, time=time,
                                       correlation_id=correlation_id)
            await handlers[effect.type](session, envelope, effect.payload)
        elif isinstance(effect, Reopen):
            await reopen(session, effect=effect, policy=policy, cause=envelope)
        elif isinstance(effect, Observe):
            await observe(session, effect=effect)


async def reopen(session: AsyncSession, *, effect: Reopen, policy: AgeingPolicy,
                 cause: Envelope) -> None:
    """An undone charge-off or write-off puts the loan back on the book and re-ages it."""
    loan = await session.get(Loan, effect.loan_id)
    if loan is None or loan.status != "closed" or loan.close_reason != "written_off":
        return
    loan.status, loan.closed_date, loan.close_reason = "active", None, None
    loan.updated_at = datetime.now(timezone.utc)
    await session.flush()
    metrics.LOANS_REOPENED.labels(effect.undone).inc()
    await ledger.reage(session, loan_ids=[loan.loan_id], policy=policy, cause=cause,
                       fallback_date=effect.on)


async def observe(session: AsyncSession, *, effect: Observe) -> None:
    """Fineract's own view of a loan: compared where postloan holds the same figure."""
    if effect.kind != "balance" or effect.principal_outstanding is None:
        return
    loan = await session.get(Loan, effect.loan_id)
    if loan is not None and loan.outstanding_principal != effect.principal_outstanding:
        metrics.BALANCE_DRIFT.inc()


def parse_business_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        return None


def parse_created_at(value: str) -> datetime | None:
    """Fineract's createdAt is UTC in ISO_LOCAL_DATE_TIME (no zone)."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def message_dates(created_at: str, business_date: str) -> tuple[datetime, date]:
    """The message's time and business date, each standing in for the other when it cannot
    be read, never the wall clock: a redelivery or a replay on another day must date its
    effects (and the envelope they derive from) the same. Neither readable: malformed."""
    moment, day = parse_created_at(created_at), parse_business_date(business_date)
    if day is None and moment is None:
        raise MalformedRecord("schema_violation",
                              "MessageV1 has neither a readable businessDate nor createdAt")
    if day is None:
        day = moment.date()  # type: ignore[union-attr]
    if moment is None:
        moment = datetime.combine(day, time(), tzinfo=timezone.utc)
    return moment, day
