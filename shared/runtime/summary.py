"""What `postloan up` prints: where to look, and what the platform made of the feed."""
from __future__ import annotations

import httpx

from shared.auth import mint_local_token
from shared.config import CommonSettings

CLASSIFICATIONS = ("normal", "special_mention", "substandard", "doubtful", "loss")
URLS = {
    "monitoring": "http://127.0.0.1:8001", "warning": "http://127.0.0.1:8002",
    "collections": "http://127.0.0.1:8003", "crm": "http://127.0.0.1:8004",
    "reporting": "http://127.0.0.1:8005",
}


def _client() -> httpx.Client:
    token = mint_local_token(CommonSettings(), roles=["admin"], subject="postloan-up")
    return httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _total(client: httpx.Client, url: str, **params: str) -> int | None:
    response = client.get(url, params={"limit": 1, **params})
    return response.json()["total"] if response.status_code == 200 else None


def print_summary(business_date=None) -> None:  # type: ignore[no-untyped-def]
    print("\npostloan is running")
    for name, url in URLS.items():
        print(f"  {name:<12} API docs {url}/docs   metrics {url}/metrics")
    print(f"  {'dashboard':<12} {URLS['reporting']}/dashboard")
    print("  a token for the APIs: postloan token --role risk_officer")
    with _client() as client:
        loans = f"{URLS['monitoring']}/v1/loans"
        counts = {c: _total(client, loans, classification=c, status="active")
                  for c in CLASSIFICATIONS}
        print("\nactive loans by classification: " +
              ", ".join(f"{c} {n}" for c, n in counts.items()))
        for line in _service_lines(client):
            print(line)
        if business_date is not None:
            print(_kpi_line(client, business_date.strftime("%Y-%m")))
    print(flush=True)


def _kpi_line(client: httpx.Client, period: str) -> str:
    card = client.get(f"{URLS['reporting']}/v1/kpis", params={"period": period}).json()
    parts = ", ".join(f"{k['name']} {k['score']}" for k in card.get("kpis", [])
                      if k.get("score") is not None)
    return f"KPI score {period}: {card.get('total_score')} ({parts})"


def _service_lines(client: httpx.Client) -> list[str]:
    lines = []
    checks = (("open warnings", f"{URLS['warning']}/v1/warnings", {"status": "open"}),
              ("open collection cases", f"{URLS['collections']}/v1/cases", {"status": "open"}),
              ("complaints", f"{URLS['crm']}/v1/complaints", {}))
    for label, url, params in checks:
        total = _total(client, url, **params)
        if total is not None:
            lines.append(f"{label}: {total}")
    return lines




def feed_and_settle(bootstrap: str, *, loans: int, days: int, seed: int,
                    timeout: float = 1800):  # type: ignore[no-untyped-def]
    """Publish the simulated bank, then wait until every service has consumed it all."""
    import asyncio
    import time

    from shared.simulator.feed import SimulationOptions, generate
    from shared.simulator.publish import publish

    options = SimulationOptions(loans=loans, days=days, seed=seed)
    print(f"simulating a bank: {loans} loans over {days} business days from {options.start} "
          f"(seed {seed}) ...", flush=True)

    def progress(sent: int, closed) -> None:  # type: ignore[no-untyped-def]
        print(f"  {sent:,} events published, business days closed through {closed}", flush=True)

    result = asyncio.run(publish(bootstrap, generate(options), progress=progress))
    print(f"published {result.sent:,} events in {result.seconds:.1f}s; "
          "waiting for the services to catch up ...", flush=True)
    deadline, last_report = time.monotonic() + timeout, 0.0
    while time.monotonic() < deadline:
        lags = asyncio.run(_lags(bootstrap))
        if all(v == 0 for v in lags.values()):
            print("all services caught up", flush=True)
            return result.last_date
        if time.monotonic() - last_report > 5:
            print("  lag: " + ", ".join(f"{g} {'-' if v is None else v}" for g, v in lags.items()),
                  flush=True)
            last_report = time.monotonic()
        time.sleep(1)
    print("services still catching up; the summary shows the state so far", flush=True)
    return result.last_date


async def _lags(bootstrap: str) -> dict[str, int | None]:
    from shared.cli import SERVICES
    from shared.kafka.lag import group_lag
    from shared.runtime.launch import load_settings

    lags: dict[str, int | None] = {}
    for name in SERVICES:
        for group in load_settings(name).consumer_groups:
            lags[name] = await group_lag(bootstrap, group)
    return lags
