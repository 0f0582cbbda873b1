"""Reporting on real Kafka: the live worker builds the read models from the postloan
topics, and a rebuild that replays the topics into a fresh store gives the same figures and
the same rows in every read model. (test_rebuild_from_the_beginning.py does the same over a
multi-day feed derived by a live monitoring.)"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from shared.config import CommonSettings
from shared.db.engine import create_engine
from shared.events.registry import spec_for
from shared.kafka.admin import ensure_topics
from shared.kafka.lag import group_lag
from services.reporting.config import Settings
from services.reporting.models import delivery
from services.reporting.rebuild import rebuild
from services.reporting.reports import Params
from tests.faults.snapshot import diff, snapshot_service
from tests.support.kafka import publish_envelopes, unique, wait_for
from tests.support.reporting import march_history, report_figures
from tests.support.services import migrate, running_worker

pytestmark = pytest.mark.integration
PARAMS = Params(period="2026-03", as_of=date(2026, 3, 31), start=date(2026, 2, 28),
                end=date(2026, 3, 31))


async def _inbox_rows(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(
                select(func.count()).select_from(delivery.inbox))).scalar_one()
    finally:
        await engine.dispose()


async def test_rebuild_from_replay_equals_the_live_read_model(
    private_kafka: str, service_databases,
) -> None:
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=private_kafka))
    settings = Settings(database_url=service_databases("reporting"),
                        kafka_bootstrap_servers=private_kafka, consumer_group=unique("g"))
    await migrate("reporting", settings.database_url)
    history = march_history()
    async with running_worker("reporting", settings):
        await publish_envelopes(private_kafka, [(spec_for(e.type).topic, e) for e in history])

        async def caught_up() -> bool:
            return await _inbox_rows(settings.database_url) == len(history)
        await wait_for(caught_up, timeout=90, message="the live worker applied every event")
    live = await report_figures(settings, settings.database_url, PARAMS)

    fresh = service_databases("reporting_rebuilt")
    result = await rebuild(settings, database_url=fresh)
    assert (result.records, result.applied) == (len(history), len(history))
    assert await group_lag(private_kafka, result.group) == 0
    rebuilt = await report_figures(settings, fresh, PARAMS)

    assert rebuilt == live
    assert diff(await snapshot_service("reporting", settings.database_url),
                await snapshot_service("reporting", fresh)) == ""
    kpi = {row[3]: row[4] for row in live["kpis"] if row[3]}
    assert (kpi["npl_ratio"], kpi["cost_per_recovered"], kpi["contact_compliance"]) == (
        0.5652, 0.135, 0.75)
