"""Keeping the auditors' copy of every service's audit trail."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit.store import row_values
from shared.events.audit import AuditEntryRecorded
from services.reporting.models.audit import audit_record


async def record_entry(session: AsyncSession, *, event: AuditEntryRecorded) -> None:
    # The inbox already drops a redelivered event; the entry id guards a replay into a
    # store that holds it from another path.
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    await session.execute(
        dialect.insert(audit_record).values(**row_values(audit_record, event))
        .on_conflict_do_nothing(index_elements=["entry_id"]))
