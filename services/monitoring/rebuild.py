"""Rebuild monitoring's database from the topics: migrate an empty database, then replay
every topic monitoring consumes (bank.loans.v1, bank.customers.v1, bank.market.v1,
bank.calendar.v1, postloan.crm.v1, postloan.warning.v1) from its first record through the
live consumer spec (the same HANDLERS, inbox, deferred ageing and close-of-day barrier;
shared/kafka/replay.py) under a new consumer group, until that group has committed
everything the topics held at the start.

Nothing is published. Every event the rebuild derives was published by the live run when
it applied the same records, and downstream services must not see it twice: the outbox
relay is not started, and when the replay ends (also when it fails) every outbox row it
wrote is marked sent. The rows are kept rather than deleted: they are a record of what the
rebuild derived, comparable with the live outbox. A database that already holds anything is
refused, so a rebuild can never silence a live database's unsent events.

Not rebuilt: what monitoring's API records (inspection assignments and reports) and loans
fed through Apache Fineract's topic, neither of which is on a topic replayed here."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.engine import create_engine, session_factory
from shared.db.migrate import upgrade
from shared.kafka.replay import replay
from services.monitoring.config import Settings
from services.monitoring.consumers import consumer_spec
from services.monitoring.models import Customer, Loan, delivery


class RebuildRefused(Exception):
    """The target database is not empty."""


@dataclass
class RebuildResult:
    group: str
    records: int
    """Records read from the topics."""
    applied: int
    """Events applied (inbox rows); the rest were duplicates or of types monitoring ignores."""
    dead_lettered: int
    """Records the live worker dead-lettered too; skipped."""
    unpublished: int
    """Outbox rows written and marked sent without being published."""


async def rebuild(settings: Settings, *, database_url: str, group: str | None = None,
                  migrate: bool = True) -> RebuildResult:
    """Replay into `database_url` (an empty database); returns what was read and derived."""
    group = group or f"{settings.consumer_group}-rebuild-{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url)
    try:
        if migrate:
            await upgrade("monitoring", engine)
        sessions = session_factory(engine)
        await _check_empty(sessions)
        try:
            replayed = await replay(replace(consumer_spec(settings), name=group),
                                    settings=settings, sessions=sessions, tables=delivery)
        finally:
            unpublished = await _mark_outbox_sent(sessions)
        return RebuildResult(group=group, records=replayed.records,
                             applied=await _count(sessions, delivery.inbox),
                             dead_lettered=replayed.dead_lettered, unpublished=unpublished)
    finally:
        await engine.dispose()


async def _check_empty(sessions: async_sessionmaker[AsyncSession]) -> None:
    for table in (delivery.inbox, delivery.outbox, Loan.__table__, Customer.__table__):
        if await _count(sessions, table):
            raise RebuildRefused(f"the database already holds rows in {table.name}: "
                                 "a rebuild fills an empty database")


async def _count(sessions: async_sessionmaker[AsyncSession], table) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def _mark_outbox_sent(sessions: async_sessionmaker[AsyncSession]) -> int:
    outbox = delivery.outbox
    async with sessions() as session, session.begin():
        result = await session.execute(update(outbox).where(outbox.c.sent_at.is_(None))
                                       .values(sent_at=datetime.now(timezone.utc)))
    return result.rowcount
