"""Market risk use cases: a region's or an industry's risk level changes, and the loans
in that scope are judged against it."""
from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Envelope
from services.warning import repository as repo
from services.warning.domain.rules import Signal
from services.warning.models import Loan
from services.warning.service import recent_signals, warnings


async def change_risk(session: AsyncSession, *, event: Any, settings: Any,
                      cause: Envelope) -> None:
    await repo.set_market_risk(session, scope=event.scope, code=event.code,
                               level=event.level, effective=event.effective_date)
    signal = Signal("market", event.effective_date, {
        "scope": event.scope, "code": event.code, "level": event.level,
        "previous_level": event.previous_level})
    recent_signals.remember(session, scope=event.scope, code=event.code,
                            effective=event.effective_date, signal=signal, cause=cause)
    loans = [loan for loan in await repo.loans_in_on(
        session, scope=event.scope, code=event.code, day=event.effective_date)
        if await concerns(session, loan=loan, scope=event.scope, signal=signal,
                          settings=settings)]
    await warnings.judge_on(session, loans=loans, signal=signal, settings=settings, cause=cause)


async def concerns(session: AsyncSession, *, loan: Loan, scope: str, signal: Signal,
                   settings: Any) -> bool:
    """A loan whose other scope (region or industry) is still high keeps its warning."""
    return signal.values["level"] in settings.market_high_levels or not \
        await repo.other_scope_high(session, loan=loan, scope=scope,
                                    levels=settings.market_high_levels)
