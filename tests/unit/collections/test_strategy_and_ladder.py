"""Pure rules: treatment path selection, champion/challenger, escalation triggers, the
approval ladder, promise evaluation, worklist priority and allocation."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.collections.config import Settings
from services.collections.domain import offers as approvals, promises
from services.collections.domain.allocation import (
    CollectorSlot, WorkItem, choose_collector, order_worklist,
)
from services.collections.domain.cases import (
    LoanPosition, Resolution, balance_band, closing_outcome, is_cured, is_newer, reopens,
    should_open,
)
from services.collections.domain.strategy import (
    Strategy, Trigger, choose_path, escalates_on, escalation_due, moved_on, pending_roll,
    roll_due, variant_for,
)

STRATEGY = Strategy.from_settings(Settings())
LADDER = approvals.Ladder(Decimal("5000"), Decimal("20000"))


def test_variant_is_a_stable_function_of_the_case_id() -> None:
    assert {variant_for("case-42", Decimal("0.5")) for _ in range(5)} == \
        {variant_for("case-42", Decimal("0.5"))}


def test_challenger_share_is_respected_over_many_cases() -> None:
    ids = [f"case-{n}" for n in range(4000)]
    share = sum(variant_for(i, Decimal("0.20")) == "challenger" for i in ids) / len(ids)
    assert 0.18 < share < 0.22
    assert all(variant_for(i, Decimal("0")) == "champion" for i in ids[:200])
    assert all(variant_for(i, Decimal("1")) == "challenger" for i in ids[:200])


def test_path_follows_bucket_band_and_segment_with_first_match_winning() -> None:
    champion = replace(STRATEGY, challenger_share=Decimal("0"))
    assert choose_path(champion, case_id="c", bucket="M1", band="small", segment="standard") == \
        ("standard", "champion")
    assert choose_path(champion, case_id="c", bucket="M1", band="small", segment="high")[0] == \
        "intensive"
    assert choose_path(champion, case_id="c", bucket="M2", band="small", segment="standard")[0] \
        == "intensive"
    assert choose_path(champion, case_id="c", bucket="M5+", band="small", segment="high")[0] == \
        "legal"
    challenger = replace(STRATEGY, challenger_share=Decimal("1"))
    assert choose_path(challenger, case_id="c", bucket="M1", band="small",
                       segment="standard") == ("gentle", "challenger")


def test_a_strategy_naming_an_unknown_path_is_refused_at_start_up() -> None:
    settings = Settings(strategy_rules=[{"buckets": ["*"], "bands": ["*"], "segments": ["*"],
                                         "champion": "nope", "challenger": "standard"}])
    with pytest.raises(ValueError):
        Strategy.from_settings(settings)


def test_days_in_step_escalates_when_the_allowance_runs_out() -> None:
    steps = STRATEGY.paths["standard"]  # reminder 3 days first
    start = date(2026, 12, 1)
    assert not escalation_due(steps, index=0, step_started=start, as_of=start + timedelta(days=2))
    assert escalation_due(steps, index=0, step_started=start, as_of=start + timedelta(days=3))
    last = len(steps) - 1
    assert not escalation_due(steps, index=last, step_started=start,
                              as_of=start + timedelta(days=999))


def test_broken_promise_and_bucket_roll_escalate_except_at_the_last_step() -> None:
    steps = STRATEGY.paths["standard"]
    assert escalates_on(Trigger.broken_promise, steps, 0)
    assert escalates_on(Trigger.bucket_roll, steps, 2)
    assert not escalates_on(Trigger.broken_promise, steps, len(steps) - 1)


def test_a_case_moves_at_most_one_step_per_business_date() -> None:
    day = date(2026, 12, 1)
    assert moved_on(index=1, step_started=day, as_of=day)
    assert not moved_on(index=1, step_started=day, as_of=day + timedelta(days=1))
    assert not moved_on(index=0, step_started=day, as_of=day), "opened today, not yet moved"


def test_a_waiting_bucket_roll_is_due_at_the_close_of_its_date_and_the_earliest_wins() -> None:
    day = date(2026, 12, 1)
    assert pending_roll(None, day) == day
    assert pending_roll(day, day + timedelta(days=1)) == day
    assert not roll_due(day, day - timedelta(days=1))
    assert roll_due(day, day) and not roll_due(None, day)


def test_balance_band_uses_inclusive_upper_bounds() -> None:
    bands = {"small": Decimal("10000"), "medium": Decimal("100000"), "large": None}
    assert balance_band(Decimal("10000"), bands) == "small"
    assert balance_band(Decimal("10000.01"), bands) == "medium"
    assert balance_band(Decimal("5000000"), bands) == "large"


def test_case_opens_from_dpd_one_by_default() -> None:
    assert not should_open(dpd=0, open_dpd=1)
    assert should_open(dpd=1, open_dpd=1)
    assert not should_open(dpd=3, open_dpd=5)


def test_an_older_snapshot_never_overwrites_a_newer_one() -> None:
    assert is_newer(date(2026, 12, 2), date(2026, 12, 1))
    assert is_newer(date(2026, 12, 2), date(2026, 12, 2))
    assert not is_newer(date(2026, 12, 1), date(2026, 12, 2))


def test_cure_needs_zero_overdue_and_zero_dpd() -> None:
    assert is_cured(LoanPosition("L", 0, "current", Decimal(0), date(2026, 12, 1)))
    assert not is_cured(LoanPosition("L", 0, "current", Decimal("0.01"), date(2026, 12, 1)))


def test_case_closes_only_when_no_loan_is_delinquent_and_reports_the_worst_outcome() -> None:
    r = Resolution
    assert closing_outcome([r.cured, r.delinquent]) is None
    assert closing_outcome([r.cured, r.cured]).value == "cured"
    assert closing_outcome([r.cured, r.settled]).value == "settled"
    assert closing_outcome([r.settled, r.written_off, r.transferred]).value == "written_off"


def test_only_a_cured_case_is_reopened() -> None:
    assert reopens("cured")
    assert not reopens("written_off") and not reopens(None)


@pytest.mark.parametrize(("amount", "level"), [
    ("5000", "single"), ("5000.01", "dual"), ("20000", "dual"), ("20000.01", "risk_officer"),
])
def test_amounts_route_to_the_right_approval_level(amount: str, level: str) -> None:
    assert LADDER.level_for(Decimal(amount)).value == level


def test_the_proposer_never_approves_their_own_offer() -> None:
    with pytest.raises(approvals.ApprovalError) as caught:
        approvals.check_approver(level=approvals.Level.single, proposer="m1", approver="m1",
                                 roles={"collection_manager"}, earlier=[])
    assert caught.value.code == "own_proposal"


def test_dual_level_needs_two_different_approvers() -> None:
    first = approvals.Vote("m2", frozenset({"collection_manager"}))
    assert not approvals.is_approved(approvals.Level.dual, [first])
    with pytest.raises(approvals.ApprovalError):
        approvals.check_approver(level=approvals.Level.dual, proposer="m1", approver="m2",
                                 roles={"collection_manager"}, earlier=[first])
    second = approvals.Vote("m3", frozenset({"collection_manager"}))
    assert approvals.is_approved(approvals.Level.dual, [first, second])


def test_above_the_dual_limit_only_a_risk_officer_approves() -> None:
    with pytest.raises(approvals.ApprovalError) as caught:
        approvals.check_approver(level=approvals.Level.risk_officer, proposer="m1",
                                 approver="m2", roles={"collection_manager"}, earlier=[])
    assert caught.value.code == "approval_level"
    approvals.check_approver(level=approvals.Level.risk_officer, proposer="m1", approver="r1",
                             roles={"risk_officer"}, earlier=[])


def test_a_collector_cannot_approve_at_any_level() -> None:
    with pytest.raises(approvals.ApprovalError):
        approvals.check_approver(level=approvals.Level.single, proposer="c1", approver="c2",
                                 roles={"collector"}, earlier=[])


def _promise(as_of: date, paid: list[tuple[str, date]], *, reversed_: bool = False):  # type: ignore[no-untyped-def]
    return promises.evaluate(
        amount=Decimal("500"), recorded_date=date(2026, 12, 1), due_date=date(2026, 12, 10),
        grace_days=2, as_of=as_of,
        repayments=[promises.Repayment(f"P{n}", Decimal(a), d, reversed_)
                    for n, (a, d) in enumerate(paid)])


def test_promise_is_kept_when_payments_reach_the_amount_within_the_grace() -> None:
    status, paid = _promise(date(2026, 12, 12), [("200", date(2026, 12, 5)),
                                                 ("300", date(2026, 12, 12))])
    assert (status, paid) == (promises.PromiseStatus.kept, Decimal("500"))


def test_promise_stays_active_until_the_grace_has_passed() -> None:
    assert _promise(date(2026, 12, 12), [("100", date(2026, 12, 5))])[0] is \
        promises.PromiseStatus.active


def test_promise_is_broken_the_day_after_due_date_plus_grace() -> None:
    status, paid = _promise(date(2026, 12, 13), [("100", date(2026, 12, 5)),
                                                 ("400", date(2026, 12, 13))])
    assert (status, paid) == (promises.PromiseStatus.broken, Decimal("100"))


def test_payments_before_the_promise_and_reversed_payments_do_not_count() -> None:
    assert _promise(date(2026, 12, 13), [("500", date(2026, 11, 30))])[0] is \
        promises.PromiseStatus.broken
    assert _promise(date(2026, 12, 13), [("500", date(2026, 12, 3))], reversed_=True)[0] is \
        promises.PromiseStatus.broken


def test_only_one_active_promise_per_loan() -> None:
    with pytest.raises(promises.PromiseError) as caught:
        promises.check_new_promise(amount=Decimal(1), due_date=date(2026, 12, 5),
                                   today=date(2026, 12, 1), max_days_ahead=30,
                                   active_on_loan=True)
    assert caught.value.code == "promise_already_active"


def test_worklist_orders_by_overdue_then_bucket_then_promise_today_then_oldest_contact() -> None:
    today = date(2026, 12, 1)
    t = datetime(2026, 11, 30, 10, tzinfo=timezone.utc)
    items = [
        WorkItem("small", Decimal("100"), "M3", [], None),
        WorkItem("big", Decimal("900"), "M1", [], t),
        WorkItem("m2", Decimal("500"), "M2", [], t),
        WorkItem("m1-promise", Decimal("500"), "M1", [today], t),
        WorkItem("m1-recent", Decimal("500"), "M1", [], t),
        WorkItem("m1-old", Decimal("500"), "M1", [], t - timedelta(days=3)),
        WorkItem("m1-never", Decimal("500"), "M1", [], None),
    ]
    assert [i.case_id for i in order_worklist(items, today=today)] == \
        ["big", "m2", "m1-promise", "m1-never", "m1-old", "m1-recent", "small"]


def test_allocation_picks_the_least_loaded_collector_with_fitting_skills_and_room() -> None:
    slots = [CollectorSlot("full", "t1", 2, 2, frozenset(), frozenset()),
             CollectorSlot("busy", "t1", 10, 5, frozenset(), frozenset()),
             CollectorSlot("idle-elsewhere", "t2", 10, 0, frozenset({"44"}), frozenset()),
             CollectorSlot("light", "t1", 10, 1, frozenset({"31"}), frozenset({"zh"}))]
    assert choose_collector(slots, region="310000", language="zh").collector_id == "light"
    assert choose_collector(slots, region="440000", language=None).collector_id == "idle-elsewhere"
    assert choose_collector(slots[:1], region="310000", language=None) is None
