"""Rule evaluation: a normalised signal (one fact about a loan or its borrower) goes in;
for each rule the answer is fire (with level and evidence), clear (the condition ended) or
nothing (the signal says nothing about that rule). Pure: no I/O, dates passed in."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping

from services.warning.domain.catalogue import LEGAL_RULES, Rule, RuleSet
from services.warning.domain.windows import count_within, longest_run

CURED_CLEARS = ("BEH_DPD", "BEH_INSTALLMENT_MISSED", "BEH_CONSECUTIVE_MISSED",
                "BEH_PARTIAL_PAYMENT")


@dataclass(frozen=True)
class Signal:
    kind: str
    as_of: date
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fire:
    level: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class Clear:
    reason: str


Outcome = Fire | Clear | None
Evaluator = Callable[[Rule, Signal, Mapping[str, Any] | None], Outcome]


def _d(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, (Decimal, date)) else v) for k, v in values.items()}


def _fire(rule: Rule, **evidence: Any) -> Fire:
    return Fire(rule.level, _plain(evidence))


def installment_missed(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
    if s.kind == "cured":
        return Clear("loan_cured")
    if s.kind != "installment_missed":
        return None
    return _fire(rule, installment_no=s.values["installment_no"],
                 due_date=s.values["due_date"], unpaid_amount=s.values["unpaid_amount"])


def dpd(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
    if s.kind == "cured":
        return Clear("loan_cured")
    if s.kind != "delinquency":
        return None
    days = int(s.values["dpd"])
    reached = [(at, level) for level, at in rule.params["levels"].items() if days >= int(at)]
    if not reached:
        return Clear("loan_cured") if days == 0 else None
    threshold, level = max(reached)
    return Fire(level, _plain({"dpd": days, "bucket": s.values.get("bucket"),
                               "threshold": threshold}))


def consecutive_missed(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
    if s.kind == "cured":
        return Clear("loan_cured")
    if s.kind != "installment_missed":
        return None
    missed = [int(n) for n in s.values.get("missed_installments", ())]
    run = longest_run(missed)
    if run < int(rule.params["min_consecutive"]):
        return None
    return _fire(rule, consecutive=run, missed_installments=sorted(missed),
                 threshold=rule.params["min_consecutive"])


def partial_payment(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
    if s.kind == "cured":
        return Clear("loan_cured")
    if s.kind != "repayment":
        return None
    overdue = _d(s.values["overdue_amount"])
    if overdue is None or overdue <= 0:
        return None
    return _fire(rule, payment_id=s.values["payment_id"], amount=s.values["amount"],
                 overdue_amount=overdue)


def payment_reversed(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
    if s.kind != "reversal":
        return None
    return _fire(rule, payment_id=s.values["payment_id"], amount=s.values["amount"],
                 reason=s.values.get("reason"), overdue_amount=s.values.get("overdue_amount"))


def promise_broken(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
    if s.kind != "promise_broken":
        return None
    return _fire(rule, **{k: s.values.get(k) for k in ("promise_id", "amount", "due_date",
                                                       "paid_amount")})


def contact_changes(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
    if s.kind != "contact_changes":
        return None
    window = int(rule.params["window_days"])
    dates = [d for d in s.values["dates"] if count_within([d], as_of=s.as_of, window_days=window)]
    count = len(dates)
    if count < int(rule.params["min_changes"]):
        return None
    return _fire(rule, changes=count, window_days=window, dates=sorted(str(d) for d in dates))


def credit_score(rule: Rule, s: Signal, open_evidence: Mapping | None) -> Outcome:
    if s.kind != "credit_report" or s.values.get("new_score") is None:
        return None
    new, old = int(s.values["new_score"]), s.values.get("old_score")
    drop, floor = int(rule.params["drop"]), int(rule.params["floor"])
    fell = old is not None and int(old) - new >= drop
    if fell or new < floor:
        return _fire(rule, previous_score=old, score=new, drop=(int(old) - new) if old else None,
                     drop_threshold=drop, floor=floor)
    # Recovered: back above the floor and within `drop` of the score before the warning.
    baseline = (open_evidence or {}).get("previous_score")
    if baseline is None or new > int(baseline) - drop:
        return Clear("score_recovered")
    return None


def _drop_share(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    if old is None or new is None or old <= 0:
        return None
    return (old - new) / old


def income_drop(rule: Rule, s: Signal, open_evidence: Mapping | None) -> Outcome:
    if s.kind != "employment":
        return None
    limit = Decimal(str(rule.params["drop_share"]))
    share = _drop_share(_d(s.values.get("old_income")), _d(s.values.get("new_income")))
    if share is not None and share >= limit:
        return _fire(rule, previous_income=s.values["old_income"],
                     income=s.values["new_income"], drop_share=share.quantize(Decimal("0.0001")),
                     threshold=limit)
    baseline = _d((open_evidence or {}).get("previous_income"))
    new = _d(s.values.get("new_income"))
    if open_evidence is not None and new is not None and (
            baseline is None or new > baseline * (1 - limit)):
        return Clear("income_recovered")
    return None


def revenue_drop(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
    if s.kind != "financials":
        return None
    limit = Decimal(str(rule.params["drop_share"]))
    share = _drop_share(_d(s.values.get("prior_year_revenue")), _d(s.values.get("revenue")))
    if share is None:
        return None
    if share >= limit:
        return _fire(rule, revenue=s.values["revenue"],
                     prior_year_revenue=s.values["prior_year_revenue"],
                     prior_period_end=s.values.get("prior_period_end"),
                     drop_share=share.quantize(Decimal("0.0001")), threshold=limit)
    return Clear("revenue_recovered")


def _ratio_rule(kind: str, numerator: str, denominator: str, param: str, above: bool,
                reason: str) -> Evaluator:
    def evaluate(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
        if s.kind != kind:
            return None
        top, bottom = _d(s.values.get(numerator)), _d(s.values.get(denominator))
        if top is None or bottom is None or bottom <= 0:
            return None
        ratio, limit = top / bottom, Decimal(str(rule.params[param]))
        if (ratio > limit) if above else (ratio < limit):
            return _fire(rule, **{numerator: top, denominator: bottom,
                                  "ratio": ratio.quantize(Decimal("0.0001")), "threshold": limit})
        return Clear(reason)
    return evaluate


def overdue_elsewhere(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
    if s.kind != "credit_report" or s.values.get("overdue_accounts_elsewhere") is None:
        return None
    accounts = int(s.values["overdue_accounts_elsewhere"])
    if accounts >= int(rule.params["min_accounts"]):
        return _fire(rule, overdue_accounts_elsewhere=accounts,
                     previous=s.values.get("old_overdue_accounts_elsewhere"),
                     threshold=rule.params["min_accounts"])
    return Clear("overdue_elsewhere_settled")


def collateral_ltv(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
    if s.kind != "collateral" or s.values.get("loan_to_value") is None:
        return None
    ltv, limit = Decimal(str(s.values["loan_to_value"])), Decimal(str(rule.params["max_ltv"]))
    if ltv > limit:
        return _fire(rule, loan_to_value=ltv, threshold=limit,
                     collateral_id=s.values.get("collateral_id"),
                     total_collateral_value=s.values.get("total_collateral_value"))
    return Clear("ltv_back_within_limit")


def market_high_risk(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
    if s.kind != "market":
        return None
    if s.values["level"] in rule.params["levels"]:
        return _fire(rule, scope=s.values["scope"], code=s.values["code"],
                     level=s.values["level"], previous_level=s.values.get("previous_level"))
    return Clear("market_risk_lowered")


def _legal(kind: str) -> Evaluator:
    def evaluate(rule: Rule, s: Signal, _open: Mapping | None) -> Outcome:
        if s.kind != "legal" or s.values.get("kind") != kind:
            return None
        return _fire(rule, **{k: s.values.get(k) for k in ("kind", "event_date", "amount",
                                                           "case_no")})
    return evaluate


EVALUATORS: dict[str, Evaluator] = {
    "BEH_INSTALLMENT_MISSED": installment_missed,
    "BEH_DPD": dpd,
    "BEH_CONSECUTIVE_MISSED": consecutive_missed,
    "BEH_PARTIAL_PAYMENT": partial_payment,
    "BEH_PAYMENT_REVERSED": payment_reversed,
    "BEH_PROMISE_BROKEN": promise_broken,
    "BEH_CONTACT_CHANGES": contact_changes,
    "FIN_CREDIT_SCORE": credit_score,
    "FIN_INCOME_DROP": income_drop,
    "FIN_REVENUE_DROP": revenue_drop,
    "FIN_LEVERAGE": _ratio_rule("financials", "total_liabilities", "total_assets", "max_ratio",
                                True, "leverage_back_within_limit"),
    "FIN_CURRENT_RATIO": _ratio_rule("financials", "current_assets", "current_liabilities",
                                     "min_ratio", False, "current_ratio_recovered"),
    "FIN_OVERDUE_ELSEWHERE": overdue_elsewhere,
    "EXT_COLLATERAL_LTV": collateral_ltv,
    "EXT_MARKET_HIGH_RISK": market_high_risk,
    **{rule_id: _legal(kind) for kind, (rule_id, _, _) in LEGAL_RULES.items()},
}


def evaluate(rule_set: RuleSet, signal: Signal,
             open_evidence: Mapping[str, Mapping[str, Any]]) -> dict[str, Fire | Clear]:
    """Outcome per rule id for one signal; `open_evidence` is the evidence of each open
    warning on the loan (some rules clear relative to the value that raised them)."""
    outcomes: dict[str, Fire | Clear] = {}
    for rule_id, rule in rule_set.rules.items():
        evaluator = EVALUATORS.get(rule_id)
        if evaluator is None or not rule.enabled:
            continue
        outcome = evaluator(rule, signal, open_evidence.get(rule_id))
        if outcome is not None:
            outcomes[rule_id] = outcome
    return outcomes
