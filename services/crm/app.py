"""Composition root of the crm API."""
from __future__ import annotations

from fastapi import FastAPI

from shared.api.app import create_service_app
from services.crm.api import care, complaints, contact_stops, restructuring, surveys
from services.crm.config import Settings
from services.crm.publish import trail

ROUTERS = [complaints.router, restructuring.router, contact_stops.router, care.router,
           surveys.router]


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_service_app(
        settings or Settings(), title="postloan crm",
        description="Complaints with legal deadlines, contact stops, hardship and "
                    "restructuring requests, proactive care, interactions and satisfaction "
                    "surveys.",
        routers=ROUTERS)
    app.state.audit = trail
    return app
