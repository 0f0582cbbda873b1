"""The warning service's Prometheus metrics, defined once (labels bounded: family, level,
rule id and version come from the catalogue, never a loan or customer id)."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

WARNINGS_RAISED = Counter(
    "postloan_warning_warnings_raised_total", "Warnings raised.", ["family", "level"])
WARNINGS_ESCALATED = Counter(
    "postloan_warning_warnings_escalated_total", "Active warnings re-raised at a higher level.",
    ["family", "level"])
WARNINGS_CLOSED = Counter(
    "postloan_warning_warnings_closed_total", "Warnings cleared or resolved.",
    ["family", "outcome"])
OPEN_WARNINGS = Gauge(
    "postloan_warning_open_warnings", "Active (open or acknowledged) warnings.",
    ["family", "level"])
WATCHLIST = Gauge("postloan_warning_watchlist_customers", "Customers on the watch list.")
RULE_PRECISION = Gauge(
    "postloan_warning_rule_precision_ratio",
    "Share of the rule's warnings followed by a default within the horizon.",
    ["rule_id", "rule_version"])
RULE_RECALL = Gauge(
    "postloan_warning_rule_recall_ratio",
    "Share of defaults the rule warned about at least the minimum lead time before.",
    ["rule_id", "rule_version"])
RULE_LEAD = Gauge(
    "postloan_warning_rule_median_lead_time_seconds",
    "Median time from the rule's warning to the default it preceded.",
    ["rule_id", "rule_version"])
EVENT_TO_WARNING = Histogram(
    "postloan_warning_event_to_warning_seconds",
    "From the monitoring event's time to the warning written to the outbox.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
