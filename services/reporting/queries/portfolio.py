"""Portfolio quality as of a date: classification and bucket distribution, PAR, NPL ratio,
roll rates (migration) between two dates, vintage curves and the cure rate."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, func, literal, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.domain import add_months, month_end, months_between
from services.reporting.models import BusinessDay, Cure, Loan, LoanState
from services.reporting.queries.asof import (
    BUCKETS, CLASSIFICATIONS, NPL_CLASSES, money, share, states_as_of,
)


async def latest_business_date(session: AsyncSession) -> date | None:
    return (await session.execute(select(func.max(BusinessDay.business_date)))).scalar()


async def newest_state_date(session: AsyncSession) -> date | None:
    """The newest date any loan event carried (a disbursal, a repayment, an ageing)."""
    return (await session.execute(select(func.max(LoanState.effective_date)))).scalar()


async def distribution(session: AsyncSession, *, as_of: date, by: str,
                       branch: str | None = None) -> list[dict[str, Any]]:
    """Count and balance per classification or per bucket, every category listed."""
    s = states_as_of(as_of, branch=branch).subquery()
    column = s.c.classification if by == "classification" else s.c.bucket
    rows = {r[0]: r for r in (await session.execute(
        select(column, func.count(), func.sum(s.c.balance)).group_by(column))).all()}
    names = CLASSIFICATIONS if by == "classification" else BUCKETS
    names = (*names, *sorted(set(rows) - set(names)))
    total = sum(money(r[2]) for r in rows.values())
    return [{by: name, "count": int(rows[name][1]) if name in rows else 0,
             "balance": money(rows[name][2]) if name in rows else money(0),
             "balance_share": share(rows[name][2] if name in rows else 0, total)}
            for name in names]


async def quality(session: AsyncSession, *, as_of: date, branch: str | None = None) -> dict:
    """Totals, NPL ratio and PAR30/60/90 (balance more than 30/60/90 days past due over the
    total balance of the active book)."""
    s = states_as_of(as_of, branch=branch).subquery()

    def balance_where(condition: Any) -> Any:
        return func.sum(case((condition, s.c.balance), else_=0))

    row = (await session.execute(select(
        func.count(), func.sum(s.c.balance), balance_where(s.c.classification.in_(NPL_CLASSES)),
        balance_where(s.c.dpd > 30), balance_where(s.c.dpd > 60), balance_where(s.c.dpd > 90),
        func.sum(case((s.c.classification.in_(NPL_CLASSES), 1), else_=0)),
    ))).one()
    total = money(row[1])
    return {"as_of": as_of, "loans": int(row[0]), "balance": total,
            "npl_count": int(row[6] or 0), "npl_balance": money(row[2]),
            "npl_ratio": share(row[2], total), "par30": share(row[3], total),
            "par60": share(row[4], total), "par90": share(row[5], total)}


async def migration(session: AsyncSession, *, start: date, end: date, by: str = "bucket",
                    branch: str | None = None) -> list[dict[str, Any]]:
    """Loans active at `start`, counted by their category then and at `end` ("closed" when
    they left the book). Rates are shares of the start row."""
    a = states_as_of(start, branch=branch).subquery()
    b = states_as_of(end, include_closed=True).subquery()
    col_a, col_b = (a.c.bucket, b.c.bucket) if by == "bucket" else (a.c.classification,
                                                                      b.c.classification)
    to = case((b.c.closed.is_(True), literal("closed")), else_=col_b)
    rows = (await session.execute(
        select(col_a, to, func.count(), func.sum(a.c.balance))
        .select_from(a).join(b, b.c.loan_id == a.c.loan_id).group_by(col_a, to))).all()
    totals: dict[str, int] = {}
    for r in rows:
        totals[r[0]] = totals.get(r[0], 0) + int(r[2])
    return [{"from": r[0], "to": r[1], "count": int(r[2]), "balance": money(r[3]),
             "rate": share(r[2], totals[r[0]])} for r in sorted(rows, key=_order(by))]


def _order(by: str) -> Any:
    names = list(BUCKETS if by == "bucket" else CLASSIFICATIONS) + ["closed"]

    def key(r: Any) -> tuple[int, int]:
        return (names.index(r[0]) if r[0] in names else 99, names.index(r[1])
                if r[1] in names else 99)
    return key


async def vintages(session: AsyncSession, *, as_of: date, max_months: int) -> list[dict]:
    """Per disbursement month: the share of its loans (by count) 30 or more days past due
    (DPD 30+) at the end of each month on book (month 0 = the disbursement month's end), up to as_of."""
    sizes = dict((await session.execute(
        select(Loan.vintage, func.count()).group_by(Loan.vintage))).all())
    if not sizes:
        return []
    last = as_of.strftime("%Y-%m")
    first = max(min(sizes), add_months(last, -max_months))
    curves: dict[str, list[dict]] = {v: [] for v in sorted(sizes) if first <= v <= last}
    for offset in range(months_between(first, last) + 1):
        period = add_months(first, offset)
        day = min(month_end(date.fromisoformat(period + "-01")), as_of)
        s = states_as_of(day).subquery()
        bad = dict((await session.execute(
            select(s.c.vintage, func.sum(case((s.c.dpd >= 30, 1), else_=0)))
            .group_by(s.c.vintage))).all())
        for vintage in curves:
            if vintage <= period:
                curves[vintage].append({"mob": months_between(vintage, period),
                                        "share": share(bad.get(vintage, 0), sizes[vintage])})
    return [{"vintage": v, "loans": sizes[v], "points": pts} for v, pts in curves.items()]


async def cure_rate(session: AsyncSession, *, start: date, end: date,
                    branch: str | None = None) -> dict:
    """Loans cured in the period over loans delinquent at some point in it (past due at its
    start, or with a past-due change inside it)."""
    at_start = states_as_of(start, branch=branch).where(LoanState.dpd > 0)
    inside = (select(LoanState.loan_id).join(Loan, Loan.loan_id == LoanState.loan_id)
              .where(LoanState.effective_date.between(start, end), LoanState.dpd > 0))
    cured = select(Cure.loan_id).join(Loan, Loan.loan_id == Cure.loan_id).where(
        Cure.cured_date.between(start, end))
    if branch:
        inside, cured = (q.where(Loan.region_code == branch) for q in (inside, cured))
    delinquent = union(select(at_start.subquery().c.loan_id), inside).subquery()
    n_delinquent = (await session.execute(select(func.count()).select_from(delinquent))).scalar()
    n_cured = (await session.execute(
        select(func.count(func.distinct(cured.subquery().c.loan_id))))).scalar()
    return {"delinquent": int(n_delinquent or 0), "cured": int(n_cured or 0),
            "cure_rate": share(n_cured, n_delinquent)}


async def npl_trend(session: AsyncSession, *, period: str, months: int,
                    branch: str | None = None) -> list[dict]:
    """NPL ratio and PAR30 at each month end of the `months` periods ending with `period`."""
    points = []
    for offset in range(months - 1, -1, -1):
        month = add_months(period, -offset)
        figures = await quality(session, as_of=month_end(date.fromisoformat(month + "-01")),
                                branch=branch)
        points.append({"period": month, "npl_ratio": figures["npl_ratio"],
                       "par30": figures["par30"], "balance": figures["balance"]})
    return points
