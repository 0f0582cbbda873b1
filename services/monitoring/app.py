"""Composition root of the monitoring API."""
from __future__ import annotations

from fastapi import FastAPI

from shared.api.app import create_service_app
from services.monitoring.api import customers, inspections, loans
from services.monitoring.config import Settings
from services.monitoring.publish import trail


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_service_app(
        settings or Settings(), title="postloan monitoring",
        description="Loan ledger, days past due, five-category classification, IFRS 9 stage, "
                    "customer 360 and on-site inspections.",
        routers=[loans.router, customers.router, inspections.router],
    )
    app.state.audit = trail
    return app
