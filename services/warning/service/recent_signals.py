"""LATE REGISTRATION: customer- and market-level signals are kept for a few weeks, so a loan
whose registration arrives after a signal dated on or after its disbursal is judged against
that signal, with the same cause and dates as if it had arrived first. Without this the
outcome depends on the arrival order of two events with different Kafka keys."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Sequence

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Envelope
from services.warning.domain.rules import Signal
from services.warning.models import Loan, RecentSignal

KEPT_DAYS = 31  # a registration later than this after its disbursal is not a reordering


def remember(session: AsyncSession, *, scope: str, code: str, effective: date, signal: Signal,
             cause: Envelope) -> None:
    session.add(RecentSignal(
        scope=scope, code=code, effective_date=effective, kind=signal.kind, as_of=signal.as_of,
        values=_encode(dict(signal.values)), cause_event_id=cause.id, cause_type=cause.type,
        cause_source=cause.source, cause_subject=cause.subject,
        cause_correlation_id=cause.correlationid, cause_time=cause.time))


async def since_disbursal(session: AsyncSession, loan: Loan
                          ) -> Sequence[tuple[str, Signal, Envelope]]:
    """The signals concerning `loan` dated on or after its disbursal, in arrival order."""
    rows = (await session.scalars(select(RecentSignal).where(
        RecentSignal.effective_date >= loan.registered_date,
        or_(and_(RecentSignal.scope == "customer", RecentSignal.code == loan.customer_id),
            and_(RecentSignal.scope == "industry", RecentSignal.code == loan.industry_code),
            and_(RecentSignal.scope == "region", RecentSignal.code == loan.region_code)))
        .order_by(RecentSignal.id))).all()
    return [(row.scope, Signal(row.kind, row.as_of, _decode(row.values)), Envelope(
        specversion="1.0", id=row.cause_event_id, type=row.cause_type, source=row.cause_source,
        subject=row.cause_subject, correlationid=row.cause_correlation_id, time=row.cause_time))
        for row in rows]


async def forget_before(session: AsyncSession, today: date) -> None:
    await session.execute(delete(RecentSignal).where(
        RecentSignal.effective_date < today - timedelta(days=KEPT_DAYS)))


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$date"}:
            return date.fromisoformat(value["$date"])
        if set(value) == {"$decimal"}:
            return Decimal(value["$decimal"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value
