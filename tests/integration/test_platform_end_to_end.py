"""A small simulated bank through every service on real Kafka: the services' figures
must agree with each other, and nothing may be dead-lettered."""
from __future__ import annotations

import importlib
import json
from contextlib import AsyncExitStack

import pytest
from sqlalchemy import select

from shared.cli import SERVICES
from shared.config import CommonSettings
from shared.db.engine import create_engine, session_factory
from shared.events import topics
from shared.events.topics import ALL_TOPICS, dlq
from shared.kafka.admin import ensure_topics
from shared.simulator.feed import SimulationOptions, generate
from shared.simulator.publish import publish
from tests.support.feed_invariants import missed_although_paid
from tests.support.kafka import caught_up, read_all, unique, wait_for
from tests.support.services import migrate, running_worker

pytestmark = pytest.mark.integration
NPL = ("substandard", "doubtful", "loss")


async def _settings(bootstrap: str, tmp_path) -> dict:  # type: ignore[no-untyped-def]
    suffix = unique("g")
    settings = {}
    for name in SERVICES:
        config = importlib.import_module(f"services.{name}.config")
        extra = {"faust_app_id": f"warning-{suffix}"} if name == "warning" else {}
        settings[name] = config.Settings(
            kafka_bootstrap_servers=bootstrap, database_url=f"sqlite+aiosqlite:///{tmp_path}/{name}.db",
            consumer_group=f"{name}-{suffix}", **extra)
        await migrate(name, settings[name].database_url)
    return settings


async def _rows(url: str, query):  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return (await session.execute(query)).all()
    finally:
        await engine.dispose()


async def test_a_simulated_portfolio_gives_agreeing_figures_across_services(
    private_kafka: str, tmp_path,
) -> None:
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=private_kafka))
    settings = await _settings(private_kafka, tmp_path)
    async with AsyncExitStack() as stack:
        for name in SERVICES:
            await stack.enter_async_context(running_worker(name, settings[name]))
        # Published as `postloan up` does: every day's events and its close back to back.
        feed = list(generate(SimulationOptions(loans=60, days=45, seed=11)))
        await publish(private_kafka, feed)
        await wait_for(lambda: caught_up(private_kafka, settings), timeout=600, interval=1,
                       message="every service consumed the feed")
        # Events published by the services themselves must be consumed too.
        await wait_for(lambda: caught_up(private_kafka, settings), timeout=300, interval=1,
                       message="every service consumed the other services' events")
    await _check_every_delinquent_customer_has_a_case(settings)
    await _check_nothing_was_dead_lettered(private_kafka)
    await _check_no_payer_was_reported_late(private_kafka, feed)


async def _check_no_payer_was_reported_late(bootstrap: str, feed: list) -> None:  # type: ignore[type-arg]
    events = [json.loads(r.value) for r in await read_all(bootstrap, topics.MONITORING,
                                                          expect=100_000, timeout=5)]
    missed = [e for e in events if e["type"] == "monitoring.installment.missed.v1"]
    assert missed, "the simulated book should miss installments"
    problems = missed_although_paid(feed, missed)
    assert not problems, f"{len(problems)} of {len(missed)}:\n" + "\n".join(problems[:10])


async def _check_every_delinquent_customer_has_a_case(settings: dict) -> None:
    from services.collections.models import CollectionCase
    from services.monitoring.models import Loan

    delinquent = {row.customer_id for row in await _rows(
        settings["monitoring"].database_url,
        select(Loan.customer_id).where(Loan.status == "active", Loan.dpd >= 1))}
    with_case = {row.customer_id for row in await _rows(
        settings["collections"].database_url,
        select(CollectionCase.customer_id).where(CollectionCase.status == "open"))}
    assert delinquent, "the simulated book should have delinquent loans"
    assert delinquent <= with_case, f"delinquent customers without a case: {delinquent - with_case}"


async def _check_nothing_was_dead_lettered(bootstrap: str) -> None:
    for topic in ALL_TOPICS:
        records = await read_all(bootstrap, dlq(topic), expect=1, timeout=1)
        assert not records, f"{len(records)} records dead-lettered from {topic}: " + \
            str([dict(r.headers) for r in records[:3]])

