"""Customer use cases: a change to a customer's profile becomes a signal for the loans
the customer holds on its effective date, and is kept for loans registered late."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Envelope
from services.warning import repository as repo
from services.warning.domain.rules import Signal
from services.warning.domain.windows import dates_of
from services.warning.models import CustomerStatement
from services.warning.service import recent_signals, warnings
from services.warning.windowing import CONTACTS, WindowStore


async def change_profile(session: AsyncSession, *, event: Any, windows: WindowStore,
                         settings: Any, cause: Envelope) -> None:
    signal = await _profile_signal(session, event, windows)
    if signal is None:
        return
    recent_signals.remember(session, scope="customer", code=event.customer_id,
                            effective=event.effective_date, signal=signal, cause=cause)
    loans = await repo.loans_of_customer_on(session, event.customer_id, event.effective_date)
    await warnings.judge_on(session, loans=loans, signal=signal, settings=settings, cause=cause)


async def _profile_signal(session: AsyncSession, event: Any, windows: WindowStore) -> Signal | None:
    old, new, kind, when = event.old, event.new, event.change_kind, event.effective_date
    if kind == "contact":
        return Signal("contact_changes", when,
                      {"dates": dates_of(windows.get(CONTACTS, event.customer_id))})
    if kind == "employment":
        return Signal("employment", when, {"old_income": old.get("monthly_income"),
                                           "new_income": new.get("monthly_income")})
    if kind == "credit_report":
        return Signal("credit_report", when, {
            "old_score": old.get("score"), "new_score": new.get("score"),
            "overdue_accounts_elsewhere": new.get("overdue_accounts_elsewhere"),
            "old_overdue_accounts_elsewhere": old.get("overdue_accounts_elsewhere")})
    if kind == "financials":
        return await _financials_signal(session, event.customer_id, new, when)
    if kind == "legal_event":
        return Signal("legal", when, dict(new))
    return None


async def _financials_signal(session: AsyncSession, customer_id: str, new: dict,
                             when: date) -> Signal:
    period_end = date.fromisoformat(str(new.get("period_end") or when))
    prior = await repo.prior_year_statement(session, customer_id, period_end)
    if await session.get(CustomerStatement, (customer_id, period_end)) is None:
        session.add(CustomerStatement(customer_id=customer_id, period_end=period_end,
                                      revenue=new.get("revenue")))
    values = {k: new.get(k) for k in ("revenue", "total_assets", "total_liabilities",
                                      "current_assets", "current_liabilities")}
    values["prior_year_revenue"] = \
        str(prior.revenue) if prior and prior.revenue is not None else None
    values["prior_period_end"] = prior.period_end if prior else None
    return Signal("financials", period_end, values)
