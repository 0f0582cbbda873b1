"""Composition root of the warning API."""
from __future__ import annotations

from fastapi import FastAPI

from shared.api.app import create_service_app
from services.warning.api import rules, warnings, watchlist
from services.warning.config import Settings
from services.warning.publish import trail


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_service_app(
        settings or Settings(), title="postloan warning",
        description="Early warning: rules in three families as versioned data with "
                    "maker-checker, warning lifecycle, watch list and rule effectiveness.",
        routers=[warnings.router, rules.router, watchlist.router])
    app.state.audit = trail
    return app
