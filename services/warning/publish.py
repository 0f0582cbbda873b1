"""Every warning event leaves through the outbox, in the caller's transaction; the
decisions among them also leave an audit entry."""
from __future__ import annotations

from shared.audit import AuditTrail, Decision
from shared.db.publisher import Publisher
from shared.events.topics import WARNING
from services.warning.models import audit, delivery

_WHY = ("rule_id", "rule_version", "rule_set", "measure")
DECISIONS = {
    "warning.warning.raised.v1": Decision(
        "warning", "warning_id", reason_fields=_WHY,
        changes={"level": (None, "level"), "loan_id": (None, "loan_id"),
                 "evidence": (None, "evidence")}),
    "warning.warning.escalated.v1": Decision(
        "warning", "warning_id", reason_fields=_WHY,
        changes={"level": ("previous_level", "level"), "evidence": (None, "evidence")}),
}

trail = AuditTrail("warning", audit, delivery, DECISIONS)
publish = Publisher(source="postloan.warning", topic=WARNING, tables=delivery, audit=trail)
