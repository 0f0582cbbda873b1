"""Hardship eligibility and maker-checker on restructuring approvals."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from services.crm.domain import restructuring as rules
from services.crm.domain.restructuring import (
    Arrangement, EligibilityPolicy, HardshipReason, Kind, LoanFacts, NotEligible,
    RestructuringRuleError, Status,
)

POLICY = EligibilityPolicy()
ASKED = date(2026, 6, 1)
HEALTHY = LoanFacts("active", 10, None, False)


def _request(facts: LoanFacts = HEALTHY, arrangement: Arrangement | None = None,
             description: str = "lost job in May") -> rules.Request:
    return rules.Request(HardshipReason.job_loss, description,
                         arrangement or Arrangement(Kind.extension, extra_installments=6),
                         ASKED, facts)


def test_active_loan_with_stated_hardship_is_eligible() -> None:
    assert rules.eligibility_problems(_request(), POLICY) == []


def test_closed_or_unknown_loan_is_not_eligible() -> None:
    assert "not active" in rules.eligibility_problems(
        _request(LoanFacts("closed", 0, None, False)), POLICY)[0]
    assert rules.eligibility_problems(_request(LoanFacts(None, 0, None, False)), POLICY) == [
        "the loan is not known"]


def test_restructured_within_the_last_twelve_months_is_not_eligible() -> None:
    recent = LoanFacts("active", 0, date(2025, 6, 2), False)
    assert any("within the last 12 months" in p
               for p in rules.eligibility_problems(_request(recent), POLICY))


def test_restructured_exactly_twelve_months_ago_is_eligible_again() -> None:
    year_ago = LoanFacts("active", 0, date(2025, 6, 1), False)
    assert rules.eligibility_problems(_request(year_ago), POLICY) == []


def test_days_past_due_above_the_limit_is_not_eligible() -> None:
    late = LoanFacts("active", 91, None, False)
    assert any("above the limit of 90" in p for p in rules.eligibility_problems(
        _request(late), POLICY))
    assert rules.eligibility_problems(_request(LoanFacts("active", 90, None, False)),
                                      POLICY) == []


def test_hardship_must_be_described() -> None:
    assert rules.eligibility_problems(_request(description=" "), POLICY) == [
        "the hardship must be described"]


def test_second_pending_request_for_a_loan_is_not_eligible() -> None:
    assert rules.eligibility_problems(_request(LoanFacts("active", 0, None, True)), POLICY) == [
        "another request for this loan is still pending"]


def test_every_failed_rule_is_reported_at_once() -> None:
    with pytest.raises(NotEligible) as error:
        rules.check_eligible(_request(LoanFacts("closed", 120, None, True), description=""),
                             POLICY)
    assert len(error.value.reasons) == 4


@pytest.mark.parametrize("arrangement,problem", [
    (Arrangement(Kind.extension, extra_installments=25), "extra_installments"),
    (Arrangement(Kind.payment_holiday, holiday_months=0), "holiday_months"),
    (Arrangement(Kind.reduced_installment, reduced_months=3), "reduced_amount"),
    (Arrangement(Kind.interest_waiver), "waived_amount"),
    (Arrangement(Kind.fee_waiver), "waived_amount"),
])
def test_arrangement_limits_come_from_settings(arrangement: Arrangement, problem: str) -> None:
    assert problem in " ".join(rules.eligibility_problems(_request(arrangement=arrangement),
                                                          POLICY))


def test_the_proposer_cannot_approve_their_own_request() -> None:
    with pytest.raises(RestructuringRuleError) as error:
        rules.check_may_decide(status=Status.pending, proposed_by="agent-1",
                               decided_by="agent-1")
    assert error.value.code == "maker_checker"
    rules.check_may_decide(status=Status.pending, proposed_by="agent-1", decided_by="officer-1")


def test_a_decided_request_cannot_be_decided_again() -> None:
    with pytest.raises(RestructuringRuleError) as error:
        rules.check_may_decide(status=Status.approved, proposed_by="a", decided_by="b")
    assert error.value.code == "request_decided"


def test_fee_waiver_keeps_the_terms_and_interest_waiver_lowers_interest() -> None:
    from services.crm.domain.schedule import Terms, re_amortise, total_interest

    terms = Terms(D("5000"), D("0.05"), 6, date(2026, 7, 1))
    assert rules.new_schedule(Arrangement(Kind.fee_waiver, waived_amount=D("50")), terms) == \
        re_amortise(terms)
    waived = rules.new_schedule(Arrangement(Kind.interest_waiver, waived_amount=D("20")), terms)
    assert total_interest(re_amortise(terms)) - total_interest(waived) == D("20.00")
