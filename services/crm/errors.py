"""Domain refusals become API errors here, in one place: a broken precondition is a 409
with the rule's code, an impossible request a 422."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from shared.api.errors import Conflict, Unprocessable
from services.crm.domain.care import CareRuleError
from services.crm.domain.complaints import ComplaintRuleError
from services.crm.domain.restructuring import NotEligible, RestructuringRuleError
from services.crm.domain.schedule import ScheduleError

_UNPROCESSABLE_CODES = {"extension_reason_required", "summary_required",
                        "informed_before_received", "until_required", "pause_too_long",
                        "bad_until", "bad_score"}


@contextmanager
def as_api_errors() -> Iterator[None]:
    try:
        yield
    except NotEligible as exc:
        raise Unprocessable(str(exc), code=exc.code) from exc
    except ScheduleError as exc:
        raise Unprocessable(str(exc), code="invalid_arrangement") from exc
    except (ComplaintRuleError, RestructuringRuleError, CareRuleError) as exc:
        error = Unprocessable if exc.code in _UNPROCESSABLE_CODES else Conflict
        raise error(str(exc), code=exc.code) from exc
