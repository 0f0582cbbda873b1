"""The five-category asset-quality table a bank reports from: per category, loans and
balance at the start and end dates, the share of the balance, and migration (loans that
moved to a worse or better category, or left the book, between the two dates)."""
from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.queries import portfolio
from services.reporting.queries.asof import CLASSIFICATIONS, NPL_CLASSES, share


async def asset_quality(session: AsyncSession, *, start: date, end: date,
                        branch: str | None = None) -> dict:
    begin = {r["classification"]: r for r in await portfolio.distribution(
        session, as_of=start, by="classification", branch=branch)}
    final = {r["classification"]: r for r in await portfolio.distribution(
        session, as_of=end, by="classification", branch=branch)}
    moves = await portfolio.migration(session, start=start, end=end, by="classification",
                                      branch=branch)
    rows = [_row(name, begin[name], final[name], moves) for name in CLASSIFICATIONS]
    quality = await portfolio.quality(session, as_of=end, branch=branch)
    before = await portfolio.quality(session, as_of=start, branch=branch)
    return {"from": start, "to": end, "branch": branch, "rows": rows,
            "total": {"loans_end": quality["loans"], "balance_end": quality["balance"],
                      "loans_begin": before["loans"], "balance_begin": before["balance"]},
            "npl_ratio_begin": before["npl_ratio"], "npl_ratio_end": quality["npl_ratio"],
            "npl_balance_end": quality["npl_balance"]}


def _row(name: str, begin: dict, final: dict, moves: list[dict]) -> dict:
    rank = CLASSIFICATIONS.index(name)
    mine = [m for m in moves if m["from"] == name]
    worse = sum(m["count"] for m in mine if m["to"] in CLASSIFICATIONS
                and CLASSIFICATIONS.index(m["to"]) > rank)
    better = sum(m["count"] for m in mine if m["to"] in CLASSIFICATIONS
                 and CLASSIFICATIONS.index(m["to"]) < rank)
    closed = sum(m["count"] for m in mine if m["to"] == "closed")
    return {"classification": name, "non_performing": name in NPL_CLASSES,
            "loans_begin": begin["count"], "balance_begin": begin["balance"],
            "loans_end": final["count"], "balance_end": final["balance"],
            "balance_share_end": final["balance_share"], "moved_worse": worse,
            "moved_better": better, "left_book": closed,
            "migration_rate": share(worse, begin["count"])}
