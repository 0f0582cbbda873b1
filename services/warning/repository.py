"""Query helpers for the warning service: no rules, never commits."""
from __future__ import annotations

from datetime import date
from typing import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.warning.models import (
    CustomerStatement, Loan, LoanDefault, MarketRisk, RuleSetVersion, EarlyWarning, WatchlistEntry,
)


async def loans_of_customer_on(session: AsyncSession, customer_id: str,
                              day: date) -> Sequence[Loan]:
    """The customer's loans that were active on `day`: still active, or closed on or after
    it (a close and a customer's signal of the same day may arrive in either order)."""
    return (await session.scalars(select(Loan).where(
        Loan.customer_id == customer_id, _active_on(day)).order_by(Loan.loan_id))).all()


async def loans_in_on(session: AsyncSession, *, scope: str, code: str,
                      day: date) -> Sequence[Loan]:
    column = Loan.industry_code if scope == "industry" else Loan.region_code
    return (await session.scalars(select(Loan).where(
        column == code, _active_on(day)).order_by(Loan.loan_id))).all()


def _active_on(day: date):  # type: ignore[no-untyped-def]
    return or_(Loan.active.is_(True), Loan.closed_date >= day)


async def active_warnings_of_loan(session: AsyncSession, loan_id: str) -> dict[str, EarlyWarning]:
    rows = await session.scalars(select(EarlyWarning).where(
        EarlyWarning.loan_id == loan_id, EarlyWarning.active.is_(True)).with_for_update())
    return {row.rule_id: row for row in rows}


async def list_warnings(
    session: AsyncSession, *, limit: int, offset: int, loan_id: str | None = None,
    customer_id: str | None = None, level: str | None = None, status: str | None = None,
) -> tuple[Sequence[EarlyWarning], int]:
    query = select(EarlyWarning)
    for column, value in ((EarlyWarning.loan_id, loan_id), (EarlyWarning.customer_id, customer_id),
                          (EarlyWarning.level, level), (EarlyWarning.status, status)):
        if value is not None:
            query = query.where(column == value)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(EarlyWarning.raised_at.desc(), EarlyWarning.id)
                                 .limit(limit).offset(offset))
    return rows.all(), int(total or 0)


async def active_rule_set(session: AsyncSession, segment: str) -> RuleSetVersion | None:
    return await session.scalar(select(RuleSetVersion).where(
        RuleSetVersion.segment == segment, RuleSetVersion.status == "active"))


async def rule_set_in_force(session: AsyncSession, segment: str, on: date) -> RuleSetVersion | None:
    """The newest approved set (in force or superseded since) effective on `on`."""
    return await session.scalar(select(RuleSetVersion).where(
        RuleSetVersion.segment == segment,
        RuleSetVersion.status.in_(("active", "superseded")),
        or_(RuleSetVersion.effective_date.is_(None), RuleSetVersion.effective_date <= on))
        .order_by(RuleSetVersion.version.desc()).limit(1))


async def latest_rule_set_version(session: AsyncSession, segment: str) -> int:
    return int(await session.scalar(select(func.max(RuleSetVersion.version)).where(
        RuleSetVersion.segment == segment)) or 0)


async def all_rule_sets(session: AsyncSession) -> Sequence[RuleSetVersion]:
    return (await session.scalars(select(RuleSetVersion).order_by(
        RuleSetVersion.segment, RuleSetVersion.version))).all()


async def watchlist_entry(session: AsyncSession, customer_id: str) -> WatchlistEntry | None:
    return await session.scalar(select(WatchlistEntry).where(
        WatchlistEntry.customer_id == customer_id, WatchlistEntry.on_list.is_(True)))


async def watchlist(session: AsyncSession, *, limit: int, offset: int
                    ) -> tuple[Sequence[WatchlistEntry], int]:
    query = select(WatchlistEntry).where(WatchlistEntry.on_list.is_(True))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(WatchlistEntry.entered_date, WatchlistEntry.id)
                                 .limit(limit).offset(offset))
    return rows.all(), int(total or 0)


async def active_warning_counts(session: AsyncSession, customer_id: str,
                                levels: list[str]) -> int:
    return int(await session.scalar(select(func.count()).select_from(EarlyWarning).where(
        EarlyWarning.customer_id == customer_id, EarlyWarning.active.is_(True),
        EarlyWarning.level.in_(levels))) or 0)


async def last_closed(session: AsyncSession, customer_id: str, levels: list[str]) -> date | None:
    return await session.scalar(select(func.max(EarlyWarning.closed_date)).where(
        EarlyWarning.customer_id == customer_id, EarlyWarning.level.in_(levels)))


async def prior_year_statement(session: AsyncSession, customer_id: str, period_end: date,
                               tolerance_days: int = 31) -> CustomerStatement | None:
    """The statement closest to one year before `period_end` (within a month)."""
    target = period_end.replace(year=period_end.year - 1) if not (
        period_end.month == 2 and period_end.day == 29) else period_end.replace(
        year=period_end.year - 1, day=28)
    rows = (await session.scalars(select(CustomerStatement).where(
        CustomerStatement.customer_id == customer_id,
        CustomerStatement.period_end < period_end))).all()
    near = [r for r in rows if abs((r.period_end - target).days) <= tolerance_days]
    return min(near, key=lambda r: abs((r.period_end - target).days)) if near else None


async def open_warning_counts(session: AsyncSession) -> list[tuple[str, str, int]]:
    rows = await session.execute(select(EarlyWarning.family, EarlyWarning.level, func.count())
                                 .where(EarlyWarning.active.is_(True))
                                 .group_by(EarlyWarning.family, EarlyWarning.level))
    return [(f, lv, int(n)) for f, lv, n in rows]


async def raised_warnings(session: AsyncSession) -> list[tuple[str, int, str, date]]:
    rows = await session.execute(select(EarlyWarning.rule_id, EarlyWarning.rule_version, EarlyWarning.loan_id,
                                        EarlyWarning.raised_date))
    return [tuple(r) for r in rows]  # type: ignore[misc]


async def defaults(session: AsyncSession) -> dict[str, date]:
    rows = await session.execute(select(LoanDefault.loan_id, LoanDefault.default_date))
    return {loan_id: when for loan_id, when in rows}


async def set_market_risk(session: AsyncSession, *, scope: str, code: str, level: str,
                          effective: date) -> None:
    row = await session.get(MarketRisk, (scope, code))
    if row is None:
        session.add(MarketRisk(scope=scope, code=code, level=level, effective_date=effective))
    else:
        row.level, row.effective_date = level, effective
    await session.flush()


async def other_scope_high(session: AsyncSession, *, loan: Loan, scope: str,
                           levels: list[str]) -> bool:
    other = ("region", loan.region_code) if scope == "industry" else ("industry", loan.industry_code)
    row = await session.get(MarketRisk, other)
    return row is not None and row.level in levels
