"""Crm's own Prometheus metrics, defined once (labels bounded)."""
from __future__ import annotations

from prometheus_client import Counter, Gauge

COMPLAINTS_OPENED = Counter("postloan_crm_complaints_opened_total",
                            "Complaints received, by category.", ["category"])
COMPLAINTS_OPEN = Gauge("postloan_crm_complaints_open",
                        "Complaints not yet decided, as of the last business day.")
COMPLAINTS_PAST_DEADLINE = Gauge("postloan_crm_complaints_past_deadline",
                                 "Undecided complaints past their deadline, as of the last "
                                 "business day.")
DEADLINE_BREACHES = Counter("postloan_crm_complaint_deadline_breaches_total",
                            "Complaints whose deadline passed undecided, by category.",
                            ["category"])
SURVEYS_ANSWERED = Counter("postloan_crm_surveys_answered_total",
                           "Satisfaction surveys answered, by score.", ["score"])
CARE_TASKS_CREATED = Counter("postloan_crm_care_tasks_created_total",
                             "Proactive care tasks created, by reason.", ["reason"])
