"""Promises to pay: record a promise, decide it kept from repayment events, break it when
a business day passes its deadline (`business_day.business_day_aged`), and escalate."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import collections as out
from shared.events.envelope import Envelope
from services.collections import repository as repo
from services.collections.domain import promises as rules
from services.collections.domain.policy import Policy
from services.collections.domain.strategy import Trigger
from services.collections.metrics import PROMISES_DECIDED
from services.collections.models import (
    CaseLoan, CollectionCase, Promise, Repayment,
)
from services.collections.publish import publish
from services.collections.service import cases


async def record_promise(session: AsyncSession, *, case: CollectionCase, loan_id: str,
                         amount: Decimal, due_date: date, today: date, by: str,
                         policy: Policy) -> Promise:
    if case.status != "open":
        raise rules.PromiseError("case_closed", "promises are taken on open cases only")
    if await session.get(CaseLoan, (case.case_id, loan_id)) is None:
        raise rules.PromiseError("loan_not_in_case", f"loan {loan_id} is not part of this case")
    rules.check_new_promise(amount=amount, due_date=due_date, today=today,
                            max_days_ahead=policy.settings.promise_max_days_ahead,
                            active_on_loan=await repo.active_promise(session, loan_id) is not None)
    promise = Promise(promise_id=str(uuid4()), case_id=case.case_id, customer_id=case.customer_id,
                      loan_id=loan_id, amount=amount, due_date=due_date,
                      grace_days=policy.settings.promise_grace_days, recorded_date=today,
                      recorded_by=by, status=rules.PromiseStatus.active.value,
                      paid_amount=Decimal(0))
    session.add(promise)
    await session.flush()
    await publish(session, type="collections.promise.recorded.v1", subject=case.customer_id,
                  data=out.PromiseRecorded(
                      case_id=case.case_id, customer_id=case.customer_id, loan_id=loan_id,
                      promise_id=promise.promise_id, amount=amount, due_date=due_date,
                      grace_days=promise.grace_days, recorded_by=by, recorded_date=today))
    return promise


async def record_repayment(session: AsyncSession, *, loan_id: str, customer_id: str,
                           payment_id: str, amount: Decimal, paid_date: date,
                           policy: Policy, cause: Envelope) -> None:
    if await session.get(Repayment, payment_id) is None:
        session.add(Repayment(payment_id=payment_id, loan_id=loan_id, customer_id=customer_id,
                              amount=amount, paid_date=paid_date, reversed=False))
        await session.flush()
        await _record_recovery(session, loan_id=loan_id, customer_id=customer_id,
                               payment_id=payment_id, amount=amount, on=paid_date, cause=cause)
    await evaluate_loan(session, loan_id=loan_id, as_of=paid_date, policy=policy, cause=cause)


async def _record_recovery(session: AsyncSession, *, loan_id: str, customer_id: str,
                           payment_id: str, amount: Decimal, on: date, cause: Envelope) -> None:
    case = await repo.open_case_of(session, customer_id)
    if case is None or await session.get(CaseLoan, (case.case_id, loan_id)) is None:
        return
    case.total_recovered = (case.total_recovered or Decimal(0)) + amount
    await session.flush()
    await publish(session, type="collections.amount.recovered.v1", subject=customer_id,
                  cause=cause, discriminator=payment_id,
                  data=out.AmountRecovered(case_id=case.case_id, customer_id=customer_id,
                                           path=case.path, variant=case.variant, loan_id=loan_id,
                                           amount=amount, source="repayment",
                                           reference_id=payment_id, recovered_date=on))


async def reverse_repayment(session: AsyncSession, *, payment_id: str) -> None:
    """Only promises not yet decided feel a reversal; a kept promise stays kept."""
    repayment = await session.get(Repayment, payment_id)
    if repayment is not None:
        repayment.reversed = True
        await session.flush()


async def evaluate_loan(session: AsyncSession, *, loan_id: str, as_of: date, policy: Policy,
                        cause: Envelope) -> None:
    promise = await repo.active_promise(session, loan_id)
    if promise is not None:
        await decide(session, promise=promise, as_of=as_of, policy=policy, cause=cause)


async def decide(session: AsyncSession, *, promise: Promise, as_of: date, policy: Policy,
                    cause: Envelope) -> None:
    paid_rows = await repo.repayments(session, promise.loan_id, promise.recorded_date)
    status, paid = rules.evaluate(
        amount=promise.amount, recorded_date=promise.recorded_date, due_date=promise.due_date,
        grace_days=promise.grace_days, as_of=as_of,
        repayments=[rules.Repayment(r.payment_id, r.amount, r.paid_date, r.reversed)
                    for r in paid_rows])
    promise.paid_amount = paid
    if status is rules.PromiseStatus.active:
        await session.flush()
        return
    promise.status, promise.decided_date = status.value, as_of
    await session.flush()
    PROMISES_DECIDED.labels(status.value).inc()
    model = out.PromiseKept if status is rules.PromiseStatus.kept else out.PromiseBroken
    await publish(session, type=f"collections.promise.{status.value}.v1",
                  subject=promise.customer_id, cause=cause, discriminator=promise.promise_id,
                  data=model(case_id=promise.case_id, customer_id=promise.customer_id,
                             loan_id=promise.loan_id, promise_id=promise.promise_id,
                             amount=promise.amount, due_date=promise.due_date, paid_amount=paid,
                             decided_date=as_of))
    if status is rules.PromiseStatus.broken:
        case = await session.get(CollectionCase, promise.case_id)
        if case is not None:
            await cases.escalate(session, case=case, trigger=Trigger.broken_promise, as_of=as_of,
                                 policy=policy, cause=cause)
