"""Every report as a flat table, for CSV and XLSX downloads (`/v1/exports/<report>.<fmt>`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.config import Settings
from services.reporting.queries import activity, kpis, portfolio, regulatory


@dataclass
class Params:
    period: str
    as_of: date
    start: date
    end: date
    team: str | None = None
    branch: str | None = None
    by: str = "bucket"


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def from_dicts(title: str, rows: list[dict]) -> Table:
    columns = list(rows[0]) if rows else []
    return Table(title, columns, [[row.get(c) for c in columns] for row in rows])


def from_mapping(title: str, mapping: dict) -> Table:
    return Table(title, ["figure", "value"], [[k, v] for k, v in mapping.items()])


async def kpi_table(session: AsyncSession, settings: Settings, p: Params) -> Table:
    card = await kpis.scorecard(session, settings=settings, period=p.period, team=p.team,
                                branch=p.branch)
    rows = [[k["name"], k["weight"], k["score"], c["name"], c["actual"], c["target"],
             c["worst"], c["score"]] for k in card["kpis"] for c in k["components"]]
    rows.append(["total", sum(k["weight"] for k in card["kpis"]), card["total_score"],
                 "", None, None, None, None])
    return Table(f"KPI scorecard {p.period}", ["kpi", "weight", "kpi_score", "component",
                                               "actual", "target", "worst", "component_score"],
                 rows)


async def classification_table(session: AsyncSession, _: Settings, p: Params) -> Table:
    rows = []
    for by in ("classification", "bucket"):
        for r in await portfolio.distribution(session, as_of=p.as_of, by=by, branch=p.branch):
            rows.append([by, r[by], r["count"], r["balance"], r["balance_share"]])
    quality = await portfolio.quality(session, as_of=p.as_of, branch=p.branch)
    rows += [["ratio", name, None, None, quality[name]]
             for name in ("npl_ratio", "par30", "par60", "par90")]
    return Table(f"Portfolio as of {p.as_of}", ["dimension", "category", "count", "balance",
                                                 "share"], rows)


async def roll_rate_table(session: AsyncSession, _: Settings, p: Params) -> Table:
    rows = await portfolio.migration(session, start=p.start, end=p.end, by=p.by,
                                     branch=p.branch)
    return from_dicts(f"Roll rates {p.start} to {p.end}", rows)


async def vintage_table(session: AsyncSession, settings: Settings, p: Params) -> Table:
    curves = await portfolio.vintages(session, as_of=p.as_of,
                                      max_months=settings.vintage_max_months)
    return Table("Vintage DPD 30+", ["vintage", "loans", "months_on_book", "share"],
                 [[c["vintage"], c["loans"], pt["mob"], pt["share"]]
                  for c in curves for pt in c["points"]])


async def asset_quality_table(session: AsyncSession, _: Settings, p: Params) -> Table:
    report = await regulatory.asset_quality(session, start=p.start, end=p.end, branch=p.branch)
    table = from_dicts(f"Five-category asset quality {p.start} to {p.end}", report["rows"])
    total = report["total"]
    table.rows.append(["total", None, total["loans_begin"], total["balance_begin"],
                       total["loans_end"], total["balance_end"], 1 if total["balance_end"]
                       else None, None, None, None, None])
    table.rows.append(["npl_ratio", True, None, report["npl_ratio_begin"], None,
                       report["npl_ratio_end"], None, None, None, None, None])
    return table


def _period_mapping(fn: Callable[..., Awaitable[dict]], title: str, scoped: bool = True):
    async def build(session: AsyncSession, _: Settings, p: Params) -> Table:
        extra = {"team": p.team, "branch": p.branch} if scoped else {}
        return from_mapping(f"{title} {p.period}", await fn(session, start=p.start, end=p.end,
                                                            **extra))
    return build


async def warning_table(session: AsyncSession, _: Settings, p: Params) -> Table:
    return from_dicts(f"Warnings {p.period}", await activity.warnings(session, start=p.start,
                                                                       end=p.end))


REPORTS: dict[str, Callable[[AsyncSession, Settings, Params], Awaitable[Table]]] = {
    "kpis": kpi_table,
    "classification": classification_table,
    "roll-rates": roll_rate_table,
    "vintages": vintage_table,
    "asset-quality": asset_quality_table,
    "warnings": warning_table,
    "collection-funnel": _period_mapping(activity.funnel, "Collection funnel"),
    "complaints": _period_mapping(activity.compliance, "Compliance and complaints"),
    "cure-rate": _period_mapping(portfolio.cure_rate, "Cure rate", scoped=False),
}
