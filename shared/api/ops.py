"""Endpoints every process serves without a token: /healthz, /readyz, /metrics."""
from __future__ import annotations

import time

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import make_asgi_app
from starlette.middleware.base import BaseHTTPMiddleware

from shared.api.limits import install_limits
from shared.kafka.health import database_ready, kafka_ready
from shared.observability import metrics

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    checks = {
        "database": await database_ready(request.app.state.engine),
        "kafka": await kafka_ready(request.app.state.settings),
    }
    status = 200 if all(checks.values()) else 503
    return JSONResponse({"ready": status == 200, "checks": checks}, status_code=status)


class HttpMetricsMiddleware(BaseHTTPMiddleware):
    def __init__(self, app, service: str) -> None:  # type: ignore[no-untyped-def]
        super().__init__(app)
        self.service = service

    async def dispatch(self, request: Request, call_next):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        metrics.HTTP_REQUESTS.labels(self.service, request.method, template,
                                     str(response.status_code)).inc()
        metrics.HTTP_LATENCY.labels(self.service, request.method, template).observe(
            time.perf_counter() - started)
        return response


def install_ops(app: FastAPI, *, service: str, max_body_bytes: int) -> None:
    app.include_router(router)
    app.mount("/metrics", make_asgi_app())
    app.add_middleware(HttpMetricsMiddleware, service=service)
    # Added last, so it is the outermost layer and a body too large never reaches a route.
    install_limits(app, max_body_bytes=max_body_bytes)
