"""Warning lifecycle through the handlers: dedupe, escalation, automatic clearing,
idempotency, fan-out, evidence and the events on the outbox."""
from __future__ import annotations

from datetime import date, timedelta

from tests.support import warning as ev
from tests.support.warning import WarningHarness

D0 = date(2026, 3, 11)


async def test_dpd_rule_escalates_one_warning_instead_of_duplicating(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.delinquency(1, D0), ev.delinquency(8, D0 + timedelta(7)),
                       ev.delinquency(30, D0 + timedelta(29)), ev.delinquency(60, D0 + timedelta(59)))
    rows = await harness.warnings(rule_id="BEH_DPD")
    assert len(rows) == 1 and rows[0].level == "orange" and rows[0].status == "open"
    kinds = [(e["rule_id"], e["level"]) for e in await harness.published()]
    assert kinds == [("BEH_DPD", "blue"), ("BEH_DPD", "yellow"), ("BEH_DPD", "orange")]
    escalated = (await harness.published("warning.warning.escalated"))[-1]
    assert escalated["previous_level"] == "yellow" and escalated["evidence"]["dpd"] == 60


async def test_a_lower_level_re_raise_changes_nothing(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.delinquency(30, D0), ev.delinquency(5, D0 + timedelta(1)))
    assert await harness.rules_fired() == {"BEH_DPD": "yellow"}
    assert len(await harness.published()) == 1


async def test_loan_cured_clears_dpd_and_missed_installment_warnings(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.missed(2, D0), ev.delinquency(1, D0 + timedelta(1)),
                       ev.repayment(D0 + timedelta(3), overdue="100.00"))
    assert set(await harness.rules_fired()) == {"BEH_INSTALLMENT_MISSED", "BEH_DPD",
                                                 "BEH_PARTIAL_PAYMENT"}
    await harness.feed(ev.cured(D0 + timedelta(5)))
    assert await harness.rules_fired() == {}
    cleared = await harness.published("warning.warning.cleared")
    assert {c["rule_id"] for c in cleared} == {"BEH_INSTALLMENT_MISSED", "BEH_DPD",
                                                "BEH_PARTIAL_PAYMENT"}
    assert all(c["reason"] == "loan_cured" for c in cleared)


async def test_score_recovered_clears_the_credit_score_warning(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.credit_report(700, 640, D0))
    assert await harness.rules_fired() == {"FIN_CREDIT_SCORE": "orange"}
    await harness.feed(ev.credit_report(640, 645, D0 + timedelta(30)))
    assert await harness.rules_fired() == {"FIN_CREDIT_SCORE": "orange"}
    await harness.feed(ev.credit_report(645, 690, D0 + timedelta(60)))
    assert await harness.rules_fired() == {}
    assert (await harness.published("warning.warning.cleared"))[0]["reason"] == "score_recovered"


async def test_after_clearing_the_rule_raises_a_new_warning(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.delinquency(1, D0), ev.cured(D0 + timedelta(2)),
                       ev.delinquency(1, D0 + timedelta(32)))
    rows = await harness.warnings(rule_id="BEH_DPD")
    assert [r.status for r in rows] == ["cleared", "open"]


async def test_a_redelivered_event_raises_nothing_twice(harness: WarningHarness) -> None:
    event = ev.delinquency(1, D0)
    assert await harness.feed(ev.registered(), event, event) == [True, True, False]
    assert len(await harness.published()) == 1


async def test_warning_records_rule_id_version_rule_set_and_evidence(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.revalued("0.9000", D0))
    raised = (await harness.published("warning.warning.raised"))[0]
    assert raised["rule_id"] == "EXT_COLLATERAL_LTV" and raised["rule_version"] == 1
    assert raised["rule_set"] == "default" and raised["rule_set_version"] == 1
    assert raised["evidence"]["loan_to_value"] == "0.9000"
    assert raised["evidence"]["threshold"] == "0.80"
    assert raised["measure"] and raised["family"] == "external" and raised["level"] == "orange"
    await harness.feed(ev.revalued("0.7000", D0 + timedelta(90)))
    assert await harness.rules_fired() == {}


async def test_customer_signals_fan_out_to_every_active_loan_of_the_customer(
        harness: WarningHarness) -> None:
    await harness.feed(ev.registered("L-1"), ev.registered("L-2"), ev.registered("L-3", "C-2"),
                       ev.legal("enforcement", D0))
    fired = {w.loan_id for w in await harness.warnings(rule_id="EXT_ENFORCEMENT")}
    assert fired == {"L-1", "L-2"}


async def test_industry_raised_to_high_risk_fans_out_to_every_active_loan_in_it(
        harness: WarningHarness) -> None:
    await harness.feed(ev.registered("L-1", industry="C13"), ev.registered("L-2", "C-2", industry="C13"),
                       ev.registered("L-3", "C-3", industry="F51"),
                       ev.registered("L-4", "C-4", industry="F51", region="440000"),
                       ev.market("industry", "C13", "high", D0))
    assert {w.loan_id for w in await harness.warnings(rule_id="EXT_MARKET_HIGH_RISK")} == {"L-1", "L-2"}
    await harness.feed(ev.market("region", "440000", "high", D0))
    assert len(await harness.warnings(rule_id="EXT_MARKET_HIGH_RISK")) == 3
    await harness.feed(ev.market("industry", "C13", "medium", D0 + timedelta(100), previous="high"))
    active = await harness.warnings(rule_id="EXT_MARKET_HIGH_RISK", active=True)
    assert [w.loan_id for w in active] == ["L-4"]


async def test_market_warning_stays_while_the_other_scope_is_still_high(
        harness: WarningHarness) -> None:
    await harness.feed(ev.registered(industry="C13", region="440000"),
                       ev.market("industry", "C13", "high", D0),
                       ev.market("region", "440000", "high", D0 + timedelta(1)),
                       ev.market("industry", "C13", "low", D0 + timedelta(2), previous="high"))
    assert await harness.rules_fired() == {"EXT_MARKET_HIGH_RISK": "yellow"}
    await harness.feed(ev.market("region", "440000", "low", D0 + timedelta(3), previous="high"))
    assert await harness.rules_fired() == {}


async def test_a_closed_loan_gets_no_warnings_and_its_open_ones_clear(harness: WarningHarness) -> None:
    from shared.events.envelope import new_event
    await harness.feed(ev.registered(), ev.delinquency(1, D0))
    await harness.feed(new_event(type="monitoring.loan.closed.v1", source="t", subject="L-1", data={
        "loan_id": "L-1", "customer_id": "C-1", "closed_date": "2026-04-01", "reason": "repaid",
        "outstanding_principal": "0", "classification": "normal"}))
    await harness.feed(ev.legal("lawsuit", D0 + timedelta(30)))
    assert await harness.rules_fired() == {}
    assert (await harness.published("warning.warning.cleared"))[0]["reason"] == "loan_closed"


async def test_broken_promise_from_collections_raises_an_orange_warning(
        harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.promise_broken(D0))
    assert await harness.rules_fired() == {"BEH_PROMISE_BROKEN": "orange"}


async def test_partial_payment_reversal_and_revenue_year_on_year(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.repayment(D0, overdue="0"),
                       ev.reversed_payment(D0 + timedelta(2)))
    assert await harness.rules_fired() == {"BEH_PAYMENT_REVERSED": "yellow"}
    await harness.feed(ev.financials(date(2025, 6, 30), revenue="1000000"),
                       ev.financials(date(2025, 12, 31), revenue="500000"),
                       ev.financials(date(2026, 6, 30), revenue="690000"))
    fired = await harness.rules_fired()
    assert fired["FIN_REVENUE_DROP"] == "orange"
    evidence = (await harness.warnings(rule_id="FIN_REVENUE_DROP"))[0].evidence
    assert evidence["prior_year_revenue"] == "1000000.00" and evidence["prior_period_end"] == "2025-06-30"


async def test_income_drop_from_an_employment_change(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(),
                       ev.profile("employment", {"monthly_income": "10000"},
                                  {"monthly_income": "7001"}, D0))
    assert await harness.rules_fired() == {}
    await harness.feed(ev.profile("employment", {"monthly_income": "10000"},
                                  {"monthly_income": "7000"}, D0 + timedelta(1)))
    assert await harness.rules_fired() == {"FIN_INCOME_DROP": "yellow"}
