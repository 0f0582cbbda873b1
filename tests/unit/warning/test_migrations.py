"""The Alembic history builds exactly the tables the models declare."""
from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.db.engine import create_engine
from shared.db.migrate import upgrade
from services.warning.models import Base


async def test_migrations_match_the_models(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/m.db")
    await upgrade("warning", engine)

    def diff(connection) -> list:  # type: ignore[no-untyped-def]
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(diff) == []
    await engine.dispose()
