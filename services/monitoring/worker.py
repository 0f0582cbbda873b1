"""Composition root of the monitoring worker: inbound consumer plus outbox relay."""
from __future__ import annotations

from shared.runtime.worker import Worker
from services.monitoring.config import Settings
from services.monitoring.consumers import consumer_spec
from services.monitoring.fineract import fineract_job
from services.monitoring.models import delivery


def build_worker(settings: Settings | None = None, **options) -> Worker:  # type: ignore[no-untyped-def]
    settings = settings or Settings()
    jobs = [job for job in (fineract_job(settings),) if job is not None]
    return Worker(settings, tables=delivery, consumers=[consumer_spec(settings)], jobs=jobs,
                  **options)
