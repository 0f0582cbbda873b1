"""Driving the monitoring use cases directly (no broker) for fast, exact tests."""
from __future__ import annotations

from tests.support.harness import ServiceHarness


class MonitoringHarness(ServiceHarness):
    service = "monitoring"
