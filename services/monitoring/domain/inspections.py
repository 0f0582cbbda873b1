"""On-site inspections (现场检查): when a loan must be visited, and what a report must say.

Pure rules: no I/O, dates are always passed in. Bank practice (domain.md): a first check
within 15 days of disbursement, a fund-usage check within 3 months for borrower-paid
(自主支付) loans, routine checks at a frequency set by the risk grade, a check soon after an
orange or red warning, and an explanation for every financial item that moved more than 30%.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Mapping, Protocol

from pydantic import BaseModel, ConfigDict, Field


class TaskKind(str, Enum):
    first_check = "first_check"
    fund_usage = "fund_usage"
    routine = "routine"
    warning_triggered = "warning_triggered"


class TaskStatus(str, Enum):
    open = "open"
    assigned = "assigned"
    completed = "completed"


OPEN_STATUSES = (TaskStatus.open.value, TaskStatus.assigned.value)
SELF_PAID = "self"


@dataclass(frozen=True)
class InspectionPolicy:
    """Every number the inspection rules need; defaults are domain.md's."""

    first_inspection_days: int = 15
    fund_usage_check_days: int = 90
    routine_days: tuple[tuple[str, int], ...] = (
        ("normal", 365), ("special_mention", 90), ("substandard", 30), ("doubtful", 30),
        ("loss", 30),
    )
    # A routine task appears this many days before it is due, so the inspector has the
    # same working window as for the first check instead of a task due on the day it appears.
    routine_lead_days: int = 15
    warning_inspection_days: int = 7
    warning_levels: tuple[str, ...] = ("orange", "red")
    financial_change_threshold: Decimal = Decimal("0.30")

    def __post_init__(self) -> None:
        if not self.routine_days or min(days for _, days in self.routine_days) < 1:
            raise ValueError("every routine inspection frequency must be at least one day")

    def routine_frequency(self, classification: str) -> int:
        """Days between routine checks. An unknown grade gets the shortest frequency: when
        the risk is unclear the loan is visited more often, never less."""
        return dict(self.routine_days).get(classification, self.shortest_routine_days)

    @property
    def shortest_routine_days(self) -> int:
        return min(days for _, days in self.routine_days)

    @classmethod
    def from_settings(cls, settings: Any) -> "InspectionPolicy":
        return cls(
            first_inspection_days=settings.first_inspection_days,
            fund_usage_check_days=settings.fund_usage_check_days,
            routine_days=tuple(sorted(settings.routine_inspection_days.items())),
            # Optional until the service settings carry it; the default is the rule's.
            routine_lead_days=getattr(settings, "routine_inspection_lead_days",
                                      cls.routine_lead_days),
            warning_inspection_days=settings.warning_inspection_days,
            warning_levels=tuple(settings.warning_inspection_levels),
            financial_change_threshold=Decimal(str(settings.financial_change_threshold)),
        )


@dataclass(frozen=True)
class LoanFacts:
    loan_id: str
    customer_id: str
    disbursed_date: date
    payment_mode: str


@dataclass(frozen=True)
class PlannedTask:
    kind: TaskKind
    due_date: date
    reason: str


def tasks_on_disbursal(loan: LoanFacts, policy: InspectionPolicy) -> list[PlannedTask]:
    first = policy.first_inspection_days
    tasks = [PlannedTask(TaskKind.first_check, loan.disbursed_date + timedelta(days=first),
                         f"first post-loan check within {first} days of disbursement")]
    # When the bank pays the supplier (受托支付) it saw where the money went; when the
    # borrower receives the funds, only a visit can confirm the approved purpose.
    if loan.payment_mode == SELF_PAID:
        days = policy.fund_usage_check_days
        tasks.append(PlannedTask(TaskKind.fund_usage, loan.disbursed_date + timedelta(days=days),
                                 f"fund-usage check within {days} days for a borrower-paid loan"))
    return tasks


def routine_due(last_done_or_disbursed: date, classification: str,
                policy: InspectionPolicy) -> date:
    return last_done_or_disbursed + timedelta(days=policy.routine_frequency(classification))


def latest_routine_base(as_of: date, classification: str, policy: InspectionPolicy) -> date:
    """The latest last-inspection (or disbursal) date whose routine check is due within the
    lead window on `as_of`: base + frequency <= as_of + lead."""
    return as_of + timedelta(days=policy.routine_lead_days
                             - policy.routine_frequency(classification))


def routine_task(last_done_or_disbursed: date, classification: str, as_of: date,
                 policy: InspectionPolicy) -> PlannedTask | None:
    """The routine task to create on `as_of`, if its due date is within the lead window.
    A task is never due before the day it is created: a late schedule (a downgrade that
    shortened the frequency) makes the visit due today, not retroactively overdue."""
    if last_done_or_disbursed > latest_routine_base(as_of, classification, policy):
        return None
    due = routine_due(last_done_or_disbursed, classification, policy)
    days = policy.routine_frequency(classification)
    return PlannedTask(TaskKind.routine, max(due, as_of),
                       f"routine check every {days} days for a {classification} loan; "
                       f"last inspected or disbursed {last_done_or_disbursed.isoformat()}")


def task_for_warning(level: str, as_of: date, policy: InspectionPolicy) -> PlannedTask | None:
    if level not in policy.warning_levels:
        return None
    days = policy.warning_inspection_days
    return PlannedTask(TaskKind.warning_triggered, as_of + timedelta(days=days),
                       f"{level} warning: on-site check within {days} days")


# --- financial changes -------------------------------------------------------------------

FINANCIAL_ITEMS = ("revenue", "net_profit", "total_assets", "total_liabilities",
                   "current_assets", "current_liabilities", "operating_cash_flow")


class Statement(Protocol):
    """Any object carrying the reported figures (the stored statement fits)."""

    revenue: Decimal
    net_profit: Decimal
    total_assets: Decimal
    total_liabilities: Decimal
    current_assets: Decimal
    current_liabilities: Decimal
    operating_cash_flow: Decimal


def financial_changes_requiring_explanation(
    previous_statement: Statement | None, latest_statement: Statement | None,
    threshold: Decimal,
) -> list[str]:
    """Items whose relative change exceeds `threshold` (strictly: exactly 30% needs none).
    The change is measured against the previous value's magnitude, so a profit turning into
    a loss counts; anything moving away from zero is an unbounded change."""
    if previous_statement is None or latest_statement is None:
        return []
    moved = []
    for item in FINANCIAL_ITEMS:
        before = Decimal(getattr(previous_statement, item))
        after = Decimal(getattr(latest_statement, item))
        if before == 0:
            if after != 0:
                moved.append(item)
        elif abs(after - before) / abs(before) > threshold:
            moved.append(item)
    return moved


# --- the report ------------------------------------------------------------------------

TEXT_SECTIONS = ("summary", "borrower_operations", "financial_condition",
                 "collateral_condition", "repayment_ability", "risk_assessment")


class InspectionReport(BaseModel):
    """A report as written. Sections default to empty so that `check_report` can name every
    missing item at once instead of failing on the first."""

    model_config = ConfigDict(frozen=True)

    summary: str = ""
    borrower_operations: str = ""
    financial_condition: str = ""
    collateral_condition: str = ""
    repayment_ability: str = ""
    risk_assessment: str = ""
    recommended_measures: list[str] = Field(default_factory=list)
    attachments: list[str] = Field(default_factory=list)
    inspector: str = ""
    inspected_at: datetime | None = None
    fund_usage_compliant: bool | None = None
    financial_change_explanations: dict[str, str] = Field(default_factory=dict)


class ReportIncomplete(ValueError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"the inspection report is incomplete; missing: {', '.join(missing)}")
        self.missing = missing


def missing_items(report: InspectionReport, *, kind: TaskKind,
                  changed_items: list[str]) -> list[str]:
    missing = [name for name in TEXT_SECTIONS if not getattr(report, name).strip()]
    if not [m for m in report.recommended_measures if m.strip()]:
        missing.append("recommended_measures")
    if not report.inspector.strip():
        missing.append("inspector")
    if report.inspected_at is None or report.inspected_at.tzinfo is None:
        missing.append("inspected_at")
    if kind is TaskKind.fund_usage and report.fund_usage_compliant is None:
        missing.append("fund_usage_compliant")
    explained = _explained(report.financial_change_explanations)
    missing += [f"financial_change_explanations.{item}"
                for item in changed_items if item not in explained]
    return missing


def check_report(report: InspectionReport, *, kind: TaskKind, changed_items: list[str]) -> None:
    missing = missing_items(report, kind=kind, changed_items=changed_items)
    if missing:
        raise ReportIncomplete(missing)


def _explained(explanations: Mapping[str, str]) -> set[str]:
    return {item for item, text in explanations.items() if text.strip()}


def reveals_fund_misuse(report: InspectionReport) -> bool:
    """Only an explicit "not compliant" is a finding; a report silent on it is not."""
    return report.fund_usage_compliant is False
