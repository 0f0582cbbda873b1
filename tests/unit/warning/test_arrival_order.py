"""A loan's registration or close (keyed by loan) and a customer or market signal (keyed by
customer, industry or region) of the same day may arrive in either order; the warnings must
not depend on it."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from shared.events.envelope import Envelope
from tests.support import warning as ev
from tests.support.warning import WarningHarness

DISBURSED = date(2026, 1, 10)  # the disbursal date of ev.registered()


async def _outcome(path: Path, events: list[Envelope]) -> tuple[list, list]:
    async with WarningHarness(f"sqlite+aiosqlite:///{path}") as harness:
        await harness.feed(*events)
        warnings = [(w.id, w.rule_id, w.level, w.raised_date, w.status, w.evidence)
                    for w in await harness.warnings()]
        return sorted(warnings), sorted(map(repr, await harness.published()))


SIGNALS = {
    "current_ratio": [ev.financials(DISBURSED, current_assets="98", current_liabilities="100")],
    "legal": [ev.legal("enforcement", DISBURSED)],
    "credit_report": [ev.credit_report(700, 500, DISBURSED + timedelta(1))],
    "contact_changes": [ev.contact_changed(DISBURSED - timedelta(5)),
                        ev.contact_changed(DISBURSED)],
    "market": [ev.market("industry", "C13", "high", DISBURSED)],
}


@pytest.mark.parametrize("kind", sorted(SIGNALS))
async def test_a_signal_dated_after_disbursal_warns_the_loan_whichever_arrives_first(
        tmp_path: Path, kind: str) -> None:
    signals = SIGNALS[kind]
    loan_first = await _outcome(tmp_path / "a.db", [ev.registered(), *signals])
    signal_first = await _outcome(tmp_path / "b.db", [*signals, ev.registered()])
    assert loan_first[0], "the scenario must raise a warning"
    assert signal_first == loan_first


async def test_a_lowered_market_risk_arriving_first_does_not_warn_the_new_loan(
        tmp_path: Path) -> None:
    events = [ev.market("industry", "C13", "high", DISBURSED - timedelta(3)),
              ev.market("industry", "C13", "low", DISBURSED, previous="high")]
    assert await _outcome(tmp_path / "a.db", [*events, ev.registered()]) == ([], [])


async def test_a_signal_from_before_the_disbursal_does_not_warn_a_new_loan(
        tmp_path: Path) -> None:
    events = [ev.legal("enforcement", DISBURSED - timedelta(1)), ev.registered()]
    assert await _outcome(tmp_path / "a.db", events) == ([], [])


async def test_signals_older_than_the_kept_weeks_are_forgotten_at_the_close(
        tmp_path: Path) -> None:
    async with WarningHarness(f"sqlite+aiosqlite:///{tmp_path}/w.db") as harness:
        await harness.feed(ev.legal("enforcement", DISBURSED),
                           ev.business_day(DISBURSED + timedelta(40)), ev.registered())
        assert await harness.warnings() == []


CLOSED = DISBURSED + timedelta(60)
SAME_DAY_AS_CLOSE = {
    "current_ratio": ev.financials(CLOSED, current_assets="98", current_liabilities="100"),
    "legal": ev.legal("enforcement", CLOSED),
    "market": ev.market("industry", "C13", "high", CLOSED),
}


@pytest.mark.parametrize("kind", sorted(SAME_DAY_AS_CLOSE))
async def test_a_signal_of_the_closing_day_leaves_the_same_cleared_warning_whichever_arrives_first(
        tmp_path: Path, kind: str) -> None:
    signal, close = SAME_DAY_AS_CLOSE[kind], ev.closed(CLOSED)
    signal_first = await _outcome(tmp_path / "a.db", [ev.registered(), signal, close])
    close_first = await _outcome(tmp_path / "b.db", [ev.registered(), close, signal])
    warnings, _ = signal_first
    assert warnings and all(status == "cleared" for *_, status, _ in warnings)
    assert close_first == signal_first


async def test_a_signal_after_the_close_does_not_touch_the_closed_loan(tmp_path: Path) -> None:
    events = [ev.registered(), ev.closed(CLOSED), ev.legal("enforcement", CLOSED + timedelta(1))]
    assert await _outcome(tmp_path / "a.db", events) == ([], [])
