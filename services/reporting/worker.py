"""Composition root of the reporting worker."""
from __future__ import annotations

from shared.runtime.worker import Worker
from services.reporting.config import Settings
from services.reporting.consumers import consumer_spec
from services.reporting.metrics import refresh_periodically
from services.reporting.models import delivery


def build_worker(settings: Settings | None = None, **options) -> Worker:  # type: ignore[no-untyped-def]
    settings = settings or Settings()
    return Worker(settings, tables=delivery, consumers=[consumer_spec(settings)],
                  jobs=[refresh_periodically], **options)
