"""The outbox rows of a transaction are written together at its commit, in the order the
events were published; a transaction that rolls back leaves none behind, even when its
session is used again."""
from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest
from sqlalchemy import MetaData, event, select

from shared.db.delivery import DeliveryTables, delivery_tables
from shared.db.engine import create_engine, session_factory
from shared.db.outbox import add_event
from shared.events.envelope import new_event


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[tuple]:
    metadata = MetaData()
    tables = delivery_tables(metadata)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/outbox.db")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield session_factory(engine), tables
    await engine.dispose()


async def _publish(session, tables: DeliveryTables, *subjects: str) -> None:  # type: ignore[no-untyped-def]
    for subject in subjects:
        await add_event(session, tables, topic="t", key=subject, envelope=new_event(
            type="test.thing.happened.v1", source="test", subject=subject, data={}))


async def _keys(sessions, tables: DeliveryTables) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return list((await session.scalars(select(tables.outbox.c.message_key)
                                           .order_by(tables.outbox.c.id))).all())


async def test_rows_of_a_transaction_are_written_at_commit_in_publishing_order(store) -> None:  # type: ignore[no-untyped-def]
    sessions, tables = store
    async with sessions() as session, session.begin():
        await _publish(session, tables, "b", "a", "c")
    async with sessions() as session, session.begin():
        await _publish(session, tables, "d")
    assert await _keys(sessions, tables) == ["b", "a", "c", "d"]


async def test_a_rolled_back_transaction_writes_nothing_even_when_the_session_goes_on(
        store) -> None:  # type: ignore[no-untyped-def]
    sessions, tables = store
    async with sessions() as session:
        with pytest.raises(RuntimeError):
            async with session.begin():
                await _publish(session, tables, "lost")
                raise RuntimeError("handler failed")
        async with session.begin():
            await _publish(session, tables, "kept")
        async with session.begin():
            await _publish(session, tables, "kept too")
    assert await _keys(sessions, tables) == ["kept", "kept too"]


async def test_a_session_without_an_explicit_transaction_writes_on_commit(store) -> None:  # type: ignore[no-untyped-def]
    sessions, tables = store
    async with sessions() as session:
        await _publish(session, tables, "x", "y")
        await session.commit()
    assert await _keys(sessions, tables) == ["x", "y"]


async def test_a_transaction_writes_all_its_outbox_rows_in_one_statement(store) -> None:  # type: ignore[no-untyped-def]
    sessions, tables = store
    statements: list[str] = []
    async with sessions() as session, session.begin():
        connection = await session.connection()
        event.listen(connection.sync_connection, "before_cursor_execute",
                     lambda _c, _cur, sql, *_: statements.append(sql))
        await _publish(session, tables, *"abcdefgh")
    inserts = [sql for sql in statements if sql.startswith("INSERT INTO outbox_message")]
    assert len(inserts) == 1
    assert len(await _keys(sessions, tables)) == 8
