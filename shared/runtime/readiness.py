"""Waiting for started API processes to answer /readyz, shared by `postloan up` and the
benchmark's platform launcher."""
from __future__ import annotations

import time
from typing import Callable, Mapping

import httpx


def wait_until_ready(api_ports: Mapping[str, int], *, timeout: float,
                     check_alive: Callable[[], None], interval: float = 0.3) -> list[str]:
    """Poll each API's /readyz until all answer 200 or `timeout` passes; `check_alive`
    raises when a child died. Returns the names still not ready (empty when all are)."""
    deadline, pending = time.monotonic() + timeout, dict(api_ports)
    while pending and time.monotonic() < deadline:
        check_alive()
        for name, port in list(pending.items()):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    del pending[name]
            except httpx.HTTPError:
                pass
        if pending:
            time.sleep(interval)
    return list(pending)
