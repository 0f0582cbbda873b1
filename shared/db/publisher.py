"""A service's event publisher: builds the CloudEvents envelope and puts it on the outbox
in the caller's transaction.

An event caused by another event gets an id derived from the cause (and the cause's time),
so replaying the same input publishes identical events and a redelivered cause cannot
publish twice.

With an audit trail, every event type the trail names as a decision also leaves an audit
entry (actor `system:<service>`) in the same transaction."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit.decisions import record_decision
from shared.audit.store import AuditTrail
from shared.db.delivery import DeliveryTables
from shared.db.outbox import add_event
from shared.events.envelope import Envelope, new_event

_NAMESPACE = uuid.UUID("5b0d8f36-3f0e-4f43-9d53-6c1d1b7a5e21")


def derived_id(cause_id: str, type: str, subject: str, discriminator: str = "") -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{cause_id}|{type}|{subject}|{discriminator}"))


@dataclass(frozen=True)
class Publisher:
    source: str
    topic: str
    tables: DeliveryTables
    audit: AuditTrail | None = None

    async def __call__(
        self, session: AsyncSession, *, type: str, subject: str,
        data: BaseModel | dict[str, Any], cause: Envelope | None = None, discriminator: str = "",
    ) -> Envelope:
        payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
        if cause is not None:
            envelope = new_event(
                type=type, source=self.source, subject=subject, data=payload, time=cause.time,
                id=derived_id(cause.id, type, subject, discriminator),
                correlationid=cause.correlationid or cause.id,
            )
        else:
            envelope = new_event(type=type, source=self.source, subject=subject, data=payload)
        await add_event(session, self.tables, topic=self.topic, envelope=envelope, key=subject)
        if self.audit is not None:
            await record_decision(session, self.audit, envelope, cause=cause)
        return envelope
