"""The scorecard formula (services/reporting/domain.py) and the March 2026 scorecard of the
constructed history, computed by hand."""
from __future__ import annotations

import pytest

from services.reporting.config import DEFAULT_TARGETS, DEFAULT_WEIGHTS, Settings
from services.reporting.domain import component_score, scorecard
from services.reporting.queries import kpis
from tests.support.reporting import ReportingHarness, march_history


def test_default_weights_are_the_seeds_30_20_20_15_15() -> None:
    assert DEFAULT_WEIGHTS == {"npl_ratio": 30, "collection_success": 20,
                               "customer_satisfaction": 20, "cost_control": 15, "compliance": 15}


def test_a_component_scores_100_at_target_0_at_worst_and_linearly_between() -> None:
    assert component_score(0.02, 0.02, 0.10) == 100.0
    assert component_score(0.10, 0.02, 0.10) == 0.0
    assert component_score(0.06, 0.02, 0.10) == 50.0      # lower is better
    assert component_score(0.40, 0.60, 0.20) == 50.0      # higher is better
    assert component_score(0.01, 0.02, 0.10) == 100.0    # beyond the target is capped
    assert component_score(None, 0.02, 0.10) is None


def test_kpis_without_data_are_left_out_and_the_weights_renormalised() -> None:
    card = scorecard({"npl_ratio": 0.06}, DEFAULT_TARGETS, DEFAULT_WEIGHTS)
    assert card.total == 50.0
    assert [k.score for k in card.kpis] == [50.0, None, None, None, None]


def test_configured_targets_and_weights_replace_the_defaults() -> None:
    settings = Settings(kpi_weights={**DEFAULT_WEIGHTS, "npl_ratio": 0},
                        kpi_targets={**DEFAULT_TARGETS, "survey_average": [5.0, 1.0]})
    card = scorecard({"npl_ratio": 0.0, "survey_average": 3.0}, settings.kpi_targets,
                     settings.kpi_weights)
    assert card.total == 50.0


async def test_march_scorecard_combines_the_five_kpis_with_the_seeds_weights(
    sqlite_database_url: str,
) -> None:
    async with ReportingHarness(sqlite_database_url) as harness:
        await harness.feed(*march_history())
        async with harness.sessions() as session, session.begin():
            card = await kpis.scorecard(session, settings=harness.settings, period="2026-03")
    scores = {k["name"]: k["score"] for k in card["kpis"]}
    # NPL 0.5652 >= 0.10 -> 0; success 0.6667 and recovery 0.5714 beyond target -> 100;
    # survey 3.5 -> 50 and response 0.75 -> 100 -> 75; cost 0.135 -> (0.25-0.135)/0.2 = 57.5;
    # contacts 0.75 and complaints 0.5 below worst -> 0.
    assert scores == {"npl_ratio": 0.0, "collection_success": 100.0,
                      "customer_satisfaction": 75.0, "cost_control": 57.5, "compliance": 0.0}
    assert card["total_score"] == pytest.approx((20 * 100 + 20 * 75 + 15 * 57.5) / 100, abs=0.01)
    components = {c["name"]: c["actual"] for k in card["kpis"] for c in k["components"]}
    assert components["recovery_rate"] == 0.5714 and components["cost_per_recovered"] == 0.135


async def test_spending_without_recovering_scores_cost_control_0(sqlite_database_url: str) -> None:
    from tests.support.reporting import contact
    async with ReportingHarness(sqlite_database_url) as harness:
        await harness.feed(contact("C9", "K9", "L9", "2026-04-02", True, "5.00"))
        async with harness.sessions() as session, session.begin():
            card = await kpis.scorecard(session, settings=harness.settings, period="2026-04")
    cost = next(k for k in card["kpis"] if k["name"] == "cost_control")
    assert cost["score"] == 0.0
