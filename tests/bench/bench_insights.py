#!/usr/bin/env python
"""The statistics page and the expert calibration page at 2,000 applications and 300 experts.

    .venv/bin/python tests/bench/bench_insights.py [--apps 2000] [--experts 300] [--repeats 10] [--sqlite]

A script, not a pytest test (``make bench`` runs it). It builds a fresh database (PostgreSQL
``qa_bench_insights`` when postgres@127.0.0.1:5432 answers, else SQLite), loads the fixtures and writes
in bulk (tests/review/insights/bulk.py) ``--apps`` applications of the 息县 program over two campaigns,
each reviewed at both stages by 5 of ``--experts`` experts scoring the 23 items (about 460,000 expert
item scores at the defaults), with basic sections and audit trails. It then times, through the test
client (the whole request path), the statistics page (/stats/) and the secretariat's calibration page
over every campaign, and counts their queries at a tenth of the data and at the full size.

Goal (the issue): the calibration page renders in ≤ 300 ms; queries per page do not grow with the data.
Writes bench-results/insights.json.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from benchdb import setup_portal

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "insights.json"
sys.path.insert(0, str(ROOT / "tests" / "review" / "insights"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=2000)
    parser.add_argument("--experts", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even when PostgreSQL answers")
    args = parser.parse_args()
    setup_portal(prefix="qa-bench-insights-", postgres_name="qa_bench_insights", sqlite=args.sqlite)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    import bulk
    from applications.models import Campaign
    from qualityaward.accounts.models import Role, User
    from qualityaward.accounts.services import grant_role

    current = Campaign.objects.select_related("program__profile").get(program__code="xixian", is_current=True)
    # fixtures load campaigns with their ids (PostgreSQL's sequence is left behind): the next id explicitly
    earlier = Campaign.objects.create(pk=Campaign.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1,
                                      program=current.program, name=f"{current.year - 1}年度", year=current.year - 1,
                                      data_years=[current.year - 4, current.year - 3, current.year - 2],
                                      opens_at=current.opens_at.replace(year=current.opens_at.year - 1),
                                      application_deadline=current.application_deadline.replace(
                                          year=current.application_deadline.year - 1),
                                      recommendation_deadline=current.recommendation_deadline.replace(
                                          year=current.recommendation_deadline.year - 1))
    secretariat = User.objects.create_user(username="bench_secretariat", password="bench-pass-123")
    grant_role(user=secretariat, role=Role.SECRETARIAT, program=current.program)
    client = Client()
    client.force_login(secretariat)
    pages = {"statistics": reverse("insights:statistics") + f"?campaign={current.pk}",
             "calibration": reverse("insights:calibration") + f"?program={current.program_id}"}

    def measure(repeats):
        out = {}
        for name, url in pages.items():
            connection.queries_log.clear()  # the bulk writes filled the log: count from empty
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            out[name] = {"queries": len(ctx.captured_queries), "median_ms": round(statistics.median(times), 1),
                         "max_ms": round(max(times), 1)}
        return out

    def vacuum():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")

    started = time.perf_counter()
    tenth = max(args.apps // 20, 1)
    bulk.build(earlier, apps=tenth, experts=args.experts, prefix="bench", seed=1)
    bulk.build(current, apps=tenth, experts=args.experts, prefix="bench", seed=2)
    vacuum()
    small = measure(3)
    rest = args.apps // 2 - tenth
    bulk.build(earlier, apps=rest, experts=args.experts, prefix="bench", seed=3)
    bulk.build(current, apps=rest, experts=args.experts, prefix="bench", seed=4)
    vacuum()
    build_s = time.perf_counter() - started
    from review.scoring.models import ItemScore

    scores = ItemScore.objects.count()
    full = measure(args.repeats)
    results = {"database": connection.vendor, "applications": args.apps, "experts": args.experts,
               "expert_item_scores": scores, "build_seconds": round(build_s, 1), "at_a_tenth": small, "full": full,
               "calibration_goal_ms": 300, "measured_at": timezone.now().isoformat()}
    print(f"database: {connection.vendor}; {args.apps} applications over 2 campaigns, {args.experts} experts, "
          f"{scores} expert item scores (built in {build_s:.1f}s)")
    for name in pages:
        print(f"{name} page: {full[name]['queries']} queries at full size, {small[name]['queries']} at a tenth; "
              f"median {full[name]['median_ms']} ms, max {full[name]['max_ms']} ms")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
