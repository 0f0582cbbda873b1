"""Monitoring's own Prometheus metrics, defined once (labels bounded)."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

AGEING_SECONDS = Histogram(
    "postloan_monitoring_ageing_run_seconds", "Duration of a full ageing run.",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
LAST_AGED_DATE = Gauge(
    "postloan_monitoring_last_aged_business_date_timestamp_seconds",
    "The business date of the latest completed ageing run (as a Unix time).",
)
LAST_CLOSED_DATE = Gauge(
    "postloan_monitoring_last_closed_business_date_timestamp_seconds",
    "The latest business-day close received (as a Unix time); above the aged date while "
    "an ageing run is pending or stuck.",
)
EVENTS_PARKED = Counter(
    "postloan_monitoring_events_parked_total",
    "Events that arrived before their loan or customer and were parked.", ["type"],
)
LOANS_BY_CLASSIFICATION = Gauge(
    "postloan_monitoring_loans", "Active loans by classification and bucket.",
    ["classification", "bucket"],
)
CUSTOMER_FIELD_COMPLETENESS = Gauge(
    "postloan_monitoring_customer_field_completeness_ratio",
    "Share of registered customers with each required field filled.", ["field"],
)
