#!/usr/bin/env python
"""The secretariat's ranking: 2,000 applications with ~600,000 expert item scores.

    .venv/bin/python tests/bench/bench_ranking.py [--apps 2000] [--experts 6] [--repeats 20] [--sqlite]

A script, not a pytest test (``make bench`` runs it). It builds a fresh database (PostgreSQL
``qa_bench_ranking`` when postgres@127.0.0.1:5432 answers, else SQLite in a temporary directory), loads
the fixtures and, for the 息县 program (30 % + 70 %, finalists at 600), writes in bulk ``--apps``
applications in on-site review, each with a concluded material and on-site panel of ``--experts`` or
one more experts (leader + members): every expert's submitted sheet with 23 item scores and comments
(about 600,000 rows at the defaults, plus a few corrections), and each panel's 23 item scores (consensus). Then it times ``review.scoring.ranking_rows`` (one SQL query: correlated sums over
the panels' current item scores, the weighted total and a RANK window), the ranking page through the
test client (the whole request path: all 2,000 ranked, one page of them rendered), the ranking's Excel export, and the score
matrix export (one row per application × stage × expert plus the panel's row, 23 item columns), with
its Python memory peak (tracemalloc). At 2,000 applications the matrix holds more than
``BACKGROUND_EXPORT_ROWS`` rows, so the export answers with its background job (Celery eager here: the job
writes the workbook within the request): the time runs from the click to the downloaded file (the job's
page, then its download).

Goals (the issue): the ranking query ≤ 150 ms on PostgreSQL, the ranking page ≤ 100 ms; the score matrix of 2,000 applications
exported in ≤ 3 s with memory that does not grow with the row count. Writes bench-results/ranking.json.
"""
import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from benchdb import fresh_postgres_url

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "ranking.json"
SEED = 11
BATCH = 5000


def build(args, campaign):
    """Write the data set in bulk; returns the secretariat user and the counts."""
    from django.db import connection
    from django.utils import timezone

    from applications.models import Application, State
    from qualityaward.accounts.models import Organization, Region, Role, User
    from qualityaward.accounts.services import grant_role
    from review.scoring import services as svc
    from review.panels.models import Panel, PanelMember
    from review.scoring.models import ItemScore, PanelItemScore, ScoreCorrection, ScoreSheet, StageResult

    rng = random.Random(SEED)
    profile = campaign.program.profile
    region = Region.objects.get(code="411528")
    secretariat = User.objects.create_user(username="secretariat", password="bench-pass-123", full_name="秘书处")
    grant_role(user=secretariat, role=Role.SECRETARIAT, program=campaign.program)
    owner = User.objects.create_user(username="owner", password="bench-pass-123")
    org = Organization.objects.create(name="息县基准企业", credit_code="91411528MA40QA0036", region=region)
    experts = User.objects.bulk_create([User(username=f"expert{i:03d}", full_name=f"专家{i:03d}", password="!")
                                        for i in range(300)])
    items = svc.scored_items(profile.scoring_scheme_id)

    started = time.perf_counter()
    now = timezone.now()
    apps = Application.objects.bulk_create([
        Application(number=f"XX{campaign.year}-{i + 1:05d}", campaign=campaign, kind=Application.Kind.ORGANIZATION,
                    organization=org, owner=owner, applicant_name=f"基准申报单位{i + 1:05d}有限公司", region=region,
                    state=State.ONSITE_REVIEW, submitted_at=now, content={})
        for i in range(args.apps)], batch_size=BATCH)
    panels = Panel.objects.bulk_create([Panel(application=app, stage=stage) for app in apps
                                        for stage in (Panel.Stage.MATERIAL, Panel.Stage.ONSITE)], batch_size=BATCH)
    seats, sheets = [], []
    for panel in panels:
        for i, expert in enumerate(rng.sample(experts, args.experts + (rng.random() < 0.5))):
            seats.append(PanelMember(panel=panel, expert=expert,
                                     role=PanelMember.Role.LEADER if i == 0 else PanelMember.Role.MEMBER))
            sheets.append(ScoreSheet(panel=panel, expert=expert, status=ScoreSheet.Status.SUBMITTED,
                                     submitted_at=now, version=3))
    PanelMember.objects.bulk_create(seats, batch_size=BATCH)
    sheets = ScoreSheet.objects.bulk_create(sheets, batch_size=BATCH)
    level = {app.pk: rng.choice(range(40, 75, 5)) for app in apps}  # each applicant's typical percentage
    n_scores = 0
    panel_app = {p.pk: p.application_id for p in panels}
    buffer = []
    for sheet in sheets:
        base = level[panel_app[sheet.panel_id]]
        for item in items:
            pct = max(0, min(100, base + 5 * rng.randint(-2, 2)))
            buffer.append(ItemScore(sheet=sheet, item=item, percent=pct, strengths="方法系统，展开充分",
                                    opportunities="趋势数据与标杆对比不足"))
        if len(buffer) >= BATCH:
            ItemScore.objects.bulk_create(buffer, batch_size=BATCH)
            n_scores += len(buffer)
            buffer = []
    ItemScore.objects.bulk_create(buffer, batch_size=BATCH)
    n_scores += len(buffer)
    leaders = {s.panel_id: s.expert for s in seats if s.role == PanelMember.Role.LEADER}
    some = list(ItemScore.objects.order_by("?").values_list("pk", flat=True)[:200])
    ScoreCorrection.objects.bulk_create([ScoreCorrection(score_id=pk, percent=50, reason="笔误更正",
                                                         corrected_by=experts[0]) for pk in some])
    panel_rows = []
    for panel in panels:
        base = level[panel.application_id]
        for item in items:
            panel_rows.append(PanelItemScore(panel=panel, item=item, source="consensus", reason="经合议形成共识",
                                             percent=Decimal(max(0, min(100, base + 5 * rng.randint(-1, 1)))),
                                             recorded_by=leaders[panel.pk]))
    PanelItemScore.objects.bulk_create(panel_rows, batch_size=BATCH)
    StageResult.objects.bulk_create([StageResult(panel=p, aggregation="consensus", experts=args.experts,
                                                 concluded_by=leaders[p.pk]) for p in panels], batch_size=BATCH)
    svc.refresh_stage_sums(panels=panels)
    build_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return secretariat, {"apps": len(apps), "panels": len(panels), "scores": n_scores, "panel_rows": len(panel_rows),
                         "corrections": len(some), "build": build_s}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=2000)
    parser.add_argument("--experts", type=int, default=6,
                        help="experts per panel, leader included (half the panels get one more)")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even when PostgreSQL answers")
    parser.add_argument("--reuse", action="store_true", help="time the PostgreSQL database of an earlier run again")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="qa-bench-ranking-")
    if args.reuse:
        url = "postgres://postgres@127.0.0.1:5432/qa_bench_ranking"
    else:
        url = None if args.sqlite else fresh_postgres_url("qa_bench_ranking")
    os.environ.update({
        "DATABASE_URL": url or f"sqlite:///{workdir}/bench.sqlite3",
        "MEDIA_ROOT": f"{workdir}/media", "STATIC_ROOT": f"{workdir}/static", "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 60, "ALLOWED_HOSTS": "testserver", "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0",
        "CELERY_BROKER_URL": "", "CELERY_TASK_ALWAYS_EAGER": "1", "DJANGO_SETTINGS_MODULE": "qualityaward.settings",
    })
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    if not args.reuse:
        call_command("migrate", verbosity=0)
        call_command("load_seed_data", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    from applications.campaigns import open_campaign
    from applications.models import Application, Campaign, Program, State
    from qualityaward.accounts.models import Organization, Region, Role, User
    from qualityaward.accounts.services import grant_role
    from review.scoring import services as svc
    from review.panels.models import Panel, PanelMember
    from review.scoring.models import ItemScore, PanelItemScore, ScoreCorrection, ScoreSheet, StageResult

    if args.reuse:  # the campaign the data was built in, current since then
        campaign = Campaign.objects.select_related("program__profile").get(program__code="xixian", is_current=True)
        secretariat = User.objects.get(username="secretariat")
        counts = {"apps": Application.objects.filter(campaign=campaign).count(), "panels": Panel.objects.count(),
                  "scores": ItemScore.objects.count(), "panel_rows": PanelItemScore.objects.count(),
                  "corrections": ScoreCorrection.objects.count(), "build": 0.0}
    else:
        campaign, _created = open_campaign(Program.objects.get(code="xixian"))  # open today, whatever the date
        secretariat, counts = build(args, campaign)
    from review.scoring.exports import MATRIX_CHUNK
    from review.scoring.views import RANKING_PAGE_SIZE

    print(f"database: {connection.vendor}; {counts['apps']} applications, {counts['panels']} panels, "
          f"{counts['scores']} expert item scores, {counts['panel_rows']} panel item scores"
          f" (built in {counts['build']:.1f}s)")

    def timed(fn, repeats):
        fn()  # warm
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        return round(statistics.median(times), 2), round(max(times), 2)

    with CaptureQueriesContext(connection) as ctx:
        rows = svc.ranking_rows(campaign=campaign)
    ranking_queries = len(ctx.captured_queries)
    finalists = sum(1 for r in rows if r.finalist)
    query_ms, query_max = timed(lambda: svc.ranking_rows(campaign=campaign), args.repeats)
    plan = ""
    if connection.vendor == "postgresql":
        plan = "\n".join(svc.ranking(campaign=campaign).explain(analyze=True).splitlines()[-2:])

    client = Client()
    client.force_login(secretariat)
    page_url = reverse("review:ranking") + f"?campaign={campaign.pk}"
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page_url).status_code == 200
    page_queries = len(ctx.captured_queries)
    page_ms, page_max = timed(lambda: client.get(page_url), max(3, args.repeats // 4))
    xlsx_url = reverse("review:ranking_xlsx", args=[campaign.pk])
    xlsx_ms, _ = timed(lambda: b"".join(client.get(xlsx_url).streaming_content), 3)
    matrix_url = reverse("review:score_matrix_xlsx", args=[campaign.pk])
    from django.conf import settings

    from applications.models import BackgroundJob

    matrix_way = []

    def score_matrix():
        """The score matrix as the user gets it: streamed at once, or, above ``BACKGROUND_EXPORT_ROWS`` rows,
        the export's job (Celery eager: it runs within the request), its page, then the file's download."""
        response = client.get(matrix_url)
        if response.status_code == 200:
            matrix_way.append("download at once")
            return b"".join(response.streaming_content)
        assert response.status_code == 302, response.status_code
        job = BackgroundJob.objects.filter(kind=BackgroundJob.Kind.EXPORT, export="score_matrix",
                                           requested_by=secretariat).order_by("-pk").first()
        assert job is not None and response.url == reverse("applications:job", args=[job.pk]), response.url
        assert client.get(response.url).status_code == 200  # the job's page (the user follows the redirect)
        job.refresh_from_db()
        assert job.status == BackgroundJob.Status.READY, (job.status, job.error)
        download = client.get(reverse("applications:job_download", args=[job.pk]))
        assert download.status_code == 200, download.status_code
        matrix_way.append(f"background job ({job.total} rows > BACKGROUND_EXPORT_ROWS {settings.BACKGROUND_EXPORT_ROWS})")
        return b"".join(download.streaming_content)

    matrix_ms, matrix_max = timed(score_matrix, 3)
    import tracemalloc

    tracemalloc.start()
    matrix_bytes = len(score_matrix())
    matrix_peak_mb = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    tracemalloc.stop()

    results = {
        "database": connection.vendor, "applications": counts["apps"], "panels": counts["panels"],
        "experts_per_panel": f"{args.experts}-{args.experts + 1}", "expert_item_scores": counts["scores"],
        "panel_item_scores": counts["panel_rows"],
        "corrections": counts["corrections"], "build_seconds": round(counts["build"], 1), "finalists_at_600": finalists,
        "ranking_queries": ranking_queries, "ranking_query_median_ms": query_ms, "ranking_query_max_ms": query_max,
        "ranking_page_queries": page_queries, "ranking_page_median_ms": page_ms, "ranking_page_max_ms": page_max,
        "ranking_xlsx_median_ms": xlsx_ms, "goal_ms": 150, "page_goal_ms": 100, "plan_tail": plan,
        "score_matrix_xlsx_median_ms": matrix_ms, "score_matrix_xlsx_max_ms": matrix_max,
        "score_matrix_xlsx_kb": matrix_bytes // 1024, "score_matrix_python_peak_mb": matrix_peak_mb,
        "score_matrix_goal_ms": 3000, "score_matrix_delivery": matrix_way[-1],
    }
    print(f"ranking query ({ranking_queries} SQL statement(s)): median {query_ms} ms, max {query_max} ms "
          f"(goal ≤ 150 ms); {finalists} of {len(rows)} at or above 600")
    print(f"ranking page ({page_queries} queries, {len(rows)} ranked, {RANKING_PAGE_SIZE} a page): median {page_ms} ms "
          "(goal ≤ 100 ms)")
    print(f"ranking Excel export: median {xlsx_ms} ms")
    print(f"score matrix Excel export: median {matrix_ms} ms, max {matrix_max} ms (goal ≤ 3000 ms), "
          f"{matrix_bytes // 1024} KB, Python memory peak {matrix_peak_mb} MB (read {MATRIX_CHUNK} applications at a time; "
          f"{matrix_way[-1]}, timed from the click to the downloaded file)")
    if plan:
        print(plan)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
