"""Bulk loading of the synthetic book: COPY on PostgreSQL, executemany on SQLite.

The next batch is generated (and, for COPY, formatted) in a thread while the database
ingests the current one.
"""
from __future__ import annotations

import asyncio
import io
from typing import Any

from sqlalchemy import ForeignKeyConstraint, UniqueConstraint
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from benchmarks.ageing.seed import CUSTOMER_COLUMNS, INSTALLMENT_COLUMNS, LOAN_COLUMNS, batches
from services.monitoring.models import Customer, Installment, Loan

TABLES = ((Customer.__table__, CUSTOMER_COLUMNS, "customers"),
          (Loan.__table__, LOAN_COLUMNS, "loans"),
          (Installment.__table__, INSTALLMENT_COLUMNS, "installments"))


def _copy_text(rows: list[tuple[Any, ...]]) -> bytes:
    """COPY text format: str() of a Decimal or a date is what PostgreSQL reads, and it
    costs a fraction of asyncpg's per-value binary encoding."""
    def field(value: Any) -> str:
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        return str(value)
    return "".join("\t".join(map(field, row)) + "\n" for row in rows).encode()


async def _copy_postgres(engine: AsyncEngine, payloads: list[bytes]) -> None:
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        for (table, columns, _), payload in zip(TABLES, payloads):
            await raw.copy_to_table(table.name, source=io.BytesIO(payload), columns=list(columns),
                                    format="text")


async def _insert_sqlite(engine: AsyncEngine, rows_by_table: list[list[dict[str, Any]]]) -> None:
    async with engine.begin() as conn:
        for (table, _, _), rows in zip(TABLES, rows_by_table):
            if rows:
                await conn.execute(table.insert(), rows)


def _secondary_ddl(drop: bool) -> list[Any]:
    """Secondary indexes, unique and foreign keys of the seeded tables: building them once
    after COPY is several times faster than maintaining (and FK-checking) them per row."""
    statements: list[Any] = []
    for table, _, _ in TABLES:
        keys = [c for c in table.constraints
                if isinstance(c, (UniqueConstraint, ForeignKeyConstraint))]
        statements += [DropIndex(i) if drop else CreateIndex(i) for i in table.indexes]
        statements += [DropConstraint(c) if drop else AddConstraint(c) for c in keys]
    return statements


async def _run_ddl(engine: AsyncEngine, statements: list[Any]) -> None:
    async with engine.begin() as conn:
        for statement in statements:
            await conn.execute(statement)


async def load_book(engine: AsyncEngine, loans: int, as_of: Any) -> int:
    """Insert `loans` loans with their customers and installments; returns installments."""
    postgres = engine.dialect.name == "postgresql"
    source, installments = batches(loans, as_of), 0

    def next_ready() -> tuple[int, list[Any]] | None:
        batch = next(source, None)
        if batch is None:
            return None
        parts = [getattr(batch, attr) for _, _, attr in TABLES]
        ready = ([_copy_text(rows) for rows in parts] if postgres else
                 [[dict(zip(columns, row)) for row in rows]
                  for (_, columns, _), rows in zip(TABLES, parts)])
        return len(batch.installments), ready

    if postgres:
        await _run_ddl(engine, _secondary_ddl(drop=True))
    pending = asyncio.create_task(asyncio.to_thread(next_ready))
    while (item := await pending) is not None:
        pending = asyncio.create_task(asyncio.to_thread(next_ready))
        await (_copy_postgres if postgres else _insert_sqlite)(engine, item[1])
        installments += item[0]
    if postgres:
        await _run_ddl(engine, _secondary_ddl(drop=False))
    return installments
