"""Request size limits every API enforces before a route runs.

The declared Content-Length is checked up front; a body sent without one (chunked) is
counted as it streams in, so a client cannot get past the limit by leaving the header out."""
from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class PayloadTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body over {limit} bytes")


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"code": "payload_too_large",
                         "message": f"request body over {limit} bytes"}, status_code=413)


def _declared_length(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return value.decode("latin-1")
    return None


class BodySizeLimit:
    """Pure ASGI middleware: 413 with the error shape for bodies over `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and not declared.isdigit():
            await JSONResponse({"code": "bad_request", "message": "invalid Content-Length"},
                               status_code=400)(scope, receive, send)
            return
        if declared is not None and int(declared) > self.max_bytes:
            await _too_large(self.max_bytes)(scope, receive, send)
            return
        await self._counting(scope, receive, send)

    async def _counting(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        over = False
        started = False
        replaced = False

        async def limited_receive() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    over = True
                    raise PayloadTooLarge(self.max_bytes)
            return message

        async def replacing_send(message: Message) -> None:
            # Middleware between here and the route may wrap the exception (task groups,
            # "error parsing the body"), so whatever answer the app makes of an oversized
            # body is swapped for the 413.
            nonlocal replaced, started
            if not over or started:
                started = started or message["type"] == "http.response.start"
                await send(message)
            elif message["type"] == "http.response.start" and not replaced:
                replaced = True
                await _too_large(self.max_bytes)(scope, receive, send)

        try:
            await self.app(scope, limited_receive, replacing_send)
        except Exception:
            if not over or started or replaced:
                raise
            await _too_large(self.max_bytes)(scope, receive, send)


def install_limits(app: Any, *, max_body_bytes: int) -> None:
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
