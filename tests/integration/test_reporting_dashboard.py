"""The dashboard in a real headless Chromium: it signs in with a token from the URL
fragment, fetches /v1/dashboard from a live uvicorn server and draws the charts with the
constructed history's numbers. The screenshot is kept under test-artifacts/."""
from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

import pytest
import uvicorn

from shared.auth import mint_local_token
from services.reporting.app import create_app
from tests.support.reporting import ReportingHarness, march_history

pytestmark = [pytest.mark.integration, pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _chromium(profile: Path, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}", "--window-size=1400,1000",
        "--virtual-time-budget=5000", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return out.decode("utf-8", "replace")


async def test_dashboard_renders_the_charts_with_the_read_models_numbers(
    sqlite_database_url: str, tmp_path: Path,
) -> None:
    async with ReportingHarness(sqlite_database_url, dashboard_refresh_seconds=60) as harness:
        await harness.feed(*march_history())
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(harness.settings), host="127.0.0.1",
                                               port=port, log_level="warning"))
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                await asyncio.sleep(0.05)
            token = mint_local_token(harness.settings, roles=["risk_officer"])
            url = f"http://127.0.0.1:{port}/dashboard#token={token}&period=2026-03"
            dom = await _chromium(tmp_path / "profile-dom", "--dump-dom", url)
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / "reporting-dashboard.png"
            await _chromium(tmp_path / "profile-shot", f"--screenshot={shot}", url)
        finally:
            server.should_exit = True
            await task
    (ARTIFACTS / "reporting-dashboard.html").write_text(dom)
    _check_dom(dom)
    assert shot.exists() and shot.stat().st_size > 10_000


def _bars(dom: str, chart_id: str) -> dict[str, str]:
    chart = dom[dom.index(f'id="{chart_id}"'):]
    chart = chart[:chart.index("</svg>")]
    return dict(re.findall(r'<rect[^>]*data-label="([^"]+)" data-value="([0-9.]+)"', chart))


def _check_dom(dom: str) -> None:
    assert 'data-rendered="2026-03"' in dom, dom[:2000]
    assert re.search(r'id="total-score"[^>]*data-value="43\.6[23]"', dom)
    assert 'data-kpi="cost_control" data-value="57.5"' in dom
    # classification bars: balances as of 2026-03-31
    assert _bars(dom, "classification-bars") == {"normal": "12500", "special_mention": "7500", "substandard": "20000",
                    "doubtful": "6000", "loss": "0"}
    assert _bars(dom, "bucket-bars") == {"current": "2", "M1": "0", "M2": "1", "M3": "0", "M4": "1", "M5+": "1"}
    assert 'id="npl-ratio" data-value="0.5652"' in dom
    trend = re.findall(r'data-series="NPL ratio" data-label="2026-03" data-value="([0-9.]+)"',
                       dom)
    assert trend == ["0.5652"]
    assert 'data-from="M2" data-to="M4" data-count="1"' in dom
    assert re.search(r'<polyline[^>]*data-series="2026-01"', dom)
    assert _bars(dom, "funnel-bars")["promises kept"] == "1"
    assert 'id="funnel-recovered">2000.00<' in dom and 'id="funnel-cost">270.00<' in dom
    assert "R-DPD" in dom and "R-INCOME" in dom
