"""Every crm event leaves through the outbox, in the caller's transaction."""
from __future__ import annotations

from shared.db.publisher import Publisher
from shared.events.topics import CRM
from services.crm.models import delivery

publish = Publisher(source="postloan.crm", topic=CRM, tables=delivery)
