"""Composition root of the crm worker: the inbound consumer plus the outbox relay. The
deadline watch runs on monitoring's business-day event, so no periodic job is needed."""
from __future__ import annotations

from typing import Any

from shared.runtime.worker import Worker
from services.crm.config import Settings
from services.crm.consumers import consumer_spec
from services.crm.models import delivery


def build_worker(settings: Settings | None = None, **options: Any) -> Worker:
    settings = settings or Settings()
    return Worker(settings, tables=delivery, consumers=[consumer_spec(settings)], **options)
