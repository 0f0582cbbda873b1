"""Portfolio and activity figures on the constructed history in tests/support/reporting.py.

As of 2026-03-31 the active book is L1 8000 (normal, current), L2 20000 (substandard, M4,
91 DPD), L3 4500 (cured: normal, current), L4 6000 (doubtful, M5+, 271 DPD), L6 7500
(special mention, M2, 31 DPD); L5 was written off on 03-12. Total 46000, NPL 26000."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.reporting.queries import activity, portfolio
from tests.support.reporting import ReportingHarness, march_history

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
FEB_END, MAR_END = date(2026, 2, 28), date(2026, 3, 31)


@pytest.fixture
async def harness(sqlite_database_url: str):  # type: ignore[no-untyped-def]
    async with ReportingHarness(sqlite_database_url) as h:
        await h.feed(*march_history())
        yield h


async def _query(harness: ReportingHarness, fn, **kwargs):  # type: ignore[no-untyped-def]
    async with harness.sessions() as session, session.begin():
        return await fn(session, **kwargs)


def _by(rows: list[dict], key: str) -> dict:
    return {r[key]: (r["count"], r["balance"]) for r in rows}


async def test_npl_ratio_is_substandard_doubtful_and_loss_balance_over_total_balance(harness) -> None:
    q = await _query(harness, portfolio.quality, as_of=MAR_END)
    assert (q["loans"], q["balance"], q["npl_balance"]) == (5, Decimal("46000.00"), Decimal("26000.00"))
    assert q["npl_ratio"] == 0.5652  # 26000 / 46000


async def test_par_counts_balance_more_than_30_60_90_days_past_due(harness) -> None:
    q = await _query(harness, portfolio.quality, as_of=MAR_END)
    assert q["par30"] == 0.7283  # (20000 + 6000 + 7500) / 46000
    assert (q["par60"], q["par90"]) == (0.5652, 0.5652)  # L2 at 91 and L4 at 271 DPD


async def test_classification_as_of_a_date_uses_each_loans_newest_change_on_or_before_it(harness) -> None:
    march = _by(await _query(harness, portfolio.distribution, as_of=MAR_END, by="classification"),
                "classification")
    assert march == {"normal": (2, Decimal("12500.00")), "special_mention": (1, Decimal("7500.00")),
                     "substandard": (1, Decimal("20000.00")), "doubtful": (1, Decimal("6000.00")),
                     "loss": (0, Decimal("0.00"))}
    february = _by(await _query(harness, portfolio.distribution, as_of=FEB_END,
                                by="classification"), "classification")
    assert february["special_mention"] == (2, Decimal("23000.00"))  # L2 and L5
    assert february["normal"] == (3, Decimal("22500.00"))  # L1 before its repayment, L3, L6


async def test_bucket_distribution_lists_every_bucket(harness) -> None:
    buckets = _by(await _query(harness, portfolio.distribution, as_of=MAR_END, by="bucket"), "bucket")
    assert buckets == {"current": (2, Decimal("12500.00")), "M1": (0, Decimal("0.00")),
                       "M2": (1, Decimal("7500.00")), "M3": (0, Decimal("0.00")),
                       "M4": (1, Decimal("20000.00")), "M5+": (1, Decimal("6000.00"))}


async def test_branch_filter_keeps_the_branchs_loans_only(harness) -> None:
    q = await _query(harness, portfolio.quality, as_of=MAR_END, branch="R1")
    assert (q["balance"], q["npl_ratio"]) == (Decimal("35500.00"), 0.5634)  # 20000 / 35500


async def test_roll_rate_matrix_counts_moves_between_buckets_and_out_of_the_book(harness) -> None:
    cells = await _query(harness, portfolio.migration, start=FEB_END, end=MAR_END)
    assert [(c["from"], c["to"], c["count"], c["rate"]) for c in cells] == [
        ("current", "current", 2, 0.6667), ("current", "M2", 1, 0.3333),
        ("M2", "M4", 1, 1.0), ("M3", "closed", 1, 1.0), ("M5+", "M5+", 1, 1.0)]


async def test_vintage_curve_is_the_share_of_the_disbursement_month_at_dpd_30_plus(harness) -> None:
    curves = {c["vintage"]: c for c in await _query(harness, portfolio.vintages, as_of=MAR_END,
                                                    max_months=24)}
    assert {v: c["loans"] for v, c in curves.items()} == {"2025-06": 2, "2026-01": 3, "2026-02": 1}
    assert [p["share"] for p in curves["2026-01"]["points"]] == [0.0, 0.3333, 0.6667]
    june = [(p["mob"], p["share"]) for p in curves["2025-06"]["points"]]
    assert june[:7] == [(m, 0.0) for m in range(7)]
    assert june[7:] == [(7, 0.5), (8, 1.0), (9, 0.5)]  # L5 61 DPD; + L4 271 DPD; L5 written off
    assert [p["share"] for p in curves["2026-02"]["points"]] == [0.0, 0.0]


async def test_cure_rate_is_loans_cured_over_loans_delinquent_during_the_period(harness) -> None:
    figures = await _query(harness, portfolio.cure_rate, **MARCH)
    assert figures == {"delinquent": 5, "cured": 1, "cure_rate": 0.2}  # L3 of L2-L6


async def test_collection_success_is_cured_or_settled_over_closed_and_recovered_over_due(harness) -> None:
    figures = await _query(harness, activity.collection, **MARCH)
    assert (figures["cases_closed"], figures["cases_cured_or_settled"]) == (3, 2)
    assert figures["case_success_rate"] == 0.6667
    assert figures["recovery_rate"] == 0.5714  # 2000 / (2000 + 500 + 1000)
    north = await _query(harness, activity.collection, team="north", **MARCH)
    assert (north["case_success_rate"], north["recovery_rate"]) == (0.5, 0.5)


async def test_cost_per_recovered_adds_contact_legal_and_disposal_cost(harness) -> None:
    figures = await _query(harness, activity.cost, **MARCH)
    assert figures["collection_cost"] == Decimal("270.00")  # 20 contacts + 200 legal + 50 disposal
    assert figures["recovered"] == Decimal("2000.00")
    assert figures["cost_per_recovered"] == 0.135


async def test_compliance_counts_guard_refusals_and_complaints_decided_by_the_deadline(harness) -> None:
    figures = await _query(harness, activity.compliance, **MARCH)
    assert (figures["contact_attempts"], figures["contacts_refused"]) == (4, 1)
    assert figures["contact_compliance"] == 0.75
    assert (figures["complaints_decided"], figures["complaints_on_time"]) == (2, 1)
    assert (figures["complaints_on_time_rate"], figures["deadlines_breached"]) == (0.5, 1)


async def test_satisfaction_is_the_survey_average_and_the_response_rate(harness) -> None:
    figures = await _query(harness, activity.satisfaction, **MARCH)
    assert (figures["survey_average"], figures["survey_response_rate"]) == (3.5, 0.75)
    north = await _query(harness, activity.satisfaction, team="north", **MARCH)
    assert (north["survey_average"], north["survey_response_rate"]) == (3.6667, 1.0)


async def test_collection_funnel_runs_from_contacts_to_recovered_money(harness) -> None:
    figures = await _query(harness, activity.funnel, **MARCH)
    assert figures == {"contact_attempts": 4, "contacts_made": 3, "promises": 2,
                       "promised_amount": Decimal("2300.00"), "promises_kept": 1,
                       "promises_broken": 1, "recovered": Decimal("2000.00"),
                       "cost": Decimal("270.00")}


async def test_warning_effectiveness_is_precision_and_the_30_dpd_hit_rate_per_rule_and_level(harness) -> None:
    rows = await _query(harness, activity.warnings, **MARCH)
    assert rows == [
        {"rule_id": "R-DPD", "level": "yellow", "raised": 2, "escalated": 1, "cleared": 1,
         "confirmed": 1, "false_alarms": 0, "precision": 1.0, "hit_30dpd": 1, "hit_rate": 0.5},
        {"rule_id": "R-INCOME", "level": "blue", "raised": 1, "escalated": 0, "cleared": 0,
         "confirmed": 0, "false_alarms": 1, "precision": 0.0, "hit_30dpd": 0, "hit_rate": 0.0}]


async def test_a_redelivered_history_changes_nothing(harness) -> None:
    await harness.feed(*march_history()[:16])  # new event ids, same facts
    q = await _query(harness, portfolio.quality, as_of=MAR_END)
    assert (q["balance"], q["npl_ratio"]) == (Decimal("46000.00"), 0.5652)
