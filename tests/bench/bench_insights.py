#!/usr/bin/env python
"""The statistics page and the expert calibration page at 2,000 applications and 300 experts.

    .venv/bin/python tests/bench/bench_insights.py [--apps 2000] [--experts 300] [--repeats 10] [--sqlite]

A script, not a pytest test (``make bench`` runs it). It builds a fresh database (PostgreSQL
``qa_bench_insights`` when postgres@127.0.0.1:5432 answers, else SQLite; ``--database NAME`` chooses
another PostgreSQL name), loads the fixtures and:

1. runs ``manage.py generate_data --applications 2000 --experts 300`` (every program's current campaign,
   applications in every state, panels, score sheets and consensus; the stored calibration refreshed as
   the generator's last scoring step does) and times both pages for the program with the most
   calibration behind it;
2. then the worst case the issue names: ``--apps`` applications of the 息县 program over two campaigns,
   every one reviewed at both stages by 5 of the 300 experts scoring the 23 items (about 460,000 expert
   item scores; tests/review/insights/bulk.py, with a known severity per expert), timed at a tenth of the
   data and at the full size so that the query counts show whether they grow;
3. times the refresh the scoring services ask for when a panel's scores change (its 5 experts in its
   campaign) and the nightly rebuild of one campaign.

Pages are timed through the test client (the whole request path, DEBUG off). Goal (the issue): the
calibration page renders in ≤ 300 ms (median) at the full size; queries per page do not grow with the
data. Prints each figure against the goal, writes bench-results/insights.json, and exits 1 when the goal
is missed or the queries grow.
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
GOAL_MS = 300
sys.path.insert(0, str(ROOT / "tests" / "review" / "insights"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=2000)
    parser.add_argument("--experts", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--database", default="qa_bench_insights", help="PostgreSQL database name (dropped first)")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even when PostgreSQL answers")
    args = parser.parse_args()
    setup_portal(prefix="qa-bench-insights-", postgres_name=args.database, sqlite=args.sqlite)

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    import bulk
    from applications.models import Campaign, Program
    from qualityaward.accounts.models import Role, User
    from qualityaward.accounts.services import grant_role
    from review.insights.models import ExpertItemCalibration
    from review.insights.services import refresh_calibration
    from review.scoring.models import ItemScore, ScoreSheet

    secretariat = User.objects.create_user(username="bench_secretariat", password="bench-pass-123")
    for program in Program.objects.all():
        grant_role(user=secretariat, role=Role.SECRETARIAT, program=program)
    client = Client()
    client.force_login(secretariat)

    def pages_of(campaign):
        return {"statistics": reverse("insights:statistics") + f"?campaign={campaign.pk}",
                "calibration": reverse("insights:calibration") + f"?program={campaign.program_id}"}

    def measure(pages, repeats):
        out = {}
        for name, url in pages.items():
            executed = []

            def count(execute, sql, params, many, context):
                executed.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                assert client.get(url).status_code == 200
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            out[name] = {"queries": len(executed), "median_ms": round(statistics.median(times), 1),
                         "max_ms": round(max(times), 1)}
        return out

    def vacuum():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")

    # 1. generate_data
    started = time.perf_counter()
    call_command("generate_data", applications=args.apps, experts=args.experts, seed=1, verbosity=0)
    vacuum()
    generate_s = time.perf_counter() - started
    busiest = (ExpertItemCalibration.objects.values("campaign_id").order_by().annotate(rows=Sum("n"))
               .order_by("-rows").first())
    generated = {"generate_seconds": round(generate_s, 1), "expert_item_scores": ItemScore.objects.count()}
    if busiest:
        campaign = Campaign.objects.select_related("program").get(pk=busiest["campaign_id"])
        generated.update({"program": campaign.program.name, "compared_item_scores": busiest["rows"],
                          **measure(pages_of(campaign), args.repeats)})

    # 2. the worst case: every application of one program scored at both stages
    current = Campaign.objects.select_related("program__profile").filter(
        program__code="xixian").order_by("-is_current", "-year").first()
    # fixtures load campaigns with their ids (PostgreSQL's sequence is left behind): the next id explicitly
    earlier = Campaign.objects.create(pk=Campaign.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1,
                                      program=current.program, name=f"{current.year - 1}年度（基准）",
                                      year=current.year - 1,
                                      data_years=[current.year - 4, current.year - 3, current.year - 2],
                                      opens_at=current.opens_at.replace(year=current.opens_at.year - 1),
                                      application_deadline=current.application_deadline.replace(
                                          year=current.application_deadline.year - 1),
                                      recommendation_deadline=current.recommendation_deadline.replace(
                                          year=current.recommendation_deadline.year - 1))
    pages = pages_of(current)
    started = time.perf_counter()
    tenth = max(args.apps // 20, 1)
    bulk.build(earlier, apps=tenth, experts=args.experts, prefix="bench", seed=1)
    bulk.build(current, apps=tenth, experts=args.experts, prefix="bench", seed=2)
    vacuum()
    small = measure(pages, 3)
    rest = args.apps // 2 - tenth
    bulk.build(earlier, apps=rest, experts=args.experts, prefix="bench", seed=3)
    bulk.build(current, apps=rest, experts=args.experts, prefix="bench", seed=4)
    vacuum()
    build_s = time.perf_counter() - started
    scores = ItemScore.objects.filter(sheet__panel__application__campaign__program=current.program).count()
    full = measure(pages, args.repeats)

    # 3. the refresh on a panel's change (its experts), and one campaign from scratch
    sheet = ScoreSheet.objects.filter(panel__application__campaign=current).order_by("-pk").first()
    experts = list(ScoreSheet.objects.filter(panel_id=sheet.panel_id).values_list("expert_id", flat=True))
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        refresh_calibration(campaign_id=current.pk, expert_ids=experts)
        times.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    refresh_calibration(campaign_id=current.pk)
    campaign_ms = (time.perf_counter() - t0) * 1000

    worst = full["calibration"]["median_ms"]
    grew = {name: (small[name]["queries"], full[name]["queries"]) for name in pages
            if small[name]["queries"] != full[name]["queries"]}
    met = worst <= GOAL_MS and (not generated.get("calibration") or generated["calibration"]["median_ms"] <= GOAL_MS)
    results = {"database": connection.vendor, "generate_data": generated,
               "worst_case": {"applications": args.apps, "experts": args.experts, "expert_item_scores": scores,
                              "build_seconds": round(build_s, 1), "at_a_tenth": small, "full": full},
               "refresh": {"panel_experts_ms": round(statistics.median(times), 1),
                           "campaign_ms": round(campaign_ms, 1)},
               "calibration_goal_ms": GOAL_MS, "goal_met": met and not grew,
               "measured_at": timezone.now().isoformat()}
    print(f"database: {connection.vendor}")
    if generated.get("calibration"):
        print(f"generate_data --applications {args.apps} --experts {args.experts} ({generate_s:.1f}s; "
              f"{generated['expert_item_scores']} expert item scores); busiest program {generated['program']} "
              f"({generated['compared_item_scores']} item scores compared):")
        for name in pages:
            print(f"  {name} page: {generated[name]['queries']} queries, median {generated[name]['median_ms']} ms, "
                  f"max {generated[name]['max_ms']} ms")
    print(f"worst case: {args.apps} applications of one program over 2 campaigns, both stages, {args.experts} "
          f"experts, {scores} expert item scores (built in {build_s:.1f}s):")
    for name in pages:
        print(f"  {name} page: {full[name]['queries']} queries at full size, {small[name]['queries']} at a tenth; "
              f"median {full[name]['median_ms']} ms, max {full[name]['max_ms']} ms")
    print(f"refresh after a panel's change ({len(experts)} experts): median {results['refresh']['panel_experts_ms']} "
          f"ms; one campaign from scratch: {campaign_ms:.0f} ms")
    print(f"calibration page: median {worst} ms against the goal of {GOAL_MS} ms: "
          + ("met" if worst <= GOAL_MS else "MISSED"))
    if grew:
        print("queries grew with the data: " + ", ".join(f"{k} {a} → {b}" for k, (a, b) in grew.items()))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if results["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
