"""The ageing run: DPD, bucket, five-category classification and IFRS 9 stage of every
active loan, set-based in SQL (one aggregate pass over the installments; no Python loop
per loan). Identical on SQLite and PostgreSQL; the rules come from
`services.monitoring.domain.classification`, whose `classify()` is the reference.

    outcome = await age_loans(session, as_of=business_date, policy=policy)

The caller owns the transaction: this flushes and executes, never commits.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Sequence

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from services.monitoring.ageing import steps
from services.monitoring.ageing.select import Run, insert_results
from services.monitoring.domain.classification import AgeingPolicy, crossed_milestones
from services.monitoring.models import Installment, Loan

# Each id is a bound parameter, repeated in a few statements; drivers cap those at 32767.
MAX_LOAN_IDS = 5_000


@dataclass(frozen=True)
class LoanAgeingChange:
    loan_id: str
    customer_id: str
    product: str
    old_dpd: int
    new_dpd: int
    old_bucket: str
    new_bucket: str
    old_classification: str
    new_classification: str
    old_stage: int
    new_stage: int
    reason: str
    rule_version: str
    outstanding_principal: Decimal
    overdue_principal: Decimal
    overdue_interest: Decimal
    cured: bool
    classification_changed: bool
    delinquency_changed: bool  # bucket changed or DPD crossed a milestone


@dataclass(frozen=True)
class MissedInstallment:
    loan_id: str
    customer_id: str
    installment_no: int
    due_date: date
    unpaid_amount: Decimal


@dataclass(frozen=True)
class AgeingOutcome:
    as_of: date
    loans_aged: int
    changes: list[LoanAgeingChange] = field(default_factory=list)
    missed_installments: list[MissedInstallment] = field(default_factory=list)


async def age_loans(
    session: AsyncSession, *, as_of: date, policy: AgeingPolicy,
    loan_ids: Sequence[str] | None = None,
) -> AgeingOutcome:
    """Age the active loans (all, or only `loan_ids`) as of the business date `as_of`:
    update their ageing columns, flag observation breaches, write a ClassificationChange
    per class or stage change, and flag newly missed installments as reported.

    Loan and Installment objects loaded in `session` are expired (the run writes through
    Core); refresh them before reading, as an async session cannot lazy-load."""
    ids = None if loan_ids is None else sorted(set(loan_ids))
    if ids is not None and len(ids) > MAX_LOAN_IDS:
        raise ValueError(f"age at most {MAX_LOAN_IDS} loans by id; age the whole book instead")
    await session.flush()
    await steps.lock_ageing(session)
    run = Run(id=str(uuid.uuid4()), as_of=as_of, policy=policy, ids=ids,
              now=datetime.now(timezone.utc), dialect=session.bind.dialect.name)
    inserted = await session.execute(insert_results(run))
    await steps.analyze_results(session, run)
    await steps.apply_contagion(session, run)
    await steps.record_classification_changes(session, run)
    changes = [_change(row, policy) for row in await steps.changed_rows(session, run)]
    missed = [MissedInstallment(**row) for row in await steps.report_missed(session, run)]
    await steps.copy_to_loans(session, run)
    await steps.clear_results(session, run)
    _expire_stale(session, ids)
    return AgeingOutcome(as_of=as_of, loans_aged=inserted.rowcount, changes=changes,
                         missed_installments=missed)


def _change(row: Any, policy: AgeingPolicy) -> LoanAgeingChange:
    crossed = crossed_milestones(row.old_dpd, row.dpd, policy)
    return LoanAgeingChange(
        loan_id=row.loan_id, customer_id=row.customer_id, product=row.product,
        old_dpd=row.old_dpd, new_dpd=row.dpd, old_bucket=row.old_bucket, new_bucket=row.bucket,
        old_classification=row.old_classification, new_classification=row.classification,
        old_stage=row.old_stage, new_stage=row.ifrs9_stage, reason=row.reason,
        rule_version=policy.rule_version, outstanding_principal=row.outstanding_principal,
        overdue_principal=row.overdue_principal, overdue_interest=row.overdue_interest,
        cured=row.old_dpd > 0 and row.dpd == 0,
        classification_changed=(row.classification != row.old_classification
                                or row.ifrs9_stage != row.old_stage),
        delinquency_changed=row.bucket != row.old_bucket or bool(crossed),
    )


def _expire_stale(session: AsyncSession, ids: Sequence[str] | None) -> None:
    """The run wrote through Core to its loans and their installments; loaded objects of
    those would show old values. Other loans' objects stay loaded (a batch reuses them)."""
    wrote = None if ids is None else set(ids)
    for instance in list(session.identity_map.values()):
        if not isinstance(instance, (Loan, Installment)):
            continue
        # Read the loaded value: an expired attribute would try to load (no IO allowed here).
        loan_id = inspect(instance).dict.get("loan_id")
        if wrote is None or loan_id is None or loan_id in wrote:
            session.expire(instance)


__all__ = ["AgeingOutcome", "LoanAgeingChange", "MissedInstallment", "age_loans"]
