"""The audit trail on `postloan.audit.v1`: one event per entry every service records, for an
API call that changed (or tried to change) state or for an automated decision."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from shared.events.collections import ZonedDateTime
from shared.events.registry import Payload, event
from shared.events.topics import AUDIT

ENTRY_RECORDED = "audit.entry.recorded.v1"


@event(ENTRY_RECORDED, topic=AUDIT, key_field="entry_id", producer="every postloan service")
class AuditEntryRecorded(Payload):
    """Who or what changed what, when and why: an API call (one entry per changed row, or one
    for a call that changed nothing or was refused) or an automated decision. Personal data
    in `changes` and `reason` is masked."""

    entry_id: str
    recorded_at: ZonedDateTime
    service: str
    kind: str = Field(pattern="^(api_call|decision)$")
    actor: str = Field(description="the caller's subject, or system:<service> for a decision")
    actor_roles: list[str]
    actor_team: str | None = None
    action: str = Field(description="METHOD /v1/path-template, or the decision's event type")
    target: str | None = Field(default=None, description="the request path of an API call")
    entity_type: str | None = None
    entity_id: str | None = None
    changes: dict[str, Any] = Field(description="field -> [old, new]")
    reason: str | None = None
    cause_event_id: str | None = None
    cause_event_type: str | None = None
    outcome: str = Field(pattern="^(committed|no_change|refused|failed|decided)$")
    status_code: int | None = None
    error_code: str | None = None
    correlation_id: str | None = None
