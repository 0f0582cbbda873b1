"""Events the warning service publishes on `postloan.warning.v1` (key: loan id)."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from shared.events.registry import Payload, event
from shared.events.topics import WARNING
from shared.events.types import IsoDate

_W = {"topic": WARNING, "key_field": "loan_id", "producer": "warning"}
LEVELS = ("blue", "yellow", "orange", "red")


class WarningFields(Payload):
    warning_id: str
    loan_id: str
    customer_id: str
    rule_id: str
    rule_version: int = Field(ge=1)
    family: str = Field(description="behavioural, financial or external")
    level: str = Field(pattern="^(blue|yellow|orange|red)$")
    as_of_date: IsoDate
    rule_set: str | None = Field(default=None,
                                 description="segment whose rule set applied (product or default)")
    rule_set_version: int | None = Field(default=None, ge=1)


@event("warning.warning.raised.v1", **_W)
class WarningRaised(WarningFields):
    """A rule fired for a loan; evidence holds the values that triggered it."""

    measure: str = Field(description="recommended measure")
    evidence: dict[str, Any]


@event("warning.warning.escalated.v1", **_W)
class WarningEscalated(WarningFields):
    """An open warning was re-raised at a higher level."""

    previous_level: str
    evidence: dict[str, Any]
    measure: str | None = Field(default=None, description="recommended measure")


@event("warning.warning.cleared.v1", **_W)
class WarningCleared(WarningFields):
    """The condition ended (loan cured, score recovered); the warning closed by itself."""

    reason: str


@event("warning.warning.resolved.v1", **_W)
class WarningResolved(WarningFields):
    """A risk officer closed the warning as confirmed or as a false alarm."""

    resolution: str = Field(pattern="^(confirmed|false_alarm)$")
    comment: str
    resolved_by: str
