"""Alembic per service: each service keeps `services/<name>/migrations`, whose env.py
calls `run_env(metadata)`. `upgrade()` works from sync code and inside an event loop."""
from __future__ import annotations

import asyncio

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.engine import create_engine


def alembic_config(service: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", f"services.{service}:migrations")
    config.set_main_option("sqlalchemy.url", database_url)
    return config


async def upgrade(service: str, engine: AsyncEngine, revision: str = "head") -> None:
    config = alembic_config(service, engine.url.render_as_string(hide_password=False))

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_run)


def upgrade_url(service: str, database_url: str) -> None:
    async def _main() -> None:
        engine = create_engine(database_url)
        try:
            await upgrade(service, engine)
        finally:
            await engine.dispose()

    asyncio.run(_main())


def run_env(metadata: MetaData) -> None:
    """Body of every service's migrations/env.py."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection, metadata)
        return
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                          literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def _online() -> None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        async with engine.begin() as conn:
            await conn.run_sync(_migrate, metadata)
        await engine.dispose()

    asyncio.run(_online())


def _migrate(connection: Connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def autogenerate(service: str, message: str, database_url: str) -> None:
    """Write a new revision for `service` by comparing its models with a database that is
    at the newest revision (an empty scratch SQLite file works for the first one)."""
    upgrade_url(service, database_url)
    command.revision(alembic_config(service, database_url), message=message, autogenerate=True)
