"""Every collections event leaves through the outbox, in the caller's transaction."""
from __future__ import annotations

from shared.db.publisher import Publisher
from shared.events.topics import COLLECTIONS
from services.collections.models import delivery

publish = Publisher(source="postloan.collections", topic=COLLECTIONS, tables=delivery)
