"""Domain refusals mapped to HTTP in one place, with the shared {"code", "message"} body."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.collections.domain.offers import ApprovalError
from services.collections.domain.promises import PromiseError
from services.collections.service.allocation import AllocationError
from services.collections.service.contacts import ContactError
from services.collections.service.offers import OfferError

_STATUS_BY_CODE = {
    "own_proposal": 403, "already_approved": 409, "approval_level": 403,
    "invalid_promise_amount": 422, "invalid_promise_date": 422, "invalid_offer": 422,
    "unknown_collector": 422, "loan_not_in_case": 422, "loan_unknown": 422,
}


async def _refused(_: Request, exc: Exception) -> JSONResponse:
    code = getattr(exc, "code", "conflict")
    return JSONResponse({"code": code, "message": str(exc)},
                        status_code=_STATUS_BY_CODE.get(code, 409))


def install(app: FastAPI) -> None:
    for error in (AllocationError, ApprovalError, ContactError, OfferError, PromiseError):
        app.add_exception_handler(error, _refused)
