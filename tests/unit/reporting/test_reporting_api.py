"""The reporting HTTP API over the constructed history: contract paths, roles, exports."""
from __future__ import annotations

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook

from shared.auth import mint_local_token
from services.reporting.app import create_app
from tests.support.reporting import ReportingHarness, march_history


@pytest.fixture
async def app(sqlite_database_url: str):  # type: ignore[no-untyped-def]
    async with ReportingHarness(sqlite_database_url,
                                local_users=["ana:s3cret:risk_officer"]) as harness:
        await harness.feed(*march_history())
        application = create_app(harness.settings)
        async with application.router.lifespan_context(application):
            yield application


def _client(app, *roles: str) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    headers = {}
    if roles:
        token = mint_local_token(app.state.settings, roles=list(roles))
        headers["Authorization"] = f"Bearer {token}"
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t",
                             headers=headers)


@pytest.mark.parametrize("role", ["risk_officer", "collection_manager", "crm_agent", "auditor", "admin"])
async def test_reporting_readers_may_read_the_scorecard(app, role: str) -> None:
    async with _client(app, role) as client:
        response = await client.get("/v1/kpis", params={"period": "2026-03"})
    assert response.status_code == 200, response.text
    assert [k["weight"] for k in response.json()["kpis"]] == [30, 20, 20, 15, 15]


async def test_other_roles_and_anonymous_callers_are_refused(app) -> None:
    async with _client(app, "collector") as client:
        assert (await client.get("/v1/kpis", params={"period": "2026-03"})).status_code == 403
    async with _client(app) as client:
        response = await client.get("/v1/portfolio/classification")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


async def test_classification_defaults_to_the_newest_business_date(app) -> None:
    async with _client(app, "risk_officer") as client:
        body = (await client.get("/v1/portfolio/classification")).json()
    assert body["as_of"] == "2026-03-31" and body["npl_ratio"] == 0.5652
    assert body["by_classification"][2] == {"classification": "substandard", "count": 1,
                                            "balance": "20000.00", "balance_share": 0.4348}


async def test_roll_rates_between_two_dates(app) -> None:
    async with _client(app, "risk_officer") as client:
        body = (await client.get("/v1/portfolio/roll-rates",
                                 params={"from": "2026-02-28", "to": "2026-03-31"})).json()
    assert {(c["from"], c["to"]): c["count"] for c in body["cells"]}[("M2", "M4")] == 1


async def test_asset_quality_csv_is_the_five_category_table_with_migration(app) -> None:
    async with _client(app, "auditor") as client:
        response = await client.get("/v1/exports/asset-quality.csv",
                                    params={"from": "2026-02-28", "to": "2026-03-31"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    normal = rows[0]
    assert (normal["classification"], normal["loans_begin"], normal["loans_end"]) == ("normal", "3", "2")
    assert (normal["moved_worse"], normal["migration_rate"]) == ("1", "0.3333")
    mention = rows[1]
    assert (mention["balance_begin"], mention["moved_worse"], mention["left_book"]) == ("23000.00", "1", "1")
    assert rows[-1]["classification"] == "npl_ratio" and rows[-1]["balance_end"] == "0.5652"


@pytest.mark.parametrize("report", ["kpis", "classification", "roll-rates", "vintages",
                                    "asset-quality", "warnings", "collection-funnel",
                                    "complaints", "cure-rate"])
async def test_every_report_downloads_as_xlsx(app, report: str) -> None:
    async with _client(app, "risk_officer") as client:
        response = await client.get(f"/v1/exports/{report}.xlsx", params={"period": "2026-03"})
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row >= 2 and sheet.cell(1, 1).value


async def test_unknown_report_is_404(app) -> None:
    async with _client(app, "risk_officer") as client:
        assert (await client.get("/v1/exports/nothing.csv")).status_code == 404


async def test_dashboard_page_is_served_and_its_data_needs_a_token(app) -> None:
    async with _client(app) as client:
        page = await client.get("/dashboard")
        assert page.status_code == 200 and "dashboard.js" in page.text
        assert (await client.get("/dashboard/dashboard.js")).status_code == 200
        assert (await client.get("/v1/dashboard")).status_code == 401
    async with _client(app, "collection_manager") as client:
        data = (await client.get("/v1/dashboard", params={"period": "2026-03"})).json()
    assert data["quality"]["npl_ratio"] == 0.5652 and len(data["npl_trend"]) == 12


async def test_local_login_trades_a_configured_password_for_a_token(app) -> None:
    async with _client(app) as client:
        bad = await client.post("/v1/login", json={"username": "ana", "password": "no"})
        good = await client.post("/v1/login", json={"username": "ana", "password": "s3cret"})
    assert bad.status_code == 401 and good.status_code == 200
    async with _client(app) as client:
        client.headers["Authorization"] = f"Bearer {good.json()['access_token']}"
        assert (await client.get("/v1/kpis", params={"period": "2026-03"})).status_code == 200
