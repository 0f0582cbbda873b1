"""Searching the audit trail: newest first, every filter optional."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models.audit import audit_record as T


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    action: str | None = None
    service: str | None = None
    kind: str | None = None
    outcome: str | None = None
    correlation_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        equal = {"actor": self.actor, "entity_type": self.entity_type,
                 "entity_id": self.entity_id, "action": self.action, "service": self.service,
                 "kind": self.kind, "outcome": self.outcome,
                 "correlation_id": self.correlation_id}
        found = [T.c[name] == value for name, value in equal.items() if value is not None]
        if self.start is not None:
            found.append(T.c.recorded_at >= self.start)
        if self.end is not None:
            found.append(T.c.recorded_at < self.end)
        return found


async def search(session: AsyncSession, *, where: AuditFilter, limit: int,
                 offset: int) -> tuple[Sequence[Any], int]:
    conditions = where.conditions()
    total = await session.scalar(select(func.count()).select_from(T).where(*conditions))
    rows = (await session.execute(
        select(T).where(*conditions).order_by(T.c.recorded_at.desc(), T.c.id.desc())
        .limit(limit).offset(offset))).mappings().all()
    return rows, int(total or 0)
