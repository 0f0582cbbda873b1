"""Auditing every state-changing API call without touching its route.

The request's session is watched: each flush notes the ORM rows inserted, updated or
deleted (entity, key, changed fields old -> new), and the commit writes one entry per
changed row in the same transaction, so a change and its audit entry commit together or
not at all. A call that commits nothing, or ends in an error, gets one entry naming its
outcome once the route has finished, before the answer is sent."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from shared.audit.masking import masked_changes, scrub_text
from shared.audit.store import CALL_KEY, AuditTrail, entry_statements, new_entry, write

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REASON_HEADER = "x-audit-reason"
CORRELATION_HEADER = "x-correlation-id"
REASON_FIELDS = ("reason", "note", "comment", "rationale")


@dataclass
class RowChange:
    entity_type: str
    entity_id: str
    fields: dict[str, tuple[Any, Any]]

    def merge(self, later: dict[str, tuple[Any, Any]]) -> None:
        for name, (old, new) in later.items():
            self.fields[name] = (self.fields[name][0] if name in self.fields else old, new)


async def audit_call(request: Request, session: AsyncSession) -> "CallAudit | None":
    """Start auditing `request` on `session`; None for reads and apps without a trail."""
    trail: AuditTrail | None = getattr(request.app.state, "audit", None)
    if trail is None or request.method not in STATE_CHANGING \
            or not request.url.path.startswith("/v1/"):
        return None
    call = CallAudit(trail, request, reason=await _reason(request))
    call.watch(session)
    return call


async def _reason(request: Request) -> str | None:
    if header := request.headers.get(REASON_HEADER):
        return scrub_text(header)
    if "json" not in request.headers.get("content-type", ""):
        return None
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    given = [body[f] for f in REASON_FIELDS if isinstance(body.get(f), str) and body[f]]
    return scrub_text("; ".join(given)) if given else None


class CallAudit:
    def __init__(self, trail: AuditTrail, request: Request, *, reason: str | None) -> None:
        self.trail, self.request, self.reason = trail, request, reason
        self.correlation_id = request.headers.get(CORRELATION_HEADER) or str(uuid.uuid4())
        self.recorded = 0
        self._pending: dict[tuple[str, str], RowChange] = {}
        self._writing = 0

    def watch(self, session: AsyncSession) -> None:
        sync = session.sync_session
        sync.info[CALL_KEY] = self
        event.listen(sync, "after_flush", self._after_flush)
        event.listen(sync, "before_commit", self._before_commit)
        event.listen(sync, "after_commit", self._after_commit)
        event.listen(sync, "after_rollback", self._after_rollback)

    async def finish(self, sessions: async_sessionmaker[AsyncSession],
                     error: BaseException | None = None) -> None:
        if error is None and self.recorded:
            return
        status: int | None = None
        code: str | None = None
        outcome = "no_change"
        if error is not None:
            status, code = _status(error)
            outcome = "refused" if status < 500 else "failed"
        entry = new_entry(self.trail, **self._call_fields(), changes={}, outcome=outcome,
                          status_code=status, error_code=code)
        # A fresh session: the request's may hold a failed transaction.
        async with sessions() as session, session.begin():
            await write(session, self.trail, entry)

    def _call_fields(self) -> dict[str, Any]:
        principal = getattr(self.request.state, "principal", None)
        return {
            "kind": "api_call",
            "actor": principal.subject if principal else "anonymous",
            "actor_roles": sorted(r.value for r in principal.roles) if principal else [],
            "actor_team": principal.team if principal else None,
            "action": f"{self.request.method} {_template(self.request)}",
            "target": self.request.url.path, "reason": self.reason,
            "correlation_id": self.correlation_id,
        }

    # Session events (synchronous, inside the async session's greenlet).

    def _after_flush(self, session: Session, _context: object) -> None:
        for obj in session.new:
            self._note(obj, _inserted(obj))
        for obj in session.dirty:
            if session.is_modified(obj, include_collections=False):
                self._note(obj, _updated(obj))
        for obj in session.deleted:
            self._note(obj, _deleted(obj))

    def _note(self, obj: object, fields: dict[str, tuple[Any, Any]]) -> None:
        mapper = inspect(obj).mapper
        key = (mapper.local_table.name,
               "/".join(str(v) for v in mapper.primary_key_from_instance(obj)))
        if key in self._pending:
            self._pending[key].merge(fields)
        else:
            self._pending[key] = RowChange(key[0], key[1], dict(fields))

    def _before_commit(self, session: Session) -> None:
        session.flush()  # so the last changes are noted before they are written
        changes, self._pending = list(self._pending.values()), {}
        for change in changes:
            entry = new_entry(self.trail, **self._call_fields(), entity_type=change.entity_type,
                              entity_id=change.entity_id, changes=masked_changes(change.fields),
                              outcome="committed")
            for statement in entry_statements(self.trail, entry):
                session.execute(statement)
        self._writing = len(changes)

    def _after_commit(self, _session: Session) -> None:
        self.recorded, self._writing = self.recorded + self._writing, 0

    def _after_rollback(self, _session: Session) -> None:
        self._pending, self._writing = {}, 0


def _inserted(obj: object) -> dict[str, tuple[Any, Any]]:
    state = inspect(obj)
    return {attr.key: (None, state.dict[attr.key]) for attr in state.mapper.column_attrs
            if state.dict.get(attr.key) is not None}


def _updated(obj: object) -> dict[str, tuple[Any, Any]]:
    state = inspect(obj)
    fields = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.added or history.deleted:
            fields[attr.key] = (history.deleted[0] if history.deleted else None,
                                history.added[0] if history.added else None)
    return fields


def _deleted(obj: object) -> dict[str, tuple[Any, Any]]:
    state = inspect(obj)
    return {attr.key: (state.dict[attr.key], None) for attr in state.mapper.column_attrs
            if state.dict.get(attr.key) is not None}


def _template(request: Request) -> str:
    """The route's path template with the prefixes of the routers it was included under:
    the matched route knows only its own part, so the rest comes from the concrete path."""
    path = request.url.path
    own = getattr(request.scope.get("route"), "path", None)
    if not own:
        return path
    concrete, mine = path.strip("/").split("/"), own.strip("/").split("/")
    return "/" + "/".join(concrete[: max(0, len(concrete) - len(mine))] + mine)


def _status(error: BaseException) -> tuple[int, str]:
    if isinstance(error, RequestValidationError):
        return 422, "invalid_request"
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        return status, str(getattr(error, "code", None) or status)
    return 500, type(error).__name__

