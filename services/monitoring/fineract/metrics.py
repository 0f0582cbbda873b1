"""Metrics of the Fineract source (labels bounded: event types outside the mapping table
are reported as `other`)."""
from __future__ import annotations

from prometheus_client import Counter

from services.monitoring.fineract.mapping import MAPPERS

EVENTS = Counter(
    "postloan_monitoring_fineract_events_total",
    "Fineract business events read, by type and outcome (mapped, observed, skipped).",
    ["type", "outcome"],
)
LOANS_REOPENED = Counter(
    "postloan_monitoring_fineract_loans_reopened_total",
    "Loans put back on the book by an undone charge-off or write-off.", ["undone"],
)
BALANCE_DRIFT = Counter(
    "postloan_monitoring_fineract_balance_drift_total",
    "Fineract balance changes whose outstanding principal differs from postloan's ledger.",
)


def event_label(event_type: str) -> str:
    return event_type if event_type in MAPPERS else "other"


def count(event_type: str, outcome: str) -> None:
    EVENTS.labels(event_label(event_type), outcome).inc()
