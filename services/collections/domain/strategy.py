"""Strategy: (bucket, balance band, risk segment) -> treatment path, champion/challenger
assignment, and the escalation triggers of each step."""
from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Sequence


class Action(str, enum.Enum):
    reminder_message = "reminder_message"
    phone_call = "phone_call"
    field_visit = "field_visit"
    lawyers_letter = "lawyers_letter"
    litigation = "litigation"
    disposal = "disposal"


class Trigger(str, enum.Enum):
    days_in_step = "days_in_step"
    broken_promise = "broken_promise"
    bucket_roll = "bucket_roll"


@dataclass(frozen=True)
class Step:
    action: Action
    max_days: int | None  # None: the last step, it never times out


@dataclass(frozen=True)
class Rule:
    buckets: frozenset[str]
    bands: frozenset[str]
    segments: frozenset[str]
    champion: str
    challenger: str

    def matches(self, bucket: str, band: str, segment: str) -> bool:
        return all("*" in allowed or value in allowed for allowed, value in
                   ((self.buckets, bucket), (self.bands, band), (self.segments, segment)))


@dataclass(frozen=True)
class Strategy:
    paths: dict[str, tuple[Step, ...]]
    rules: tuple[Rule, ...]
    challenger_share: Decimal

    @classmethod
    def from_settings(cls, settings) -> "Strategy":  # type: ignore[no-untyped-def]
        paths = {name: tuple(Step(Action(s["action"]), s.get("max_days")) for s in steps)
                 for name, steps in settings.treatment_paths.items()}
        rules = tuple(Rule(frozenset(r["buckets"]), frozenset(r["bands"]),
                           frozenset(r["segments"]), r["champion"], r["challenger"])
                      for r in settings.strategy_rules)
        strategy = cls(paths, rules, Decimal(settings.challenger_share))
        strategy.validate()
        return strategy

    def validate(self) -> None:
        for rule in self.rules:
            for path in (rule.champion, rule.challenger):
                if path not in self.paths or not self.paths[path]:
                    raise ValueError(f"strategy rule names unknown or empty path {path!r}")
        if not Decimal(0) <= self.challenger_share <= Decimal(1):
            raise ValueError("challenger_share must be between 0 and 1")


def variant_for(case_id: str, share: Decimal) -> str:
    """Deterministic: the same case id always lands on the same side, on every replica."""
    digest = hashlib.sha256(case_id.encode("utf-8")).digest()
    position = Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2 ** 64)
    return "challenger" if position < share else "champion"


def choose_path(strategy: Strategy, *, case_id: str, bucket: str, band: str,
                segment: str) -> tuple[str, str]:
    """Returns (path name, variant)."""
    variant = variant_for(case_id, strategy.challenger_share)
    for rule in strategy.rules:
        if rule.matches(bucket, band, segment):
            return (rule.challenger if variant == "challenger" else rule.champion), variant
    raise ValueError(f"no strategy rule matches bucket={bucket} band={band} segment={segment}")


def next_step(steps: Sequence[Step], index: int) -> int | None:
    return index + 1 if index + 1 < len(steps) else None


def escalation_due(steps: Sequence[Step], *, index: int, step_started: date,
                   as_of: date) -> bool:
    """Days in step: the step's allowance has run out."""
    limit = steps[index].max_days
    return limit is not None and (as_of - step_started).days >= limit and \
        next_step(steps, index) is not None


def moved_on(*, index: int, step_started: date, as_of: date) -> bool:
    """One step per case per business date: a bucket roll, a broken promise and a step's
    allowance running out on the same date move the case once, so the step does not
    depend on which of those events (on different keys) arrives first."""
    return index > 0 and step_started == as_of


def pending_roll(pending: date | None, roll_date: date) -> date:
    """A bucket roll waits for the close of its business date, which then weighs it after
    broken promises and days in step (a roll arriving after that close escalates at once).
    Of several waiting rolls the earliest is the one the next close must honour."""
    return roll_date if pending is None else min(pending, roll_date)


def roll_due(pending: date | None, business_date: date) -> bool:
    return pending is not None and pending <= business_date


def escalates_on(trigger: Trigger, steps: Sequence[Step], index: int) -> bool:
    """Broken promises and bucket rolls always move the case on, unless it is at the end."""
    return trigger in (Trigger.broken_promise, Trigger.bucket_roll) and \
        next_step(steps, index) is not None
