"""Every report as CSV or XLSX: /v1/exports/<report>.csv|xlsx with the report's parameters."""
from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from shared.api.deps import SessionDep
from shared.api.errors import NotFound
from shared.db.business_day import NO_BUSINESS_DATE_RESPONSE
from services.reporting.api.common import ParamsDep, Reader, SettingsDep
from services.reporting.domain import period_bounds
from services.reporting.exports import to_csv, to_xlsx
from services.reporting.reports import REPORTS

router = APIRouter(prefix="/exports", tags=["exports"],
                   responses=NO_BUSINESS_DATE_RESPONSE)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/{report}.{fmt}", response_class=Response,
            responses={200: {"content": {"text/csv": {}, XLSX: {}}}})
async def export(
    session: SessionDep, _: Reader, settings: SettingsDep, p: ParamsDep,
    report: Annotated[str, Path(description=", ".join(REPORTS))],
    fmt: Annotated[str, Path(pattern="^(csv|xlsx)$")],
) -> Response:
    build = REPORTS.get(report)
    if build is None:
        raise NotFound(f"no report named {report!r}; known: {', '.join(REPORTS)}")
    if report in ("warnings", "collection-funnel", "complaints", "cure-rate"):
        p = replace(p, **dict(zip(("start", "end"), period_bounds(p.period))))
    async with session.begin():
        table = await build(session, settings, p)
    filename = f"{report}-{p.period if report != 'classification' else p.as_of}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        return Response(to_csv(table), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(to_xlsx(table), media_type=XLSX, headers=headers)
