"""Rebuilding from the beginning of the topics on real Kafka. A live monitoring and a live
reporting absorb a seeded multi-day bank, fed gently (each day's events, wait until
absorbed, then the day's close). Then each service is rebuilt into a fresh database from
the topics alone and must hold the live state, compared row for row with surrogate ids,
random ids and wall-clock times masked (tests/faults/snapshot.py): every reporting table,
and monitoring's current state (its history apart, see HISTORY). Monitoring's rebuild must
publish nothing and leave no unsent outbox row."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable, Iterator

import pytest
from sqlalchemy import func, select

from shared.config import CommonSettings
from shared.db.engine import create_engine, session_factory
from shared.kafka.admin import ensure_topics
from shared.localinfra.kafka import LocalKafka
from services.monitoring import rebuild as monitoring_rebuild
from services.monitoring.config import Settings as MonitoringSettings
from services.monitoring.consumers import consumer_spec
from services.monitoring.models import Loan, delivery as monitoring_delivery
from services.reporting import rebuild as reporting_rebuild
from services.reporting.config import Settings as ReportingSettings
from services.reporting.consumers import TOPICS as REPORTING_TOPICS
from services.reporting.models import delivery as reporting_delivery
from services.reporting.reports import Params
from tests.faults.feeder import BatchWindowFeeder, Profile
from tests.faults.snapshot import Snapshot, diff, row_count, snapshot_service
from tests.support.infra import new_database_name, run_sync
from tests.support.replay import Absorption, unsent, without_columns
from tests.support.reporting import report_figures
from tests.support.services import migrate, running_worker

pytestmark = pytest.mark.integration
# Forty days from 2026-01-01: a month end inside the feed; with this seed a backbook loan
# defaulted months before (days past due beyond 90 and rising) and payers fall behind and cure.
PROFILE = Profile(loans=40, days=40, seed=13)
START = date(2026, 1, 1)
# Monitoring's current state must match in full; its history (and one bookkeeping flag) is
# compared apart, as an expected failure. The first day carries each seasoned loan's
# history, and a debtor change in it (a legal event, say) re-ages the debtor's loans as of
# its own, historic date: whether the loan's disbursal or earlier repayments on
# bank.loans.v1 were applied by then is cross-topic order within a day, which the contract
# leaves open. A live run and a rebuild (or two live runs) were seen to differ in which
# installments were reported missed, on which date a loan's classification changed and
# which event an audited decision names as its cause, while ledger, DPD, buckets and
# current classifications agreed.
HISTORY = ("monitoring.classification_change", "monitoring.audit_entry")
REPORTED_MISSES = {"monitoring.installment": ("missed_reported",)}


def _current(state: Snapshot) -> Snapshot:
    return {name: table for name, table in without_columns(state, REPORTED_MISSES).items()
            if name not in HISTORY}


@dataclass
class LiveRun:
    bootstrap: str
    monitoring: MonitoringSettings
    reporting: ReportingSettings
    database: Callable[[str], str]
    published: int = 0


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_run(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveRun]:
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("rebuild-databases")
        database = lambda name: f"sqlite+aiosqlite:///{folder / name}.db"  # noqa: E731
    else:
        server = request.getfixturevalue("postgres_server")
        database = lambda name: server.create_database(new_database_name(name))  # noqa: E731
    broker = LocalKafka(tmp_path_factory.mktemp("rebuild-kafka"))
    broker.start()
    try:
        common = {"kafka_bootstrap_servers": broker.bootstrap}
        run = LiveRun(broker.bootstrap,
                      MonitoringSettings(database_url=database("monitoring"), **common),
                      ReportingSettings(database_url=database("reporting"), **common), database)
        run_sync(lambda: _run_live(run))
        yield run
    finally:
        broker.stop()


async def _run_live(run: LiveRun) -> None:
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=run.bootstrap))
    await migrate("monitoring", run.monitoring.database_url)
    await migrate("reporting", run.reporting.database_url)
    groups = {run.monitoring.consumer_group: consumer_spec(run.monitoring).topics,
              run.reporting.consumer_group: REPORTING_TOPICS}
    outboxes = [(run.monitoring.database_url, monitoring_delivery),
                (run.reporting.database_url, reporting_delivery)]
    async with Absorption(run.bootstrap, groups, outboxes) as absorption, \
            running_worker("monitoring", run.monitoring), \
            running_worker("reporting", run.reporting):
        feeder = BatchWindowFeeder(run.bootstrap, absorption.settle)
        await feeder.run(PROFILE)
        await absorption.settle()
    run.published = len(feeder.sent)


async def _loans_past_due(url: str, days: int) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return (await session.execute(
                select(func.count()).select_from(Loan).where(Loan.dpd > days))).scalar_one()
    finally:
        await engine.dispose()


async def test_monitoring_rebuilt_from_the_bank_topics_equals_the_live_state(
    live_run: LiveRun,
) -> None:
    live_url, fresh = live_run.monitoring.database_url, live_run.database("monitoring_rebuilt")
    async with Absorption(live_run.bootstrap, {}, []) as broker:
        before = await broker.end_offsets()
        result = await monitoring_rebuild.rebuild(live_run.monitoring, database_url=fresh)
        assert await broker.end_offsets() == before, "the rebuild wrote to a topic"

    live, rebuilt = (await snapshot_service("monitoring", live_url),
                     await snapshot_service("monitoring", fresh))
    assert diff(_current(live), _current(rebuilt)) == ""
    assert (result.records, result.dead_lettered) == (live_run.published, 0)
    assert await unsent(fresh, monitoring_delivery) == 0 and result.unpublished > 0
    # A comparison worth making: a whole book, aged every day, some of it far behind.
    assert row_count(live, "monitoring.loan") >= PROFILE.loans
    assert row_count(live, "monitoring.business_day") == PROFILE.days
    assert await _loans_past_due(live_url, 90) > 0


async def test_a_monitoring_rebuild_refuses_a_database_that_holds_state(
    live_run: LiveRun,
) -> None:
    with pytest.raises(monitoring_rebuild.RebuildRefused):
        await monitoring_rebuild.rebuild(live_run.monitoring,
                                         database_url=live_run.monitoring.database_url)
    assert await unsent(live_run.monitoring.database_url, monitoring_delivery) == 0


def _months() -> list[Params]:
    """Every month the feed touches, as of its last fed day."""
    last = START + timedelta(days=PROFILE.days - 1)
    params, first = [], START
    while first <= last:
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        as_of = min(following - timedelta(days=1), last)
        params.append(Params(period=first.strftime("%Y-%m"), as_of=as_of,
                             start=first - timedelta(days=1), end=as_of))
        first = following
    return params


async def test_reporting_rebuilt_from_the_postloan_topics_equals_the_live_read_models(
    live_run: LiveRun,
) -> None:
    settings, fresh = live_run.reporting, live_run.database("reporting_rebuilt")
    result = await reporting_rebuild.rebuild(settings, database_url=fresh)

    assert result.records > 0 and result.applied > 0
    assert diff(await snapshot_service("reporting", settings.database_url),
                await snapshot_service("reporting", fresh)) == ""
    for params in _months():
        assert await report_figures(settings, fresh, params) == \
            await report_figures(settings, settings.database_url, params), params.period
