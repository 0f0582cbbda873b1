"""Every crm event leaves through the outbox, in the caller's transaction."""
from __future__ import annotations

from shared.audit import AuditTrail
from shared.db.publisher import Publisher
from shared.events.topics import CRM
from services.crm.models import audit, delivery

trail = AuditTrail("crm", audit, delivery)
publish = Publisher(source="postloan.crm", topic=CRM, tables=delivery, audit=trail)
