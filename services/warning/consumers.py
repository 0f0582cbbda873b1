"""HANDLERS: one handler per inbound event type. Each turns the event into a signal for the
loans it concerns and calls one use case. Windowed facts come from the window store."""
from __future__ import annotations

from datetime import date
from typing import Any, Awaitable, Callable, Sequence

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import inbox
from shared.events.envelope import Envelope, MalformedRecord
from shared.events.registry import spec_for
from shared.kafka.consumer import Handler
from shared.kafka.records import RawRecord
from services.warning import repository as repo
from services.warning.service import (
    business_day as clock, loan_defaults as defaults, recent_signals, warnings, watchlist,
)
from services.warning.domain.rules import Signal
from services.warning.domain.windows import dates_of
from services.warning.models import CustomerStatement, Loan, delivery
from services.warning.windowing import CONTACTS, MISSED, WindowStore, observe

PROMISE_BROKEN = "collections.promise.broken.v1"


def build_handlers(settings: Any, windows: WindowStore) -> dict[str, Handler]:
    async def judge_loan(session: AsyncSession, envelope: Envelope, loan_id: str,
                         signal: Signal) -> None:
        loan = await session.get(Loan, loan_id)
        if loan is not None and loan.active:
            await warnings.judge(session, loans=[loan], signal=signal, settings=settings,
                                 cause=envelope)

    async def judge_on(session: AsyncSession, envelope: Envelope, loans: Sequence[Loan],
                       signal: Signal) -> None:
        """Judge the loans active on the signal's date; one closed since then ends the
        warnings the signal gave it at its close, as if the close had come after."""
        await warnings.judge(session, loans=loans, signal=signal, settings=settings,
                             cause=envelope)
        for loan in loans:
            if not loan.active and loan.closed_date is not None:
                await clear_all(session, envelope, loan, loan.closed_date)

    async def clear_all(session: AsyncSession, envelope: Envelope, loan: Loan,
                        on: date) -> None:
        for warning in (await repo.active_warnings_of_loan(session, loan.loan_id)).values():
            await warnings.clear(session, warning=warning, reason="loan_closed", as_of=on,
                                 cause=envelope)

    def loan_signal(kind: str, as_of: Callable[[Any], date],
                    values: Callable[[Any], dict]) -> Handler:
        async def handle(session: AsyncSession, envelope: Envelope, event: Any) -> None:
            await judge_loan(session, envelope, event.loan_id,
                             Signal(kind, as_of(event), values(event)))
        return handle

    async def registered(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        if await session.get(Loan, event.loan_id) is not None:
            return
        loan = Loan(loan_id=event.loan_id, customer_id=event.customer_id,
                    product=event.product, industry_code=event.industry_code,
                    region_code=event.region_code, active=True,
                    registered_date=event.disbursed_date)
        session.add(loan)
        for scope, signal, cause in await recent_signals.since_disbursal(session, loan):
            if scope == "customer" or await market_concerns(session, loan, scope, signal):
                await judge_on(session, cause, [loan], signal)

    async def closed(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        loan = await session.get(Loan, event.loan_id)
        if loan is None:
            return
        loan.active, loan.closed_date = False, event.closed_date
        await clear_all(session, envelope, loan, event.closed_date)

    async def missed(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        window = windows.get(MISSED, event.loan_id)
        await judge_loan(session, envelope, event.loan_id, Signal(
            "installment_missed", event.as_of_date, {
                "installment_no": event.installment_no, "due_date": event.due_date,
                "unpaid_amount": event.unpaid_amount, "missed_installments": sorted(
                    int(n) for n in window) or [event.installment_no]}))

    async def delinquency(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        if event.dpd >= settings.default_dpd:
            await defaults.record(session, event=event, trigger=f"dpd_{settings.default_dpd}")
        await judge_loan(session, envelope, event.loan_id, Signal(
            "delinquency", event.as_of_date, {"dpd": event.dpd, "bucket": event.bucket,
                                              "previous_dpd": event.previous_dpd}))

    async def classification(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        if event.classification in settings.default_classifications:
            await defaults.record(session, event=event, trigger=event.classification)

    async def profile(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        signal = await _profile_signal(session, event, windows)
        if signal is not None:
            recent_signals.remember(session, scope="customer", code=event.customer_id,
                                    effective=event.effective_date, signal=signal, cause=envelope)
            await judge_on(session, envelope, await repo.loans_of_customer_on(
                session, event.customer_id, event.effective_date), signal)

    async def market(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        await repo.set_market_risk(session, scope=event.scope, code=event.code,
                                   level=event.level, effective=event.effective_date)
        signal = Signal("market", event.effective_date, {
            "scope": event.scope, "code": event.code, "level": event.level,
            "previous_level": event.previous_level})
        recent_signals.remember(session, scope=event.scope, code=event.code,
                                effective=event.effective_date, signal=signal, cause=envelope)
        loans = [loan for loan in await repo.loans_in_on(
            session, scope=event.scope, code=event.code, day=event.effective_date)
            if await market_concerns(session, loan, event.scope, signal)]
        await judge_on(session, envelope, loans, signal)

    async def market_concerns(session: AsyncSession, loan: Loan, scope: str,
                              signal: Signal) -> bool:
        # A loan whose other scope (region or industry) is still high keeps its warning.
        return signal.values["level"] in settings.market_high_levels or not \
            await repo.other_scope_high(session, loan=loan, scope=scope,
                                        levels=settings.market_high_levels)

    async def business_day(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        await clock.record(session, business_date=event.business_date)
        await watchlist.review(session, today=event.business_date, settings=settings)
        await recent_signals.forget_before(session, event.business_date)

    handlers: dict[str, Handler] = {
        "monitoring.loan.registered.v1": registered,
        "monitoring.loan.closed.v1": closed,
        "monitoring.installment.missed.v1": missed,
        "monitoring.loan.delinquency-changed.v1": delinquency,
        "monitoring.loan.classification-changed.v1": classification,
        "monitoring.loan.cured.v1": loan_signal(
            "cured", lambda e: e.as_of_date, lambda e: {"previous_dpd": e.previous_dpd}),
        "monitoring.repayment.recorded.v1": loan_signal(
            "repayment", lambda e: e.paid_date, lambda e: {
                "payment_id": e.payment_id, "amount": e.amount,
                "overdue_amount": e.overdue_amount}),
        "monitoring.repayment.reversed.v1": loan_signal(
            "reversal", lambda e: e.reversed_date, lambda e: {
                "payment_id": e.payment_id, "amount": e.amount, "reason": e.reason,
                "overdue_amount": e.overdue_amount}),
        "monitoring.collateral.revalued.v1": loan_signal(
            "collateral", lambda e: e.valued_date, lambda e: {
                "loan_to_value": e.loan_to_value, "collateral_id": e.collateral_id,
                "total_collateral_value": e.total_collateral_value}),
        "monitoring.customer.profile-changed.v1": profile,
        "monitoring.market.risk-changed.v1": market,
        "monitoring.business-day.aged.v1": business_day,
    }
    if _known(PROMISE_BROKEN):  # the collections contract may not be merged yet
        handlers[PROMISE_BROKEN] = loan_signal(
            "promise_broken", lambda e: e.decided_date, lambda e: {
                "promise_id": e.promise_id, "amount": e.amount, "due_date": e.due_date,
                "paid_amount": getattr(e, "paid_amount", None)})
    return {type_: _observing(h, windows, settings) for type_, h in handlers.items()}


def _observing(handler: Handler, windows: WindowStore, settings: Any) -> Handler:
    # Also inside the transaction, so the plain consumer path keeps the windows current.
    async def handle(session: AsyncSession, envelope: Envelope, payload: BaseModel) -> None:
        observe(windows, envelope, payload, settings)
        await handler(session, envelope, payload)
    return handle


def _known(type_: str) -> bool:
    try:
        spec_for(type_)
    except MalformedRecord:
        return False
    return True


async def _profile_signal(session: AsyncSession, event: Any, windows: WindowStore) -> Signal | None:
    old, new, kind, when = event.old, event.new, event.change_kind, event.effective_date
    if kind == "contact":
        return Signal("contact_changes", when, {"dates": dates_of(windows.get(CONTACTS, event.customer_id))})
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
    values["prior_year_revenue"] = str(prior.revenue) if prior and prior.revenue is not None else None
    values["prior_period_end"] = prior.period_end if prior else None
    return Signal("financials", period_end, values)


def make_apply(*, consumer: str, handlers: dict[str, Handler], windows: WindowStore,
               sessions: async_sessionmaker[AsyncSession], settings: Any
               ) -> Callable[[RawRecord, Envelope, BaseModel], Awaitable[bool]]:
    """The `apply` for a guarded faust agent: windows first (idempotent), then the handler
    and the inbox row in one transaction."""
    async def apply(record: RawRecord, envelope: Envelope, payload: BaseModel) -> bool:
        observe(windows, envelope, payload, settings)
        async with sessions() as session, session.begin():
            fresh = await inbox.claim(session, delivery, consumer=consumer, event_id=envelope.id,
                                      event_type=envelope.type, topic=record.topic,
                                      partition=record.partition, offset=record.offset)
            if not fresh:
                return False
            await handlers[envelope.type](session, envelope, payload)
        return True
    return apply
