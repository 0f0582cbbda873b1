"""Golden tables for the pure ageing rules: DPD, buckets, the five categories, IFRS 9
stages, corporate contagion and the restructuring observation period."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.monitoring.config import Settings
from services.monitoring.domain.classification import (
    BUCKETS, AgeingPolicy, Classification, InstallmentFacts, LoanFacts, PolicyError, bucket_for,
    classify, crossed_milestones, days_past_due, ifrs9_stage, in_observation, npl_contagion,
    observation_end,
)

POLICY = AgeingPolicy()
DUE = date(2025, 3, 10)
N, SM, SUB, DBT, LOSS = (Classification.normal, Classification.special_mention,
                         Classification.substandard, Classification.doubtful, Classification.loss)


def _installment(unpaid: str, due: date = DUE, superseded: bool = False) -> InstallmentFacts:
    return InstallmentFacts(due_date=due, principal_due=Decimal("100.00"),
                            interest_due=Decimal("5.00"),
                            principal_paid=Decimal("105.00") - Decimal(unpaid),
                            superseded=superseded)


def test_policy_from_default_settings_carries_the_domain_numbers() -> None:
    assert AgeingPolicy.from_settings(Settings()) == POLICY
    assert POLICY.materiality_threshold == Decimal("1.00") and POLICY.buckets == BUCKETS
    assert BUCKETS == ("current", "M1", "M2", "M3", "M4", "M5+")


@pytest.mark.parametrize("change", [
    {"bucket_bounds": (30, 30, 90)}, {"doubtful_after_days": 80},
    {"credit_card_bounds": (90, 80, 180)}, {"materiality_threshold": Decimal("0.005")},
    {"corporate_npl_contagion_share": Decimal("1.5")}, {"ifrs9_stage3_after_days": 30},
])
def test_contradictory_policy_numbers_are_refused(change: dict) -> None:
    with pytest.raises(PolicyError):
        replace(POLICY, **change)


@pytest.mark.parametrize("as_of, dpd", [
    (DUE - timedelta(days=1), 0), (DUE, 0), (DUE + timedelta(days=1), 1),
    (DUE + timedelta(days=95), 95),
])
def test_dpd_is_zero_on_the_due_date_and_one_the_day_after(as_of: date, dpd: int) -> None:
    assert days_past_due(as_of, [_installment("105.00")], POLICY) == dpd


@pytest.mark.parametrize("unpaid, dpd", [("0.00", 0), ("0.99", 0), ("1.00", 0), ("1.01", 10)])
def test_dpd_counts_only_unpaid_amounts_above_the_materiality_threshold(unpaid: str,
                                                                        dpd: int) -> None:
    assert days_past_due(DUE + timedelta(days=10), [_installment(unpaid)], POLICY) == dpd


def test_dpd_runs_from_the_oldest_material_installment_ignoring_superseded_ones() -> None:
    as_of = DUE + timedelta(days=70)
    schedule = [_installment("50.00", DUE - timedelta(days=30), superseded=True),
                _installment("0.50", DUE), _installment("105.00", DUE + timedelta(days=30)),
                _installment("105.00", DUE + timedelta(days=60))]
    assert days_past_due(as_of, schedule, POLICY) == 40


@pytest.mark.parametrize("dpd, bucket", [
    (0, "current"), (1, "M1"), (30, "M1"), (31, "M2"), (60, "M2"), (61, "M3"), (90, "M3"),
    (91, "M4"), (180, "M4"), (181, "M5+"),
])
def test_bucket_boundaries(dpd: int, bucket: str) -> None:
    assert bucket_for(dpd, POLICY) == bucket


@pytest.mark.parametrize("dpd, classification, stage, rule", [
    (0, N, 1, "performing"), (7, N, 1, "performing"),
    (8, SM, 2, "overdue_beyond_7_days"), (90, SM, 2, "overdue_beyond_7_days"),
    (91, SUB, 3, "overdue_beyond_90_days"), (270, SUB, 3, "overdue_beyond_90_days"),
    (271, DBT, 3, "overdue_beyond_270_days"), (360, DBT, 3, "overdue_beyond_270_days"),
    (361, LOSS, 3, "overdue_beyond_360_days"),
])
def test_overdue_days_floors_with_grace_90_270_360_boundaries(
        dpd: int, classification: Classification, stage: int, rule: str) -> None:
    decision = classify(LoanFacts(dpd=dpd, product="consumer"), POLICY)
    assert (decision.classification, decision.ifrs9_stage) == (classification, stage)
    assert decision.reason == f"{rule}: {dpd} days past due (rule cn-2023-07-v1)"


@pytest.mark.parametrize("dpd, classification, rule", [
    (0, N, "performing"), (1, SM, "credit_card_overdue"), (90, SM, "credit_card_overdue"),
    (91, SUB, "credit_card_overdue_beyond_90_days"),
    (120, SUB, "credit_card_overdue_beyond_90_days"),
    (121, DBT, "credit_card_overdue_beyond_120_days"),
    (180, DBT, "credit_card_overdue_beyond_120_days"),
    (181, LOSS, "credit_card_overdue_beyond_180_days"),
])
def test_credit_card_scale_boundaries(dpd: int, classification: Classification,
                                      rule: str) -> None:
    decision = classify(LoanFacts(dpd=dpd, product="credit_card"), POLICY)
    assert decision.classification is classification
    assert decision.reason.startswith(f"{rule}: {dpd} days past due")


def test_bankrupt_debtor_is_loss_whatever_the_dpd() -> None:
    decision = classify(LoanFacts(dpd=0, bankrupt=True), POLICY)
    assert (decision.classification, decision.ifrs9_stage) == (LOSS, 3)
    assert decision.reason == ("debtor_bankrupt: debtor in bankruptcy liquidation "
                               "(rule cn-2023-07-v1)")


@pytest.mark.parametrize("dpd, classification, rule", [
    (0, DBT, "debtor_evading_debts"), (300, DBT, "debtor_evading_debts"),
    (361, LOSS, "overdue_beyond_360_days"),
])
def test_evading_debts_is_at_least_doubtful_and_the_worst_floor_wins(
        dpd: int, classification: Classification, rule: str) -> None:
    decision = classify(LoanFacts(dpd=dpd, evading_debts=True), POLICY)
    assert decision.classification is classification and decision.reason.startswith(rule)


@pytest.mark.parametrize("dpd, classification, rule", [
    (0, SM, "fund_misuse"), (91, SUB, "overdue_beyond_90_days"),
])
def test_fund_misuse_is_at_least_special_mention(dpd: int, classification: Classification,
                                                 rule: str) -> None:
    decision = classify(LoanFacts(dpd=dpd, fund_misuse=True), POLICY)
    assert decision.classification is classification and decision.reason.startswith(rule)


def test_loan_in_observation_is_not_better_than_special_mention_and_forborne() -> None:
    decision = classify(LoanFacts(dpd=0, in_observation=True), POLICY)
    assert (decision.classification, decision.ifrs9_stage) == (SM, 2)
    assert decision.reason.startswith("restructured_in_observation: ")


@pytest.mark.parametrize("facts", [
    LoanFacts(dpd=1, in_observation=True),
    LoanFacts(dpd=0, in_observation=True, observation_breached=True),
    LoanFacts(dpd=0, observation_breached=True),
])
def test_observation_breach_is_at_least_substandard(facts: LoanFacts) -> None:
    decision = classify(facts, POLICY)
    assert (decision.classification, decision.ifrs9_stage) == (SUB, 3)
    assert decision.reason.startswith("observation_breached: ")


def test_missed_payment_outside_observation_is_no_breach() -> None:
    assert classify(LoanFacts(dpd=1), POLICY).classification is N


@pytest.mark.parametrize("dpd, forborne, classification, stage", [
    (30, False, N, 1), (31, False, N, 2), (90, False, SM, 2), (91, False, SM, 3),
    (0, True, N, 2), (0, False, SM, 2), (0, False, SUB, 3), (0, False, LOSS, 3),
])
def test_ifrs9_stage_boundaries_and_forborne(dpd: int, forborne: bool,
                                             classification: Classification, stage: int) -> None:
    assert ifrs9_stage(dpd, forborne, classification, POLICY) == stage


def test_ifrs9_30_day_boundary_shows_when_the_grace_is_longer() -> None:
    policy = replace(POLICY, technical_grace_days=45)
    assert [classify(LoanFacts(dpd=d), policy).ifrs9_stage for d in (30, 31)] == [1, 2]


@pytest.mark.parametrize("kind, npl, performing, infected", [
    ("corporate", "100.00", "900.00", False), ("corporate", "100.01", "899.99", True),
    ("corporate", "0.00", "1000.00", False), ("individual", "900.00", "100.00", False),
    (None, "900.00", "100.00", False),
])
def test_corporate_contagion_above_ten_percent(kind: str | None, npl: str, performing: str,
                                               infected: bool) -> None:
    balances = [(Decimal(npl), SUB), (Decimal(performing), N)]
    assert npl_contagion(kind, balances, POLICY) is infected


def test_contagion_floors_a_performing_loan_at_substandard_and_names_the_rule() -> None:
    decision = classify(LoanFacts(dpd=0, customer_kind="corporate", npl_contagion=True), POLICY)
    assert (decision.classification, decision.ifrs9_stage) == (SUB, 3)
    assert decision.reason == ("corporate_npl_contagion: over 10% of the corporate debtor's "
                               "balance is non-performing (rule cn-2023-07-v1)")
    worse = classify(LoanFacts(dpd=300, customer_kind="corporate", npl_contagion=True), POLICY)
    assert worse.reason.startswith("overdue_beyond_270_days")


@pytest.mark.parametrize("as_of, expected", [
    (date(2025, 1, 9), False), (date(2025, 1, 10), True), (date(2026, 2, 15), True),
    (date(2026, 2, 16), False),
])
def test_observation_runs_from_restructuring_through_its_end(as_of: date,
                                                             expected: bool) -> None:
    assert in_observation(as_of, date(2025, 1, 10), date(2025, 2, 15), date(2026, 2, 15)) \
        is expected


def test_observation_without_a_known_end_stays_open() -> None:
    assert in_observation(date(2030, 1, 1), date(2025, 1, 10), date(2025, 2, 15), None)
    assert not in_observation(date(2030, 1, 1), None, None, None)


def _monthly(first: date, count: int) -> list[date]:
    return [date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1,
                 first.day) for k in range(count)]


@pytest.mark.parametrize("first, dues, end", [
    (date(2025, 1, 15), _monthly(date(2025, 1, 15), 18), date(2026, 1, 15)),
    (date(2025, 1, 10), [date(2025, 1, 10), date(2026, 1, 10), date(2027, 1, 10)],
     date(2027, 1, 10)),
    (date(2024, 2, 29), [date(2024, 2, 29)], date(2025, 2, 28)),
    (date(2025, 1, 10), [date(2025, 1, 10), date(2026, 6, 10)], date(2026, 6, 10)),
])
def test_observation_end_is_two_periods_and_a_year_after_the_first_repayment(
        first: date, dues: list[date], end: date) -> None:
    assert observation_end(first, dues, POLICY) == end


@pytest.mark.parametrize("old, new, crossed", [
    (0, 1, (1,)), (5, 7, ()), (7, 8, (8,)), (29, 31, (30, 31)), (95, 0, (1, 8, 30, 31, 60, 61,
                                                                        90, 91)),
    (360, 361, (361,)), (40, 40, ()),
])
def test_dpd_milestones_crossed_either_way(old: int, new: int, crossed: tuple[int, ...]) -> None:
    assert crossed_milestones(old, new, POLICY) == crossed
