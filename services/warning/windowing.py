"""The windowed state behind the multi-event rules, kept in a store that is a faust table
in the worker (changelog-backed, so a restarted worker recovers it) and a dict in tests.

`observe` is applied before the inbox check and is idempotent (entries keyed by event id or
installment number), so a redelivered event neither double-counts nor goes missing when the
crash fell between the table write and the database commit."""
from __future__ import annotations

from typing import Any, MutableMapping, Protocol

from pydantic import BaseModel

from shared.events.envelope import Envelope
from services.warning.domain import windows

MISSED = "missed"
CONTACTS = "contacts"


class WindowStore(Protocol):
    def get(self, name: str, key: str) -> dict[str, str]: ...

    def put(self, name: str, key: str, value: dict[str, str]) -> None: ...


class MappingWindows:
    """Windows over mutable mappings: faust tables in the worker, dicts in unit tests."""

    def __init__(self, missed: MutableMapping[str, Any], contacts: MutableMapping[str, Any]) -> None:
        self._tables = {MISSED: missed, CONTACTS: contacts}

    def get(self, name: str, key: str) -> dict[str, str]:
        return dict(self._tables[name].get(key) or {})

    def put(self, name: str, key: str, value: dict[str, str]) -> None:
        if self.get(name, key) != value:  # unchanged windows cost no changelog write
            self._tables[name][key] = value


def observe(store: WindowStore, envelope: Envelope, payload: BaseModel, settings: Any) -> None:
    kind = envelope.type
    if kind == "monitoring.installment.missed.v1":
        store.put(MISSED, payload.loan_id, windows.add_missed(
            store.get(MISSED, payload.loan_id), installment_no=payload.installment_no,
            due_date=payload.due_date))
    elif kind == "monitoring.loan.cured.v1" or (
            kind == "monitoring.repayment.recorded.v1" and payload.overdue_amount == 0):
        # Nothing overdue any more: the next missed installment starts a new run.
        store.put(MISSED, payload.loan_id, {})
    elif kind == "monitoring.customer.profile-changed.v1" and payload.change_kind == "contact":
        store.put(CONTACTS, payload.customer_id, windows.add_dated(
            store.get(CONTACTS, payload.customer_id), event_id=envelope.id,
            when=payload.effective_date, as_of=payload.effective_date,
            retention_days=settings.contact_window_retention_days))
