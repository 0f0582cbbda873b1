"""The bank does not wait: it publishes a day's events and its close back to back, and the
next day right after, while the consumers lag. On PostgreSQL and on SQLite, at full speed
and with every consumer slowed, the platform must end exactly where the gentle batch-window
run ends, and must have done exactly the same things to customers on the way: no missed
installment, warning, case, contact, care task or inspection more (a payer treated as late)
or fewer (an arrear hidden by a later payment)."""
from __future__ import annotations

import pytest

from tests.faults.actions import action_diff
from tests.faults.conftest import BANK_SPEED
from tests.faults.scenario import RunResult
from tests.faults.snapshot import diff

FEEDS = sorted(BANK_SPEED)


@pytest.mark.parametrize("feed", FEEDS)
def test_fed_back_to_back_the_final_state_equals_the_gentle_run(
        baseline: RunResult, bank_speed_runs: dict[str, RunResult], feed: str) -> None:
    run = bank_speed_runs[feed]
    assert not run.log, f"{feed} did not settle: {run.log}"
    difference = diff(baseline.state, run.state)
    assert not difference, f"{feed}: state differs from the gentle run:\n{difference}\n" \
        f"worker logs: {run.logs_dir}"


@pytest.mark.parametrize("feed", FEEDS)
def test_fed_back_to_back_no_action_is_added_or_lost(
        baseline: RunResult, bank_speed_runs: dict[str, RunResult], feed: str) -> None:
    run = bank_speed_runs[feed]
    assert sum(baseline.actions.values()) > 0, "the gentle run should act on customers"
    difference = action_diff(baseline.actions, run.actions)
    assert not difference, f"{feed}: actions differ from the gentle run " \
        f"(- only gentle, + only {feed}):\n{difference}"


@pytest.mark.parametrize("feed", FEEDS)
def test_most_closes_are_published_while_monitoring_lags(
        bank_speed_runs: dict[str, RunResult], feed: str) -> None:
    # Otherwise the barrier would have had nothing to hold back. None: monitoring had not
    # committed anything yet, so everything sent so far was still waiting.
    lags = bank_speed_runs[feed].close_lags
    lagging = sum(lag is None or lag > 0 for lag in lags)
    assert lagging >= len(lags) // 2, f"{feed}: lag at each close {lags}"
