"""The final state of every service's database, reduced to what must be identical between
a faulty run and a fault-free run of the same seed, and a readable diff of two of them.

"Identical" per table means the same multiset of rows after dropping what a run cannot
reproduce: wall-clock timestamps (every date-time column), measured durations (`*_seconds`),
surrogate integer keys and references to them (their values follow commit order, which
faults change), and random identifiers (UUIDs and prefixed random hex, which are replaced
by a placeholder so rows still compare on everything else). Business dates,
amounts, DPD, buckets, classifications, stages, statuses and counts are all compared.
The delivery tables are left out: the inbox legitimately differs (poison, duplicates) and
the outbox is checked to be empty instead."""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, MetaData, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

SKIPPED_TABLES = frozenset({"alembic_version", "inbox_message", "outbox_message"})
_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)
# Random identifiers with a readable prefix (CARE-206f23d8594c4161); the simulator's own
# ids are decimal (L-000007) and stay compared.
_PREFIXED_RANDOM = re.compile(r"\b([A-Z]+)-[0-9a-f]{12,}\b")
DIFF_ROWS = 8

Row = tuple[str, ...]


@dataclass
class TableState:
    columns: tuple[str, ...]
    rows: Counter[Row]


Snapshot = dict[str, TableState]  # "service.table" -> state


def _normal(value: object) -> str:
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, default=str)
    return _PREFIXED_RANDOM.sub(r"\1-<random>", _UUID.sub("<uuid>", str(value)))


def _compared_columns(table) -> list:  # type: ignore[no-untyped-def]
    kept = []
    for column in table.columns:
        if isinstance(column.type, DateTime):
            continue
        if isinstance(column.type, Integer) and (column.name == "id" or
                                                 column.name.endswith("_id")):
            continue  # a surrogate key or a reference to one
        if column.name.endswith("_seconds"):
            continue  # a measured duration
        kept.append(column)
    return kept


async def snapshot_service(service: str, url: str) -> Snapshot:
    engine = create_async_engine(url, poolclass=NullPool)
    metadata = MetaData()
    state: Snapshot = {}
    try:
        async with engine.connect() as connection:
            await connection.run_sync(metadata.reflect)
            for name, table in sorted(metadata.tables.items()):
                if name in SKIPPED_TABLES:
                    continue
                columns = _compared_columns(table)
                result = await connection.execute(select(*columns))
                rows = Counter(tuple(_normal(v) for v in row) for row in result)
                state[f"{service}.{name}"] = TableState(tuple(c.name for c in columns), rows)
    finally:
        await engine.dispose()
    return state


async def snapshot(database_urls: dict[str, str]) -> Snapshot:
    state: Snapshot = {}
    for service, url in database_urls.items():
        state.update(await snapshot_service(service, url))
    return state


def diff(expected: Snapshot, actual: Snapshot) -> str:
    """Empty when equal; otherwise per table the rows only the baseline has (-) and only
    the faulty run has (+), a few of each."""
    lines: list[str] = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual or name not in expected:
            lines.append(f"{name}: table only in {'baseline' if name in expected else 'run'}")
            continue
        want, got = expected[name], actual[name]
        missing, extra = want.rows - got.rows, got.rows - want.rows
        if not missing and not extra:
            continue
        lines.append(f"{name}: {sum(missing.values())} rows missing, "
                     f"{sum(extra.values())} unexpected; columns {', '.join(want.columns)}")
        for sign, rows in (("-", missing), ("+", extra)):
            for row in sorted(rows)[:DIFF_ROWS]:
                lines.append(f"  {sign} {' | '.join(row)}")
    return "\n".join(lines)


def row_count(state: Snapshot, name: str) -> int:
    return sum(state[name].rows.values()) if name in state else 0
