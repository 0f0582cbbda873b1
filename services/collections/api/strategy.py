"""Champion/challenger: outcomes per treatment path and variant."""
from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter

from shared.api.deps import SessionDep
from services.collections import repository as repo
from services.collections.api.deps import Reader
from services.collections.schemas import PathOutcome

router = APIRouter(tags=["worklist"])


def _cents(value) -> Decimal:  # type: ignore[no-untyped-def]
    # SQLite sums come back as floats or ints; the sum of exact decimals is exact in cents.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


@router.get("/paths/outcomes", response_model=list[PathOutcome])
async def path_outcomes(session: SessionDep, _: Reader) -> list[PathOutcome]:
    """Champion/challenger: outcomes per treatment path and variant."""
    return [PathOutcome(path=r[0], variant=r[1], cases=r[2], open=r[3] or 0, cured=r[4] or 0,
                        settled=r[5] or 0, written_off=r[6] or 0, transferred=r[7] or 0,
                        recovered=_cents(r[8]), cost=_cents(r[9]))
            for r in await repo.path_outcomes(session)]
