"""Composition root of the reporting API."""
from __future__ import annotations

from fastapi import FastAPI

from shared.api.app import create_service_app
from shared.audit import AuditTrail
from services.reporting.api import activity, audit, dashboard, exports, kpis, portfolio
from services.reporting.config import Settings
from services.reporting import models


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_service_app(
        settings or Settings(), title="postloan reporting",
        description="KPI scorecard, portfolio quality and regulatory tables built from events.",
        routers=[kpis.router, portfolio.router, activity.router, exports.router,
                 dashboard.router, audit.router],
    )
    app.state.audit = AuditTrail("reporting", models.audit, models.delivery)
    app.include_router(dashboard.page)
    return app
