"""The compliance guard: decides, before anything is recorded, whether a contact attempt
is lawful. Pure: the caller passes the attempt, the debtor's time zone, the jurisdiction
profile, the contact history and the active stops.

Day-based limits count calendar days in the debtor's own time zone, the way Regulation F
counts "seven consecutive days" (the day of the conversation is day one), so an attempt on
day 7 is still inside the period and day 8 is free."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Channel(str, enum.Enum):
    phone = "phone"
    sms = "sms"
    email = "email"
    field_visit = "field_visit"
    letter = "letter"


class ContactType(str, enum.Enum):
    debtor = "debtor"
    third_party = "third_party"


class Refusal(str, enum.Enum):
    outside_contact_hours = "outside_contact_hours"
    daily_attempt_cap = "daily_attempt_cap"
    weekly_attempt_cap = "weekly_attempt_cap"
    recent_conversation = "recent_conversation"
    third_party_disclosure = "third_party_disclosure"
    contact_stopped = "contact_stopped"


# Most serious first: the code reported when several stops are active at once.
STOP_PRECEDENCE = ("deceased", "bankruptcy", "cease_request", "dispute",
                   "collection_complaint", "hardship_pause")


@dataclass(frozen=True)
class Profile:
    name: str
    window_start: time
    window_end: time
    daily_attempt_cap: int | None
    weekly_attempt_cap: int | None
    weekly_window_days: int = 7
    conversation_cooldown_days: int | None = None
    counted_channels: frozenset[str] = frozenset({"phone"})
    windowed_channels: frozenset[str] = frozenset({"phone", "sms", "email", "field_visit"})


@dataclass(frozen=True)
class Attempt:
    loan_id: str
    channel: Channel
    contact_type: ContactType
    at: datetime
    purpose: str = "collection"
    discloses_debt: bool = False


@dataclass(frozen=True)
class PastContact:
    """An attempt that was allowed and recorded (refused ones never count)."""

    loan_id: str
    channel: str
    contact_type: str
    at: datetime
    conversation: bool


@dataclass(frozen=True)
class Stop:
    reason: str
    effective_date: date
    until_date: date | None = None

    def active_on(self, day: date) -> bool:
        return self.effective_date <= day and (self.until_date is None or day <= self.until_date)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str | None = None
    local_time: datetime | None = field(default=None, compare=False)


class GuardError(ValueError):
    pass


def debtor_zone(name: str | None, fallback: str) -> ZoneInfo:
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    raise GuardError(f"no usable time zone (debtor {name!r}, fallback {fallback!r})")


def check_contact(attempt: Attempt, *, zone: ZoneInfo, profile: Profile,
                  history: Iterable[PastContact], stops: Sequence[Stop]) -> Decision:
    if attempt.at.tzinfo is None:
        raise GuardError("the attempt time must be timezone-aware")
    local = attempt.at.astimezone(zone)
    past = list(history)
    for check in (_stopped, _third_party, _window, _conversation, _daily_cap, _weekly_cap):
        reason = check(attempt, local, zone, profile, past, stops)
        if reason is not None:
            return Decision(False, reason, local)
    return Decision(True, None, local)


def _stopped(attempt: Attempt, local: datetime, zone: ZoneInfo, profile: Profile,
             past: list[PastContact], stops: Sequence[Stop]) -> str | None:
    active = {s.reason for s in stops if s.active_on(local.date())}
    for reason in STOP_PRECEDENCE + tuple(sorted(active - set(STOP_PRECEDENCE))):
        if reason in active:
            return f"{Refusal.contact_stopped.value}:{reason}"
    return None


def _third_party(attempt: Attempt, local: datetime, zone: ZoneInfo, profile: Profile,
                 past: list[PastContact], stops: Sequence[Stop]) -> str | None:
    # A third party may only be asked where the debtor is; the debt itself stays private.
    if attempt.contact_type is ContactType.third_party and (
            attempt.purpose != "location" or attempt.discloses_debt):
        return Refusal.third_party_disclosure.value
    return None


def _window(attempt: Attempt, local: datetime, zone: ZoneInfo, profile: Profile,
            past: list[PastContact], stops: Sequence[Stop]) -> str | None:
    if attempt.channel.value not in profile.windowed_channels:
        return None
    if profile.window_start <= local.time() < profile.window_end:
        return None
    return Refusal.outside_contact_hours.value


def _days_window(local: datetime, days: int) -> date:
    """First local date of the `days`-day period that ends today."""
    return local.date() - timedelta(days=days - 1)


def _counted(attempt: Attempt, profile: Profile,
             past: list[PastContact]) -> list[PastContact]:
    if attempt.channel.value not in profile.counted_channels:
        return []
    return [p for p in past if p.channel in profile.counted_channels
            and p.contact_type == ContactType.debtor.value]


def _conversation(attempt: Attempt, local: datetime, zone: ZoneInfo, profile: Profile,
                  past: list[PastContact], stops: Sequence[Stop]) -> str | None:
    days = profile.conversation_cooldown_days
    if not days or attempt.channel is not Channel.phone:
        return None
    since = _days_window(local, days)
    for p in past:
        if p.conversation and p.loan_id == attempt.loan_id and p.channel == Channel.phone.value \
                and since <= p.at.astimezone(zone).date() <= local.date():
            return Refusal.recent_conversation.value
    return None


def _daily_cap(attempt: Attempt, local: datetime, zone: ZoneInfo, profile: Profile,
               past: list[PastContact], stops: Sequence[Stop]) -> str | None:
    cap = profile.daily_attempt_cap
    if cap is None or attempt.contact_type is not ContactType.debtor:
        return None
    today = [p for p in _counted(attempt, profile, past)
             if p.at.astimezone(zone).date() == local.date()]
    return Refusal.daily_attempt_cap.value if len(today) >= cap else None


def _weekly_cap(attempt: Attempt, local: datetime, zone: ZoneInfo, profile: Profile,
                past: list[PastContact], stops: Sequence[Stop]) -> str | None:
    cap = profile.weekly_attempt_cap
    if cap is None or attempt.contact_type is not ContactType.debtor:
        return None
    since = _days_window(local, profile.weekly_window_days)
    in_period = [p for p in _counted(attempt, profile, past) if p.loan_id == attempt.loan_id
                 and since <= p.at.astimezone(zone).date() <= local.date()]
    return Refusal.weekly_attempt_cap.value if len(in_period) >= cap else None


def profile_from_settings(name: str, raw) -> Profile:  # type: ignore[no-untyped-def]
    """`raw` is a ProfileSettings (or anything with the same attributes)."""
    return Profile(
        name=name, window_start=time.fromisoformat(raw.window_start),
        window_end=time.fromisoformat(raw.window_end),
        daily_attempt_cap=raw.daily_attempt_cap, weekly_attempt_cap=raw.weekly_attempt_cap,
        weekly_window_days=raw.weekly_window_days,
        conversation_cooldown_days=raw.conversation_cooldown_days,
        counted_channels=frozenset(raw.counted_channels),
        windowed_channels=frozenset(raw.windowed_channels),
    )


def jurisdiction_for(region_code: str | None, *, by_prefix: dict[str, str], default: str) -> str:
    if region_code:
        for prefix in sorted(by_prefix, key=len, reverse=True):
            if region_code.startswith(prefix):
                return by_prefix[prefix]
    return default


# Outcomes that mean a conversation about the debt took place (Regulation F's trigger).
CONVERSATION_OUTCOMES = frozenset({"conversation", "promise_made", "refused_to_pay",
                                   "dispute_raised", "visited"})
OUTCOMES = CONVERSATION_OUTCOMES | {"no_answer", "busy", "left_message", "wrong_number",
                                    "not_home", "sent", "location_obtained"}

# Which action type (and so which unit cost) a contact channel represents.
CHANNEL_ACTION = {"phone": "phone_call", "sms": "reminder_message", "email": "reminder_message",
                  "letter": "reminder_message", "field_visit": "field_visit"}
