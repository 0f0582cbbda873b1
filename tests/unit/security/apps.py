"""Each service's API in-process on a migrated SQLite database, for the security tests."""
from __future__ import annotations

import importlib
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

from shared.cli import SERVICES
from tests.support.services import migrate


def service_settings(service: str, scratch: Path, **overrides: Any) -> Any:
    settings_class = importlib.import_module(f"services.{service}.config").Settings
    return settings_class(database_url=f"sqlite+aiosqlite:///{scratch}/{service}.db", **overrides)


@asynccontextmanager
async def service_app(service: str, scratch: Path, **overrides: Any) -> AsyncIterator[Any]:
    """The started FastAPI app; `app.state.settings` holds its settings."""
    settings = service_settings(service, scratch, **overrides)
    await migrate(service, settings.database_url)
    app = importlib.import_module(f"services.{service}.app").create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


__all__ = ["SERVICES", "service_app", "service_settings"]
