"""Contact stops: which stops an agent may record and when a hardship pause ends. Pure
rules."""
from __future__ import annotations

import enum
from datetime import date, timedelta
from typing import Any, Mapping

from services.crm.domain.care import CareRuleError


class StopReason(str, enum.Enum):
    """Stops an agent records by hand; complaints stop contact by themselves."""

    cease_request = "cease_request"
    dispute = "dispute"
    hardship_pause = "hardship_pause"


# Legal events after which the bank must not pursue the debtor by contact (domain.md).
LEGAL_STOP_KINDS = ("bankruptcy", "deceased")


def legal_stop_kind(change_kind: str, new: Mapping[str, Any]) -> str | None:
    """The stop a customer-profile change calls for: bankruptcy or death, else none."""
    kind = new.get("kind") if change_kind == "legal_event" else None
    return kind if kind in LEGAL_STOP_KINDS else None


def check_stop(reason: StopReason, effective_date: date, until_date: date | None,
               max_pause_days: int) -> None:
    if reason is StopReason.hardship_pause:
        if until_date is None:
            raise CareRuleError("a hardship pause needs an until_date", code="until_required")
        if not effective_date < until_date <= effective_date + timedelta(days=max_pause_days):
            raise CareRuleError(f"a hardship pause ends after it starts and lasts at most "
                                f"{max_pause_days} days", code="pause_too_long")
    elif until_date is not None and until_date <= effective_date:
        raise CareRuleError("until_date must come after effective_date", code="bad_until")


def pause_has_ended(until_date: date | None, as_of: date) -> bool:
    """A pause covers its until_date; contact is allowed again the day after."""
    return until_date is not None and as_of > until_date
