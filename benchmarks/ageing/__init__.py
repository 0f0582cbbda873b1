"""Ageing benchmark: seed N active loans, then time full `age_loans` runs.

    python -m benchmarks.ageing --loans 100000 [--database-url URL] [--as-of 2025-06-30]

Without --database-url a throwaway local PostgreSQL cluster is started (initdb/pg_ctl) and
removed afterwards. Two runs are timed: the first ages a never-aged book (every delinquent
loan changes), the second the next business day (steady state: milestones, new misses).
Prints one line per run and a final JSON line with every figure.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.engine import create_engine, session_factory
from benchmarks.ageing.postgres import throwaway_postgres
from benchmarks.ageing.load import load_book
from services.monitoring.ageing import age_loans
from services.monitoring.domain.classification import AgeingPolicy
from services.monitoring.models import Base, Loan


async def prepare_schema(engine: AsyncEngine, *, reset: bool) -> None:
    async with engine.begin() as conn:
        has_loans = await conn.run_sync(lambda c: inspect(c).has_table("loan"))
        if has_loans and not reset and await conn.scalar(select(func.count()).select_from(
                Loan.__table__)):
            raise SystemExit("the database already holds loans; pass --reset to drop them")
        if reset:
            await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)


async def seed(engine: AsyncEngine, loans: int, as_of: date,
               loan_fillfactor: int | None) -> dict[str, Any]:
    started = time.perf_counter()
    if loan_fillfactor is not None and engine.dialect.name == "postgresql":
        # Room on each page for a second version of every row: the daily full update of
        # `loan` becomes HOT (no index maintenance) instead of rewriting eight indexes.
        async with engine.begin() as conn:
            await conn.execute(text(f"ALTER TABLE loan SET (fillfactor = {int(loan_fillfactor)})"))
    installments = await load_book(engine, loans, as_of)
    await maintain(engine)
    return {"installments": installments, "seed_seconds": round(time.perf_counter() - started, 2)}


async def maintain(engine: AsyncEngine) -> None:
    """Fresh statistics, as autovacuum / a nightly ANALYZE would keep them."""
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                                else "ANALYZE"))


async def timed_run(engine: AsyncEngine, as_of: date, policy: AgeingPolicy) -> dict[str, Any]:
    sessions = session_factory(engine)
    async with sessions() as session:
        started = time.perf_counter()
        async with session.begin():
            outcome = await age_loans(session, as_of=as_of, policy=policy)
            aged = time.perf_counter()
        committed = time.perf_counter()
    seconds = aged - started
    return {"as_of": as_of.isoformat(), "loans": outcome.loans_aged, "seconds": round(seconds, 2),
            "seconds_with_commit": round(committed - started, 2),
            "loans_per_second": round(outcome.loans_aged / seconds),
            "changes": len(outcome.changes),
            "missed_installments": len(outcome.missed_installments)}


async def benchmark(args: argparse.Namespace, url: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        await prepare_schema(engine, reset=args.reset)
        first_day = args.as_of - timedelta(days=1)
        result: dict[str, Any] = {
            "backend": engine.dialect.name, "loans": args.loans,
            "loan_fillfactor": args.loan_fillfactor,
            **await seed(engine, args.loans, first_day, args.loan_fillfactor)}
        print(f"seeded {args.loans} loans, {result['installments']} installments "
              f"in {result['seed_seconds']} s", flush=True)
        result["runs"] = [await _reported_run(engine, label, day)
                          for label, day in (("first", first_day), ("next_day", args.as_of))]
        return result
    finally:
        await engine.dispose()


async def _reported_run(engine: AsyncEngine, label: str, day: date) -> dict[str, Any]:
    run = {"run": label, **await timed_run(engine, day, AgeingPolicy())}
    print(f"{label}: {run['loans']} loans in {run['seconds']} s "
          f"({run['loans_per_second']} loans/s), {run['changes']} changes, "
          f"{run['missed_installments']} missed installments", flush=True)
    await maintain(engine)
    return run


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ageing", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a throwaway local PostgreSQL")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2025, 6, 30))
    parser.add_argument("--reset", action="store_true", help="drop existing tables first")
    parser.add_argument("--loan-fillfactor", type=int,
                        help="PostgreSQL fillfactor for `loan` (e.g. 50); default: the schema's")
    parser.add_argument("--json-out", help="also append the JSON result line to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    if args.database_url:
        result = asyncio.run(benchmark(args, args.database_url))
    else:
        args.reset = True
        with throwaway_postgres() as url:
            result = asyncio.run(benchmark(args, url))
    line = json.dumps(result, sort_keys=True)
    print(line)
    if args.json_out:
        with open(args.json_out, "a", encoding="utf-8") as out:
            out.write(line + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
