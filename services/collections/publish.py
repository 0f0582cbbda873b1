"""Every collections event leaves through the outbox, in the caller's transaction; the
decisions among them (a case opened, a contact the compliance guard refused) also leave an
audit entry."""
from __future__ import annotations

from shared.audit import AuditTrail, Decision
from shared.db.publisher import Publisher
from shared.events.topics import COLLECTIONS
from services.collections.models import audit, delivery

DECISIONS = {
    "collections.case.opened.v1": Decision(
        "case", "case_id", reason_fields=("reason", "trigger_loan_id", "dpd", "bucket"),
        changes={"step": (None, "step"), "path": (None, "path"), "queue": (None, "queue"),
                 "loan_ids": (None, "loan_ids"), "reopened": (None, "reopened")}),
    "collections.contact.attempted.v1": Decision(
        "contact", "contact_id", reason_fields=("refusal_reason",),
        changes={"allowed": (None, "allowed"), "case_id": (None, "case_id"),
                 "channel": (None, "channel"), "collector_id": (None, "collector_id")},
        only_if=lambda data: data.get("allowed") is False),
}

trail = AuditTrail("collections", audit, delivery, DECISIONS)
publish = Publisher(source="postloan.collections", topic=COLLECTIONS, tables=delivery,
                    audit=trail)
