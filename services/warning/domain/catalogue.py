"""The default rule catalogue (预警指标): every rule has an id, a family, a level, a
recommended measure, a version and its thresholds as data. Approved rule sets replace the
parameters per product or segment; the code only knows how to evaluate each rule id."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

LEVELS = ("blue", "yellow", "orange", "red")
FAMILIES = ("behavioural", "financial", "external")
DEFAULT_SEGMENT = "default"


def level_rank(level: str) -> int:
    return LEVELS.index(level)


@dataclass(frozen=True)
class Rule:
    rule_id: str
    family: str
    level: str
    measure: str
    version: int = 1
    params: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True

    def to_data(self) -> dict[str, Any]:
        return {"family": self.family, "level": self.level, "measure": self.measure,
                "version": self.version, "params": dict(self.params), "enabled": self.enabled}

    @classmethod
    def from_data(cls, rule_id: str, data: Mapping[str, Any]) -> "Rule":
        return cls(rule_id=rule_id, family=data["family"], level=data["level"],
                   measure=data["measure"], version=int(data["version"]),
                   params=dict(data.get("params") or {}), enabled=bool(data.get("enabled", True)))


@dataclass(frozen=True)
class RuleSet:
    segment: str
    version: int
    rules: Mapping[str, Rule]

    def to_data(self) -> dict[str, Any]:
        return {rule_id: rule.to_data() for rule_id, rule in sorted(self.rules.items())}

    @classmethod
    def from_data(cls, segment: str, version: int, data: Mapping[str, Any]) -> "RuleSet":
        return cls(segment, version, {k: Rule.from_data(k, v) for k, v in data.items()})

    def with_segment(self, segment: str, version: int) -> "RuleSet":
        return replace(self, segment=segment, version=version)


def _b(rule_id: str, level: str, measure: str, **params: Any) -> Rule:
    return Rule(rule_id, "behavioural", level, measure, params=params)


def _f(rule_id: str, level: str, measure: str, **params: Any) -> Rule:
    return Rule(rule_id, "financial", level, measure, params=params)


def _e(rule_id: str, level: str, measure: str, **params: Any) -> Rule:
    return Rule(rule_id, "external", level, measure, params=params)


LEGAL_RULES = {  # legal event kind -> (rule id, default level, measure)
    "lawsuit": ("EXT_LAWSUIT", "yellow", "review the claim and its effect on repayment capacity"),
    "enforcement": ("EXT_ENFORCEMENT", "orange", "check for asset freezes; on-site inspection"),
    "dishonest_debtor": ("EXT_DISHONEST_DEBTOR", "red", "stop further drawdowns; start recovery planning"),
    "tax_arrears": ("EXT_TAX_ARREARS", "yellow", "request an explanation and a repayment plan for the arrears"),
    "administrative_penalty": ("EXT_ADMIN_PENALTY", "blue", "record and review at the next routine check"),
    "bankruptcy": ("EXT_BANKRUPTCY", "red", "file the claim; freeze limits; start recovery"),
}


def default_rule_set(settings: Any) -> RuleSet:
    """The catalogue with the thresholds from settings (version 1 of every rule)."""
    s = settings
    rules = [
        _b("BEH_INSTALLMENT_MISSED", "blue", "remind the borrower within one business day"),
        _b("BEH_DPD", "blue", "collections contact; escalate with the level",
           levels=dict(s.dpd_levels)),
        _b("BEH_CONSECUTIVE_MISSED", "orange", "on-site visit; assess repayment capacity",
           min_consecutive=s.consecutive_missed_min),
        _b("BEH_PARTIAL_PAYMENT", "blue", "call the borrower about the shortfall"),
        _b("BEH_PAYMENT_REVERSED", "yellow", "verify the payment source and contact the borrower"),
        _b("BEH_PROMISE_BROKEN", "orange", "escalate the collection step"),
        _b("BEH_CONTACT_CHANGES", "yellow", "verify identity and contact details",
           min_changes=s.contact_changes_min, window_days=s.contact_window_days),
        _f("FIN_CREDIT_SCORE", "orange", "review the credit report; consider limit reduction",
           drop=s.credit_score_drop, floor=s.credit_score_floor),
        _f("FIN_INCOME_DROP", "yellow", "reassess affordability", drop_share=s.income_drop_share),
        _f("FIN_REVENUE_DROP", "orange", "request management accounts; on-site inspection",
           drop_share=s.revenue_drop_share),
        _f("FIN_LEVERAGE", "yellow", "review leverage and covenants",
           max_ratio=s.liabilities_to_assets_max),
        _f("FIN_CURRENT_RATIO", "yellow", "review liquidity and working capital",
           min_ratio=s.current_ratio_min),
        _f("FIN_OVERDUE_ELSEWHERE", "orange", "contact the borrower; check other lenders' actions",
           min_accounts=s.overdue_accounts_elsewhere_min),
        _e("EXT_COLLATERAL_LTV", "orange", "request additional collateral or partial repayment",
           max_ltv=s.ltv_max),
        _e("EXT_MARKET_HIGH_RISK", "yellow", "review exposure in the sector or region",
           levels=list(s.market_high_levels)),
    ]
    rules += [_e(rule_id, level, measure) for rule_id, level, measure in LEGAL_RULES.values()]
    return RuleSet(DEFAULT_SEGMENT, 1, {rule.rule_id: rule for rule in rules})


def _rule_ids() -> tuple[str, ...]:
    class _Defaults:  # the ids do not depend on thresholds
        dpd_levels = {"blue": 1}
        consecutive_missed_min = contact_changes_min = 2
        contact_window_days = credit_score_drop = credit_score_floor = 0
        income_drop_share = revenue_drop_share = liabilities_to_assets_max = "0"
        current_ratio_min = ltv_max = "0"
        overdue_accounts_elsewhere_min = 1
        market_high_levels = ["high"]
    return tuple(sorted(default_rule_set(_Defaults).rules))


RULE_IDS = _rule_ids()
