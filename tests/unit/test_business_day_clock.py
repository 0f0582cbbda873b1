"""The rule every service's "today" follows: the latest business date seen, never before
the date of the record concerned, and no invented date when neither is known."""
from __future__ import annotations

from datetime import date

import pytest

from shared.db.business_day import NoBusinessDate, business_today

CLOSE, RAISED = date(2026, 5, 6), date(2026, 5, 1)


def test_today_is_the_latest_business_date_seen() -> None:
    assert business_today(CLOSE) == CLOSE
    assert business_today(CLOSE, not_before=RAISED) == CLOSE


def test_today_is_never_before_the_records_own_date() -> None:
    assert business_today(RAISED, not_before=CLOSE) == CLOSE


def test_before_the_first_close_the_records_own_date_stands_in() -> None:
    assert business_today(None, not_before=RAISED) == RAISED


def test_without_any_date_the_caller_must_state_one() -> None:
    with pytest.raises(NoBusinessDate) as refused:
        business_today(None, needed_for="the complaint's receipt")
    assert (refused.value.status_code, refused.value.code) == (409, "no_business_date")
    assert "the complaint's receipt" in refused.value.message
