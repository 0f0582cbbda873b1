"""Composition root of the monitoring worker: inbound consumer (with Fineract's topic when
enabled, behind the same close-of-day barrier) plus outbox relay."""
from __future__ import annotations

from shared.runtime.worker import Worker
from services.monitoring.config import Settings
from services.monitoring.consumers import consumer_spec
from services.monitoring.fineract import fineract_source
from services.monitoring.models import delivery


def build_worker(settings: Settings | None = None, **options) -> Worker:  # type: ignore[no-untyped-def]
    settings = settings or Settings()
    spec = consumer_spec(settings)
    if (fineract := fineract_source(settings)) is not None:
        spec = spec.with_source(*fineract)
    return Worker(settings, tables=delivery, consumers=[spec], **options)
