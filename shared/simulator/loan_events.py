"""Everything that happens on one loan: disbursement, repayments (per the borrower's
segment), the odd reversal, collateral revaluations and the closure."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shared.simulator import agenda as a
from shared.simulator.agenda import Planned
from shared.simulator.behaviour import Payment, Plan, plan_payments
from shared.simulator.population import Loan
from shared.simulator.schedule import cents

REVERSAL_SHARE = 0.04  # loans on which one payment bounces
REPAID_AFTER_REVERSAL = 0.75
WRITE_OFF_SHARE = 0.5  # defaulted loans the bank writes off at 181 days past due
WRITE_OFF_DPD = 181


@dataclass(frozen=True)
class LoanPlan:
    items: list[Planned]
    default_date: date | None


def plan_loan(loan: Loan, rng: random.Random, start: date, end: date) -> LoanPlan:
    dues = [item for item in loan.schedule if item.due_date <= end]
    plan = plan_payments(loan.customer.segment, rng, dues)
    flows = _payment_flows(loan, plan.payments, rng)
    items = [_disbursed(loan)] + flows
    closure = _closure(loan, plan, flows, rng, start)
    items += [r for r in _revaluations(loan, rng, end) if not closure or r.on <= closure[0].on]
    return LoanPlan(items + closure, plan.default_date)


def _disbursed(loan: Loan) -> Planned:
    return Planned(loan.disbursed, a.DISBURSED, "bank.loan.disbursed.v1",
                   lambda: _disbursed_data(loan))


def _disbursed_data(loan: Loan) -> dict[str, object]:
    return {
        "loan_id": loan.loan_id, "customer_id": loan.customer.customer_id,
        "product": loan.product, "currency": loan.customer.region.currency,
        "principal": str(loan.principal), "annual_rate": str(loan.annual_rate),
        "disbursed_date": loan.disbursed.isoformat(),
        "maturity_date": loan.schedule[-1].due_date.isoformat(),
        "payment_mode": loan.payment_mode, "purpose": loan.purpose,
        "industry_code": loan.customer.industry_code, "region_code": loan.customer.region.code,
        "schedule": [item.as_payload() for item in loan.schedule],
        "collateral": [{"collateral_id": c.collateral_id, "kind": c.kind, "value": str(c.value),
                        "valued_date": c.valued_date.isoformat()} for c in loan.collateral],
    }


def _repayment(loan: Loan, number: int, payment: Payment) -> Planned:
    return Planned(payment.paid_date, a.REPAYMENT, "bank.repayment.received.v1", {
        "loan_id": loan.loan_id, "payment_id": f"P-{loan.loan_id[2:]}-{number:03d}",
        "amount": str(payment.amount), "paid_date": payment.paid_date.isoformat(),
        "channel": payment.channel})


def _payment_flows(loan: Loan, payments: list[Payment], rng: random.Random) -> list[Planned]:
    """Repayments, plus at most one reversal (a bounced debit, usually paid again days
    later). The last payment is never reversed, so a closure never precedes a reversal."""
    flows = [_repayment(loan, n, p) for n, p in enumerate(payments, start=1)]
    if len(payments) < 2 or rng.random() >= REVERSAL_SHARE:
        return flows
    index = rng.randrange(len(payments) - 1)
    bounced = flows[index]
    reversed_on = payments[index].paid_date + timedelta(days=rng.randint(1, 3))
    if reversed_on >= payments[-1].paid_date:
        return flows
    flows.append(Planned(reversed_on, a.REVERSAL, "bank.repayment.reversed.v1", {
        "loan_id": loan.loan_id, "payment_id": bounced.data["payment_id"],
        "reversed_date": reversed_on.isoformat(), "reason": "insufficient_funds"}))
    if rng.random() < REPAID_AFTER_REVERSAL:
        again = Payment(reversed_on + timedelta(days=rng.randint(2, 7)),
                        payments[index].amount, "transfer")
        flows.append(_repayment(loan, len(payments) + 1, again))
    return flows


def _closure(loan: Loan, plan: Plan, flows: list[Planned], rng: random.Random,
             start: date) -> list[Planned]:
    repaid_on = _fully_repaid_on(loan, flows)
    if repaid_on is not None:
        return [_closed(loan, repaid_on, "repaid")]
    if plan.default_date is not None and rng.random() < WRITE_OFF_SHARE:
        written_off = plan.default_date + timedelta(days=WRITE_OFF_DPD)
        if written_off >= start:
            return [_closed(loan, written_off, "written_off")]
    return []


def _fully_repaid_on(loan: Loan, flows: list[Planned]) -> date | None:
    owed = Decimal(sum(i.principal_cents + i.interest_cents for i in loan.schedule)).scaleb(-2)
    amounts = {f.data["payment_id"]: Decimal(f.data["amount"]) for f in flows
               if f.rank == a.REPAYMENT}
    paid = Decimal(0)
    for flow in sorted(flows, key=lambda f: (f.on, f.rank)):
        sign = 1 if flow.rank == a.REPAYMENT else -1
        paid += sign * amounts[flow.data["payment_id"]]
        if paid >= owed:
            return flow.on
    return None


def _closed(loan: Loan, on: date, reason: str) -> Planned:
    return Planned(on, a.CLOSED, "bank.loan.closed.v1", {
        "loan_id": loan.loan_id, "closed_date": on.isoformat(), "reason": reason})


def _revaluations(loan: Loan, rng: random.Random, end: date) -> list[Planned]:
    """Collateral is appraised again about twice a year; property drifts a few percent."""
    items = []
    for collateral in loan.collateral:
        value, on = collateral.value, collateral.valued_date
        while (on := on + timedelta(days=rng.randint(150, 210))) <= end:
            value = cents(value * (100 + rng.randint(-12, 6)) / 100)
            items.append(Planned(on, a.COLLATERAL, "bank.collateral.revalued.v1", {
                "loan_id": loan.loan_id, "collateral_id": collateral.collateral_id,
                "value": str(value), "valued_date": on.isoformat()}))
    return items
