#!/usr/bin/env python
"""The last step of ``make bench``: one table of every row of the performance goals, read from the
results the benchmark scripts wrote in ``bench-results/`` during this run.

    .venv/bin/python tests/bench/summary.py [--results bench-results]

Each row: what is measured, its goal, the measured value and whether it is met. A row that no script
measured (its result file or field is missing) prints “未测” and counts as not met. Exit 1 when any row
is not met, 0 when all are. Not named ``bench_*.py``: it measures nothing itself.
"""
import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_MEASURED = "未测"
DASHBOARD_ROLES = ["applicant", "authority", "secretariat", "expert", "supervisor", "committee", "admin"]


def load(results, name):
    path = results / name
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text("utf-8"))
    except ValueError:
        return None


def dig(data, *keys):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def row(measure, goal, value, met):
    """``value`` None means not measured: printed as 未测 and not met."""
    if value is None:
        return (measure, goal, NOT_MEASURED, False)
    return (measure, goal, value, bool(met))


def rows(results):
    out = []
    dashboards = load(results, "dashboards.json")
    pages = {p["page"]: p for p in (dig(dashboards, "pages") or [])}
    goal = "≥ 50 % of the minimal page's req/s, queries constant"
    for role in DASHBOARD_ROLES:
        p = pages.get(f"dashboard:{role}")
        if p is None:
            out.append(row(f"dashboard {role} (gunicorn -w 2)", goal, None, False))
            continue
        value = (f"{p['ratio_to_minimal']:.0%} ({p['rps']:.0f} req/s), queries {p['queries']} at full scale, "
                 f"{p['queries_small_scale']} at small (uncached), {p.get('queries_cached', '?')} cached")
        out.append(row(f"dashboard {role} (gunicorn -w 2)", goal, value, p.get("meets_goal")))

    ranking = load(results, "ranking.json")
    q = dig(ranking, "ranking_query_median_ms")
    out.append(row("ranking query, 2,000 applications", "≤ 150 ms median",
                   None if q is None else f"{q} ms median (max {dig(ranking, 'ranking_query_max_ms')})",
                   q is not None and q <= 150))
    page = dig(ranking, "ranking_page_median_ms")
    out.append(row("ranking page (paginated, filterable)", "≤ 100 ms server time",
                   None if page is None else f"{page} ms median", page is not None and page <= 100))
    matrix = dig(ranking, "score_matrix_xlsx_median_ms")
    out.append(row("score-matrix Excel, 2,000 applications", "≤ 3 s",
                   None if matrix is None else f"{matrix / 1000:.2f} s median", matrix is not None and matrix <= 3000))
    peak = dig(ranking, "score_matrix_python_peak_mb")
    # "memory flat": the export reads a fixed number of applications at a time; its Python peak stays
    # bounded whatever the campaign's size (64 MB is far above one chunk, far below the whole matrix).
    out.append(row("score-matrix Excel, memory", "flat (Python peak ≤ 64 MB)",
                   None if peak is None else f"{peak} MB Python peak", peak is not None and peak <= 64))

    dossier = load(results, "dossier.json")
    s60, rss = dig(dossier, "form_60", "seconds"), dig(dossier, "form_60", "peak_rss_mb")
    out.append(row("dossier PDF, ~60-page form", "≤ 1.0 s, ≤ 200 MB",
                   None if s60 is None else f"{s60:.2f} s, peak RSS {rss:.0f} MB",
                   s60 is not None and rss is not None and s60 <= 1.0 and rss <= 200))
    largest = dig(dossier, "form_200_evidence_100", "peak_rss_mb")
    out.append(row("dossier PDF, ~200-page form + 100 evidence pages", "peak RSS ≤ 200 MB",
                   None if largest is None else f"peak RSS {largest:.0f} MB", largest is not None and largest <= 200))
    s200 = dig(dossier, "form_200", "seconds")
    out.append(row("dossier PDF, ~200-page form", "≤ 3 s", None if s200 is None else f"{s200:.2f} s",
                   s200 is not None and s200 <= 3.0))

    mixed = load(results, "mixed.json")
    m = dig(mixed, "mixed")
    if m is None:
        out.append(row("mixed workload, 50 users × 60 s", "≥ 50 % of the minimal page's req/s, 0 errors", None, False))
    else:
        setup = mixed.get("setup", {})
        value = (f"{mixed['ratio_to_minimal']:.0%} ({m['rps']:.1f} of {mixed['minimal']['rps']:.1f} req/s), "
                 f"p50 {m['p50_ms']} / p95 {m['p95_ms']} / p99 {m['p99_ms']} ms, errors {m['errors']}")
        out.append(row(f"mixed workload, {setup.get('users', '?')} users × {setup.get('seconds', '?'):g} s",
                       "≥ 50 % of the minimal page's req/s, 0 errors", value, mixed.get("met")))
    return out


def width(text):
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def render(table):
    header = ("measure", "goal", "measured", "met")
    lines = [header] + [(m, g, v, "met" if ok else "NOT MET") for m, g, v, ok in table]
    widths = [max(width(r[i]) for r in lines) for i in range(4)]
    text = []
    for n, r in enumerate(lines):
        text.append("  ".join(str(c) + " " * (widths[i] - width(c)) for i, c in enumerate(r)).rstrip())
        if n == 0:
            text.append("  ".join("-" * w for w in widths))
    return "\n".join(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=str(ROOT / "bench-results"))
    args = parser.parse_args()
    table = rows(Path(args.results))
    print()
    print(f"make bench summary (load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)")
    print(render(table))
    missed = [m for m, _g, _v, ok in table if not ok]
    print()
    if missed:
        print(f"{len(missed)} of {len(table)} rows not met (未测 counts as not met).")
        return 1
    print(f"All {len(table)} rows met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
