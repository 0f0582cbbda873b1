"""Hardship and restructuring requests: who may ask, what may be asked, and maker-checker.

Eligibility is checked in full and every failed rule is reported at once, so an agent can
tell the customer everything that stands in the way."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.crm.domain import schedule as amort
from services.crm.domain.schedule import Installment, ScheduleError, Terms


class Kind(str, enum.Enum):
    extension = "extension"
    payment_holiday = "payment_holiday"
    reduced_installment = "reduced_installment"
    interest_waiver = "interest_waiver"
    fee_waiver = "fee_waiver"


class HardshipReason(str, enum.Enum):
    job_loss = "job_loss"
    income_drop = "income_drop"
    illness = "illness"
    business_downturn = "business_downturn"
    natural_disaster = "natural_disaster"
    family_event = "family_event"
    other = "other"


class Status(str, enum.Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class RestructuringRuleError(Exception):
    code = "restructuring_rule"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class NotEligible(RestructuringRuleError):
    code = "not_eligible"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("not eligible: " + "; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class EligibilityPolicy:
    max_dpd: int = 90
    lookback_months: int = 12
    max_extension_installments: int = 24
    max_holiday_months: int = 6
    max_reduced_months: int = 12

    @classmethod
    def from_settings(cls, settings: object) -> "EligibilityPolicy":
        return cls(**{name: getattr(settings, f"restructuring_{name}")
                      for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Arrangement:
    """What is asked for; only the fields of its kind are used."""

    kind: Kind
    extra_installments: int = 0
    holiday_months: int = 0
    reduced_months: int = 0
    reduced_amount: Decimal = Decimal("0")
    waived_amount: Decimal = Decimal("0")


@dataclass(frozen=True)
class LoanFacts:
    loan_status: str | None  # None: the loan is not known to crm
    dpd: int
    last_restructured_date: date | None
    has_open_request: bool


@dataclass(frozen=True)
class Request:
    reason: HardshipReason
    description: str
    arrangement: Arrangement
    requested_date: date
    facts: LoanFacts = field(repr=False)


def _months_between(earlier: date, later: date) -> int:
    whole = (later.year - earlier.year) * 12 + later.month - earlier.month
    return whole - (1 if later.day < earlier.day else 0)


def _arrangement_problems(a: Arrangement, policy: EligibilityPolicy) -> list[str]:
    limits = {
        Kind.extension: (a.extra_installments, policy.max_extension_installments,
                         "extra_installments"),
        Kind.payment_holiday: (a.holiday_months, policy.max_holiday_months, "holiday_months"),
        Kind.reduced_installment: (a.reduced_months, policy.max_reduced_months,
                                   "reduced_months"),
    }
    if a.kind in limits:
        value, limit, name = limits[a.kind]
        if not 1 <= value <= limit:
            return [f"{name} must be between 1 and {limit}"]
        if a.kind is Kind.reduced_installment and a.reduced_amount <= 0:
            return ["reduced_amount must be above 0"]
        return []
    return [] if a.waived_amount > 0 else ["waived_amount must be above 0"]


def eligibility_problems(request: Request, policy: EligibilityPolicy) -> list[str]:
    facts, problems = request.facts, []
    if facts.loan_status is None:
        problems.append("the loan is not known")
    elif facts.loan_status != "active":
        problems.append(f"the loan is {facts.loan_status}, not active")
    if facts.dpd > policy.max_dpd:
        problems.append(f"{facts.dpd} days past due is above the limit of {policy.max_dpd}; "
                        "this belongs to collections")
    if (facts.last_restructured_date is not None and _months_between(
            facts.last_restructured_date, request.requested_date) < policy.lookback_months):
        problems.append(f"restructured on {facts.last_restructured_date}, within the last "
                        f"{policy.lookback_months} months")
    if facts.has_open_request:
        problems.append("another request for this loan is still pending")
    if not request.description.strip():
        problems.append("the hardship must be described")
    return problems + _arrangement_problems(request.arrangement, policy)


def check_eligible(request: Request, policy: EligibilityPolicy) -> None:
    problems = eligibility_problems(request, policy)
    if problems:
        raise NotEligible(problems)


def check_may_decide(*, status: Status, proposed_by: str, decided_by: str) -> None:
    if status is not Status.pending:
        raise RestructuringRuleError(f"the request is already {status.value}",
                                     code="request_decided")
    # Maker-checker: the person who proposed an arrangement never approves or rejects it.
    if decided_by == proposed_by:
        raise RestructuringRuleError("the proposer cannot decide their own request",
                                     code="maker_checker")


def new_schedule(arrangement: Arrangement, terms: Terms) -> list[Installment]:
    a = arrangement
    if a.kind is Kind.extension:
        return amort.re_amortise(terms, extra_installments=a.extra_installments)
    if a.kind is Kind.payment_holiday:
        return amort.payment_holiday(terms, holiday_months=a.holiday_months)
    if a.kind is Kind.reduced_installment:
        return amort.reduced_installment(terms, reduced_months=a.reduced_months,
                                         reduced_amount=a.reduced_amount)
    base = amort.re_amortise(terms)
    if a.kind is Kind.interest_waiver:
        return amort.waive_interest(base, a.waived_amount)
    # A fee waiver leaves principal and interest as they are; the waived fees travel in
    # the event beside the (unchanged-terms) schedule.
    return base


def check_schedule_starts_after(items: list[Installment], effective_date: date) -> None:
    if items and items[0].due_date <= effective_date:
        raise ScheduleError("the first new installment must fall due after the effective date")
