"""Rules as data with maker-checker: a risk officer proposes a change to a segment's rule
set; it takes effect only when a different risk officer approves it. Each changed rule
gets a new version, so every warning's (rule id, version) names exactly the thresholds
that produced it."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

from services.warning.domain.catalogue import LEVELS, Rule, RuleSet


class RuleSetError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RuleChange:
    level: str | None = None
    measure: str | None = None
    params: Mapping[str, Any] | None = None
    enabled: bool | None = None


def apply_changes(base: RuleSet, changes: Mapping[str, RuleChange], *, segment: str,
                  latest_versions: Mapping[str, int] | None = None) -> RuleSet:
    """The proposed rule set: `base` with each change applied and that rule's version bumped
    past the newest version any segment has used, so (rule id, version) is unambiguous."""
    if not changes:
        raise RuleSetError("empty_change", "a proposal must change at least one rule")
    rules = dict(base.rules)
    for rule_id, change in changes.items():
        rule = rules.get(rule_id)
        if rule is None:
            raise RuleSetError("unknown_rule", f"no rule {rule_id} in the catalogue")
        newest = max(rule.version, (latest_versions or {}).get(rule_id, 0))
        rules[rule_id] = replace(_changed(rule, change), version=newest + 1)
    return RuleSet(segment, base.version + 1 if base.segment == segment else 1, rules)


def _changed(rule: Rule, change: RuleChange) -> Rule:
    if change.level is not None and change.level not in LEVELS:
        raise RuleSetError("invalid_level", f"level must be one of {', '.join(LEVELS)}")
    params = dict(rule.params)
    if change.params:
        unknown = set(change.params) - set(params)
        if unknown:
            raise RuleSetError("unknown_parameter",
                               f"{rule.rule_id} has no parameter {', '.join(sorted(unknown))}")
        params.update(change.params)
    updated = replace(rule, level=change.level or rule.level,
                      measure=change.measure or rule.measure, params=params,
                      enabled=rule.enabled if change.enabled is None else change.enabled)
    if updated == rule:
        raise RuleSetError("no_effect", f"the change to {rule.rule_id} changes nothing")
    return updated


def check_approval(*, proposed_by: str, approver: str, status: str) -> None:
    if status != "proposed":
        raise RuleSetError("not_proposed", f"the proposal is already {status}")
    if proposed_by == approver:
        raise RuleSetError("same_officer",
                           "a rule change must be approved by a different risk officer")
