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


def print_summary() -> None:
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
    print(flush=True)


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
