"""The business-day clock of a downstream service: the business dates it has seen in
monitoring's `monitoring.business-day.aged.v1`. A decision takes "today" from here, never
from the wall clock, so a replay on another day decides the same.

Services that keep nothing else about a business day (crm, warning) add this table to their
own metadata; collections and reporting keep richer rows of their own and only share the
rule for "today" (`business_today`)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Date, MetaData, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from shared.api.errors import Conflict


class NoBusinessDate(Conflict):
    code = "no_business_date"


NO_BUSINESS_DATE = "a date was left out and no business day has been closed yet (no_business_date)"
# For the `responses` of a route that may fall back on the clock: the OpenAPI document
# promises every status a route can answer.
NO_BUSINESS_DATE_RESPONSE = {409: {"description": NO_BUSINESS_DATE}}


def business_day_table(metadata: MetaData) -> Table:
    return Table("business_day", metadata,
                 Column("business_date", Date, primary_key=True))


async def record_business_day(session: AsyncSession, table: Table, *,
                              business_date: date) -> bool:
    """False when the date was already recorded (a re-sent or replayed close)."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(table).values(business_date=business_date)
                 .on_conflict_do_nothing(index_elements=["business_date"])
                 .returning(table.c.business_date))
    return (await session.execute(statement)).first() is not None


async def latest_business_date(session: AsyncSession,
                               column: ColumnElement[date]) -> date | None:
    return await session.scalar(select(func.max(column)))


def business_today(latest: date | None, *, not_before: date | None = None,
                   needed_for: str = "this decision") -> date:
    """The business date a decision is taken on: the latest close seen, but never before
    the date of the record it concerns (`not_before`, e.g. a warning's raised date), so
    nothing ends before it began. Before the first close the record's own date stands in;
    with neither, no date can be known and the caller must state one."""
    known = [day for day in (latest, not_before) if day is not None]
    if not known:
        raise NoBusinessDate(f"no business day has been closed yet, so {needed_for} has no "
                             "date; state the date explicitly")
    return max(known)
