"""Collections' own Prometheus metrics, defined once (labels bounded: reason codes,
channels, outcomes, path names from settings)."""
from __future__ import annotations

from prometheus_client import Counter

CONTACTS_REFUSED = Counter(
    "postloan_collections_contacts_refused_total",
    "Contact attempts the compliance guard refused, by reason code.", ["reason"],
)
CONTACTS_RECORDED = Counter(
    "postloan_collections_contacts_recorded_total",
    "Contact attempts the guard allowed and that were recorded.", ["channel"],
)
CASES_OPENED = Counter(
    "postloan_collections_cases_opened_total", "Cases opened or reopened.", ["reason", "variant"],
)
CASES_CLOSED = Counter(
    "postloan_collections_cases_closed_total", "Cases closed, by outcome.", ["outcome", "variant"],
)
PROMISES_DECIDED = Counter(
    "postloan_collections_promises_decided_total", "Promises decided kept or broken.", ["status"],
)
