"""The FastAPI application factory every service uses: `create_service_app(settings, ...)`
builds engine, sessions and token verifier inside the lifespan, never at import time."""
from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator, Sequence

from fastapi import APIRouter, FastAPI

from shared.api.errors import ERROR_RESPONSES, install_error_handlers
from shared.api.ops import install_ops
from shared.auth import TokenVerifier
from shared.config import CommonSettings
from shared.db.engine import create_engine, session_factory


def create_service_app(
    settings: CommonSettings, *, title: str, description: str, routers: Sequence[APIRouter],
    version: str = "1.0.0",
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url, echo=settings.database_echo)
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(settings)
    install_error_handlers(app)
    install_ops(app, service=settings.service_name, max_body_bytes=settings.api_max_body_bytes)
    for router in routers:
        app.include_router(router, prefix="/v1", responses=ERROR_RESPONSES)
    return app
