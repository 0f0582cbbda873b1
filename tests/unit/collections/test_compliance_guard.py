"""The compliance guard at every boundary: contact hours in the debtor's own time zone,
the daily and 7-day caps, the Regulation F conversation rule, stops, third parties."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from services.collections.config import Settings
from services.collections.domain.contacts import (
    Attempt, Channel, ContactType, PastContact, Stop, check_contact, debtor_zone,
    jurisdiction_for, profile_from_settings,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
_profiles = Settings().jurisdiction_profiles
CN = profile_from_settings("cn", _profiles["cn"])
US = profile_from_settings("us_reg_f", _profiles["us_reg_f"])


def local(zone: ZoneInfo, day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=zone).astimezone(timezone.utc)


def call(at: datetime, loan: str = "L-1", **kw) -> Attempt:  # type: ignore[no-untyped-def]
    return Attempt(loan_id=loan, channel=kw.pop("channel", Channel.phone),
                   contact_type=kw.pop("contact_type", ContactType.debtor), at=at, **kw)


def past(at: datetime, loan: str = "L-1", conversation: bool = False,
         channel: str = "phone") -> PastContact:
    return PastContact(loan, channel, "debtor", at, conversation)


def decide(attempt: Attempt, *, zone=SHANGHAI, profile=CN, history=(), stops=()):  # type: ignore[no-untyped-def]
    return check_contact(attempt, zone=zone, profile=profile, history=history, stops=list(stops))


DAY = date(2026, 12, 1)


@pytest.mark.parametrize(("hh", "mm", "allowed"), [
    (7, 59, False), (8, 0, True), (12, 0, True), (20, 59, True), (21, 0, False), (23, 30, False),
    (0, 0, False),
])
def test_calls_are_allowed_only_from_0800_to_before_2100_local_time(hh, mm, allowed) -> None:  # type: ignore[no-untyped-def]
    decision = decide(call(local(SHANGHAI, DAY, hh, mm)))
    assert decision.allowed is allowed
    assert decision.reason == (None if allowed else "outside_contact_hours")


def test_the_window_is_the_debtors_zone_not_the_collectors() -> None:
    # 01:30 UTC is 09:30 in Shanghai and 20:30 (previous day) in New York: both allowed.
    at = datetime(2026, 12, 1, 1, 30, tzinfo=timezone.utc)
    assert decide(call(at), zone=SHANGHAI).allowed
    assert decide(call(at), zone=NEW_YORK).allowed
    # 02:00 UTC is 10:00 in Shanghai but 21:00 in New York (EST, UTC-5).
    at = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    assert decide(call(at), zone=SHANGHAI).allowed
    assert decide(call(at), zone=NEW_YORK).reason == "outside_contact_hours"
    # 13:00 UTC is 21:00 in Shanghai but 08:00 in New York.
    at = datetime(2026, 12, 1, 13, 0, tzinfo=timezone.utc)
    assert decide(call(at), zone=SHANGHAI).reason == "outside_contact_hours"
    assert decide(call(at), zone=NEW_YORK).allowed


def test_new_york_window_follows_daylight_saving_time() -> None:
    summer = date(2026, 7, 1)
    assert decide(call(local(NEW_YORK, summer, 20, 59)), zone=NEW_YORK).allowed
    assert not decide(call(local(NEW_YORK, summer, 21, 0)), zone=NEW_YORK).allowed
    assert local(NEW_YORK, summer, 21, 0).hour == 1  # EDT is UTC-4


def test_letters_are_not_bound_to_contact_hours() -> None:
    assert decide(call(local(SHANGHAI, DAY, 23, 0), channel=Channel.letter)).allowed


def test_third_call_of_the_local_day_is_allowed_and_the_fourth_refused() -> None:
    history = [past(local(SHANGHAI, DAY, 9)), past(local(SHANGHAI, DAY, 11))]
    assert decide(call(local(SHANGHAI, DAY, 14)), history=history).allowed
    history.append(past(local(SHANGHAI, DAY, 14)))
    assert decide(call(local(SHANGHAI, DAY, 16)), history=history).reason == "daily_attempt_cap"


def test_daily_cap_counts_every_loan_of_the_debtor() -> None:
    history = [past(local(SHANGHAI, DAY, 9), "L-1"), past(local(SHANGHAI, DAY, 10), "L-2"),
               past(local(SHANGHAI, DAY, 11), "L-3")]
    assert decide(call(local(SHANGHAI, DAY, 14), "L-1"), history=history).reason == \
        "daily_attempt_cap"


def test_daily_cap_resets_at_local_midnight_not_utc_midnight() -> None:
    # Three evening calls on 1 Dec in New York fall on 2 Dec in UTC, the same UTC date as
    # the next local morning: by the debtor's calendar that morning is a new day.
    history = [past(local(NEW_YORK, DAY, 19, m)) for m in (0, 20, 40)]
    next_morning = local(NEW_YORK, DAY + timedelta(days=1), 9)
    assert {p.at.date() for p in history} == {next_morning.date()}
    assert decide(call(next_morning), zone=NEW_YORK, history=history).allowed
    assert decide(call(local(NEW_YORK, DAY, 20, 50)), zone=NEW_YORK, history=history).reason \
        == "daily_attempt_cap"


def test_refused_attempts_do_not_count_towards_the_caps() -> None:
    # The service passes only allowed attempts; three on another day do not block today.
    history = [past(local(SHANGHAI, DAY - timedelta(days=1), h)) for h in (9, 10, 11)]
    assert decide(call(local(SHANGHAI, DAY, 9)), history=history).allowed


def _one_a_day(first: date, days: int, loan: str = "L-1") -> list[PastContact]:
    return [past(local(SHANGHAI, first + timedelta(days=n), 10), loan) for n in range(days)]


def test_seventh_attempt_in_seven_days_is_allowed_and_the_eighth_refused() -> None:
    history = _one_a_day(DAY, 6)
    seventh = local(SHANGHAI, DAY + timedelta(days=6), 9)
    assert decide(call(seventh), history=history).allowed
    history.append(past(seventh))
    eighth = local(SHANGHAI, DAY + timedelta(days=6), 15)
    assert decide(call(eighth), history=history).reason == "weekly_attempt_cap"


def test_weekly_cap_day_seven_is_inside_the_period_and_day_eight_is_free() -> None:
    # Seven attempts on day 1 (raise the daily cap so only the weekly rule bites).
    many = [past(local(SHANGHAI, DAY, 8 + n)) for n in range(7)]
    profile = replace(CN, daily_attempt_cap=None)
    day7 = local(SHANGHAI, DAY + timedelta(days=6), 20, 59)
    day8 = local(SHANGHAI, DAY + timedelta(days=7), 8, 0)
    assert decide(call(day7), profile=profile, history=many).reason == "weekly_attempt_cap"
    assert decide(call(day8), profile=profile, history=many).allowed


def test_weekly_cap_is_per_loan() -> None:
    history = _one_a_day(DAY, 7, "L-1")
    at = local(SHANGHAI, DAY + timedelta(days=6), 15)
    assert decide(call(at, "L-1"), history=history).reason == "weekly_attempt_cap"
    assert decide(call(at, "L-2"), history=history).allowed


def test_us_profile_has_no_daily_cap_but_the_same_seven_in_seven() -> None:
    history = [past(local(NEW_YORK, DAY, h)) for h in (9, 10, 11, 12)]
    assert decide(call(local(NEW_YORK, DAY, 13)), zone=NEW_YORK, profile=US,
                  history=history).allowed


def test_us_profile_refuses_a_call_within_seven_days_after_a_conversation() -> None:
    talked = [past(local(NEW_YORK, DAY, 10), conversation=True)]
    day7 = local(NEW_YORK, DAY + timedelta(days=6), 20, 0)
    day8 = local(NEW_YORK, DAY + timedelta(days=7), 8, 0)
    assert decide(call(day7), zone=NEW_YORK, profile=US, history=talked).reason == \
        "recent_conversation"
    assert decide(call(day8), zone=NEW_YORK, profile=US, history=talked).allowed


def test_conversation_rule_is_per_debt_and_for_calls_only() -> None:
    talked = [past(local(NEW_YORK, DAY, 10), "L-1", conversation=True)]
    at = local(NEW_YORK, DAY + timedelta(days=2), 10)
    assert decide(call(at, "L-2"), zone=NEW_YORK, profile=US, history=talked).allowed
    assert decide(call(at, "L-1", channel=Channel.sms), zone=NEW_YORK, profile=US,
                  history=talked).allowed
    assert decide(call(at, "L-1"), zone=NEW_YORK, profile=CN, history=talked).allowed, \
        "the China profile has no conversation rule"


@pytest.mark.parametrize("reason", ["collection_complaint", "cease_request", "dispute",
                                    "hardship_pause", "bankruptcy", "deceased"])
def test_every_stop_reason_refuses_contact_with_its_own_code(reason: str) -> None:
    decision = decide(call(local(SHANGHAI, DAY, 10)), stops=[Stop(reason, DAY)])
    assert (decision.allowed, decision.reason) == (False, f"contact_stopped:{reason}")


def test_stops_apply_to_letters_and_third_parties_too() -> None:
    stops = [Stop("cease_request", DAY)]
    assert not decide(call(local(SHANGHAI, DAY, 10), channel=Channel.letter), stops=stops).allowed
    assert not decide(call(local(SHANGHAI, DAY, 10), contact_type=ContactType.third_party,
                           purpose="location"), stops=stops).allowed


def test_a_hardship_pause_ends_after_its_until_date_in_local_time() -> None:
    stops = [Stop("hardship_pause", DAY, until_date=DAY + timedelta(days=3))]
    assert not decide(call(local(SHANGHAI, DAY + timedelta(days=3), 20)), stops=stops).allowed
    assert decide(call(local(SHANGHAI, DAY + timedelta(days=4), 8)), stops=stops).allowed


def test_a_stop_effective_tomorrow_does_not_block_today() -> None:
    assert decide(call(local(SHANGHAI, DAY, 10)),
                  stops=[Stop("dispute", DAY + timedelta(days=1))]).allowed


def test_the_most_serious_stop_is_reported_when_several_are_active() -> None:
    stops = [Stop("hardship_pause", DAY), Stop("deceased", DAY), Stop("dispute", DAY)]
    assert decide(call(local(SHANGHAI, DAY, 10)), stops=stops).reason == "contact_stopped:deceased"


def test_third_party_may_be_contacted_only_to_locate_the_debtor_without_disclosure() -> None:
    at = local(SHANGHAI, DAY, 10)
    third = ContactType.third_party
    assert decide(call(at, contact_type=third, purpose="location")).allowed
    assert decide(call(at, contact_type=third, purpose="location", discloses_debt=True)).reason \
        == "third_party_disclosure"
    assert decide(call(at, contact_type=third, purpose="collection")).reason == \
        "third_party_disclosure"


def test_third_party_calls_do_not_use_up_the_debtors_daily_cap() -> None:
    history = [PastContact("L-1", "phone", "third_party", local(SHANGHAI, DAY, h), False)
               for h in (9, 10, 11)]
    assert decide(call(local(SHANGHAI, DAY, 12)), history=history).allowed


def test_a_naive_attempt_time_is_refused_as_a_programming_error() -> None:
    with pytest.raises(ValueError):
        decide(call(datetime(2026, 12, 1, 10, 0)))


def test_unknown_time_zone_falls_back_to_the_configured_default() -> None:
    assert debtor_zone("Mars/Olympus", "Asia/Shanghai") == SHANGHAI
    assert debtor_zone(None, "America/New_York") == NEW_YORK


def test_jurisdiction_is_chosen_by_the_longest_region_prefix() -> None:
    mapping = {"US": "us_reg_f", "US-NY": "ny"}
    assert jurisdiction_for("US-CA-01", by_prefix=mapping, default="cn") == "us_reg_f"
    assert jurisdiction_for("US-NY-1", by_prefix=mapping, default="cn") == "ny"
    assert jurisdiction_for("310000", by_prefix=mapping, default="cn") == "cn"
