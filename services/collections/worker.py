"""Composition root of the collections worker: the monitoring/warning/crm consumer and the
outbox relay."""
from __future__ import annotations

from shared.runtime.worker import Worker
from services.collections.config import Settings
from services.collections.consumers import consumer_spec
from services.collections.models import delivery


def build_worker(settings: Settings | None = None,
                 **options) -> Worker:  # type: ignore[no-untyped-def]
    settings = settings or Settings()
    return Worker(settings, tables=delivery, consumers=[consumer_spec(settings)], **options)
