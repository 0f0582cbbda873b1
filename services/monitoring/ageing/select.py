"""The one INSERT ... SELECT that ages every loan of a run into `ageing_result`.

Three levels, one pass over the data: the open installments aggregated per loan (a single
GROUP BY, no correlated subquery) joined to loan and customer give the facts; the domain's
rule table becomes two CASEs (classification and reason); stage and bucket follow. SQLite
and PostgreSQL agree exactly: DPD via julianday on SQLite, money compared in whole cents
where SQLite stores floats.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Sequence

from sqlalchemy import (
    Date, Integer, and_, case, cast, false, func, literal, or_, select, true, type_coerce,
)
from sqlalchemy.sql import ColumnElement, Select

from shared.db.base import MONEY
from services.monitoring.domain.classification import (
    CONTAGION_RULE, CORPORATE, NPL_CLASSES, AgeingPolicy, Classification, Rule, rules,
)
from services.monitoring.models import AgeingResult, Customer, Installment, Loan

LOAN, INSTALLMENT, CUSTOMER = Loan.__table__, Installment.__table__, Customer.__table__
RESULT = AgeingResult.__table__
NPL_NAMES = [c.value for c in NPL_CLASSES]


@dataclass(frozen=True)
class Run:
    """One ageing run: its id in the work table, the business date, the rules, the loan
    ids it is restricted to (None: every active loan), and its wall-clock stamp."""

    id: str
    as_of: date
    policy: AgeingPolicy
    ids: Sequence[str] | None
    now: datetime
    dialect: str

    def rows(self) -> ColumnElement[bool]:
        return RESULT.c.run_id == self.id


def cents(amount: Any) -> ColumnElement[Any]:
    """Whole cents: SQLite keeps money as binary floats, so compare rounded cents there."""
    return func.round(amount * 100)


def money(amount: Any) -> ColumnElement[Any]:
    return type_coerce(func.round(func.coalesce(amount, 0), 2), MONEY)


def unpaid() -> ColumnElement[Any]:
    c = INSTALLMENT.c
    return c.principal_due + c.interest_due - c.principal_paid - c.interest_paid


def is_missed(as_of: date, policy: AgeingPolicy, dialect: str) -> ColumnElement[bool]:
    """Due before as_of with an unpaid amount above materiality (superseded: caller's).
    PostgreSQL compares exact numerics; SQLite whole cents of its floats."""
    if dialect == "sqlite":
        material = cents(unpaid()) > policy.materiality_cents
    else:
        material = unpaid() > literal(policy.materiality_threshold, MONEY)
    return and_(INSTALLMENT.c.due_date < as_of, material)


def days_between(later: date, earlier: ColumnElement[Any], dialect: str) -> ColumnElement[int]:
    if dialect == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return cast(literal(later, Date) - earlier, Integer)


def _installment_totals(as_of: date, policy: AgeingPolicy, loan_ids: Sequence[str] | None,
                        dialect: str):
    c = INSTALLMENT.c
    past_due = c.due_date < as_of
    missed = is_missed(as_of, policy, dialect)
    query = (
        select(
            c.loan_id,
            func.min(case((missed, c.due_date))).label("oldest_missed_due"),
            func.sum(case((past_due, c.principal_due - c.principal_paid), else_=0)).label("op"),
            func.sum(case((past_due, c.interest_due - c.interest_paid), else_=0)).label("oi"),
            func.sum(c.principal_due - c.principal_paid).label("outstanding"),
            func.count(case((and_(missed, c.missed_reported == false()), 1))).label("unreported"),
        )
        # A settled installment adds zero to every total and is never missed: skip it.
        .where(c.superseded == false(),
               or_(c.principal_paid != c.principal_due, c.interest_paid != c.interest_due))
        .group_by(c.loan_id)
    )
    if loan_ids is not None:
        query = query.where(c.loan_id.in_(loan_ids))
    return query.subquery("totals")


def _flagged_customers():
    """Only corporate or flagged debtors change a decision; joining those alone keeps the
    hash table small. Everyone else (and an unregistered debtor) has no flags."""
    c = CUSTOMER.c
    return select(
        c.customer_id, (c.kind == CORPORATE).label("corporate"), c.bankrupt, c.evading_debts,
    ).where(or_(c.kind == CORPORATE, c.bankrupt == true(), c.evading_debts == true())
            ).subquery("flagged_customer")


def _in_observation(as_of: date) -> ColumnElement[bool]:
    """Mirror of domain `in_observation`: restructuring (or observation start) through end."""
    start = func.coalesce(LOAN.c.restructured_date, LOAN.c.observation_start_date)
    end = LOAN.c.observation_end_date
    return and_(start.is_not(None), start <= as_of, or_(end.is_(None), end >= as_of))


def _facts(as_of: date, policy: AgeingPolicy, loan_ids: Sequence[str] | None, dialect: str):
    t = _installment_totals(as_of, policy, loan_ids, dialect)
    debtor = _flagged_customers()
    loan = LOAN.c
    query = (
        select(
            loan.loan_id, loan.customer_id, loan.product,
            func.coalesce(debtor.c.corporate, false()).label("corporate"),
            func.coalesce(debtor.c.bankrupt, false()).label("bankrupt"),
            func.coalesce(debtor.c.evading_debts, false()).label("evading_debts"),
            loan.fund_misuse, loan.observation_breached.label("breached_before"),
            _in_observation(as_of).label("in_observation"),
            func.coalesce(days_between(as_of, t.c.oldest_missed_due, dialect), 0).label("dpd"),
            money(t.c.outstanding).label("outstanding_principal"),
            money(t.c.op).label("overdue_principal"), money(t.c.oi).label("overdue_interest"),
            func.coalesce(t.c.unreported, 0).label("unreported_missed"),
            loan.dpd.label("old_dpd"), loan.bucket.label("old_bucket"),
            loan.classification.label("old_classification"), loan.ifrs9_stage.label("old_stage"),
        )
        .select_from(LOAN.outerjoin(t, t.c.loan_id == loan.loan_id)
                     .outerjoin(debtor, debtor.c.customer_id == loan.customer_id))
        .where(loan.status == "active")
    )
    if loan_ids is not None:
        query = query.where(loan.loan_id.in_(loan_ids))
    return _fenced(query, "facts")


def _rule_condition(rule: Rule, f: Any, policy: AgeingPolicy) -> ColumnElement[bool]:
    if rule.fact == "observation_breach":
        return or_(f.c.breached_before, and_(f.c.in_observation, f.c.dpd > 0))
    if rule.fact is not None:
        return f.c[rule.fact] == True  # noqa: E712  (PostgreSQL wants a boolean WHEN)
    above = f.c.dpd > rule.above_days
    card = f.c.product.in_(policy.credit_card_products)
    return {"general": and_(above, ~card), "credit_card": and_(above, card)}.get(rule.scale, above)


def _reason(rule: Rule, f: Any, policy: AgeingPolicy) -> ColumnElement[str]:
    before, after = rule.reason_parts(policy)
    if rule.fact is not None:
        return literal(before + after)
    return literal(before) + cast(f.c.dpd, RESULT.c.reason.type) + literal(after)


def _classified(f: Any, policy: AgeingPolicy):
    """First matching rule (worst floor first); contagion is the run's second step."""
    first_pass = [r for r in rules(policy) if r.name != CONTAGION_RULE]
    conditions = [(_rule_condition(r, f, policy), r) for r in first_pass]
    return _fenced(select(
        f,
        case(*[(cond, r.floor.value) for cond, r in conditions]).label("classification"),
        case(*[(cond, _reason(r, f, policy)) for cond, r in conditions]).label("reason"),
        or_(f.c.breached_before, and_(f.c.in_observation, f.c.dpd > 0)).label("breached"),
    ), "classified")


def _fenced(query: Select[Any], name: str):
    """OFFSET 0 keeps PostgreSQL from inlining the subquery into its parent, which would
    evaluate every CASE above once per reference instead of once per row."""
    return query.offset(0).subquery(name)


def stage_case(dpd: Any, in_observation: Any, classification: Any,
               policy: AgeingPolicy) -> ColumnElement[int]:
    """Mirror of domain `ifrs9_stage`."""
    return case(
        (or_(dpd > policy.ifrs9_stage3_after_days, classification.in_(NPL_NAMES)), 3),
        (or_(dpd > policy.ifrs9_stage2_after_days, in_observation == True,  # noqa: E712
             classification == Classification.special_mention.value), 2),
        else_=1,
    )


def bucket_case(dpd: Any, policy: AgeingPolicy) -> ColumnElement[str]:
    names = policy.buckets
    whens = [(dpd <= 0, names[0])]
    whens += [(dpd <= upper, name) for name, upper in zip(names[1:], policy.bucket_bounds)]
    return case(*whens, else_=names[-1])


def insert_results(run: Run):
    policy = run.policy
    c = _classified(_facts(run.as_of, policy, run.ids, run.dialect), policy)
    rows: Select[Any] = select(
        literal(run.id).label("run_id"), c.c.loan_id, c.c.customer_id, c.c.product,
        c.c.corporate, c.c.in_observation, c.c.breached.label("observation_breached"),
        c.c.unreported_missed, c.c.dpd, bucket_case(c.c.dpd, policy).label("bucket"),
        c.c.classification,
        stage_case(c.c.dpd, c.c.in_observation, c.c.classification, policy).label("ifrs9_stage"),
        c.c.reason, c.c.outstanding_principal, c.c.overdue_principal, c.c.overdue_interest,
        c.c.old_dpd, c.c.old_bucket, c.c.old_classification, c.c.old_stage,
    )
    return RESULT.insert().from_select([col.name for col in rows.selected_columns], rows)

