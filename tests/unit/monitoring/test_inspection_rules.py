"""On-site inspection rules: when a visit is due, and what a report must contain."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal as D
from typing import Any

import pytest

from services.monitoring.config import Settings
from services.monitoring.domain.inspections import (
    FINANCIAL_ITEMS, InspectionPolicy, InspectionReport, LoanFacts, ReportIncomplete, TaskKind,
    check_report, financial_changes_requiring_explanation, missing_items, reveals_fund_misuse,
    routine_due, routine_task, task_for_warning, tasks_on_disbursal,
)

POLICY = InspectionPolicy()
DISBURSED = date(2026, 3, 1)


def _loan(payment_mode: str) -> LoanFacts:
    return LoanFacts("L-1", "C-1", DISBURSED, payment_mode)


@dataclass
class Figures:
    revenue: D = D("1000")
    net_profit: D = D("100")
    total_assets: D = D("5000")
    total_liabilities: D = D("3000")
    current_assets: D = D("2000")
    current_liabilities: D = D("1500")
    operating_cash_flow: D = D("200")


def _report(**changes: Any) -> InspectionReport:
    values = dict(
        summary="visited the plant", borrower_operations="running two shifts",
        financial_condition="stable", collateral_condition="warehouse intact",
        repayment_ability="adequate", risk_assessment="low",
        recommended_measures=["keep routine monitoring"], attachments=[],
        inspector="insp-1", inspected_at=datetime(2026, 3, 10, 9, tzinfo=timezone.utc),
    )
    return InspectionReport(**(values | changes))


def test_policy_from_settings_uses_the_documented_defaults() -> None:
    policy = InspectionPolicy.from_settings(Settings())
    assert policy.first_inspection_days == 15
    assert policy.fund_usage_check_days == 90
    assert policy.routine_frequency("normal") == 365
    assert policy.warning_levels == ("orange", "red")
    assert policy.financial_change_threshold == D("0.30")


def test_first_check_is_due_on_day_15_after_disbursement() -> None:
    tasks = tasks_on_disbursal(_loan("entrusted"), POLICY)
    assert [(t.kind, t.due_date) for t in tasks] == [(TaskKind.first_check, date(2026, 3, 16))]


def test_fund_usage_check_within_90_days_only_for_self_paid_loans() -> None:
    kinds = {t.kind: t.due_date for t in tasks_on_disbursal(_loan("self"), POLICY)}
    assert kinds == {TaskKind.first_check: date(2026, 3, 16),
                     TaskKind.fund_usage: date(2026, 5, 30)}
    entrusted = tasks_on_disbursal(_loan("entrusted"), POLICY)
    assert TaskKind.fund_usage not in {t.kind for t in entrusted}


@pytest.mark.parametrize("classification, due", [
    ("normal", date(2027, 3, 1)), ("special_mention", date(2026, 5, 30)),
    ("substandard", date(2026, 3, 31)), ("doubtful", date(2026, 3, 31)),
    ("loss", date(2026, 3, 31)),
])
def test_routine_frequency_follows_the_classification(classification: str, due: date) -> None:
    assert routine_due(DISBURSED, classification, POLICY) == due


def test_an_unknown_grade_is_inspected_at_the_shortest_frequency() -> None:
    assert routine_due(DISBURSED, "unrated", POLICY) == date(2026, 3, 31)


def test_routine_task_appears_within_the_lead_window_and_not_before() -> None:
    # substandard: due 2026-03-31; lead 15 days -> created from 2026-03-16.
    assert routine_task(DISBURSED, "substandard", date(2026, 3, 15), POLICY) is None
    task = routine_task(DISBURSED, "substandard", date(2026, 3, 16), POLICY)
    assert task is not None and task.kind is TaskKind.routine and task.due_date == date(2026, 3, 31)


def test_a_late_routine_task_is_due_the_day_it_is_created_not_in_the_past() -> None:
    task = routine_task(date(2025, 1, 1), "substandard", date(2026, 3, 16), POLICY)
    assert task is not None and task.due_date == date(2026, 3, 16)


@pytest.mark.parametrize("level, expected", [
    ("blue", None), ("yellow", None), ("orange", date(2026, 4, 8)), ("red", date(2026, 4, 8)),
])
def test_only_orange_and_red_warnings_trigger_an_inspection(level: str,
                                                             expected: date | None) -> None:
    task = task_for_warning(level, date(2026, 4, 1), POLICY)
    assert (task.due_date if task else None) == expected
    if task:
        assert task.kind is TaskKind.warning_triggered


def test_a_complete_report_passes() -> None:
    check_report(_report(), kind=TaskKind.routine, changed_items=[])


def test_an_incomplete_report_names_every_missing_section() -> None:
    report = InspectionReport(summary="  ", recommended_measures=["", " "], attachments=[])
    with pytest.raises(ReportIncomplete) as caught:
        check_report(report, kind=TaskKind.routine, changed_items=[])
    assert caught.value.missing == [
        "summary", "borrower_operations", "financial_condition", "collateral_condition",
        "repayment_ability", "risk_assessment", "recommended_measures", "inspector",
        "inspected_at"]


def test_attachments_may_be_empty_but_recommended_measures_may_not() -> None:
    assert missing_items(_report(attachments=[]), kind=TaskKind.routine, changed_items=[]) == []
    assert missing_items(_report(recommended_measures=[]), kind=TaskKind.routine,
                         changed_items=[]) == ["recommended_measures"]


def test_a_naive_inspection_time_is_refused() -> None:
    assert missing_items(_report(inspected_at=datetime(2026, 3, 10, 9)),
                         kind=TaskKind.routine, changed_items=[]) == ["inspected_at"]


def test_a_fund_usage_report_must_state_whether_funds_were_used_as_approved() -> None:
    assert missing_items(_report(), kind=TaskKind.fund_usage,
                         changed_items=[]) == ["fund_usage_compliant"]
    assert missing_items(_report(fund_usage_compliant=False), kind=TaskKind.fund_usage,
                         changed_items=[]) == []
    assert missing_items(_report(), kind=TaskKind.first_check, changed_items=[]) == []


def test_only_an_explicit_non_compliant_finding_reveals_fund_misuse() -> None:
    assert reveals_fund_misuse(_report(fund_usage_compliant=False))
    assert not reveals_fund_misuse(_report(fund_usage_compliant=True))
    assert not reveals_fund_misuse(_report())


@pytest.mark.parametrize("latest_revenue, needs_explanation", [
    ("1300.00", False), ("700.00", False),     # exactly 30% up or down
    ("1300.10", True), ("699.90", True),       # 30.01% up or down
])
def test_a_change_above_30_percent_needs_an_explanation(latest_revenue: str,
                                                         needs_explanation: bool) -> None:
    moved = financial_changes_requiring_explanation(
        Figures(), Figures(revenue=D(latest_revenue)), D("0.30"))
    assert moved == (["revenue"] if needs_explanation else [])


def test_every_balance_sheet_and_performance_item_is_compared() -> None:
    before = Figures()
    after = Figures(**{item: getattr(before, item) * 2 for item in FINANCIAL_ITEMS})
    moved = financial_changes_requiring_explanation(before, after, D("0.30"))
    assert moved == list(FINANCIAL_ITEMS)


def test_a_profit_turning_into_a_loss_and_a_move_away_from_zero_are_changes() -> None:
    moved = financial_changes_requiring_explanation(
        Figures(net_profit=D("100"), operating_cash_flow=D("0")),
        Figures(net_profit=D("-10"), operating_cash_flow=D("5")), D("0.30"))
    assert moved == ["net_profit", "operating_cash_flow"]


def test_no_comparison_without_two_statements() -> None:
    assert financial_changes_requiring_explanation(None, Figures(), D("0.30")) == []


def test_the_report_must_explain_each_moved_item_and_names_the_unexplained() -> None:
    moved = ["revenue", "total_liabilities"]
    report = _report(financial_change_explanations={"revenue": "lost the largest customer",
                                                    "total_liabilities": "   "})
    with pytest.raises(ReportIncomplete) as caught:
        check_report(report, kind=TaskKind.routine, changed_items=moved)
    assert caught.value.missing == ["financial_change_explanations.total_liabilities"]
    assert "total_liabilities" in str(caught.value)
