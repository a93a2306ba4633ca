"""Excel exports: one writer for every list the secretariat downloads.

openpyxl write-only mode (memory does not grow with the row count), Chinese headers, frozen header
row, column widths from the header and a sample of rows, and every text cell that a spreadsheet
would read as a formula (= + - @, also after leading blanks, or a tab/CR/LF) neutralised with a
leading apostrophe so it shows as text.
"""
import datetime as dt
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
_WIDTH_SAMPLE = 200
_MAX_WIDTH = 60


def neutralise(value):
    """A cell value safe to open in Excel/WPS: text that would start a formula gets a leading "'"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    # control characters (other than tab, CR, LF) are not allowed in a cell: openpyxl would refuse the file
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


_SHEET_TITLE_FORBIDDEN = str.maketrans({ch: "_" for ch in "[]:*?/\\"})


def sheet_title(title):
    """A valid worksheet name: no []:*?/\\, at most 31 characters, never empty."""
    return (str(title).translate(_SHEET_TITLE_FORBIDDEN).strip("'")[:31]) or "Sheet"


def _display_width(value):
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    #: Optional fixed widths (characters); otherwise computed from the header and the first rows.
    widths: Sequence[int] | None = None
    number_format: dict | None = None  # column index -> Excel number format, e.g. {3: "0.00"}


def write_workbook(target, sheets: Sequence[Sheet]):
    """Write ``sheets`` to ``target`` (a path or binary file object) in write-only mode."""
    wb = Workbook(write_only=True)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    wrap = Alignment(vertical="center", wrap_text=True)
    for spec in sheets:
        ws = wb.create_sheet(title=sheet_title(spec.title))
        ws.freeze_panes = "A2"
        rows = iter(spec.rows)
        sample = []
        if spec.widths is None:
            for row in rows:
                sample.append([neutralise(v) for v in row])
                if len(sample) >= _WIDTH_SAMPLE:
                    break
            widths = [_display_width(h) + 2 for h in spec.headers]
            for row in sample:
                for i, v in enumerate(row[: len(widths)]):
                    widths[i] = max(widths[i], min(_display_width(v) + 2, _MAX_WIDTH))
        else:
            widths = list(spec.widths)
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(max(w, 6), _MAX_WIDTH)
        header = []
        for h in spec.headers:
            cell = WriteOnlyCell(ws, value=neutralise(h))
            cell.font, cell.fill, cell.alignment = header_font, header_fill, wrap
            header.append(cell)
        ws.append(header)
        formats = spec.number_format or {}

        def emit(values):
            if formats:
                out = []
                for i, v in enumerate(values):
                    if i in formats and v is not None:
                        cell = WriteOnlyCell(ws, value=v)
                        cell.number_format = formats[i]
                        out.append(cell)
                    else:
                        out.append(v)
                ws.append(out)
            else:
                ws.append(values)

        for row in sample:
            emit(row)
        for row in rows:
            emit([neutralise(v) for v in row])
    wb.save(target)


def xlsx_response(filename, sheets: Sequence[Sheet]):
    """A download of the workbook; spooled to a temporary file so memory stays flat."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_workbook(spool, sheets)
    spool.seek(0)
    if not filename.endswith(".xlsx"):
        filename += ".xlsx"
    return FileResponse(spool, as_attachment=True, filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
