"""The warning service dates an officer's step, a rule set and its effectiveness figures by
the latest business day monitoring aged, never by the wall clock: each scenario runs under
two wall-clock days years apart and must answer the same, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any, Callable

import httpx
import pytest
from sqlalchemy import select

from shared.auth import Principal, Role, mint_local_token
from services.warning.service import effectiveness, rulesets, warnings, watchlist
from services.warning.app import create_app
from services.warning.domain.rulesets import RuleChange
from services.warning.models import WarningHistory
from tests.support import warning as ev
from tests.support.wall_clock import WallClock, same_answer_on_two_days
from tests.support.warning import WarningHarness

D0 = date(2026, 5, 1)
CLOSE = D0 + timedelta(days=5)
ALICE = Principal("alice", frozenset({Role.risk_officer}))
BOB = Principal("bob", frozenset({Role.risk_officer}))
Fresh = Callable[[], WarningHarness]


@pytest.fixture
def fresh(service_databases: Callable[[str], str]) -> Fresh:
    """A warning service on a new, empty database each call (one per wall-clock day)."""
    numbers = count()
    return lambda: WarningHarness(service_databases(f"warning{next(numbers)}"))


async def _history(h: WarningHarness, warning_id: str) -> list[tuple[str, date]]:
    async with h.sessions() as session:
        rows = await session.scalars(select(WarningHistory).where(
            WarningHistory.warning_id == warning_id).order_by(WarningHistory.id))
        return [(r.action, r.on_date) for r in rows]


async def _acknowledge_and_resolve(h: WarningHarness) -> tuple[Any, ...]:
    [warning] = await h.warnings(rule_id="BEH_DPD")
    async with h.sessions() as session, session.begin():
        await warnings.acknowledge(session, warning_id=warning.id, principal=ALICE)
    async with h.sessions() as session, session.begin():
        row = await warnings.resolve(session, warning_id=warning.id, resolution="confirmed",
                                     comment="borrower lost the job", principal=ALICE)
    [resolved] = await h.published("warning.warning.resolved")
    return row.closed_date, (await _history(h, warning.id))[1:], resolved["as_of_date"]


async def test_a_resolution_is_dated_by_the_latest_business_day(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as h:
            await h.feed(ev.registered(), ev.delinquency(60, D0), ev.business_day(CLOSE))
            return await _acknowledge_and_resolve(h)

    assert await same_answer_on_two_days(wall_clock, scenario) == (
        CLOSE, [("acknowledged", CLOSE), ("resolved", CLOSE)], CLOSE.isoformat())


async def test_before_the_first_close_a_resolution_takes_the_warnings_own_date(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as h:
            await h.feed(ev.registered(), ev.delinquency(60, D0))
            return await _acknowledge_and_resolve(h)

    assert await same_answer_on_two_days(wall_clock, scenario) == (
        D0, [("acknowledged", D0), ("resolved", D0)], D0.isoformat())


async def test_an_officers_watch_list_removal_is_dated_by_the_latest_business_day(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as h:
            await h.feed(ev.registered(), ev.revalued("0.95", D0), ev.business_day(CLOSE))
            async with h.sessions() as session, session.begin():
                entry = await watchlist.remove(session, customer_id="C-1",
                                               comment="collateral topped up", principal=ALICE)
            return entry.entered_date, entry.exited_date, entry.exit_reason

    assert await same_answer_on_two_days(wall_clock, scenario) == (
        D0, CLOSE, "removed_by_officer")


async def test_an_approved_rule_set_judges_signals_from_the_business_day_after_the_close(
        fresh: Fresh, wall_clock: WallClock) -> None:
    """A signal of a closed day keeps the rules it was (or, in a replay, is) judged by."""
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as h:
            await h.feed(ev.registered(), ev.registered("L-2", "C-2"), ev.business_day(CLOSE))
            async with h.sessions() as session, session.begin():
                proposal = await rulesets.propose(
                    session, segment="consumer", comment="tighten LTV", principal=ALICE,
                    changes={"EXT_COLLATERAL_LTV": RuleChange(level="red",
                                                              params={"max_ltv": "0.70"})},
                    settings=h.settings)
            async with h.sessions() as session, session.begin():
                approved = await rulesets.approve(session, proposal_id=proposal.id,
                                                  principal=BOB)
            await h.feed(ev.revalued("0.75", CLOSE),
                         ev.revalued("0.75", CLOSE + timedelta(days=1), loan_id="L-2",
                                     customer_id="C-2"))
            return approved.effective_date, await h.rules_fired("L-1"), \
                await h.rules_fired("L-2")

    assert await same_answer_on_two_days(wall_clock, scenario) == (
        CLOSE + timedelta(days=1), {}, {"EXT_COLLATERAL_LTV": "red"})


async def _effectiveness(h: WarningHarness, **params: str) -> httpx.Response:
    app = create_app(h.settings)
    token = mint_local_token(h.settings, roles=["risk_officer"])
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        return await http.get("/v1/rules/effectiveness", params=params,
                              headers={"Authorization": f"Bearer {token}"})


async def test_effectiveness_is_measured_as_of_the_latest_business_day_by_default(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as h:
            await h.feed(ev.registered(), ev.delinquency(60, D0), ev.business_day(CLOSE))
            body = (await _effectiveness(h)).json()
            dpd = next(r for r in body["rules"] if r["rule_id"] == "BEH_DPD")
            return body["as_of"], dpd["warnings"], dpd["evaluated"]

    # Five business days after the warning its 180-day outcome is not known yet.
    assert await same_answer_on_two_days(wall_clock, scenario) == (CLOSE.isoformat(), 1, 0)


async def test_effectiveness_without_a_date_before_the_first_close_is_refused(
        fresh: Fresh) -> None:
    async with fresh() as h:
        await h.feed(ev.registered(), ev.delinquency(60, D0))
        refused = await _effectiveness(h)
        stated = await _effectiveness(h, as_of=CLOSE.isoformat())
    assert (refused.status_code, refused.json()["code"]) == (409, "no_business_date")
    assert stated.status_code == 200 and stated.json()["as_of"] == CLOSE.isoformat()


async def test_the_workers_effectiveness_gauges_follow_the_latest_business_day(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as h:
            await h.feed(ev.registered(), ev.delinquency(60, D0))
            async with h.sessions() as session, session.begin():
                before_any_close = await effectiveness.refresh_gauges(session,
                                                                      settings=h.settings)
            await h.feed(ev.business_day(CLOSE))
            async with h.sessions() as session, session.begin():
                effects = await effectiveness.refresh_gauges(session, settings=h.settings)
            dpd = next(e for e in effects if e.rule_id == "BEH_DPD")
            return before_any_close, dpd.evaluated, dpd.precision

    assert await same_answer_on_two_days(wall_clock, scenario) == ([], 0, None)
