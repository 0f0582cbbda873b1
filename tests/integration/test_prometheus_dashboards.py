"""Every Grafana panel's query, evaluated by a real Prometheus that scrapes every service's
API and worker (run as `python -m services.<name> api|worker`) on loopback, after the bank's
events have moved the counters: no query may error, and no panel may come back empty
unless it is listed in NOT_PRODUCED_HERE with the reason."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from shared.auth import mint_local_token
from shared.cli import SERVICES
from shared.config import CommonSettings
from shared.events.registry import spec_for
from shared.events.topics import BANK_LOANS
from shared.kafka.admin import ensure_topics
from shared.localinfra.kafka import REPO_ROOT, free_port
from shared.localinfra.prometheus import (
    ALERT_RULES, LocalPrometheus, PrometheusUnavailable, ensure_binaries, render_config,
)
from tests.support import bank_events as bank
from tests.support.kafka import produce, publish_envelopes, unique, wait_for
from tests.support.services import migrate

pytestmark = pytest.mark.integration
DASHBOARDS = REPO_ROOT / "deploy" / "grafana" / "provisioning" / "dashboards" / "json"
FIRST_DUE = date(2026, 2, 5)

_NO_WARNING = ("warning's stream agents raised no warning from this activity within the "
               "test's window; the warning stream tests cover raising")
# Panel title -> why this test leaves it empty. Everything else must return series.
NOT_PRODUCED_HERE = {
    "Handler failures (15 min)":
        "needs a handler that raises on a valid event; the delivery tests cover failures",
    "Loans by classification":
        "postloan_monitoring_loans is defined but no code sets it yet",
    "Loans by days-past-due bucket":
        "postloan_monitoring_loans is defined but no code sets it yet",
    "NPL ratio": "postloan_reporting_npl_ratio is not exported yet (reporting)",
    "KPI scores": "postloan_reporting_kpi_score is not exported yet (reporting)",
    "Collection cases closed (1 d)":
        "a case closes when its loan is cured, repaid or written off, weeks after it opens",
    "Warnings raised by family and level (1 h)": _NO_WARNING,
    "Red warnings raised or escalated (1 h)": _NO_WARNING,
    "Open warnings by level": _NO_WARNING,
    "Promises kept / broken (1 d)":
        "a promise is recorded through the collections API by an agent and decided later",
    "Contacts recorded by channel / refused by reason (1 d)":
        "contact attempts are recorded through the collections API by an agent",
    "Complaints received / deadlines breached by category (1 d)":
        "complaints are received through the crm API, and breaches take weeks of business days",
}


@pytest.fixture(scope="module")
def binaries():  # type: ignore[no-untyped-def]
    try:
        return ensure_binaries()
    except PrometheusUnavailable as exc:
        pytest.skip(f"the Prometheus binary cannot be obtained on this machine: {exc}")


def _panels() -> list[tuple[str, str, str]]:
    """(dashboard file, panel title, query) for every target of every panel."""
    found = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel.get("targets", []):
                found.append((path.name, panel["title"], target["expr"]))
    return found


class Platform:
    """Every service's API and worker as child processes, each with its own SQLite file."""

    def __init__(self, tmp: Path, bootstrap: str) -> None:
        self.tmp = tmp
        self.ports = {name: (free_port(), free_port()) for name in SERVICES}
        self.env = dict(os.environ, POSTLOAN_KAFKA_BOOTSTRAP_SERVERS=bootstrap,
                        POSTLOAN_ENVIRONMENT="test", POSTLOAN_LOG_LEVEL="WARNING")
        for name, (api, ops) in self.ports.items():
            self.env[f"{name.upper()}_DATABASE_URL"] = self.database_url(name)
            self.env[f"{name.upper()}_API_PORT"] = str(api)
            self.env[f"{name.upper()}_WORKER_OPS_PORT"] = str(ops)
        self.children: list[tuple[str, subprocess.Popen]] = []

    def database_url(self, name: str) -> str:
        return f"sqlite+aiosqlite:///{self.tmp / name}.db"

    def start(self) -> None:
        for name in SERVICES:
            for process in ("api", "worker"):
                log = open(self.tmp / f"{name}-{process}.log", "ab")  # noqa: SIM115
                self.children.append((f"{name}-{process}", subprocess.Popen(
                    [sys.executable, "-m", f"services.{name}", process], cwd=REPO_ROOT,
                    env=self.env, stdout=log, stderr=log, start_new_session=True)))

    def wait_healthy(self, timeout: float = 90) -> None:
        pending = {f"{n}-{p}": port for n, ports in self.ports.items()
                   for p, port in zip(("api", "worker"), ports)}
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            for name, child in self.children:
                assert child.poll() is None, f"{name} exited; see {self.tmp / name}.log"
            for name, port in list(pending.items()):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2,
                                 follow_redirects=True).status_code == 200:
                        del pending[name]
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        assert not pending, f"no /metrics from {sorted(pending)} in {timeout}s (logs in {self.tmp})"

    def scrape_targets(self) -> dict[str, dict[str, str]]:
        return {"postloan-api": {n: f"127.0.0.1:{p[0]}" for n, p in self.ports.items()},
                "postloan-worker": {n: f"127.0.0.1:{p[1]}" for n, p in self.ports.items()}}

    def stop(self) -> None:
        for _, child in self.children:
            if child.poll() is None:
                child.terminate()
        for _, child in self.children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


@pytest.fixture
def platform(private_kafka: str, tmp_path: Path) -> Iterator[Platform]:
    asyncio.run(ensure_topics(CommonSettings(kafka_bootstrap_servers=private_kafka)))
    running = Platform(tmp_path, private_kafka)
    for name in SERVICES:
        asyncio.run(migrate(name, running.database_url(name)))
    running.start()
    try:
        running.wait_healthy()
        yield running
    finally:
        running.stop()


@pytest.fixture
def prometheus(platform: Platform, binaries, tmp_path: Path) -> Iterator[LocalPrometheus]:  # type: ignore[no-untyped-def]
    config = tmp_path / "prometheus.yml"
    config.write_text(render_config(platform.scrape_targets(), rule_files=[ALERT_RULES],
                                    scrape_interval="1s", evaluation_interval="1s"))
    server = LocalPrometheus(tmp_path / "prometheus", config_file=config, binaries=binaries)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def _produce_bank_activity(bootstrap: str, monitoring: httpx.AsyncClient) -> None:
    """A customer and a loan that falls 91 days past due, a repayment for a loan the bank
    has not announced yet (parked), a resent event (duplicate) and a record that is not
    JSON (dead-lettered)."""
    loan_id, customer = unique("L"), unique("C")
    registered = bank.customer_registered(customer, on=date(2026, 1, 2))
    events = [registered, registered,
              bank.disbursed(loan_id, customer, on=date(2026, 1, 5), first_due=FIRST_DUE,
                             payment_mode="self"),
              bank.repayment(unique("L-unknown"), "P-1", "100.00", FIRST_DUE)]
    await publish_envelopes(bootstrap, [(spec_for(e.type).topic, e) for e in events])
    await produce(bootstrap, BANK_LOANS, [(b"broken", b"this is not json")])

    async def known() -> bool:
        response = await monitoring.get(f"/v1/loans/{loan_id}")
        assert response.status_code in (200, 404), response.text
        return response.status_code == 200
    # Loans and the calendar are different topics: the loan must exist before the days age it.
    await wait_for(known, timeout=60, message="monitoring registered the loan")
    days = [FIRST_DUE + timedelta(days=d) for d in (1, 8, 31, 61, 91)]
    await publish_envelopes(bootstrap, [(spec_for(e.type).topic, e)
                                        for e in (bank.business_day(d) for d in days)])


async def _ask_for_data_quality(monitoring: httpx.AsyncClient) -> None:
    """Customer completeness is measured when someone asks monitoring's API for it."""
    async def measured() -> bool:
        return (await monitoring.get("/v1/data-quality")).json().get("customers", 0) > 0
    await wait_for(measured, timeout=60, interval=0.5, message="monitoring counted the customer")


def _monitoring_client(platform: Platform) -> httpx.AsyncClient:
    from services.monitoring.config import Settings

    token = mint_local_token(Settings(), roles=["risk_officer"], subject="ops-test")
    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{platform.ports['monitoring'][0]}",
                             headers={"Authorization": f"Bearer {token}"})


def _query(server: LocalPrometheus, expr: str) -> list[dict]:
    response = httpx.get(f"{server.url}/api/v1/query", params={"query": expr}, timeout=10)
    body = response.json()
    assert response.status_code == 200 and body["status"] == "success", (expr, body)
    return body["data"]["result"]


async def test_every_dashboard_panel_returns_series_from_a_real_prometheus(
    platform: Platform, prometheus: LocalPrometheus, private_kafka: str,
) -> None:
    panels = _panels()
    titles = {title for _, title, _ in panels}
    assert set(NOT_PRODUCED_HERE) <= titles, "an exempted panel no longer exists"

    async def all_targets_up() -> bool:
        up = _query(prometheus, 'up{job=~"postloan-.*"} == 1')
        return len(up) == 2 * len(SERVICES)
    await wait_for(all_targets_up, timeout=60, message="Prometheus scraping every process")

    async with _monitoring_client(platform) as monitoring:
        await _produce_bank_activity(private_kafka, monitoring)
        await _ask_for_data_quality(monitoring)

    empty: dict[str, str] = {}

    async def panels_have_data() -> bool:
        empty.clear()
        for dashboard, title, expr in panels:
            if title not in NOT_PRODUCED_HERE and not _query(prometheus, expr):
                empty[f"{dashboard}: {title}"] = expr
        return not empty
    try:
        await wait_for(panels_have_data, timeout=120, interval=1.0,
                       message="every panel to return series")
    except AssertionError:
        pytest.fail("panels with no series for data this test produced:\n"
                    + "\n".join(f"  {k}\n    {v}" for k, v in sorted(empty.items())))
    # Exempted panels must still be valid queries.
    for _, title, expr in panels:
        if title in NOT_PRODUCED_HERE:
            _query(prometheus, expr)


def test_every_panel_uses_the_provisioned_datasource() -> None:
    source = (REPO_ROOT / "deploy" / "grafana" / "provisioning" / "datasources"
              / "prometheus.yml").read_text()
    assert "uid: prometheus" in source
    for path in DASHBOARDS.glob("*.json"):
        dashboard = json.loads(path.read_text())
        ids = [p["id"] for p in dashboard["panels"]]
        assert len(ids) == len(set(ids)), f"{path.name}: duplicate panel ids"
        for panel in dashboard["panels"]:
            assert panel["datasource"]["uid"] == "prometheus", (path.name, panel["title"])
            assert panel["targets"], (path.name, panel["title"])
