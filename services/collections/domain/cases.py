"""Case lifecycle rules: when a debtor's case opens, reopens and closes. One open case per
customer links every delinquent loan of that customer."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Sequence

BUCKET_RANK = {"current": 0, "M1": 1, "M2": 2, "M3": 3, "M4": 4, "M5+": 5}


class CaseStatus(str, enum.Enum):
    open = "open"
    closed = "closed"


class Outcome(str, enum.Enum):
    cured = "cured"
    settled = "settled"
    written_off = "written_off"
    transferred = "transferred"


class Resolution(str, enum.Enum):
    """Where one linked loan stands inside its case."""

    delinquent = "delinquent"
    cured = "cured"
    settled = "settled"
    written_off = "written_off"
    transferred = "transferred"


# A case that mixes resolutions reports the worst one: a write-off outweighs a cure.
_OUTCOME_WEIGHT = {Resolution.cured: 0, Resolution.settled: 1, Resolution.transferred: 2,
                   Resolution.written_off: 3}


@dataclass(frozen=True)
class LoanPosition:
    """The latest state of a loan as monitoring reported it, as of a business date."""

    loan_id: str
    dpd: int
    bucket: str
    overdue_amount: Decimal
    as_of_date: date


def bucket_rank(bucket: str | None) -> int:
    return BUCKET_RANK.get(bucket or "current", 0)


def is_newer(incoming: date, stored: date | None) -> bool:
    """Reordered events: an older snapshot never overwrites a newer one (same date applies,
    because a repayment later that day supersedes the morning's ageing)."""
    return stored is None or incoming >= stored


def should_open(*, dpd: int, open_dpd: int) -> bool:
    return dpd >= max(open_dpd, 1)


def opens_on_warning(level: str, levels: Sequence[str]) -> bool:
    return level in levels


def is_cured(position: LoanPosition) -> bool:
    return position.overdue_amount <= 0 and position.dpd == 0


def ends_warning_case(resolution: str | None) -> bool:
    """A warning resolved as confirmed keeps its case; cleared (no resolution) or resolved
    as a false alarm ends it."""
    return resolution in (None, "false_alarm")


def resolution_after_close(reason: str) -> Resolution:
    """A loan the bank closed: repaid counts as cured, otherwise the bank's reason."""
    return {"written_off": Resolution.written_off,
            "transferred": Resolution.transferred}.get(reason, Resolution.cured)


def closing_outcome(resolutions: Sequence[Resolution]) -> Outcome | None:
    """The case closes when no linked loan is still delinquent; None keeps it open."""
    if not resolutions or any(r is Resolution.delinquent for r in resolutions):
        return None
    worst = max(resolutions, key=lambda r: _OUTCOME_WEIGHT[r])
    return Outcome(worst.value)


def reopens(last_outcome: str | None) -> bool:
    """A debtor who cured and fell behind again continues the same case (history stays
    together); settled, written-off or transferred cases stay closed and a new one opens."""
    return last_outcome == Outcome.cured.value


def risk_segment(*, classification: str | None, red_warning: bool,
                 high_risk_classifications: Sequence[str]) -> str:
    return "high" if red_warning or (classification in high_risk_classifications) else "standard"


def balance_band(amount: Decimal, bands: dict[str, Decimal | None]) -> str:
    """Bands in ascending order of their upper bound; the unbounded one is last."""
    ordered = sorted(bands.items(), key=lambda kv: (kv[1] is None, kv[1] or Decimal(0)))
    for name, upper in ordered:
        if upper is None or amount <= upper:
            return name
    return ordered[-1][0]
