"""Complaint rules (银行业保险业消费投诉处理管理办法, 2020): decide and inform the customer
within 15 days of receipt; a complex case may be extended to 30 days with a reason; a
particularly complex case a further 30 days after internal approval, 60 days at most. Staff
involved in the complained-about matter must not handle it.

Days are calendar days by default: the regulation counts 日 (calendar days). The basis is a
setting; on the `working` basis Saturdays, Sundays and the listed holidays are skipped.
Day N is the last day allowed: received on 1 March with 15 days, 16 March is in time and
17 March is late."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any


class Category(str, enum.Enum):
    collection_conduct = "collection_conduct"
    fees = "fees"
    service = "service"
    privacy = "privacy"
    other = "other"


class Channel(str, enum.Enum):
    phone = "phone"
    branch = "branch"
    letter = "letter"
    email = "email"
    app = "app"
    web = "web"
    regulator = "regulator"


class InformChannel(str, enum.Enum):
    phone = "phone"
    sms = "sms"
    letter = "letter"
    email = "email"
    app = "app"
    in_person = "in_person"


class Status(str, enum.Enum):
    received = "received"
    assigned = "assigned"
    decided = "decided"
    closed = "closed"


class Outcome(str, enum.Enum):
    upheld = "upheld"
    partially_upheld = "partially_upheld"
    rejected = "rejected"
    withdrawn = "withdrawn"


class RootCause(str, enum.Enum):
    staff_conduct = "staff_conduct"
    process = "process"
    system = "system"
    product_terms = "product_terms"
    communication = "communication"
    third_party = "third_party"
    no_fault = "no_fault"


OPEN_STATUSES = (Status.received, Status.assigned)


class ComplaintRuleError(Exception):
    """A complaint rule said no; `code` is the stable API error code."""

    code = "complaint_rule"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class RecusalRequired(ComplaintRuleError):
    code = "recusal_required"


@dataclass(frozen=True)
class DeadlinePolicy:
    base_days: int = 15
    first_extension_total_days: int = 30
    second_extension_days: int = 30
    max_total_days: int = 60
    day_basis: str = "calendar"  # calendar | working
    holidays: frozenset[date] = field(default_factory=frozenset)
    reminder_days_before: tuple[int, ...] = (3, 1)

    def __post_init__(self) -> None:
        if not 0 < self.base_days <= self.first_extension_total_days <= self.max_total_days:
            raise ValueError("deadline days must satisfy 0 < base <= first extension <= max")
        if self.day_basis not in ("calendar", "working"):
            raise ValueError("day_basis is calendar or working")

    @classmethod
    def from_settings(cls, settings: object) -> "DeadlinePolicy":
        def setting(name: str) -> Any:
            return getattr(settings, f"complaint_{name}")

        return cls(base_days=setting("base_days"),
                   first_extension_total_days=setting("first_extension_total_days"),
                   second_extension_days=setting("second_extension_days"),
                   max_total_days=setting("max_total_days"), day_basis=setting("day_basis"),
                   holidays=frozenset(setting("holidays")),
                   reminder_days_before=tuple(setting("reminder_days_before")))

    def add_days(self, start: date, days: int) -> date:
        if self.day_basis == "calendar":
            return start + timedelta(days=days)
        current, left = start, days
        while left > 0:
            current += timedelta(days=1)
            if current.weekday() < 5 and current not in self.holidays:
                left -= 1
        return current


@dataclass(frozen=True)
class DeadlineClock:
    """Where a complaint stands against its legal deadline. `stage` counts the extensions
    granted (0, 1 or 2); a second extension waits in `pending_by` until approved."""

    received_date: date
    deadline_date: date
    stage: int = 0
    pending_reason: str | None = None
    pending_by: str | None = None


def start_clock(received_date: date, policy: DeadlinePolicy) -> DeadlineClock:
    return DeadlineClock(received_date, policy.add_days(received_date, policy.base_days))


def is_late(deadline_date: date, on: date) -> bool:
    """Deciding and informing on the deadline day itself is still in time."""
    return on > deadline_date


def check_can_extend(clock: DeadlineClock, *, reason: str, on: date) -> None:
    if not reason.strip():
        raise ComplaintRuleError("an extension needs a reason", code="extension_reason_required")
    if clock.stage >= 2:
        raise ComplaintRuleError("both extensions are used; 60 days is the limit",
                                 code="extension_limit_reached")
    if clock.pending_by is not None:
        raise ComplaintRuleError("a further extension is already waiting for approval",
                                 code="extension_pending")
    # An extension moves a deadline that still stands; a breach cannot be cured by it.
    if is_late(clock.deadline_date, on):
        raise ComplaintRuleError("the deadline has already passed", code="deadline_passed")


def extend(clock: DeadlineClock, policy: DeadlinePolicy, *, reason: str, requested_by: str,
           on: date) -> DeadlineClock:
    """The first extension (to 30 days) needs only a reason; the further one is recorded as
    pending and takes effect on `approve_extension` by someone else."""
    check_can_extend(clock, reason=reason, on=on)
    if clock.stage == 0:
        deadline = policy.add_days(clock.received_date, policy.first_extension_total_days)
        return replace(clock, stage=1, deadline_date=deadline)
    return replace(clock, pending_reason=reason, pending_by=requested_by)


def approve_extension(clock: DeadlineClock, policy: DeadlinePolicy, *, approved_by: str,
                      on: date) -> DeadlineClock:
    if clock.pending_by is None:
        raise ComplaintRuleError("no extension is waiting for approval",
                                 code="no_extension_pending")
    if approved_by == clock.pending_by:
        raise ComplaintRuleError("the further extension must be approved by someone other "
                                 "than who asked for it", code="approver_must_differ")
    if is_late(clock.deadline_date, on):
        raise ComplaintRuleError("the deadline has already passed", code="deadline_passed")
    extended = policy.add_days(clock.deadline_date, policy.second_extension_days)
    ceiling = policy.add_days(clock.received_date, policy.max_total_days)
    return replace(clock, stage=2, deadline_date=min(extended, ceiling),
                   pending_reason=None, pending_by=None)


def reminders_due(deadline_date: date, as_of: date, policy: DeadlinePolicy) -> list[int]:
    """The reminder offsets (days before the deadline) that fall due on `as_of`. A business
    day may skip calendar days, so an offset counts as due once the date reaches it."""
    days_left = (deadline_date - as_of).days
    return [n for n in policy.reminder_days_before if days_left <= n and days_left >= 0]


def check_may_handle(handler: str, involved_staff: set[str]) -> None:
    if handler in involved_staff:
        raise RecusalRequired(f"{handler} was involved in the complained-about matter and "
                              "must not handle this complaint")


@dataclass(frozen=True)
class Resolution:
    outcome: Outcome
    root_cause: RootCause
    summary: str
    informed_date: date
    informed_channel: InformChannel


def check_resolution(resolution: Resolution, *, received_date: date, handler: str | None,
                     decided_by: str, involved_staff: set[str]) -> None:
    if handler is None:
        raise ComplaintRuleError("assign a handler before deciding", code="handler_required")
    if decided_by != handler:
        raise ComplaintRuleError("only the assigned handler decides the complaint",
                                 code="not_the_handler")
    check_may_handle(decided_by, involved_staff)
    if not resolution.summary.strip():
        raise ComplaintRuleError("the resolution needs a summary", code="summary_required")
    if resolution.informed_date < received_date:
        raise ComplaintRuleError("the customer cannot be informed before the complaint was "
                                 "received", code="informed_before_received")


def days_taken(received_date: date, informed_date: date) -> int:
    return (informed_date - received_date).days
