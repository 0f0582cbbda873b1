"""Every monitoring event leaves through the outbox, in the caller's transaction; the
decisions among them also leave an audit entry."""
from __future__ import annotations

from shared.audit import AuditTrail, Decision
from shared.db.publisher import Publisher
from shared.events.topics import MONITORING
from services.monitoring.models import audit, delivery

DECISIONS = {
    "monitoring.loan.classification-changed.v1": Decision(
        "loan", "loan_id", reason_fields=("reason", "rule_version"),
        changes={"classification": ("previous_classification", "classification"),
                 "ifrs9_stage": ("previous_ifrs9_stage", "ifrs9_stage")}),
}

trail = AuditTrail("monitoring", audit, delivery, DECISIONS)
publish = Publisher(source="postloan.monitoring", topic=MONITORING, tables=delivery, audit=trail)
