#!/usr/bin/env python
"""Excel exports of the application lists: time and memory at 2,000 and 20,000 rows.

    .venv/bin/python tests/bench/bench_export.py [--small 2000] [--factor 10] [--sqlite]

A script, not a pytest test (``make bench`` runs it). It builds a fresh database (PostgreSQL
``qa_bench_export`` when postgres@127.0.0.1:5432 answers, else SQLite in a temporary directory), loads
the fixtures and writes, in bulk, ``--small × --factor`` submitted applications in 郑州 for the
cultivation program, ``--small`` of them named "甲组…". Then each export runs in a fresh subprocess (so
its peak resident memory is its own), through Django's test client (the whole request path, the
response read to the end), as:

* the secretariat: applications:list export filtered to the 甲组 (``--small`` rows) and unfiltered
  (``--small × --factor`` rows);
* the bureau: review:prereview_list export, the same two sizes.

Goal (the issue): an export of 2,000+ rows in seconds, and peak memory that stays flat when the row count
grows tenfold (openpyxl write-only mode, rows streamed from the database in chunks, the file spooled to
disk). Prints a table and writes bench-results/export.json.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
RESULTS = ROOT / "bench-results" / "export.json"


def _env(url, workdir):
    return {
        "DATABASE_URL": url, "MEDIA_ROOT": f"{workdir}/media", "STATIC_ROOT": f"{workdir}/static", "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 60, "ALLOWED_HOSTS": "testserver", "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0",
        "CELERY_BROKER_URL": "", "CELERY_TASK_ALWAYS_EAGER": "1", "DJANGO_SETTINGS_MODULE": "qualityaward.settings",
        "CACHE_URL": "locmemcache://",
    }


def _rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def build(args, url, workdir):
    os.environ.update(_env(url, workdir))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("load_seed_data", verbosity=0)
    from applications.campaigns import open_campaign
    from applications.models import Application, Program, State
    from qualityaward.accounts.models import Organization, Region, Role, User
    from qualityaward.accounts.services import grant_role

    campaign, _created = open_campaign(Program.objects.get(code="henan-cultivation"))  # open today, whatever the date
    zhengzhou = Region.objects.get(code="410100")
    secretariat = User.objects.create_user(username="secretariat", password="bench-pass-123", full_name="秘书处")
    grant_role(user=secretariat, role=Role.SECRETARIAT, program=campaign.program)
    bureau = User.objects.create_user(username="bureau", password="bench-pass-123", full_name="郑州市局")
    grant_role(user=bureau, role=Role.AUTHORITY, program=campaign.program, region=zhengzhou)
    owner = User.objects.create_user(username="owner", password="bench-pass-123")
    org = Organization.objects.create(name="基准企业", credit_code="91410100MA40QA001Q", region=zhengzhou)
    total = args.small * args.factor
    now = timezone.now()
    states = [State.SUBMITTED, State.RECOMMENDED, State.RETURNED, State.ELIGIBILITY_REVIEW]
    batch = []
    for i in range(total):
        group = "甲组" if i < args.small else "乙组"
        batch.append(Application(
            number=f"PY{campaign.year}-{i + 1:05d}", campaign=campaign, kind=Application.Kind.ORGANIZATION,
            organization=org, owner=owner, region=zhengzhou, state=states[i % len(states)],
            applicant_name=f"河南省{group}基准申报单位{i + 1:05d}装备制造有限公司" + ("=SUM(A1)" if i % 97 == 0 else ""),
            submitted_at=now - timedelta(minutes=i), content={}))
        if len(batch) == 2000:
            Application.objects.bulk_create(batch)
            batch = []
    Application.objects.bulk_create(batch)
    return total


def child(args):
    """One export in this process; prints a JSON line with time, size and memory."""
    os.environ.update(_env(args.url, args.workdir))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from qualityaward.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=args.user))
    url = reverse(args.view)
    params = {"q": "甲组"} if args.filtered else {}
    warm = client.get(url, {"q": "没有这个名称"})  # imports, templates, first queries
    assert warm.status_code == 200
    b"".join(warm.streaming_content)
    baseline = _rss_mb()
    started = time.perf_counter()
    response = client.get(url, params)
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - started
    from benchdb import peak_rss_mb

    peak = peak_rss_mb()
    from io import BytesIO  # count the rows written (outside the measured part)

    from openpyxl import load_workbook

    rows = None
    if args.count_rows:
        response = client.get(url, params)
        ws = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True).active
        rows = sum(1 for _ in ws.iter_rows(min_row=2))
    print(json.dumps({"seconds": round(seconds, 3), "bytes": size, "baseline_rss_mb": round(baseline, 1),
                      "peak_rss_mb": round(peak, 1), "growth_mb": round(peak - baseline, 1), "rows": rows}))


def run_child(args, url, workdir, view, user, filtered):
    cmd = [sys.executable, __file__, "--child", "--url", url, "--workdir", workdir, "--view", view, "--user", user]
    if filtered:
        cmd.append("--filtered")
    if args.count_rows:
        cmd.append("--count-rows")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even when PostgreSQL answers")
    parser.add_argument("--count-rows", action="store_true", help="also read each file back and count its rows")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--view", help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    parser.add_argument("--filtered", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    from benchdb import fresh_postgres_url

    workdir = tempfile.mkdtemp(prefix="qa-bench-export-")
    url = None if args.sqlite else fresh_postgres_url("qa_bench_export")
    url = url or f"sqlite:///{workdir}/bench.sqlite3"
    started = time.perf_counter()
    total = build(args, url, workdir)
    print(f"database: {'postgresql' if url.startswith('postgres') else 'sqlite'}; {total} applications written "
          f"in {time.perf_counter() - started:.1f}s")
    results = {"database": "postgresql" if url.startswith("postgres") else "sqlite", "exports": {}}
    print(f"{'export':34s} {'rows':>6s} {'seconds':>8s} {'KiB':>7s} {'base MB':>8s} {'peak MB':>8s} {'growth':>7s}")
    for view, user in (("applications:list_export", "secretariat"), ("review:prereview_export", "bureau")):
        for filtered, rows in ((True, args.small), (False, total)):
            r = run_child(args, url, workdir, view, user, filtered)
            results["exports"][f"{view} {rows}"] = {**r, "expected_rows": rows}
            print(f"{view + ' (' + user + ')':34s} {rows:6d} {r['seconds']:8.2f} {r['bytes'] / 1024:7.0f} "
                  f"{r['baseline_rss_mb']:8.1f} {r['peak_rss_mb']:8.1f} {r['growth_mb']:7.1f}")
            if r["rows"] is not None and r["rows"] != rows:
                raise SystemExit(f"{view}: {r['rows']} rows exported, expected {rows}")
    for view in ("applications:list_export", "review:prereview_export"):
        small, large = results["exports"][f"{view} {args.small}"], results["exports"][f"{view} {total}"]
        results[f"{view} peak ratio"] = round(large["peak_rss_mb"] / small["peak_rss_mb"], 2)
        print(f"{view}: peak memory ×{results[f'{view} peak ratio']} for ×{args.factor} rows; "
              f"{total / large['seconds']:.0f} rows/s")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    flat = all(results[f"{view} peak ratio"] < 1.5 for view in ("applications:list_export", "review:prereview_export"))
    print(f"peak memory flat (< ×1.5) when the rows grow ×{args.factor}: {flat}")
    if not flat:
        sys.exit(1)


if __name__ == "__main__":
    main()
