"""Care tasks, contact-stop validity and survey summaries."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from services.crm.domain import care, contact_stops, surveys
from services.crm.domain.care import CareReason, CareRuleError
from services.crm.domain.contact_stops import StopReason


def test_only_orange_and_red_warnings_put_a_customer_on_the_watch_list() -> None:
    assert [care.warning_puts_on_watch_list(level) for level in
            ("blue", "yellow", "orange", "red")] == [False, False, True, True]


def test_a_loan_first_goes_overdue_when_dpd_leaves_zero() -> None:
    assert care.first_time_overdue(0, 1)
    assert not care.first_time_overdue(1, 8)
    assert not care.first_time_overdue(5, 0)


def test_care_task_due_date_comes_from_the_reason_setting() -> None:
    assert care.care_due_date(CareReason.first_overdue, date(2026, 5, 30),
                              {"first_overdue": 3}) == date(2026, 6, 2)


def test_hardship_pause_needs_an_end_within_the_maximum() -> None:
    start = date(2026, 5, 1)
    with pytest.raises(CareRuleError, match="until_date"):
        contact_stops.check_stop(StopReason.hardship_pause, start, None, 180)
    with pytest.raises(CareRuleError):
        contact_stops.check_stop(StopReason.hardship_pause, start, date(2026, 12, 1), 180)
    contact_stops.check_stop(StopReason.hardship_pause, start, date(2026, 7, 1), 180)
    contact_stops.check_stop(StopReason.cease_request, start, None, 180)


def test_a_pause_covers_its_last_day() -> None:
    assert not contact_stops.pause_has_ended(date(2026, 7, 1), date(2026, 7, 1))
    assert contact_stops.pause_has_ended(date(2026, 7, 1), date(2026, 7, 2))


def test_scores_outside_one_to_five_are_refused() -> None:
    for bad in (0, 6):
        with pytest.raises(CareRuleError):
            surveys.check_score(bad)


def test_survey_summary_reports_rate_average_and_satisfied_share() -> None:
    result = surveys.summarise("team-a", 4, [5, 4, 2])
    assert (result.answered, result.average_score) == (3, D("3.67"))
    assert result.response_rate == D("0.7500")
    assert result.satisfied_share == D("0.6667")
    assert result.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}


def test_survey_summary_without_answers_has_no_average() -> None:
    result = surveys.summarise("team-a", 2, [])
    assert result.average_score is None and result.satisfied_share is None
