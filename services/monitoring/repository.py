"""Query helpers for the monitoring tables. No rules here, and never a commit."""
from __future__ import annotations

from datetime import date
from typing import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.monitoring.models import (
    BusinessDay, ClassificationChange, Collateral, Customer, CustomerChange, Installment, Loan,
    Payment, PaymentAllocation,
)


async def latest_business_date(session: AsyncSession) -> date | None:
    return await session.scalar(select(func.max(BusinessDay.business_date)))


async def open_installments(session: AsyncSession, loan_id: str) -> list[Installment]:
    unpaid = (Installment.principal_due + Installment.interest_due
              - Installment.principal_paid - Installment.interest_paid)
    return list((await session.scalars(
        select(Installment)
        .where(Installment.loan_id == loan_id, Installment.superseded.is_(False), unpaid > 0)
        .order_by(Installment.due_date, Installment.id)
    )).all())


async def open_installments_of(session: AsyncSession,
                                loan_ids: Sequence[str]) -> list[Installment]:
    """`open_installments` of many loans in one query."""
    unpaid = (Installment.principal_due + Installment.interest_due
              - Installment.principal_paid - Installment.interest_paid)
    return list((await session.scalars(
        select(Installment)
        .where(Installment.loan_id.in_(loan_ids), Installment.superseded.is_(False), unpaid > 0)
        .order_by(Installment.loan_id, Installment.due_date, Installment.id)
    )).all())


async def allocations_with_installments(
    session: AsyncSession, payment_id: str,
) -> list[tuple[PaymentAllocation, Installment]]:
    rows = await session.execute(
        select(PaymentAllocation, Installment)
        .join(Installment, Installment.id == PaymentAllocation.installment_id)
        .where(PaymentAllocation.payment_id == payment_id)
    )
    return [(row[0], row[1]) for row in rows.all()]


async def supersede_unpaid(session: AsyncSession, loan_id: str) -> None:
    """A restructuring replaces whatever is not fully paid; paid installments stay."""
    unpaid = (Installment.principal_due + Installment.interest_due
              - Installment.principal_paid - Installment.interest_paid)
    await session.execute(
        update(Installment)
        .where(Installment.loan_id == loan_id, Installment.superseded.is_(False), unpaid > 0)
        .values(superseded=True)
    )


async def loans_of_customer(session: AsyncSession, customer_id: str,
                            active_only: bool = False) -> list[Loan]:
    query = select(Loan).where(Loan.customer_id == customer_id).order_by(Loan.disbursed_date)
    if active_only:
        query = query.where(Loan.status == "active")
    return list((await session.scalars(query)).all())


async def schedule(session: AsyncSession, loan_id: str) -> list[Installment]:
    return list((await session.scalars(
        select(Installment).where(Installment.loan_id == loan_id)
        .order_by(Installment.schedule_version, Installment.installment_no)
    )).all())


async def payments(session: AsyncSession, loan_id: str) -> list[Payment]:
    return list((await session.scalars(
        select(Payment).where(Payment.loan_id == loan_id).order_by(Payment.paid_date,
                                                                  Payment.recorded_at)
    )).all())


async def collateral(session: AsyncSession, loan_id: str) -> list[Collateral]:
    return list((await session.scalars(
        select(Collateral).where(Collateral.loan_id == loan_id))).all())


async def classification_history(session: AsyncSession, loan_id: str) -> list[ClassificationChange]:
    return list((await session.scalars(
        select(ClassificationChange).where(ClassificationChange.loan_id == loan_id)
        .order_by(ClassificationChange.id))).all())


async def recent_changes(session: AsyncSession, customer_id: str,
                         limit: int = 50) -> list[CustomerChange]:
    return list((await session.scalars(
        select(CustomerChange).where(CustomerChange.customer_id == customer_id)
        .order_by(CustomerChange.id.desc()).limit(limit))).all())


def loan_filters(query, *, classification=None, bucket=None, product=None, region=None,  # type: ignore[no-untyped-def]
                 status=None, customer_id=None):
    for column, value in ((Loan.classification, classification), (Loan.bucket, bucket),
                          (Loan.product, product), (Loan.region_code, region),
                          (Loan.status, status), (Loan.customer_id, customer_id)):
        if value is not None:
            query = query.where(column == value)
    return query


async def list_loans(session: AsyncSession, *, limit: int, offset: int, **filters) -> tuple[list[Loan], int]:  # type: ignore[no-untyped-def]
    base = loan_filters(select(Loan), **filters)
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    rows = (await session.scalars(base.order_by(Loan.loan_id).limit(limit).offset(offset))).all()
    return list(rows), int(total or 0)


async def list_customers(session: AsyncSession, *, limit: int, offset: int,
                         region: str | None = None, kind: str | None = None) -> tuple[list[Customer], int]:
    base = select(Customer)
    if region is not None:
        base = base.where(Customer.region_code == region)
    if kind is not None:
        base = base.where(Customer.kind == kind)
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    rows = (await session.scalars(base.order_by(Customer.customer_id).limit(limit).offset(offset))).all()
    return list(rows), int(total or 0)


async def count_active_loans_in(session: AsyncSession, *, scope: str, code: str) -> int:
    column = Loan.industry_code if scope == "industry" else Loan.region_code
    return int(await session.scalar(
        select(func.count()).select_from(Loan).where(Loan.status == "active", column == code)
    ) or 0)
