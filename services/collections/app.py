"""Composition root of the collections API."""
from __future__ import annotations

from datetime import datetime, timezone

from fastapi import FastAPI

from shared.api.app import create_service_app
from services.collections.api import (
    allocation, cases, contacts, errors, offers, promises, strategy,
)
from services.collections.config import Settings
from services.collections.domain.policy import Policy
from services.collections.publish import trail


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(
        settings, title="postloan collections",
        description="Collection cases, strategies and worklists; a compliance guard on every "
                    "contact; promises to pay; settlements, legal stages and disposals.",
        routers=[cases.router, contacts.router, promises.router, allocation.router,
                 strategy.router, offers.router],
    )
    app.state.audit = trail
    app.state.policy = Policy.from_settings(settings)
    # The real moment of a contact attempt, which the compliance guard must judge (hours in
    # the debtor's zone); never the date of a business decision.
    app.state.clock = lambda: datetime.now(timezone.utc)
    errors.install(app)
    return app
