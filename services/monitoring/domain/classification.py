"""Days past due, buckets, the five-category classification and the IFRS 9 stage.

Pure rules: no I/O, `as_of` is always passed in. The SQL ageing run
(`services.monitoring.ageing`) builds its CASE expressions from `rules(policy)` below, so
the set-based run and `classify()` share one rule table and cannot drift apart.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Iterable, Sequence


class Classification(str, Enum):
    """Regulatory five categories (CBIRC/PBOC 2023), best first."""

    normal = "normal"
    special_mention = "special_mention"
    substandard = "substandard"
    doubtful = "doubtful"
    loss = "loss"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    @property
    def is_npl(self) -> bool:
        return self.rank >= Classification.substandard.rank

    @classmethod
    def from_rank(cls, rank: int) -> "Classification":
        return _ORDER[rank]


_ORDER = tuple(Classification)
NPL_CLASSES = tuple(c for c in Classification if c.is_npl)
CORPORATE = "corporate"


def bucket_names(bound_count: int) -> tuple[str, ...]:
    """("current", "M1", ..., "M<n>", "M<n+1>+") for n upper bounds."""
    return ("current", *(f"M{i}" for i in range(1, bound_count + 1)), f"M{bound_count + 1}+")


BUCKETS = bucket_names(4)


class PolicyError(ValueError):
    """The ageing numbers contradict each other."""


@dataclass(frozen=True)
class AgeingPolicy:
    """Every number the ageing rules need; defaults are domain.md's."""

    materiality_threshold: Decimal = Decimal("1.00")
    bucket_bounds: tuple[int, ...] = (30, 60, 90, 180)
    technical_grace_days: int = 7
    substandard_after_days: int = 90
    doubtful_after_days: int = 270
    loss_after_days: int = 360
    credit_card_products: tuple[str, ...] = ("credit_card",)
    credit_card_bounds: tuple[int, int, int] = (90, 120, 180)
    corporate_npl_contagion_share: Decimal = Decimal("0.10")
    observation_min_periods: int = 2
    observation_min_months: int = 12
    ifrs9_stage2_after_days: int = 30
    ifrs9_stage3_after_days: int = 90
    dpd_milestones: tuple[int, ...] = (1, 8, 30, 31, 60, 61, 90, 91, 180, 181, 270, 271, 360, 361)
    rule_version: str = "cn-2023-07-v1"

    def __post_init__(self) -> None:
        _check_increasing("bucket_bounds", (0, *self.bucket_bounds))
        _check_increasing("overdue days", (
            -1, self.technical_grace_days, self.substandard_after_days,
            self.doubtful_after_days, self.loss_after_days))
        _check_increasing("credit_card_bounds", (0, *self.credit_card_bounds))
        _check_increasing("ifrs9 days", (-1, self.ifrs9_stage2_after_days,
                                         self.ifrs9_stage3_after_days))
        if len(self.credit_card_bounds) != 3:
            raise PolicyError("credit_card_bounds needs special mention, substandard, doubtful")
        # Money is stored in cents, so the SQL compares whole cents (exact on SQLite too).
        if self.materiality_threshold < 0 or self.materiality_threshold != round(
                self.materiality_threshold, 2):
            raise PolicyError("materiality_threshold must be >= 0 with at most 2 decimals")
        if not Decimal(0) <= self.corporate_npl_contagion_share <= Decimal(1):
            raise PolicyError("corporate_npl_contagion_share must be within 0..1")

    @classmethod
    def from_settings(cls, settings: Any) -> "AgeingPolicy":
        """From the monitoring Settings (or anything with the same attribute names)."""
        return cls(**{f.name: _coerce(f.name, getattr(settings, f.name)) for f in fields(cls)})

    @property
    def buckets(self) -> tuple[str, ...]:
        return bucket_names(len(self.bucket_bounds))

    @property
    def materiality_cents(self) -> int:
        return int(self.materiality_threshold * 100)

    def is_credit_card(self, product: str) -> bool:
        return product in self.credit_card_products


def _coerce(name: str, value: Any) -> Any:
    if name in ("materiality_threshold", "corporate_npl_contagion_share"):
        return Decimal(str(value))
    if name == "dpd_milestones":
        return tuple(sorted(set(value)))
    return tuple(value) if isinstance(value, list) else value


def _check_increasing(name: str, values: Sequence[int]) -> None:
    if any(b <= a for a, b in zip(values, values[1:])):
        raise PolicyError(f"{name} must be strictly increasing and positive: {values[1:]}")


# --- days past due and buckets ----------------------------------------------------------

@dataclass(frozen=True)
class InstallmentFacts:
    due_date: date
    principal_due: Decimal
    interest_due: Decimal
    principal_paid: Decimal = Decimal("0")
    interest_paid: Decimal = Decimal("0")
    superseded: bool = False

    @property
    def unpaid(self) -> Decimal:
        return self.principal_due + self.interest_due - self.principal_paid - self.interest_paid


def days_past_due(as_of: date, installments: Iterable[InstallmentFacts],
                  policy: AgeingPolicy) -> int:
    """as_of minus the due date of the oldest live installment due before as_of whose
    unpaid amount is above the materiality threshold; 0 when there is none."""
    overdue = [i.due_date for i in installments
               if not i.superseded and i.due_date < as_of
               and i.unpaid > policy.materiality_threshold]
    return (as_of - min(overdue)).days if overdue else 0


def bucket_for(dpd: int, policy: AgeingPolicy) -> str:
    names = policy.buckets
    if dpd <= 0:
        return names[0]
    for name, upper in zip(names[1:], policy.bucket_bounds):
        if dpd <= upper:
            return name
    return names[-1]


def crossed_milestones(old_dpd: int, new_dpd: int, policy: AgeingPolicy) -> tuple[int, ...]:
    """Milestones m with old < m <= new (worsening) or new < m <= old (improving)."""
    low, high = sorted((old_dpd, new_dpd))
    return tuple(m for m in policy.dpd_milestones if low < m <= high)



# --- restructuring and its observation period -------------------------------------------

def in_observation(as_of: date, restructured_date: date | None,
                   observation_start_date: date | None,
                   observation_end_date: date | None) -> bool:
    """From the restructuring (or, failing that, the observation start) through the last
    day of the observation period, inclusive. A loan restructured but whose period end is
    not known yet counts as in observation: the conservative reading."""
    start = restructured_date or observation_start_date
    if start is None or as_of < start:
        return False
    return observation_end_date is None or as_of <= observation_end_date


def observation_end(first_due_after_restructure: date, due_dates_of_new_schedule: Sequence[date],
                    policy: AgeingPolicy) -> date:
    """Last day of the observation period, which starts on the first repayment date D1
    after the restructuring. It must cover `observation_min_periods` whole repayment
    periods counted from D1 (so it cannot end before the min_periods-th due date after
    D1: with 2 periods and monthly dues D1, D2, D3 it ends no earlier than D3), and it
    must last `observation_min_months` calendar months from D1 (the day is clamped to the
    month's end). The end is the later of the two. A schedule with too few dues after D1
    (e.g. a bullet) ends the periods test at its last due date."""
    later = sorted({d for d in due_dates_of_new_schedule if d > first_due_after_restructure})
    periods_end = (later[policy.observation_min_periods - 1]
                   if len(later) >= policy.observation_min_periods
                   else (later[-1] if later else first_due_after_restructure))
    return max(periods_end, add_months(first_due_after_restructure, policy.observation_min_months))


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- the classification rules -----------------------------------------------------------

GENERAL, CREDIT_CARD, ANY = "general", "credit_card", "any"
CONTAGION_RULE = "corporate_npl_contagion"


@dataclass(frozen=True)
class LoanFacts:
    dpd: int
    product: str = ""
    customer_kind: str | None = None
    bankrupt: bool = False
    evading_debts: bool = False
    fund_misuse: bool = False
    in_observation: bool = False
    observation_breached: bool = False
    npl_contagion: bool = False  # the debtor passed `npl_contagion()` (corporate only)

    @property
    def observation_breach(self) -> bool:
        """Breached earlier (flag kept on the loan), or a payment is missed now inside it."""
        return self.observation_breached or (self.in_observation and self.dpd > 0)


@dataclass(frozen=True)
class Decision:
    classification: Classification
    ifrs9_stage: int
    reason: str


@dataclass(frozen=True)
class Rule:
    """One floor. A DPD rule fires when dpd > above_days on its scale; a fact rule fires
    when the named LoanFacts attribute is true."""

    name: str
    floor: Classification
    fact: str | None = None
    above_days: int = 0
    scale: str = ANY
    detail: str = ""

    def matches(self, facts: LoanFacts, policy: AgeingPolicy) -> bool:
        if self.fact is not None:
            return bool(getattr(facts, self.fact))
        card = policy.is_credit_card(facts.product)
        on_scale = self.scale == ANY or (self.scale == CREDIT_CARD) == card
        return on_scale and facts.dpd > self.above_days

    def reason(self, dpd: int, policy: AgeingPolicy) -> str:
        before, after = self.reason_parts(policy)
        return f"{before}{dpd}{after}" if self.fact is None else before + after

    def reason_parts(self, policy: AgeingPolicy) -> tuple[str, str]:
        """The text before and after the DPD figure (a fact rule has none in between)."""
        version = f" (rule {policy.rule_version})"
        if self.fact is not None:
            return f"{self.name}: {self.detail}", version
        return f"{self.name}: ", f" days past due{version}"


@lru_cache(maxsize=16)
def rules(policy: AgeingPolicy) -> tuple[Rule, ...]:
    """Ordered worst floor first, so the first matching rule sets the final class (the
    worst of all floors) and names the reason. Among equal floors the order below wins."""
    p = policy
    card_sm, card_sub, card_doubtful = p.credit_card_bounds
    loss, doubtful, sub, sm = (Classification.loss, Classification.doubtful,
                               Classification.substandard, Classification.special_mention)
    share = format((p.corporate_npl_contagion_share * 100).normalize(), "f")
    return (
        Rule("debtor_bankrupt", loss, fact="bankrupt", detail="debtor in bankruptcy liquidation"),
        Rule(f"overdue_beyond_{p.loss_after_days}_days", loss, above_days=p.loss_after_days,
             scale=GENERAL),
        Rule(f"credit_card_overdue_beyond_{card_doubtful}_days", loss, above_days=card_doubtful,
             scale=CREDIT_CARD),
        Rule("debtor_evading_debts", doubtful, fact="evading_debts", detail="debtor evading debts"),
        Rule(f"overdue_beyond_{p.doubtful_after_days}_days", doubtful,
             above_days=p.doubtful_after_days, scale=GENERAL),
        Rule(f"credit_card_overdue_beyond_{card_sub}_days", doubtful, above_days=card_sub,
             scale=CREDIT_CARD),
        Rule(f"overdue_beyond_{p.substandard_after_days}_days", sub,
             above_days=p.substandard_after_days, scale=GENERAL),
        Rule(f"credit_card_overdue_beyond_{card_sm}_days", sub, above_days=card_sm,
             scale=CREDIT_CARD),
        Rule("observation_breached", sub, fact="observation_breach",
             detail="missed payment or new restructuring in the observation period"),
        Rule(CONTAGION_RULE, sub, fact="npl_contagion",
             detail=f"over {share}% of the corporate debtor's balance is non-performing"),
        Rule(f"overdue_beyond_{p.technical_grace_days}_days", sm,
             above_days=p.technical_grace_days, scale=GENERAL),
        Rule("credit_card_overdue", sm, above_days=0, scale=CREDIT_CARD),
        Rule("restructured_in_observation", sm, fact="in_observation",
             detail="restructured, observation period not over"),
        Rule("fund_misuse", sm, fact="fund_misuse", detail="funds used for an unapproved purpose"),
        Rule("performing", Classification.normal, above_days=-1),
    )


def ifrs9_stage(dpd: int, in_observation: bool, classification: Classification,
                policy: AgeingPolicy) -> int:
    """> stage3 days or non-performing: 3; > stage2 days, forborne (in observation) or
    special mention: at least 2."""
    if dpd > policy.ifrs9_stage3_after_days or classification.is_npl:
        return 3
    if (dpd > policy.ifrs9_stage2_after_days or in_observation
            or classification is Classification.special_mention):
        return 2
    return 1


def classify(facts: LoanFacts, policy: AgeingPolicy) -> Decision:
    rule = next(r for r in rules(policy) if r.matches(facts, policy))
    stage = ifrs9_stage(facts.dpd, facts.in_observation, rule.floor, policy)
    return Decision(rule.floor, stage, rule.reason(facts.dpd, policy))


def npl_contagion(customer_kind: str | None,
                  balances: Iterable[tuple[Decimal, Classification]],
                  policy: AgeingPolicy) -> bool:
    """Non-retail debtor rule: more than the contagion share of a corporate debtor's
    outstanding balance at the bank is non-performing, so all its loans are."""
    if customer_kind != CORPORATE:
        return False
    pairs = list(balances)
    total = sum((amount for amount, _ in pairs), Decimal(0))
    npl = sum((amount for amount, c in pairs if c.is_npl), Decimal(0))
    return npl > policy.corporate_npl_contagion_share * total


def contagion_rule(policy: AgeingPolicy) -> Rule:
    return next(r for r in rules(policy) if r.name == CONTAGION_RULE)
