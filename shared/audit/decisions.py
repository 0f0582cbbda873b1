"""Automated decisions: each service names which of its event types are decisions worth an
audit entry; the publisher records one whenever such an event goes on the outbox, so no
decision path can forget it."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit.masking import mask_field, masked_changes, plain, scrub_text
from shared.audit.store import AuditTrail, call_correlation, new_entry, write
from shared.events.audit import AuditEntryRecorded
from shared.events.envelope import Envelope

_NAMESPACE = uuid.UUID("0c6b7f0e-5d7e-4a53-9c56-1f3e2a8d4b90")


@dataclass(frozen=True)
class Decision:
    """How to read one decision event: the entity it decides about, which payload fields
    explain it, and which carry the change (field -> (previous field or None, new field)).
    `only_if` narrows the type to the payloads that are decisions (a refused contact)."""

    entity_type: str
    entity_id_field: str
    reason_fields: tuple[str, ...] = ("reason",)
    changes: Mapping[str, tuple[str | None, str]] = field(default_factory=dict)
    only_if: Callable[[dict[str, Any]], bool] | None = None

    def applies_to(self, data: dict[str, Any]) -> bool:
        return self.only_if is None or self.only_if(data)

    def reason(self, data: dict[str, Any]) -> str | None:
        present = [(name, data[name]) for name in self.reason_fields if data.get(name) is not None]
        if not present:
            return None
        if len(present) == 1:
            return scrub_text(str(plain(present[0][1])))
        return scrub_text("; ".join(f"{name}={plain(value)}" for name, value in present))

    def change(self, data: dict[str, Any]) -> dict[str, list[Any]]:
        if not self.changes:
            # Nothing declared: the whole payload is what was decided.
            return {name: [None, mask_field(name, plain(value))] for name, value in data.items()}
        return masked_changes({name: (data.get(old) if old else None, data.get(new))
                               for name, (old, new) in self.changes.items()})


def entry_id_for(decision_event: Envelope) -> str:
    # Derived from the decision's own id, which the publisher derives from its cause: a
    # replayed cause yields the same entry id, so it cannot be recorded twice.
    return str(uuid.uuid5(_NAMESPACE, decision_event.id))


def decision_entry(
    trail: AuditTrail, decision: Decision, envelope: Envelope, *,
    cause: Envelope | None, correlation_id: str | None,
) -> AuditEntryRecorded:
    # Dated like the decision itself (its cause's time): a replay records identical entries.
    return new_entry(
        trail, entry_id=entry_id_for(envelope), recorded_at=envelope.time,
        kind="decision", actor=trail.system_actor, actor_roles=[], action=envelope.type,
        entity_type=decision.entity_type,
        entity_id=str(envelope.data.get(decision.entity_id_field) or envelope.subject),
        changes=decision.change(envelope.data), reason=decision.reason(envelope.data),
        cause_event_id=cause.id if cause else None, cause_event_type=cause.type if cause else None,
        outcome="decided", correlation_id=correlation_id or envelope.correlationid or envelope.id,
    )


async def record_decision(
    session: AsyncSession, trail: AuditTrail, envelope: Envelope, *,
    cause: Envelope | None = None,
) -> AuditEntryRecorded | None:
    """The entry for `envelope` when its type is one of the trail's decisions, else None.
    A decision taken inside an API call shares that call's correlation id."""
    decision = trail.decisions.get(envelope.type)
    if decision is None or not decision.applies_to(envelope.data):
        return None
    entry = decision_entry(trail, decision, envelope, cause=cause,
                           correlation_id=call_correlation(session))
    await write(session, trail, entry)
    return entry
