"""Spreadsheet downloads: CSV and XLSX responses whose cells never run as formulas.

A cell that starts with = + - @ (or a tab or carriage return) is a formula to Excel and
LibreOffice when a CSV is opened, whoever typed it (an agency's name, a registrant's comment):
such text is written with a leading apostrophe. XLSX cells are written as strings or numbers,
never as formulas, so their text stays exactly as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

import xlsxwriter
from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_safe(value) -> str:
    """Spreadsheet-safe text: a leading = + - @ would run as a formula in Excel."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow([spreadsheet_safe(v) for v in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    return _attachment(response, filename)


def xlsx_response(filename: str, sheets: Iterable[tuple[str, Sequence, Iterable[Sequence]]]) -> HttpResponse:
    """One workbook, a sheet per (title, header, rows); numbers stay numbers."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = workbook.add_format({"bold": True})
    for title, header, rows in sheets:
        sheet = workbook.add_worksheet(title[:31])
        for col, value in enumerate(header):
            sheet.write_string(0, col, str(value), bold)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, bool) or value is None:
                    sheet.write_string(r, col, "" if value is None else str(value))
                elif isinstance(value, int | float | Decimal):
                    sheet.write_number(r, col, float(value))
                else:
                    sheet.write_string(r, col, str(value))
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, max(len(header) - 1, 1), 14)
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    return _attachment(response, filename)
