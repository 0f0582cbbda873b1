"""HANDLERS: one adapter per inbound event type, each mapping the payload onto one use case.
Adapters hold no rules and write no rows; settings and the window store reach them through
an explicit `Context`, bound once per process by `build_handlers(settings, windows)`.
`make_apply` is the transaction a guarded faust agent runs per record."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Awaitable, Callable

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import inbox
from shared.events import monitoring
from shared.events.envelope import Envelope, MalformedRecord
from shared.events.registry import spec_for
from shared.kafka.consumer import Handler
from shared.kafka.records import RawRecord
from services.warning.config import Settings
from services.warning.domain.rules import Signal
from services.warning.models import delivery
from services.warning.service import business_day, customers, loans, market, warnings
from services.warning.windowing import WindowStore, observe

PROMISE_BROKEN = "collections.promise.broken.v1"


@dataclass(frozen=True)
class Context:
    """What a handler needs besides its event: the settings and the windowed state."""

    settings: Settings
    windows: WindowStore


Adapter = Callable[..., Awaitable[None]]
"""`async def adapter(session, envelope, event, *, context)`: a `Handler` once bound."""


async def register_loan(session: AsyncSession, envelope: Envelope,
                        event: monitoring.LoanRegistered, *, context: Context) -> None:
    await loans.register(session, event=event, settings=context.settings)


async def close_loan(session: AsyncSession, envelope: Envelope,
                     event: monitoring.LoanClosedOut, *, context: Context) -> None:
    await loans.close(session, event=event, cause=envelope)


async def miss_installment(session: AsyncSession, envelope: Envelope,
                           event: monitoring.InstallmentMissed, *, context: Context) -> None:
    await loans.miss_installment(session, event=event, windows=context.windows,
                                 settings=context.settings, cause=envelope)


async def change_delinquency(session: AsyncSession, envelope: Envelope,
                             event: monitoring.DelinquencyChanged, *, context: Context) -> None:
    await loans.change_delinquency(session, event=event, settings=context.settings,
                                   cause=envelope)


async def change_classification(session: AsyncSession, envelope: Envelope,
                                event: monitoring.ClassificationChanged, *,
                                context: Context) -> None:
    await loans.change_classification(session, event=event, settings=context.settings)


async def cure_loan(session: AsyncSession, envelope: Envelope,
                    event: monitoring.LoanCured, *, context: Context) -> None:
    await _judge_loan(session, envelope, event, context, Signal(
        "cured", event.as_of_date, {"previous_dpd": event.previous_dpd}))


async def record_repayment(session: AsyncSession, envelope: Envelope,
                           event: monitoring.RepaymentRecorded, *, context: Context) -> None:
    await _judge_loan(session, envelope, event, context, Signal(
        "repayment", event.paid_date, {"payment_id": event.payment_id, "amount": event.amount,
                                       "overdue_amount": event.overdue_amount}))


async def reverse_repayment(session: AsyncSession, envelope: Envelope,
                            event: monitoring.RepaymentReversedOut, *, context: Context) -> None:
    await _judge_loan(session, envelope, event, context, Signal(
        "reversal", event.reversed_date, {
            "payment_id": event.payment_id, "amount": event.amount, "reason": event.reason,
            "overdue_amount": event.overdue_amount}))


async def revalue_collateral(session: AsyncSession, envelope: Envelope,
                             event: monitoring.CollateralRevalued, *, context: Context) -> None:
    await _judge_loan(session, envelope, event, context, Signal(
        "collateral", event.valued_date, {
            "loan_to_value": event.loan_to_value, "collateral_id": event.collateral_id,
            "total_collateral_value": event.total_collateral_value}))


async def break_promise(session: AsyncSession, envelope: Envelope, event: Any, *,
                        context: Context) -> None:
    await _judge_loan(session, envelope, event, context, Signal(
        "promise_broken", event.decided_date, {
            "promise_id": event.promise_id, "amount": event.amount, "due_date": event.due_date,
            "paid_amount": getattr(event, "paid_amount", None)}))


async def change_profile(session: AsyncSession, envelope: Envelope,
                         event: monitoring.CustomerProfileChanged, *, context: Context) -> None:
    await customers.change_profile(session, event=event, windows=context.windows,
                                   settings=context.settings, cause=envelope)


async def change_market_risk(session: AsyncSession, envelope: Envelope,
                             event: monitoring.MarketRiskChanged, *, context: Context) -> None:
    await market.change_risk(session, event=event, settings=context.settings, cause=envelope)


async def business_day_aged(session: AsyncSession, envelope: Envelope,
                            event: monitoring.BusinessDayAged, *, context: Context) -> None:
    await business_day.business_day_aged(session, business_date=event.business_date,
                                         settings=context.settings)


async def _judge_loan(session: AsyncSession, envelope: Envelope, event: Any, context: Context,
                      signal: Signal) -> None:
    await warnings.judge_loan(session, loan_id=event.loan_id, signal=signal,
                              settings=context.settings, cause=envelope)


def _known(type_: str) -> bool:
    try:
        spec_for(type_)
    except MalformedRecord:
        return False
    return True


HANDLERS: dict[str, Adapter] = {
    "monitoring.loan.registered.v1": register_loan,
    "monitoring.loan.closed.v1": close_loan,
    "monitoring.installment.missed.v1": miss_installment,
    "monitoring.loan.delinquency-changed.v1": change_delinquency,
    "monitoring.loan.classification-changed.v1": change_classification,
    "monitoring.loan.cured.v1": cure_loan,
    "monitoring.repayment.recorded.v1": record_repayment,
    "monitoring.repayment.reversed.v1": reverse_repayment,
    "monitoring.collateral.revalued.v1": revalue_collateral,
    "monitoring.customer.profile-changed.v1": change_profile,
    "monitoring.market.risk-changed.v1": change_market_risk,
    "monitoring.business-day.aged.v1": business_day_aged,
}
if _known(PROMISE_BROKEN):  # the collections contract may not be merged yet
    HANDLERS[PROMISE_BROKEN] = break_promise


def build_handlers(settings: Settings, windows: WindowStore) -> dict[str, Handler]:
    """HANDLERS bound to this process's settings and windows, as the agents call them."""
    context = Context(settings=settings, windows=windows)
    return {type_: partial(adapter, context=context) for type_, adapter in HANDLERS.items()}


def make_apply(*, consumer: str, handlers: dict[str, Handler], windows: WindowStore,
               sessions: async_sessionmaker[AsyncSession], settings: Any
               ) -> Callable[[RawRecord, Envelope, BaseModel], Awaitable[bool]]:
    """The `apply` for a guarded faust agent: windows first (idempotent), then the handler
    and the inbox row in one transaction. The only place a record updates the windows:
    every path into the handlers (agents, the test harness) comes through here."""
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
