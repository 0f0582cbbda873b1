"""Every monitoring event leaves through the outbox, in the caller's transaction."""
from __future__ import annotations

from shared.db.publisher import Publisher
from shared.events.topics import MONITORING
from services.monitoring.models import delivery

publish = Publisher(source="postloan.monitoring", topic=MONITORING, tables=delivery)
