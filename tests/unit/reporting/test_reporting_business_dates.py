"""A report asked for without a date is as of the newest business date monitoring aged,
never the wall clock's date: the same request gives the same report whenever it is asked.
Each scenario runs under two wall-clock days years apart, on SQLite and PostgreSQL."""
from __future__ import annotations

from itertools import count
from typing import Any, Callable

import httpx
import pytest

from shared.auth import mint_local_token
from services.reporting.app import create_app
from tests.support import reporting as ev
from tests.support.reporting import ReportingHarness, march_history
from tests.support.wall_clock import WallClock, same_answer_on_two_days
Fresh = Callable[[], ReportingHarness]


@pytest.fixture
def fresh(service_databases: Callable[[str], str]) -> Fresh:
    numbers = count()
    return lambda: ReportingHarness(service_databases(f"reporting{next(numbers)}"))


async def _get(harness: ReportingHarness, path: str, **params: str) -> httpx.Response:
    app = create_app(harness.settings)
    token = mint_local_token(harness.settings, roles=["risk_officer"])
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        return await http.get(f"/v1{path}", params=params,
                              headers={"Authorization": f"Bearer {token}"})


async def _defaults(harness: ReportingHarness) -> tuple[Any, ...]:
    classification = (await _get(harness, "/portfolio/classification")).json()
    dashboard = (await _get(harness, "/dashboard")).json()
    return (classification["as_of"], classification["npl_ratio"], dashboard["period"],
            dashboard["as_of"])


async def test_reports_default_to_the_latest_business_day(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as harness:
            # A repayment of the next, not yet closed, day does not move the default.
            await harness.feed(*march_history(),
                               ev.repaid("L1", "P2", "2026-04-01", "1000", "7000"))
            return await _defaults(harness)

    assert await same_answer_on_two_days(wall_clock, scenario) == (
        "2026-03-31", 0.5652, "2026-03", "2026-03-31")


async def test_before_the_first_close_reports_default_to_the_newest_event_date(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as harness:
            await harness.feed(*(e for e in march_history()
                                 if e.type != "monitoring.business-day.aged.v1"))
            return await _defaults(harness)

    as_of, _, period, dashboard_as_of = await same_answer_on_two_days(wall_clock, scenario)
    assert (as_of, period, dashboard_as_of) == ("2026-03-28", "2026-03", "2026-03-28")


async def test_a_report_with_no_date_known_is_refused(fresh: Fresh) -> None:
    async with fresh() as harness:
        refused = await _get(harness, "/portfolio/classification")
        stated = await _get(harness, "/portfolio/classification", as_of="2026-03-31")
    assert (refused.status_code, refused.json()["code"]) == (409, "no_business_date")
    assert stated.status_code == 200 and stated.json()["as_of"] == "2026-03-31"
