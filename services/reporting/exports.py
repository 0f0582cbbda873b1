"""CSV and XLSX renderings of a report table."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from services.reporting.reports import Table


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if isinstance(value, date) else str(value)


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([[_text(v) for v in row] for row in table.rows])
    return out.getvalue()


def _cell(value: Any) -> Any:
    # Amounts stay exact: openpyxl writes a Decimal as a number cell from its string form.
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.title[:31].replace(":", " ").replace("/", "-")
    sheet.append(table.columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(v) for v in row])
        for cell, value in zip(sheet[sheet.max_row], row):
            if isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
