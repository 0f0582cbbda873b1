"""Delivery and HTTP metrics every process exposes, defined once. Labels are bounded:
service, consumer group, topic, event type from the registry, reason codes, partitions."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "postloan_http_requests_total", "HTTP requests handled.",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "postloan_http_request_duration_seconds", "HTTP request latency.",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_CONSUMED = Counter(
    "postloan_events_consumed_total", "Events applied by a consumer.",
    ["service", "consumer", "topic", "type"],
)
EVENTS_DUPLICATE = Counter(
    "postloan_events_duplicate_total", "Events skipped because the inbox had applied them.",
    ["service", "consumer", "topic"],
)
EVENTS_IGNORED = Counter(
    "postloan_events_ignored_total", "Known event types this consumer has no handler for.",
    ["service", "consumer", "topic"],
)
EVENTS_FAILED = Counter(
    "postloan_events_failed_total", "Handler attempts that raised (each retry counts).",
    ["service", "consumer", "topic", "reason"],
)
EVENTS_DEAD_LETTERED = Counter(
    "postloan_events_dead_lettered_total", "Records sent to a dead-letter topic.",
    ["service", "consumer", "topic", "reason"],
)
CONSUMER_LAG = Gauge(
    "postloan_consumer_lag_records", "Records between the committed position and the end.",
    ["service", "consumer", "topic", "partition"],
)
OUTBOX_BACKLOG = Gauge(
    "postloan_outbox_backlog_records", "Outbox rows not yet published.", ["service"],
)
OUTBOX_OLDEST_AGE = Gauge(
    "postloan_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row.",
    ["service"],
)
OUTBOX_PUBLISHED = Counter(
    "postloan_outbox_published_total", "Outbox rows published to Kafka.", ["service", "topic"],
)
