"""Excel exports: one writer for every list the secretariat downloads.

rustpy-xlsxwriter, a compiled writer fed by a generator (rows are written as they come: memory does not
grow with the row count; measured against openpyxl's write-only mode and XlsxWriter's constant_memory
mode by tests/bench/bench_xlsx_writers.py, about three times faster than the next), Chinese headers, frozen header row, column widths from the header
and a sample of rows, and every text cell that a spreadsheet would read as a formula (= + - @, also
after leading blanks, or a tab/CR/LF) neutralised with a leading apostrophe so it shows as text.
"""
import datetime as dt
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence

from django.http import FileResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
_WIDTH_SAMPLE = 200
_MAX_WIDTH = 60
#: The control characters a cell may not hold (openpyxl's ILLEGAL_CHARACTERS_RE, kept here: importing openpyxl
#: for this one pattern put about 5 MB into every process that loads the exports).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


#: Cell types written as they are: the first test of every cell, by exact type (a score matrix is mostly
#: numbers and blanks, and exact type tests cost a quarter of the isinstance chain below).
_AS_IS = frozenset({type(None), int, float, Decimal})


def neutralise(value):
    """A cell value safe to open in Excel/WPS: text that would start a formula gets a leading "'"."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is not str:
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
    #: Optional: the only columns that may hold text, dates or yes/no; every other column promises numbers
    #: or blanks and is written as it comes (the score matrix: 4 text columns beside 24 of scores, 30,000 rows).
    text_columns: Sequence[int] | None = None


def _unique(headers):
    """Header texts as record keys: a repeated header gets a numbered suffix."""
    seen, out = {}, []
    for h in headers:
        text = neutralise(h) or ""
        seen[text] = seen.get(text, 0) + 1
        out.append(text if seen[text] == 1 else f"{text}（{seen[text]}）")
    return out


def write_workbook(target, sheets: Sequence[Sheet]):
    """Write ``sheets`` to ``target`` (a path or binary file object), one row at a time (the compiled writer
    takes the rows from a generator and never holds the sheet: memory stays flat)."""
    # imported here, not with the module: a process that never writes a workbook (a worker building
    # dossiers, whose peak memory counts) does not carry the writer's 8 MB
    from rustpy_xlsxwriter import FastExcel, Format

    book = FastExcel(target).format(datetime_format="yyyy-mm-dd hh:mm:ss").freeze(row=1)
    header_format = Format().set_bold().set_background_color("#DDE7F3").set_text_wrap().set_align("vcenter")
    for spec in sheets:
        keys = _unique(spec.headers)
        rows = iter(spec.rows)
        sample = []
        for row in rows:
            sample.append([neutralise(v) for v in row])
            if len(sample) >= _WIDTH_SAMPLE:
                break
        if spec.widths is None:
            widths = [_display_width(h) + 2 for h in keys]
            for row in sample:
                for i, v in enumerate(row[: len(widths)]):
                    widths[i] = max(widths[i], min(_display_width(v) + 2, _MAX_WIDTH))
        else:
            widths = list(spec.widths)
        formats = dict(spec.number_format or {})
        for i in range(len(keys)):  # a column of dates (not date-times) shows the date alone
            column = [row[i] for row in sample if i < len(row) and row[i] is not None]
            if column and all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in column):
                formats.setdefault(i, "yyyy-mm-dd")

        def records(sample=sample, rows=rows, keys=keys, text_columns=spec.text_columns):
            for row in sample:
                yield dict(zip(keys, row))
            if text_columns is None:
                for row in rows:
                    yield dict(zip(keys, map(neutralise, row)))
            else:
                for row in rows:
                    row = list(row)
                    for i in text_columns:
                        row[i] = neutralise(row[i])
                    yield dict(zip(keys, row))
            if not sample:  # an empty sheet still shows its header row
                yield dict.fromkeys(keys)

        book = book.sheet(sheet_title(spec.title), records(), header_format=header_format,
                          column_widths={k: min(max(w, 6), _MAX_WIDTH) for k, w in zip(keys, widths)},
                          column_formats={keys[i]: Format().set_num_format(f) for i, f in formats.items()
                                          if i < len(keys)})
    book.save()


def xlsx_response(filename, sheets: Sequence[Sheet]):
    """A download of the workbook; spooled to a temporary file so memory stays flat."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_workbook(spool, sheets)
    spool.seek(0)
    if not filename.endswith(".xlsx"):
        filename += ".xlsx"
    return FileResponse(spool, as_attachment=True, filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
