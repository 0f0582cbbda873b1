"""One error shape for every API, `{"code": ..., "message": ...}`, mapped in one place."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.api.schemas import ApiErrorBody


class ApiError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class Unauthenticated(ApiError):
    status_code = 401
    code = "unauthenticated"


class Forbidden(ApiError):
    status_code = 403
    code = "forbidden"


class NotFound(ApiError):
    status_code = 404
    code = "not_found"


class Conflict(ApiError):
    status_code = 409
    code = "conflict"


class Unprocessable(ApiError):
    status_code = 422
    code = "invalid_request"


def _body(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return JSONResponse(_body(exc.code, exc.message), status_code=exc.status_code, headers=headers)


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{where}: {error.get('msg')}")
    return JSONResponse(_body("invalid_request", "; ".join(parts) or "invalid request"),
                        status_code=422)


async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
            413: "payload_too_large"}.get(exc.status_code, "http_error")
    return JSONResponse(_body(code, str(exc.detail)), status_code=exc.status_code)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]


def _documented(description: str, code: str) -> dict[str, object]:
    return {"description": description, "model": ApiErrorBody,
            "content": {"application/json": {"example": _body(code, "...")}}}


# Answers any /v1 operation may give, documented once for all of them with the one error
# shape (FastAPI would otherwise document 422 as its own `detail` list, which we never send).
ERROR_RESPONSES = {
    400: _documented("The request cannot be read (a body that is not UTF-8 JSON, a bad "
                     "Content-Length)", "bad_request"),
    401: _documented("Missing or invalid bearer token", "unauthenticated"),
    403: _documented("The caller's roles do not allow this", "forbidden"),
    404: _documented("An id in the path is not known, or not visible to the caller",
                     "not_found"),
    413: _documented("The request body is over the configured limit", "payload_too_large"),
    422: _documented("The request does not match the documented parameters or body",
                     "invalid_request"),
}
