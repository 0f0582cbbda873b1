"""Effectiveness per rule and version on a constructed history with known answers."""
from __future__ import annotations

from datetime import date, timedelta

from services.warning.domain.effectiveness import RaisedWarning, measure
from tests.support import warning as ev
from tests.support.warning import WarningHarness

AS_OF = date(2026, 12, 31)
D = date(2026, 1, 1)


def _w(rule: str, loan: str, raised: date, version: int = 1) -> RaisedWarning:
    return RaisedWarning(rule, version, loan, raised)


def test_precision_recall_and_median_lead_time_on_a_known_history() -> None:
    defaults = {"L1": D + timedelta(100), "L2": D + timedelta(60), "L3": D + timedelta(300),
                "L9": D + timedelta(50)}
    warnings = [
        _w("R", "L1", D),                       # default 100 days later: hit, lead 100
        _w("R", "L2", D + timedelta(40)),       # default 20 days later: hit, lead 20, too late for recall
        _w("R", "L3", D),                       # default 300 days later: beyond 180, a miss
        _w("R", "L4", D),                       # never defaulted, horizon passed: a miss
        _w("R", "L5", AS_OF - timedelta(10)),   # too recent to judge: left out
        _w("R", "L9", D + timedelta(60)),       # raised after the default: left out
        _w("R", "L1", D, version=2),            # another version, measured on its own
    ]
    v1, v2 = measure(warnings, defaults, as_of=AS_OF)
    assert (v1.rule_id, v1.rule_version, v1.warnings, v1.evaluated) == ("R", 1, 6, 4)
    assert v1.followed_by_default == 2 and v1.precision == 0.5
    # Defaults warned about at least 30 days before: L1 (100) and L3 (300), not L2 (20).
    assert (v1.defaults, v1.caught_defaults, v1.recall) == (4, 2, 0.5)
    assert v1.median_lead_days == 60.0
    assert (v2.precision, v2.recall, v2.median_lead_days) == (1.0, 0.25, 100.0)


def test_no_warnings_judged_yet_gives_no_precision() -> None:
    (effect,) = measure([_w("R", "L1", AS_OF)], {}, as_of=AS_OF)
    assert effect.precision is None and effect.recall is None and effect.median_lead_days is None


async def test_defaults_are_recorded_from_dpd_90_and_substandard_classification(
        harness: WarningHarness) -> None:
    from services.warning.service.effectiveness import rule_effectiveness
    await harness.feed(ev.registered("L-1"), ev.registered("L-2", "C-2"),
                       ev.delinquency(1, D, "L-1"), ev.delinquency(1, D, "L-2", "C-2"),
                       ev.delinquency(90, D + timedelta(89), "L-1"),
                       ev.classified("substandard", D + timedelta(20), "L-2", "C-2"),
                       ev.classified("doubtful", D + timedelta(200), "L-2", "C-2"))
    async with harness.sessions() as session, session.begin():
        effects = {e.rule_id: e for e in await rule_effectiveness(
            session, as_of=AS_OF, settings=harness.settings)}
    dpd = effects["BEH_DPD"]
    assert (dpd.warnings, dpd.followed_by_default, dpd.precision) == (2, 2, 1.0)
    assert (dpd.defaults, dpd.caught_defaults, dpd.recall) == (2, 1, 0.5)
    assert dpd.median_lead_days == (89 + 20) / 2


async def test_the_workers_gauge_job_refreshes_the_gauges_without_error(tmp_path, caplog) -> None:
    """The job is best effort and only logs a failure, so a broken call went unnoticed."""
    import asyncio
    import logging

    from shared.db.engine import create_engine, session_factory
    from shared.runtime.worker import WorkerContext
    from services.warning.config import Settings
    from services.warning.models import Base
    from services.warning.worker import build_worker

    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/w.db",
                        gauge_refresh_seconds=0.05)
    engine = create_engine(settings.database_url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    (job,) = [j for j in build_worker(settings, serve_ops=False).jobs if j.__name__ == "gauges"]
    context = WorkerContext(settings, engine, session_factory(engine), producer=None)
    with caplog.at_level(logging.WARNING):
        task = asyncio.create_task(job(context))
        await asyncio.sleep(0.3)
        context.stopping.set()
        await task
    await engine.dispose()
    assert "could not refresh the warning gauges" not in caplog.text
