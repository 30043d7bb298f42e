"""Spreadsheet exports of tables that a hostile cell cannot turn into a formula.

Excel, WPS and LibreOffice evaluate a cell that starts with = + - @ (or a tab or CR) as a
formula; django-tables2 writes such strings raw to CSV and as live formulas to .xlsx.
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from urllib.parse import quote

import openpyxl
from django.http import HttpResponse
from django.utils import timezone

from .uploads import safe_name

# {= opens an array formula: XlsxWriter writes "{=…}" as one even with strings_to_formulas off.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "{=")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralize(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def local(value):
    """A time as the city reads it: Asia/Shanghai (settings.TIME_ZONE), to the second, no offset."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    return value


def _cell(value):
    """A value as a spreadsheet cell: the city's time, and no text that could run as a formula."""
    return neutralize(local(value))


def table_rows(table) -> list[list]:
    return [[_cell(cell) for cell in row] for row in table.as_values()]


def export_response(
    table, export_format: str, filename: str, *, sheets: Mapping[str, Iterable[Sequence]] | None = None
) -> HttpResponse:
    """The whole table as a download. `sheets` ({title: rows, the first row the header}) follow the
    table's sheet in an .xlsx, neutralised the same way; a CSV holds the table only."""
    rows = table_rows(table)
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"{filename}-{stamp}.{export_format}"
    if export_format == "xlsx":
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = filename[:31]
        for row in rows:
            sheet.append(row)
        for title, extra_rows in (sheets or {}).items():
            extra = workbook.create_sheet(title[:31])
            for row in extra_rows:
                extra.append([_cell(cell) for cell in row])
        body = workbook_bytes(workbook)
    else:
        buffer = io.StringIO()
        buffer.write("\ufeff")  # so that Excel opens the Chinese text as UTF-8
        csv.writer(buffer).writerows(rows)
        body = buffer.getvalue()
    response = HttpResponse(body, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = attachment(name)
    return response


# What no file name may hold on Windows, macOS or Linux, and control characters (a newline in a
# header is refused outright): each run becomes one "_".
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_filename(name: str) -> str:
    """A download's name from whatever a unit's or a file's name holds: the characters a desktop
    refuses and control characters become "_" (a "/" in a unit's name is not a folder), runs of
    white space (a newline too) one space, and then the upload rules apply (no hidden characters, at most 100 characters)."""
    return safe_name(_UNSAFE.sub("_", " ".join(name.split())))


def attachment(filename: str) -> str:
    """A Content-Disposition that keeps a Chinese file name intact in every browser, made safe."""
    return f"attachment; filename*=UTF-8''{quote(safe_filename(filename), safe='')}"


def workbook_bytes(workbook) -> bytes:
    """The .xlsx file, with every text cell of every sheet marked as text, never as a formula."""
    for sheet in workbook.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def requested_format(request) -> str | None:
    value = request.GET.get("_export")
    return value if value in CONTENT_TYPES else None
