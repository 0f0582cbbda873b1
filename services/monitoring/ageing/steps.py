"""The set-based steps that follow the first pass over `ageing_result`."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Sequence

from sqlalchemy import (
    Date, and_, case, delete, exists, false, func, literal, or_, select, true, type_coerce,
    union_all, update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from shared.db.base import MONEY, UtcDateTime
from services.monitoring.ageing.select import LOAN, NPL_NAMES, RESULT, cents, is_missed, unpaid
from services.monitoring.domain.classification import (
    AgeingPolicy, Classification, contagion_rule, ifrs9_stage,
)
from services.monitoring.models import ClassificationChange, Installment

INSTALLMENT, CHANGE = Installment.__table__, ClassificationChange.__table__
# Any fixed 64-bit key: every ageing run of the database takes it, so runs serialise.
_AGEING_LOCK_KEY = 7_316_281_004_172_233


async def lock_ageing(session: AsyncSession) -> None:
    """Serialise ageing runs on PostgreSQL (SQLite's BEGIN IMMEDIATE already does), so a
    payment's re-ageing never interleaves with the daily run's copy onto `loan`."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(_AGEING_LOCK_KEY)))


def _in_run(run_id: str) -> ColumnElement[bool]:
    return RESULT.c.run_id == run_id


def _corporate_balances(run_id: str, restricted: bool):
    """(customer, balance, npl) of every active loan of the run's corporate debtors: the
    run's own new results, plus, when the run is restricted to some loans, the stored
    results of the debtors' other loans."""
    r = RESULT.c
    ours = select(r.customer_id, r.outstanding_principal.label("amount"),
                  r.classification.label("classification")).where(_in_run(run_id), r.corporate)
    if not restricted:
        return ours.subquery("balances")
    others = select(LOAN.c.customer_id, LOAN.c.outstanding_principal, LOAN.c.classification).where(
        LOAN.c.status == "active",
        LOAN.c.customer_id.in_(select(r.customer_id).where(_in_run(run_id), r.corporate)),
        ~exists().where(_in_run(run_id), r.loan_id == LOAN.c.loan_id),
    )
    return union_all(ours, others).subquery("balances")


async def apply_contagion(session: AsyncSession, run_id: str, policy: AgeingPolicy,
                          restricted: bool) -> None:
    """Non-retail rule, set-based: debtors whose non-performing share of outstanding
    principal exceeds the limit get every performing loan floored at substandard."""
    b = _corporate_balances(run_id, restricted)
    npl_amount = func.sum(case((b.c.classification.in_(NPL_NAMES), b.c.amount), else_=0))
    numerator, denominator = policy.corporate_npl_contagion_share.as_integer_ratio()
    infected = (select(b.c.customer_id).group_by(b.c.customer_id)
                .having(cents(npl_amount) * denominator > cents(func.sum(b.c.amount)) * numerator))
    rule = contagion_rule(policy)
    await session.execute(
        update(RESULT)
        .where(_in_run(run_id), RESULT.c.corporate, RESULT.c.classification.not_in(NPL_NAMES),
               RESULT.c.customer_id.in_(infected))
        .values(classification=rule.floor.value, reason=rule.reason(0, policy),
                ifrs9_stage=ifrs9_stage(0, False, Classification.substandard, policy))
    )


def classification_changed() -> ColumnElement[bool]:
    r = RESULT.c
    return or_(r.classification != r.old_classification, r.ifrs9_stage != r.old_stage)


async def record_classification_changes(session: AsyncSession, run_id: str, as_of: date,
                                        policy: AgeingPolicy, now: datetime) -> None:
    r = RESULT.c
    rows = select(
        r.loan_id, literal(as_of, Date), r.old_classification, r.classification, r.old_stage,
        r.ifrs9_stage, r.reason, literal(policy.rule_version), literal(now, UtcDateTime),
    ).where(_in_run(run_id), classification_changed())
    columns = ["loan_id", "as_of_date", "old_classification", "new_classification",
               "old_stage", "new_stage", "reason", "rule_version", "changed_at"]
    await session.execute(CHANGE.insert().from_select(columns, rows))


def _milestone_crossed(policy: AgeingPolicy) -> ColumnElement[bool]:
    r = RESULT.c
    crossings = [or_(and_(r.old_dpd < m, r.dpd >= m), and_(r.dpd < m, r.old_dpd >= m))
                 for m in policy.dpd_milestones]
    return and_(r.dpd != r.old_dpd, or_(false(), *crossings))


async def changed_rows(session: AsyncSession, run_id: str, policy: AgeingPolicy) -> Sequence[Any]:
    """Loans whose class, stage or bucket changed, whose DPD crossed a milestone, or that
    were cured; expected to be a small share of the book."""
    r = RESULT.c
    cured = and_(r.old_dpd > 0, r.dpd == 0)
    query = (select(RESULT).where(_in_run(run_id), or_(
        classification_changed(), r.bucket != r.old_bucket, _milestone_crossed(policy), cured,
    )).order_by(r.loan_id))
    return (await session.execute(query)).all()


async def report_missed(session: AsyncSession, run_id: str, as_of: date,
                        policy: AgeingPolicy) -> Sequence[Any]:
    """Flag newly missed installments as reported and return them, in one statement; only
    loans whose first pass counted an unreported miss are searched."""
    i = INSTALLMENT.c
    flagged = select(RESULT.c.loan_id).where(_in_run(run_id), RESULT.c.unreported_missed > 0)
    customer = (select(LOAN.c.customer_id).where(LOAN.c.loan_id == i.loan_id)
                .correlate(INSTALLMENT).scalar_subquery())
    statement = (
        update(INSTALLMENT)
        .where(i.superseded == false(), i.missed_reported == false(),
               is_missed(as_of, policy), i.loan_id.in_(flagged))
        .values(missed_reported=true())
        .returning(i.loan_id, customer.label("customer_id"), i.installment_no, i.due_date,
                   type_coerce(func.round(unpaid(), 2), MONEY).label("unpaid_amount"))
    )
    rows = (await session.execute(statement)).all()
    return sorted(rows, key=lambda row: (row.loan_id, row.due_date, row.installment_no))


async def copy_to_loans(session: AsyncSession, run_id: str, as_of: date, policy: AgeingPolicy,
                        now: datetime) -> None:
    r = RESULT.c
    await session.execute(
        update(LOAN)
        .where(LOAN.c.loan_id == r.loan_id, _in_run(run_id))
        .values(
            as_of_date=as_of, dpd=r.dpd, bucket=r.bucket, classification=r.classification,
            ifrs9_stage=r.ifrs9_stage, classification_reason=r.reason,
            classification_rule_version=policy.rule_version,
            outstanding_principal=r.outstanding_principal,
            overdue_principal=r.overdue_principal, overdue_interest=r.overdue_interest,
            observation_breached=r.observation_breached, updated_at=now,
        )
    )


async def clear_run(session: AsyncSession, run_id: str) -> None:
    await session.execute(delete(RESULT).where(_in_run(run_id)))

