#!/usr/bin/env python
"""Excel writers side by side on the score matrix's shape: 2,000 applications ≈ 30,000 rows × 28 columns.

    .venv/bin/python tests/bench/bench_xlsx_writers.py [--rows 30000] [--repeats 3]

A script, not a pytest test (``make bench`` runs it). Each candidate writes the same workbook from the same
rows (``applications.documents.xlsx.Sheet``): Chinese headers in bold on a fill, the header row frozen,
column widths, a two-decimal number format on the stage score, and text that a spreadsheet would read as a
formula neutralised (``neutralise``). Candidates: openpyxl write-only mode, XlsxWriter with
``constant_memory``, and rustpy-xlsxwriter (a compiled writer fed by a generator). Every file is read
back with openpyxl and compared cell by cell with the rows; a writer whose workbook differs is marked so
and cannot win. Prints seconds and the Python memory peak (tracemalloc) per writer; the portal's
``write_workbook`` must be the fastest correct one. Writes bench-results/xlsx_writers.json.
"""
import argparse
import io
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench-results" / "xlsx_writers.json"
ITEMS = 23


def matrix_sheet(n_rows):
    from applications.documents.xlsx import Sheet

    headers = ["申报编号", "申报单位（个人）", "评审阶段", "评分人", *[f"4.{i // 5 + 1}.{i % 5 + 1} 条款{i}（20分）"
                                                             for i in range(ITEMS)], "阶段得分"]

    def rows():
        for i in range(n_rows):
            name = "=HYPERLINK(\"http://x\")" if i % 997 == 0 else f"基准申报单位{i // 15:05d}有限公司"
            percents = [40 + (i * 7 + j * 5) % 60 for j in range(ITEMS)]
            yield [f"XX2026-{i // 15:05d}", name, "材料评审" if i % 2 else "现场评审", f"专家{i % 300:03d}",
                   *percents, sum(percents) * 0.2]

    return Sheet("评分矩阵", headers, rows(), widths=[14, 28, 10, 18, *[12] * ITEMS, 10],
                 number_format={4 + ITEMS: "0.00"})


# --- the candidates -------------------------------------------------------------------------------------------
def with_openpyxl(target, sheets):
    """openpyxl write-only mode (what the portal used before)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from applications.documents.xlsx import neutralise, sheet_title

    wb = Workbook(write_only=True)
    for spec in sheets:
        ws = wb.create_sheet(title=sheet_title(spec.title))
        ws.freeze_panes = "A2"
        for i, w in enumerate(spec.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        header = []
        for h in spec.headers:
            cell = WriteOnlyCell(ws, value=neutralise(h))
            cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            header.append(cell)
        ws.append(header)
        formats = spec.number_format or {}
        for row in spec.rows:
            values = [neutralise(v) for v in row]
            for i, fmt in formats.items():
                if values[i] is not None:
                    cell = WriteOnlyCell(ws, value=values[i])
                    cell.number_format = fmt
                    values[i] = cell
            ws.append(values)
    wb.save(target)


def with_xlsxwriter(target, sheets):
    """XlsxWriter, constant_memory (each row flushed to a temporary file as it is written)."""
    import xlsxwriter

    from applications.documents.xlsx import neutralise, sheet_title

    wb = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False,
                                      "strings_to_formulas": False, "strings_to_urls": False})
    header_format = wb.add_format({"bold": True, "bg_color": "#DDE7F3", "text_wrap": True, "valign": "vcenter"})
    for spec in sheets:
        ws = wb.add_worksheet(sheet_title(spec.title))
        ws.freeze_panes(1, 0)
        for i, w in enumerate(spec.widths):
            ws.set_column(i, i, w)
        ws.write_row(0, 0, [neutralise(h) for h in spec.headers], header_format)
        formats = {i: wb.add_format({"num_format": f}) for i, f in (spec.number_format or {}).items()}
        for r, row in enumerate(spec.rows, start=1):
            for c, v in enumerate(row):
                v = neutralise(v)
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                elif v is not None:
                    ws.write_number(r, c, v, formats.get(c))
    wb.close()


def with_rustpy(target, sheets):
    """The portal's writer (``write_workbook``: rustpy-xlsxwriter fed by a generator)."""
    from applications.documents.xlsx import write_workbook

    write_workbook(target, sheets)


WRITERS = {"openpyxl write-only": with_openpyxl, "XlsxWriter constant_memory": with_xlsxwriter,
           "rustpy-xlsxwriter": with_rustpy}


def check(data, n_rows):
    """Differences between the workbook and the rows it should hold (empty when the same)."""
    from openpyxl import load_workbook

    from applications.documents.xlsx import neutralise

    wb = load_workbook(io.BytesIO(data), read_only=False)
    ws = wb["评分矩阵"]
    spec = matrix_sheet(n_rows)
    problems = []
    if ws.freeze_panes != "A2":
        problems.append(f"freeze panes {ws.freeze_panes}")
    got_header = [c.value for c in ws[1]]
    if got_header != list(spec.headers):
        problems.append("header differs")
    if not ws["A1"].font.bold:
        problems.append("header not bold")
    if ws.max_row != n_rows + 1:
        problems.append(f"{ws.max_row - 1} rows")
    for r, row in enumerate(spec.rows, start=2):
        if r % 499 and r != n_rows + 1 and r != 2 and (r - 2) % 997:
            continue
        got = [c.value for c in ws[r]]
        want = [neutralise(v) for v in row]
        if [round(v, 6) if isinstance(v, float) else v for v in got] != [
                round(v, 6) if isinstance(v, float) else v for v in want]:
            problems.append(f"row {r} differs: {got[:3]} …")
            break
        if ws.cell(r, len(want)).number_format != "0.00":
            problems.append(f"row {r}: stage score format {ws.cell(r, len(want)).number_format}")
            break
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityaward.settings")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
    import django

    django.setup()
    results = {}
    for name, writer in WRITERS.items():
        times = []
        for _ in range(args.repeats):
            out = io.BytesIO()
            started = time.perf_counter()
            writer(out, [matrix_sheet(args.rows)])
            times.append(time.perf_counter() - started)
        tracemalloc.start()
        writer(io.BytesIO(), [matrix_sheet(args.rows)])
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        problems = check(out.getvalue(), args.rows)
        results[name] = {"seconds": round(statistics.median(times), 2), "python_peak_mb": round(peak, 1),
                         "kb": len(out.getvalue()) // 1024, "same_workbook": not problems, "problems": problems}
        print(f"{name:28} {results[name]['seconds']:6.2f} s  peak {peak:6.1f} MB  {results[name]['kb']:6d} KB  "
              f"{'same workbook' if not problems else 'DIFFERS: ' + '; '.join(problems)}")
    correct = {n: r for n, r in results.items() if r["same_workbook"]}
    fastest = min(correct, key=lambda n: correct[n]["seconds"]) if correct else None
    print(f"fastest writer of the same workbook: {fastest} (the portal uses rustpy-xlsxwriter)")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"rows": args.rows, "columns": ITEMS + 5, "writers": results,
                                   "fastest": fastest}, ensure_ascii=False, indent=1))
    return 0 if fastest == "rustpy-xlsxwriter" else 1


if __name__ == "__main__":
    sys.exit(main())
