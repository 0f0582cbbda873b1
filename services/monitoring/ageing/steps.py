"""The set-based steps that follow the first pass into `ageing_result`.

Every statement on the work table is scoped to its run. A run restricted to some loans
(`run.ids`) repeats those ids in every statement that touches `loan` or `installment`, so
the planner reaches them by primary key or index whatever it believes about the size of
the work table.
"""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import (
    ARRAY, Date, String, and_, any_, case, cast, delete, false, func, literal, or_, select, text,
    true, type_coerce, union_all, update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from shared.db.base import MONEY, UtcDateTime
from services.monitoring.ageing.select import (
    LOAN, NPL_NAMES, RESULT, Run, cents, is_missed, unpaid,
)
from services.monitoring.domain.classification import (
    CONTAGION_RULE, AgeingPolicy, Classification, contagion_rule, ifrs9_stage,
)
from services.monitoring.models import ClassificationChange, Installment

INSTALLMENT, CHANGE = Installment.__table__, ClassificationChange.__table__
# Any fixed 64-bit key: every ageing run of the database takes it, so runs serialise.
_AGEING_LOCK_KEY = 7_316_281_004_172_233


def _postgres(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


async def lock_ageing(session: AsyncSession) -> None:
    """Serialise ageing runs on PostgreSQL (SQLite's BEGIN IMMEDIATE already does): a
    payment's re-ageing never interleaves with the daily run, and the work table holds
    one run's rows only."""
    if _postgres(session):
        await session.execute(select(func.pg_advisory_xact_lock(_AGEING_LOCK_KEY)))


async def analyze_results(session: AsyncSession, run: Run) -> None:
    """The work table was empty a moment ago; without fresh statistics PostgreSQL plans
    the joins below as if it still were (nested loops over a million rows)."""
    if run.ids is None and _postgres(session):
        await session.execute(text("ANALYZE ageing_result"))


def _corporate_balances(run: Run):
    """(customer, balance, class before contagion) of every active loan of the run's
    corporate debtors: the run's first-pass results, plus, for a restricted run, the
    stored results of the debtors' other loans. A stored class that contagion set counts
    as performing, as in a full run; otherwise a debtor could never shake contagion off."""
    r, loan = RESULT.c, LOAN.c
    ours = select(r.customer_id, r.outstanding_principal.label("amount"),
                  r.classification.label("classification")).where(run.rows(), r.corporate == true())
    if run.ids is None:
        return ours.subquery("balances")
    ids = run.ids
    by_contagion = loan.classification_reason.startswith(f"{CONTAGION_RULE}:", autoescape=True)
    debtor = LOAN.alias("debtor_loan")
    others = select(
        loan.customer_id, loan.outstanding_principal,
        case((by_contagion, Classification.normal.value), else_=loan.classification),
    ).where(loan.status == "active", loan.loan_id.not_in(ids),
            loan.customer_id.in_(select(debtor.c.customer_id).where(debtor.c.loan_id.in_(ids))))
    return union_all(ours, others).subquery("balances")


async def apply_contagion(session: AsyncSession, run: Run) -> None:
    """Non-retail rule, set-based: debtors whose non-performing share of outstanding
    principal exceeds the limit get every performing loan floored at substandard."""
    policy, b = run.policy, _corporate_balances(run)
    npl_amount = func.sum(case((b.c.classification.in_(NPL_NAMES), b.c.amount), else_=0))
    numerator, denominator = policy.corporate_npl_contagion_share.as_integer_ratio()
    infected = (select(b.c.customer_id).group_by(b.c.customer_id)
                .having(cents(npl_amount) * denominator > cents(func.sum(b.c.amount)) * numerator))
    rule = contagion_rule(policy)
    await session.execute(
        update(RESULT)
        .where(run.rows(), RESULT.c.corporate == true(),
               RESULT.c.classification.not_in(NPL_NAMES),
               RESULT.c.customer_id.in_(infected))
        .values(classification=rule.floor.value, reason=rule.reason(0, policy),
                ifrs9_stage=ifrs9_stage(0, False, Classification.substandard, policy))
    )


def classification_changed() -> ColumnElement[bool]:
    r = RESULT.c
    return or_(r.classification != r.old_classification, r.ifrs9_stage != r.old_stage)


async def record_classification_changes(session: AsyncSession, run: Run) -> None:
    r = RESULT.c
    rows = select(
        r.loan_id, literal(run.as_of, Date), r.old_classification, r.classification,
        r.old_stage, r.ifrs9_stage, r.reason, literal(run.policy.rule_version),
        literal(run.now, UtcDateTime),
    ).where(run.rows(), classification_changed())
    columns = ["loan_id", "as_of_date", "old_classification", "new_classification",
               "old_stage", "new_stage", "reason", "rule_version", "changed_at"]
    await session.execute(CHANGE.insert().from_select(columns, rows))


def _milestone_crossed(policy: AgeingPolicy) -> ColumnElement[bool]:
    r = RESULT.c
    crossings = [or_(and_(r.old_dpd < m, r.dpd >= m), and_(r.dpd < m, r.old_dpd >= m))
                 for m in policy.dpd_milestones]
    return and_(r.dpd != r.old_dpd, or_(false(), *crossings))


async def changed_rows(session: AsyncSession, run: Run) -> Sequence[Any]:
    """Loans whose class, stage or bucket changed, whose DPD crossed a milestone, or that
    were cured; expected to be a small share of the book."""
    r = RESULT.c
    cured = and_(r.old_dpd > 0, r.dpd == 0)
    query = select(RESULT).where(run.rows(), or_(
        classification_changed(), r.bucket != r.old_bucket, _milestone_crossed(run.policy),
        cured,
    )).order_by(r.loan_id)
    return (await session.execute(query)).all()


async def report_missed(session: AsyncSession, run: Run) -> list[dict[str, Any]]:
    """Flag newly missed installments as reported and return them with their debtor;
    only loans whose first pass counted an unreported miss are searched.

    The debtor comes from the run's own rows, never from a subquery in RETURNING: on
    SQLite, SQLAlchemy renders every column of a RETURNING clause without its table, so
    a correlated `loan.loan_id = installment.loan_id` there becomes `loan_id = loan_id`,
    true for every loan, and every miss would name the debtor of the first loan."""
    debtors = await _debtors_with_unreported_misses(session, run)
    if not debtors:
        return []
    i = INSTALLMENT.c
    if _postgres(session):
        # One array, computed once: PostgreSQL then probes the installment index per loan
        # instead of hash-joining a scan of every installment.
        loan_ids = (select(func.array_agg(RESULT.c.loan_id))
                    .where(run.rows(), RESULT.c.unreported_missed > 0).scalar_subquery())
        in_flagged = i.loan_id == any_(cast(loan_ids, ARRAY(String)))
    else:
        in_flagged = i.loan_id.in_(
            select(RESULT.c.loan_id).where(run.rows(), RESULT.c.unreported_missed > 0))
    statement = (
        update(INSTALLMENT)
        .where(i.superseded == false(), i.missed_reported == false(),
               is_missed(run.as_of, run.policy, run.dialect), in_flagged)
        .values(missed_reported=true())
        .returning(i.loan_id, i.installment_no, i.due_date,
                   type_coerce(func.round(unpaid(), 2), MONEY).label("unpaid_amount"))
    )
    if run.ids is not None:
        statement = statement.where(i.loan_id.in_(run.ids))
    rows = (await session.execute(statement)).all()
    missed = [{**row._mapping, "customer_id": debtors[row.loan_id]} for row in rows]
    return sorted(missed, key=lambda row: (row["loan_id"], row["due_date"],
                                           row["installment_no"]))


async def _debtors_with_unreported_misses(session: AsyncSession, run: Run) -> dict[str, str]:
    """loan id -> customer id of the loans the first pass flagged; the run copied the
    customer from `loan` in this transaction, so it is the loan's own debtor."""
    r = RESULT.c
    rows = await session.execute(
        select(r.loan_id, r.customer_id).where(run.rows(), r.unreported_missed > 0))
    return {loan_id: customer_id for loan_id, customer_id in rows.all()}


async def copy_to_loans(session: AsyncSession, run: Run) -> None:
    r = RESULT.c
    statement = update(LOAN).where(LOAN.c.loan_id == r.loan_id, run.rows()).values(
        as_of_date=run.as_of, dpd=r.dpd, bucket=r.bucket, classification=r.classification,
        ifrs9_stage=r.ifrs9_stage, classification_reason=r.reason,
        classification_rule_version=run.policy.rule_version,
        outstanding_principal=r.outstanding_principal,
        overdue_principal=r.overdue_principal, overdue_interest=r.overdue_interest,
        observation_breached=r.observation_breached, updated_at=run.now,
    )
    if run.ids is not None:
        statement = statement.where(LOAN.c.loan_id.in_(run.ids))
    await session.execute(statement)


async def clear_results(session: AsyncSession, run: Run) -> None:
    """Remove the run's rows. For the whole book on PostgreSQL, TRUNCATE: runs are
    serialised, so every row is this run's, and it skips a million deletes and resets the
    table's size estimate for the small runs that follow."""
    if run.ids is None and _postgres(session):
        await session.execute(text("TRUNCATE ageing_result"))
    else:
        await session.execute(delete(RESULT).where(run.rows()))
