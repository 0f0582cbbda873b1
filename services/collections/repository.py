"""Query helpers for the collections tables. No rules here, and never a commit."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Row, case as when, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.collections.models import (
    BusinessDay, CaseLoan, CollectionCase, Collector, ContactAttempt, ContactStop, LegalStage,
    LoanPosition, Offer, Promise, Repayment,
)


async def open_case_of(session: AsyncSession, customer_id: str) -> CollectionCase | None:
    return await session.scalar(select(CollectionCase).where(
        CollectionCase.customer_id == customer_id, CollectionCase.status == "open"))


async def latest_case_of(session: AsyncSession, customer_id: str) -> CollectionCase | None:
    return await session.scalar(
        select(CollectionCase).where(CollectionCase.customer_id == customer_id)
        .order_by(CollectionCase.opened_date.desc(), CollectionCase.updated_at.desc()).limit(1))


async def case_loans(session: AsyncSession, case_id: str) -> list[CaseLoan]:
    return list((await session.scalars(
        select(CaseLoan).where(CaseLoan.case_id == case_id).order_by(CaseLoan.loan_id))).all())


async def positions(session: AsyncSession, loan_ids: list[str]) -> list[LoanPosition]:
    if not loan_ids:
        return []
    return list((await session.scalars(
        select(LoanPosition).where(LoanPosition.loan_id.in_(loan_ids)))).all())


async def open_cases(session: AsyncSession) -> list[CollectionCase]:
    return list((await session.scalars(
        select(CollectionCase).where(CollectionCase.status == "open")
        .order_by(CollectionCase.case_id))).all())


async def list_cases(session: AsyncSession, *, limit: int, offset: int, loan_id: str | None,
                     customer_id: str | None, status: str | None, collector_id: str | None,
                     team: str | None, restrict: bool) -> tuple[list[CollectionCase], int]:
    query = select(CollectionCase)
    if loan_id is not None:
        query = query.where(CollectionCase.case_id.in_(
            select(CaseLoan.case_id).where(CaseLoan.loan_id == loan_id)))
    if customer_id is not None:
        query = query.where(CollectionCase.customer_id == customer_id)
    if status is not None:
        query = query.where(CollectionCase.status == status)
    if restrict:
        visible = CollectionCase.collector_id == collector_id
        if team:
            visible = visible | (CollectionCase.team == team)
        query = query.where(visible)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = (await session.scalars(query.order_by(CollectionCase.opened_date.desc(),
                                                 CollectionCase.case_id)
                                  .limit(limit).offset(offset))).all()
    return list(rows), int(total or 0)


async def active_stops(session: AsyncSession, customer_id: str) -> list[ContactStop]:
    return list((await session.scalars(select(ContactStop).where(
        ContactStop.customer_id == customer_id, ContactStop.active.is_(True))
        .order_by(ContactStop.reference_id))).all())


async def contact_history(session: AsyncSession, customer_id: str,
                          since: datetime) -> list[ContactAttempt]:
    return list((await session.scalars(select(ContactAttempt).where(
        ContactAttempt.customer_id == customer_id, ContactAttempt.allowed.is_(True),
        ContactAttempt.attempted_at >= since).order_by(ContactAttempt.attempted_at))).all())


async def contacts_of_case(session: AsyncSession, case_id: str,
                           limit: int = 200) -> list[ContactAttempt]:
    return list((await session.scalars(select(ContactAttempt).where(
        ContactAttempt.case_id == case_id).order_by(ContactAttempt.attempted_at.desc())
        .limit(limit))).all())


async def active_promise(session: AsyncSession, loan_id: str) -> Promise | None:
    return await session.scalar(select(Promise).where(
        Promise.loan_id == loan_id, Promise.status == "active"))


async def active_promises(session: AsyncSession) -> list[Promise]:
    return list((await session.scalars(select(Promise).where(Promise.status == "active")
                                       .order_by(Promise.promise_id))).all())


async def promises_of_case(session: AsyncSession, case_id: str) -> list[Promise]:
    return list((await session.scalars(select(Promise).where(Promise.case_id == case_id)
                                       .order_by(Promise.recorded_date, Promise.promise_id))).all())


async def repayments(session: AsyncSession, loan_id: str, since: date) -> list[Repayment]:
    return list((await session.scalars(select(Repayment).where(
        Repayment.loan_id == loan_id, Repayment.paid_date >= since))).all())


async def collectors(session: AsyncSession) -> list[Collector]:
    return list((await session.scalars(select(Collector).order_by(Collector.collector_id))).all())


async def open_case_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(CollectionCase.collector_id, func.count()).where(
            CollectionCase.status == "open", CollectionCase.collector_id.is_not(None))
        .group_by(CollectionCase.collector_id))
    return {collector: int(count) for collector, count in rows.all()}


async def offers_of_case(session: AsyncSession, case_id: str) -> list[Offer]:
    return list((await session.scalars(select(Offer).where(Offer.case_id == case_id)
                                       .order_by(Offer.proposed_at))).all())


async def legal_stages(session: AsyncSession, case_id: str) -> list[LegalStage]:
    return list((await session.scalars(select(LegalStage).where(LegalStage.case_id == case_id)
                                       .order_by(LegalStage.stage_date, LegalStage.id))).all())


async def latest_business_date(session: AsyncSession) -> date | None:
    return await session.scalar(select(func.max(BusinessDay.business_date)))


async def newest_position_date(session: AsyncSession) -> date | None:
    return await session.scalar(select(func.max(LoanPosition.as_of_date)))


async def path_outcomes(session: AsyncSession) -> list[Row]:
    """Per path and variant: cases, open, cured, settled, written off, transferred,
    recovered, cost."""
    c = CollectionCase
    counts = [func.sum(when((c.outcome == o, 1), else_=0)) for o in
              ("cured", "settled", "written_off", "transferred")]
    rows = await session.execute(
        select(c.path, c.variant, func.count(), func.sum(when((c.status == "open", 1), else_=0)),
               *counts, func.sum(c.total_recovered), func.sum(c.total_cost))
        .group_by(c.path, c.variant).order_by(c.path, c.variant))
    return list(rows.all())
