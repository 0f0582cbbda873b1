"""Each rule of the default catalogue fires at its threshold and not below (pure domain)."""
from __future__ import annotations

from datetime import date

import pytest

from services.warning.config import Settings
from services.warning.domain.catalogue import RULE_IDS, default_rule_set
from services.warning.domain.rules import EVALUATORS, Clear, Fire, Signal, evaluate

DAY = date(2026, 6, 1)
RULES = default_rule_set(Settings())


def outcome(rule_id: str, kind: str, open_evidence: dict | None = None, **values):  # type: ignore[no-untyped-def]
    result = evaluate(RULES, Signal(kind, DAY, values),
                      {rule_id: open_evidence} if open_evidence is not None else {})
    return result.get(rule_id)


def test_every_catalogue_rule_has_an_evaluator_family_level_measure_and_version() -> None:
    assert set(RULE_IDS) == set(EVALUATORS)
    for rule in RULES.rules.values():
        assert rule.family in ("behavioural", "financial", "external")
        assert rule.level in ("blue", "yellow", "orange", "red")
        assert rule.measure and rule.version == 1


@pytest.mark.parametrize("dpd,level", [(0, None), (1, "blue"), (29, "blue"), (30, "yellow"),
                                       (59, "yellow"), (60, "orange"), (89, "orange"),
                                       (90, "red"), (200, "red")])
def test_dpd_rule_reaches_each_level_at_1_30_60_90(dpd: int, level: str | None) -> None:
    result = outcome("BEH_DPD", "delinquency", dpd=dpd, bucket="M1")
    if level is None:
        assert result == Clear("loan_cured")
    else:
        assert isinstance(result, Fire) and result.level == level
        assert result.evidence["dpd"] == dpd


def test_installment_missed_fires_on_every_missed_installment() -> None:
    result = outcome("BEH_INSTALLMENT_MISSED", "installment_missed", installment_no=3,
                     due_date=DAY, unpaid_amount="900.00")
    assert isinstance(result, Fire) and result.evidence["installment_no"] == 3


@pytest.mark.parametrize("missed,fires", [([3], False), ([3, 5], False), ([3, 4], True),
                                          ([2, 3, 4], True)])
def test_consecutive_missed_needs_two_consecutive_installments(missed: list, fires: bool) -> None:
    result = outcome("BEH_CONSECUTIVE_MISSED", "installment_missed", installment_no=missed[-1],
                     due_date=DAY, unpaid_amount="1", missed_installments=missed)
    assert isinstance(result, Fire) is fires


@pytest.mark.parametrize("overdue,fires", [("0", False), ("0.00", False), ("0.01", True)])
def test_partial_payment_fires_when_something_stays_overdue(overdue: str, fires: bool) -> None:
    result = outcome("BEH_PARTIAL_PAYMENT", "repayment", payment_id="P", amount="10",
                     overdue_amount=overdue)
    assert isinstance(result, Fire) is fires


def test_payment_reversed_and_broken_promise_fire_on_the_event() -> None:
    assert isinstance(outcome("BEH_PAYMENT_REVERSED", "reversal", payment_id="P", amount="1"), Fire)
    fire = outcome("BEH_PROMISE_BROKEN", "promise_broken", promise_id="PTP", amount="5")
    assert isinstance(fire, Fire) and fire.level == "orange"


@pytest.mark.parametrize("dates,fires", [
    ([date(2026, 6, 1)], False),
    ([date(2026, 5, 2), date(2026, 6, 1)], True),     # 30 days apart: inside the window
    ([date(2026, 5, 1), date(2026, 6, 1)], False),    # 31 days apart: the first one expired
])
def test_contact_changes_two_within_30_days(dates: list, fires: bool) -> None:
    assert isinstance(outcome("BEH_CONTACT_CHANGES", "contact_changes", dates=dates), Fire) is fires


@pytest.mark.parametrize("old,new,fires", [(700, 651, False), (700, 650, True), (600, 550, True),
                                           (560, 550, False), (560, 549, True), (None, 549, True),
                                           (None, 550, False)])
def test_credit_score_falls_by_50_or_below_550(old, new, fires) -> None:  # type: ignore[no-untyped-def]
    result = outcome("FIN_CREDIT_SCORE", "credit_report", old_score=old, new_score=new)
    assert isinstance(result, Fire) is fires


def test_credit_score_clears_only_when_recovered_against_the_score_before_the_warning() -> None:
    evidence = {"previous_score": 700, "score": 640}
    assert outcome("FIN_CREDIT_SCORE", "credit_report", evidence, old_score=640,
                   new_score=645) is None
    assert outcome("FIN_CREDIT_SCORE", "credit_report", evidence, old_score=645,
                   new_score=651) == Clear("score_recovered")


@pytest.mark.parametrize("new,fires", [("7001", False), ("7000", True), ("0", True)])
def test_monthly_income_down_30_percent(new: str, fires: bool) -> None:
    result = outcome("FIN_INCOME_DROP", "employment", old_income="10000", new_income=new)
    assert isinstance(result, Fire) is fires


@pytest.mark.parametrize("revenue,fires", [("700001", False), ("700000", True)])
def test_revenue_down_30_percent_year_on_year(revenue: str, fires: bool) -> None:
    result = outcome("FIN_REVENUE_DROP", "financials", revenue=revenue,
                     prior_year_revenue="1000000")
    assert isinstance(result, Fire) is fires


def test_revenue_rule_is_silent_without_a_statement_a_year_earlier() -> None:
    assert outcome("FIN_REVENUE_DROP", "financials", revenue="1", prior_year_revenue=None) is None


@pytest.mark.parametrize("liabilities,fires", [("800000", False), ("800001", True)])
def test_liabilities_over_80_percent_of_assets(liabilities: str, fires: bool) -> None:
    result = outcome("FIN_LEVERAGE", "financials", total_assets="1000000",
                     total_liabilities=liabilities)
    assert isinstance(result, Fire) is fires


@pytest.mark.parametrize("assets,fires", [("200000", False), ("199999", True)])
def test_current_ratio_below_1(assets: str, fires: bool) -> None:
    result = outcome("FIN_CURRENT_RATIO", "financials", current_assets=assets,
                     current_liabilities="200000")
    assert isinstance(result, Fire) is fires


@pytest.mark.parametrize("accounts,fires", [(0, False), (1, True)])
def test_overdue_accounts_at_other_banks(accounts: int, fires: bool) -> None:
    result = outcome("FIN_OVERDUE_ELSEWHERE", "credit_report", new_score=700,
                     overdue_accounts_elsewhere=accounts)
    assert isinstance(result, Fire) is fires


@pytest.mark.parametrize("kind,rule_id,level", [
    ("lawsuit", "EXT_LAWSUIT", "yellow"), ("enforcement", "EXT_ENFORCEMENT", "orange"),
    ("dishonest_debtor", "EXT_DISHONEST_DEBTOR", "red"), ("tax_arrears", "EXT_TAX_ARREARS", "yellow"),
    ("administrative_penalty", "EXT_ADMIN_PENALTY", "blue"), ("bankruptcy", "EXT_BANKRUPTCY", "red")])
def test_each_legal_event_fires_its_own_rule(kind: str, rule_id: str, level: str) -> None:
    result = evaluate(RULES, Signal("legal", DAY, {"kind": kind}), {})
    assert list(result) == [rule_id] and result[rule_id].level == level


def test_deceased_is_not_an_external_warning_rule() -> None:
    assert evaluate(RULES, Signal("legal", DAY, {"kind": "deceased"}), {}) == {}


@pytest.mark.parametrize("ltv,fires", [("0.80", False), ("0.8001", True), (None, False)])
def test_collateral_ltv_above_80_percent(ltv: str | None, fires: bool) -> None:
    result = outcome("EXT_COLLATERAL_LTV", "collateral", loan_to_value=ltv)
    assert isinstance(result, Fire) is fires


@pytest.mark.parametrize("level,fires", [("medium", False), ("high", True)])
def test_market_raised_to_high_risk(level: str, fires: bool) -> None:
    result = outcome("EXT_MARKET_HIGH_RISK", "market", scope="industry", code="C13", level=level)
    assert isinstance(result, Fire) is fires


def test_thresholds_come_from_settings() -> None:
    rules = default_rule_set(Settings(credit_score_floor=600, dpd_levels={"red": 60}))
    result = evaluate(rules, Signal("credit_report", DAY, {"new_score": 590}), {})
    assert isinstance(result["FIN_CREDIT_SCORE"], Fire)
    assert evaluate(rules, Signal("delinquency", DAY, {"dpd": 60}), {})["BEH_DPD"].level == "red"


def test_a_disabled_rule_does_not_fire() -> None:
    from dataclasses import replace
    rule = replace(RULES.rules["EXT_LAWSUIT"], enabled=False)
    rules = replace(RULES, rules={**RULES.rules, "EXT_LAWSUIT": rule})
    assert evaluate(rules, Signal("legal", DAY, {"kind": "lawsuit"}), {}) == {}
