"""The headline gauges operators alert on follow the read model."""
from __future__ import annotations

from prometheus_client import REGISTRY

from services.reporting import metrics
from tests.support.reporting import ReportingHarness, march_history


async def test_npl_ratio_and_kpi_gauges_show_the_latest_business_date(sqlite_database_url) -> None:
    async with ReportingHarness(sqlite_database_url) as harness:
        await harness.feed(*march_history())
        async with harness.sessions() as session:
            await metrics.refresh(session, harness.settings)
    # 26000 of 46000 non-performing on 2026-03-31 (see test_read_model_figures.py).
    assert REGISTRY.get_sample_value("postloan_reporting_npl_ratio") == 0.5652
    assert REGISTRY.get_sample_value("postloan_reporting_kpi_score", {"kpi": "total"}) is not None
