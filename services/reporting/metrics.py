"""Reporting's own Prometheus metrics: the headline figures operators alert on."""
from __future__ import annotations

import asyncio
import logging

from prometheus_client import Gauge

from services.reporting.queries import kpis, portfolio

log = logging.getLogger(__name__)

NPL_RATIO = Gauge("postloan_reporting_npl_ratio",
                  "Non-performing balance over total balance as of the latest business date.")
KPI_SCORE = Gauge("postloan_reporting_kpi_score",
                  "Scorecard of the month of the latest business date, 0-100.", ["kpi"])


async def refresh(session, settings) -> None:  # type: ignore[no-untyped-def]
    as_of = await portfolio.latest_business_date(session)
    if as_of is None:
        return
    quality = await portfolio.quality(session, as_of=as_of)
    if quality["npl_ratio"] is not None:
        NPL_RATIO.set(quality["npl_ratio"])
    card = await kpis.scorecard(session, settings=settings, period=as_of.strftime("%Y-%m"))
    if card["total_score"] is not None:
        KPI_SCORE.labels("total").set(card["total_score"])
    for kpi in card["kpis"]:
        if kpi.get("score") is not None:
            KPI_SCORE.labels(kpi["name"]).set(kpi["score"])


async def refresh_periodically(context) -> None:  # type: ignore[no-untyped-def]
    """A worker job: the gauges follow the read model, recomputed in SQL every minute."""
    while not context.stopping.is_set():
        try:
            async with context.sessions() as session:
                await refresh(session, context.settings)
        except Exception:  # noqa: BLE001 - a failed refresh keeps the last values
            log.warning("reporting gauges not refreshed", exc_info=True)
        try:
            await asyncio.wait_for(context.stopping.wait(), timeout=60)
        except asyncio.TimeoutError:
            pass
