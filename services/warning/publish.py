"""Every warning event leaves through the outbox, in the caller's transaction."""
from __future__ import annotations

from shared.db.publisher import Publisher
from shared.events.topics import WARNING
from services.warning.models import delivery

publish = Publisher(source="postloan.warning", topic=WARNING, tables=delivery)
