#!/usr/bin/env python
"""The public notice page (公示) with 50 and with 500 lines, signed out.

    .venv/bin/python tests/bench/bench_notice_page.py [--items 500] [--repeats 30] [--sqlite]

A script, not a pytest test (``make bench`` runs it). It builds a fresh database (PostgreSQL
``qa_bench_notice`` when postgres@127.0.0.1:5432 answers, else SQLite in a temporary directory), loads
the fixtures, writes ``--items`` accepted applications in bulk and two open notices listing the first
50 and all of them, then requests the notice page, its printable version and the public board through
Django's test client (the whole request path, no login), counting queries and timing ``--repeats``
requests of each.

Goal: the number of queries does not grow with the lines; print the median time.
Writes bench-results/notice_page.json.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from benchdb import setup_portal

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "notice_page.json"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even when PostgreSQL answers")
    args = parser.parse_args()

    _workdir, url = setup_portal(prefix="qa-bench-notice-", postgres_name="qa_bench_notice", sqlite=args.sqlite)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone


    from applications.campaigns import open_campaign
    from applications.models import Application, Program, State
    from publicity.notices import services
    from publicity.notices.models import Notice, NoticeItem
    from qualityaward.accounts.models import Organization, Region, User

    campaign, _created = open_campaign(Program.objects.get(code="henan-cultivation"))  # open today, whatever the date
    regions = list(Region.objects.filter(code__in=["410100", "410200", "410300", "411500"]))
    owner = User.objects.create_user(username="owner", password="bench-pass-123")
    org = Organization.objects.create(name="基准企业", credit_code="91410100MA40QA001Q", region=regions[0])
    apps = Application.objects.bulk_create([
        Application(number=f"PY{campaign.year}-{i + 1:05d}", campaign=campaign, kind=Application.Kind.ORGANIZATION,
                    organization=org, owner=owner, applicant_name=f"基准申报单位{i + 1:05d}有限公司",
                    region=regions[i % len(regions)], state=State.ACCEPTANCE_PUBLICITY, content={})
        for i in range(args.items)])
    now = timezone.now()
    last_day, closes_at = services.window_of(now, 14, "calendar_days")

    def notice(n):
        record = Notice.objects.create(
            campaign=campaign, kind="acceptance", title=f"{campaign.program.name}受理名单公示（{n} 个）",
            issuer=campaign.program.organizer, contact="秘书处 0371-00000000", window_length=14,
            window_unit="calendar_days", opens_at=now, last_day=last_day, closes_at=closes_at, status="open",
            opened_at=now)
        NoticeItem.objects.bulk_create([
            NoticeItem(notice=record, application=a, position=i, name=a.applicant_name,
                       region_name=regions[(i - 1) % len(regions)].name, industry="通用设备制造业", opened_at=now)
            for i, a in enumerate(apps[:n], start=1)])
        return record

    small, large = notice(50), notice(args.items)
    client = Client()

    def measure(record, repeats):
        out = {}
        for name, path in (("notice", reverse("publicity:notice", args=[record.pk])),
                           ("printable", reverse("publicity:notice_print", args=[record.pk])),
                           ("board", reverse("publicity:index"))):
            client.get(path)  # warm
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            assert response.status_code == 200, (name, response.status_code)
            queries = len(ctx.captured_queries)
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            out[name] = {"queries": queries, "median_ms": round(statistics.median(times), 2),
                         "bytes": len(response.content)}
        return out

    at_small = measure(small, args.repeats)
    at_large = measure(large, args.repeats)
    constant = all(at_small[k]["queries"] == at_large[k]["queries"] for k in at_small)
    results = {"database": "postgresql" if url else "sqlite", "at_50": at_small, f"at_{args.items}": at_large,
               "queries_constant_in_lines": constant,
               "median_ms_notice_page": at_large["notice"]["median_ms"]}
    print(f"database: {results['database']}")
    print(f"{'page':10s} {'queries@50':>10s} {'queries@' + str(args.items):>12s} {'ms@50':>8s} "
          f"{'ms@' + str(args.items):>9s} {'KB@' + str(args.items):>8s}")
    for name in at_small:
        print(f"{name:10s} {at_small[name]['queries']:10d} {at_large[name]['queries']:12d} "
              f"{at_small[name]['median_ms']:8.2f} {at_large[name]['median_ms']:9.2f} "
              f"{at_large[name]['bytes'] / 1024:8.1f}")
    print(f"queries constant in the number of lines: {constant}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if not constant:
        sys.exit(1)


if __name__ == "__main__":
    main()
