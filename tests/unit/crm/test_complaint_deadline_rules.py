"""The complaint deadline clock at each boundary, the extension rules and recusal."""
from __future__ import annotations

from datetime import date

import pytest

from services.crm.domain import complaints as rules
from services.crm.domain.complaints import (
    ComplaintRuleError, DeadlinePolicy, InformChannel, Outcome, RecusalRequired, Resolution,
    RootCause,
)

POLICY = DeadlinePolicy()
RECEIVED = date(2026, 3, 1)


def _clock():  # type: ignore[no-untyped-def]
    return rules.start_clock(RECEIVED, POLICY)


def test_deadline_is_fifteen_calendar_days_after_receipt() -> None:
    assert _clock().deadline_date == date(2026, 3, 16)


def test_informing_on_day_15_is_in_time_and_day_16_is_late() -> None:
    deadline = _clock().deadline_date
    assert not rules.is_late(deadline, date(2026, 3, 16))
    assert rules.is_late(deadline, date(2026, 3, 17))


def test_calendar_days_run_over_weekends_and_month_ends() -> None:
    assert rules.start_clock(date(2026, 2, 20), POLICY).deadline_date == date(2026, 3, 7)


def test_working_day_basis_skips_weekends_and_listed_holidays() -> None:
    policy = DeadlinePolicy(day_basis="working", holidays=frozenset({date(2026, 3, 9)}))
    # Sunday 1 March + 15 working days, Monday 9 March a holiday -> Monday 23 March.
    assert rules.start_clock(RECEIVED, policy).deadline_date == date(2026, 3, 23)


def test_first_extension_moves_the_deadline_to_day_30_with_a_reason() -> None:
    extended = rules.extend(_clock(), POLICY, reason="needs the call recordings",
                            requested_by="agent-1", on=date(2026, 3, 16))
    assert (extended.stage, extended.deadline_date) == (1, date(2026, 3, 31))


def test_extension_without_a_reason_is_refused() -> None:
    with pytest.raises(ComplaintRuleError) as error:
        rules.extend(_clock(), POLICY, reason="  ", requested_by="agent-1", on=RECEIVED)
    assert error.value.code == "extension_reason_required"


def test_extension_after_the_deadline_passed_is_refused() -> None:
    with pytest.raises(ComplaintRuleError) as error:
        rules.extend(_clock(), POLICY, reason="complex", requested_by="agent-1",
                     on=date(2026, 3, 17))
    assert error.value.code == "deadline_passed"


def _second_pending():  # type: ignore[no-untyped-def]
    first = rules.extend(_clock(), POLICY, reason="complex", requested_by="agent-1",
                         on=RECEIVED)
    return rules.extend(first, POLICY, reason="particularly complex", requested_by="agent-1",
                        on=date(2026, 3, 20))


def test_further_extension_waits_for_approval_and_keeps_the_deadline() -> None:
    pending = _second_pending()
    assert (pending.stage, pending.deadline_date, pending.pending_by) == (
        1, date(2026, 3, 31), "agent-1")


def test_further_extension_approved_by_a_different_person_reaches_day_60() -> None:
    approved = rules.approve_extension(_second_pending(), POLICY, approved_by="officer-1",
                                       on=date(2026, 3, 25))
    assert (approved.stage, approved.deadline_date) == (2, date(2026, 4, 30))
    assert (approved.deadline_date - RECEIVED).days == 60


def test_further_extension_approved_by_the_requester_is_refused() -> None:
    with pytest.raises(ComplaintRuleError) as error:
        rules.approve_extension(_second_pending(), POLICY, approved_by="agent-1",
                                on=date(2026, 3, 25))
    assert error.value.code == "approver_must_differ"


def test_approval_without_a_pending_extension_is_refused() -> None:
    with pytest.raises(ComplaintRuleError) as error:
        rules.approve_extension(_clock(), POLICY, approved_by="officer-1", on=RECEIVED)
    assert error.value.code == "no_extension_pending"


def test_no_third_extension_sixty_days_is_the_limit() -> None:
    approved = rules.approve_extension(_second_pending(), POLICY, approved_by="officer-1",
                                       on=date(2026, 3, 25))
    with pytest.raises(ComplaintRuleError) as error:
        rules.extend(approved, POLICY, reason="more", requested_by="agent-1",
                     on=date(2026, 4, 1))
    assert error.value.code == "extension_limit_reached"


def test_total_never_exceeds_sixty_days_even_with_longer_settings() -> None:
    policy = DeadlinePolicy(second_extension_days=45)
    first = rules.extend(rules.start_clock(RECEIVED, policy), policy, reason="complex",
                         requested_by="a", on=RECEIVED)
    pending = rules.extend(first, policy, reason="more", requested_by="a", on=RECEIVED)
    approved = rules.approve_extension(pending, policy, approved_by="b", on=RECEIVED)
    assert approved.deadline_date == date(2026, 4, 30)


def test_policy_refuses_a_base_longer_than_the_maximum() -> None:
    with pytest.raises(ValueError):
        DeadlinePolicy(base_days=70)


def test_reminders_fall_due_three_and_one_days_before_the_deadline() -> None:
    deadline = date(2026, 3, 16)
    assert rules.reminders_due(deadline, date(2026, 3, 12), POLICY) == []
    assert rules.reminders_due(deadline, date(2026, 3, 13), POLICY) == [3]
    assert rules.reminders_due(deadline, date(2026, 3, 15), POLICY) == [3, 1]
    assert rules.reminders_due(deadline, date(2026, 3, 17), POLICY) == []


def test_staff_involved_in_the_matter_must_not_handle_the_complaint() -> None:
    with pytest.raises(RecusalRequired) as error:
        rules.check_may_handle("collector-7", {"collector-7"})
    assert error.value.code == "recusal_required"
    rules.check_may_handle("agent-1", {"collector-7"})


def _resolution(**changes):  # type: ignore[no-untyped-def]
    values = dict(outcome=Outcome.upheld, root_cause=RootCause.staff_conduct,
                  summary="apologised, retrained the collector", informed_date=date(2026, 3, 10),
                  informed_channel=InformChannel.phone)
    return Resolution(**{**values, **changes})


def test_resolution_is_decided_only_by_the_assigned_handler() -> None:
    with pytest.raises(ComplaintRuleError) as error:
        rules.check_resolution(_resolution(), received_date=RECEIVED, handler="agent-1",
                               decided_by="agent-2", involved_staff=set())
    assert error.value.code == "not_the_handler"


def test_resolution_cannot_inform_before_receipt() -> None:
    with pytest.raises(ComplaintRuleError) as error:
        rules.check_resolution(_resolution(informed_date=date(2026, 2, 28)),
                               received_date=RECEIVED, handler="a", decided_by="a",
                               involved_staff=set())
    assert error.value.code == "informed_before_received"


def test_resolution_by_an_involved_handler_is_refused() -> None:
    with pytest.raises(RecusalRequired):
        rules.check_resolution(_resolution(), received_date=RECEIVED, handler="c-7",
                               decided_by="c-7", involved_staff={"c-7"})
