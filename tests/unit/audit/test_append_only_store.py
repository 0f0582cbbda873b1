"""The audit stores are append-only in the database itself: after the real migrations, an
UPDATE or DELETE of a recorded entry is refused on SQLite and PostgreSQL alike, for every
service's own store and for reporting's copy."""
from __future__ import annotations

import importlib

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from shared.audit.store import AuditTrail, new_entry, write
from shared.db.engine import create_engine, session_factory
from tests.support.services import migrate

SERVICES = ("monitoring", "warning", "collections", "crm", "reporting")


async def _store_with_one_entry(service: str, database_url: str, table_name: str):  # type: ignore[no-untyped-def]
    await migrate(service, database_url)
    models = importlib.import_module(f"services.{service}.models")
    table = models.Base.metadata.tables[table_name]
    trail = AuditTrail(service, table, models.delivery)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    entry = new_entry(trail, kind="api_call", actor="u-1", actor_roles=["admin"],
                      action="POST /v1/x", changes={"status": [None, "open"]},
                      outcome="committed")
    async with sessions() as session, session.begin():
        await write(session, trail, entry)
    return engine, sessions, table, entry


@pytest.mark.parametrize("service", SERVICES)
async def test_a_recorded_entry_cannot_be_updated_or_deleted(service: str, database_url: str) -> None:
    engine, sessions, table, entry = await _store_with_one_entry(service, database_url,
                                                                 "audit_entry")
    try:
        for statement in (update(table).values(actor="someone-else"), delete(table)):
            with pytest.raises(DBAPIError, match="append-only"):
                async with sessions() as session, session.begin():
                    await session.execute(statement)
        async with sessions() as session:
            assert (await session.execute(select(table.c.actor))).scalars().all() == ["u-1"]
    finally:
        await engine.dispose()


async def test_reportings_copy_of_the_trail_is_append_only_too(database_url: str) -> None:
    engine, sessions, table, _ = await _store_with_one_entry("reporting", database_url,
                                                             "audit_record")
    try:
        with pytest.raises(DBAPIError, match="append-only"):
            async with sessions() as session, session.begin():
                await session.execute(update(table).values(reason="rewritten"))
    finally:
        await engine.dispose()
