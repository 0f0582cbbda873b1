"""Effectiveness feedback per rule and version.

- precision: of the rule's warnings whose outcome is known, the share followed within the
  horizon (default 180 days) by a default (DPD 90+ or substandard-or-worse). A warning's
  outcome is known once it was followed by a default or the horizon has passed; warnings
  raised after their loan had already defaulted predict nothing and are left out.
- recall: of all defaults, the share the rule warned about at least `min_lead` days
  (default 30) before the default date.
- median lead time: days from warning to default over the warnings that were followed by one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Iterable, Mapping


@dataclass(frozen=True)
class RaisedWarning:
    rule_id: str
    rule_version: int
    loan_id: str
    raised: date


@dataclass(frozen=True)
class RuleEffect:
    rule_id: str
    rule_version: int
    warnings: int
    evaluated: int
    followed_by_default: int
    precision: float | None
    defaults: int
    caught_defaults: int
    recall: float | None
    median_lead_days: float | None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def measure(warnings: Iterable[RaisedWarning], defaults: Mapping[str, date], *, as_of: date,
            horizon_days: int = 180, min_lead_days: int = 30) -> list[RuleEffect]:
    groups: dict[tuple[str, int], list[RaisedWarning]] = {}
    for w in warnings:
        groups.setdefault((w.rule_id, w.rule_version), []).append(w)
    return [_one(key, items, defaults, as_of, horizon_days, min_lead_days)
            for key, items in sorted(groups.items())]


def _one(key: tuple[str, int], items: list[RaisedWarning], defaults: Mapping[str, date],
         as_of: date, horizon: int, min_lead: int) -> RuleEffect:
    evaluated = 0
    leads: list[int] = []
    for w in items:
        defaulted = defaults.get(w.loan_id)
        if defaulted is not None and defaulted < w.raised:
            continue
        lead = (defaulted - w.raised).days if defaulted is not None else None
        if lead is not None and lead <= horizon:
            evaluated += 1
            leads.append(lead)
        elif (as_of - w.raised).days >= horizon:
            evaluated += 1
    caught = {w.loan_id for w in items if w.loan_id in defaults
              and (defaults[w.loan_id] - w.raised).days >= min_lead}
    return RuleEffect(
        rule_id=key[0], rule_version=key[1], warnings=len(items), evaluated=evaluated,
        followed_by_default=len(leads), precision=_ratio(len(leads), evaluated),
        defaults=len(defaults), caught_defaults=len(caught),
        recall=_ratio(len(caught), len(defaults)),
        median_lead_days=float(median(leads)) if leads else None)
