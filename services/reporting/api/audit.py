"""`GET /v1/audit`: the audit trail of every service, for auditors."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from shared.api.deps import PageDep, SessionDep
from shared.api.errors import Unprocessable
from shared.api.schemas import Page
from shared.auth import Principal, Role, require_roles
from services.reporting.queries.audit import AuditFilter, search

router = APIRouter(prefix="/audit", tags=["audit"])
Auditor = Annotated[Principal, Depends(require_roles(Role.auditor))]
Text = Annotated[str | None, Query(max_length=300)]


class AuditEntryOut(BaseModel):
    entry_id: str
    recorded_at: datetime
    service: str
    kind: str
    actor: str
    actor_roles: list[str]
    actor_team: str | None
    action: str
    target: str | None
    entity_type: str | None
    entity_id: str | None
    changes: dict[str, Any]
    reason: str | None
    cause_event_id: str | None
    cause_event_type: str | None
    outcome: str
    status_code: int | None
    error_code: str | None
    correlation_id: str | None


def audit_filter(
    actor: Text = None, entity_type: Text = None, entity_id: Text = None, action: Text = None,
    service: Text = None, correlation_id: Text = None,
    kind: Annotated[str | None, Query(pattern="^(api_call|decision)$")] = None,
    outcome: Annotated[str | None, Query(max_length=20)] = None,
    from_: Annotated[datetime | None, Query(alias="from", description="recorded at or after")] = None,
    to: Annotated[datetime | None, Query(description="recorded before")] = None,
) -> AuditFilter:
    if any(t is not None and t.tzinfo is None for t in (from_, to)):
        raise Unprocessable("`from` and `to` must carry a zone (e.g. 2026-12-01T00:00:00Z)")
    if from_ is not None and to is not None and from_ > to:
        raise Unprocessable("`from` must not be after `to`")
    return AuditFilter(actor=actor, entity_type=entity_type, entity_id=entity_id, action=action,
                       service=service, kind=kind, outcome=outcome,
                       correlation_id=correlation_id, start=from_, end=to)


@router.get("", response_model=Page[AuditEntryOut])
async def list_audit_entries(
    _: Auditor, session: SessionDep, page: PageDep,
    where: Annotated[AuditFilter, Depends(audit_filter)],
) -> Page[AuditEntryOut]:
    async with session.begin():
        rows, total = await search(session, where=where, limit=page.limit, offset=page.offset)
    items = [AuditEntryOut.model_validate(dict(row)) for row in rows]
    return Page[AuditEntryOut](items=items, total=total, limit=page.limit, offset=page.offset)
