#!/usr/bin/env python
"""The expert's scoring pages: queries do not grow with the items or the experts on the panel.

    .venv/bin/python tests/bench/bench_scoring_page.py [--repeats 20] [--sqlite]

A script, not a pytest test (``make bench`` runs it). It builds a fresh database (PostgreSQL
``qa_bench_scoring`` when postgres@127.0.0.1:5432 answers, else SQLite in a temporary directory), loads
the fixtures, writes one application in material review with a submitted self-assessment, and a panel of
3 experts, then of 12, every sheet submitted with 23 item scores and comments and the panel's consensus
recorded. Through the test client (the whole request path) it opens, as the leader, the score sheet
(self-assessment beside each item, band descriptors, peers' scores) and the panel page (spread, consensus
forms, history), counting queries and timing ``--repeats`` requests.

Goal (the issue): the number of queries is the same for 3 and 12 experts. Writes bench-results/scoring_page.json.
"""
import argparse
import json
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from benchdb import setup_portal

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "scoring_page.json"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even when PostgreSQL answers")
    args = parser.parse_args()

    _workdir, url = setup_portal(prefix="qa-bench-scoring-", postgres_name="qa_bench_scoring", sqlite=args.sqlite)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone


    from applications.campaigns import open_campaign
    from applications.models import Application, Program, State, Submission
    from qualityaward.accounts.models import Organization, Region, User
    from review.scoring import services as svc
    from qualityaward.accounts.services import Actor
    from review.panels.services import accept_pledge
    from review.panels.models import Panel, PanelMember
    from review.scoring.models import ItemScore, PanelItemScore, ScoreSheet

    campaign, _created = open_campaign(Program.objects.get(code="henan-cultivation"))  # open today, whatever the date
    items = svc.scored_items(campaign.program.profile.scoring_scheme_id)
    region = Region.objects.get(code="410100")
    owner = User.objects.create_user(username="owner", password="bench-pass-123")
    org = Organization.objects.create(name="基准企业", credit_code="91410100MA40QA001Q", region=region)
    app = Application.objects.create(number=f"PY{campaign.year}-00001", campaign=campaign, organization=org, owner=owner,
                                     applicant_name="基准申报单位有限公司", region=region, submitted_at=timezone.now())
    Application.objects.filter(pk=app.pk).update(state=State.MATERIAL_REVIEW)  # set up as a migration would
    app.refresh_from_db()
    text = "公司建立了覆盖全过程的质量管理体系，以卓越绩效模式为框架持续改进。" * 40
    Submission.objects.create(application=app, sequence=1, submitted_by=owner, content_hash="0" * 64, content={
        "form": {"sections": {"self_assessment": {f"item_{i.code}": text for i in items}}}})
    panel = Panel.objects.create(application=app, stage=Panel.Stage.MATERIAL)
    experts = [User.objects.create_user(username=f"expert{i:02d}", password="bench-pass-123", full_name=f"专家{i:02d}")
               for i in range(12)]
    now = timezone.now()

    def seat(expert, role):
        PanelMember.objects.create(panel=panel, expert=expert, role=role)
        accept_pledge(panel=panel, actor=Actor(user=expert), conflict=False)  # a seat opens after the pledge
        sheet = ScoreSheet.objects.create(panel=panel, expert=expert)
        ItemScore.objects.bulk_create([ItemScore(sheet=sheet, item=i, percent=50 + 5 * (n % 5), strengths="优势" * 50,
                                                 opportunities="改进机会" * 50) for n, i in enumerate(items)])
        ScoreSheet.objects.filter(pk=sheet.pk).update(status=ScoreSheet.Status.SUBMITTED, submitted_at=now)

    seat(experts[0], PanelMember.Role.LEADER)
    for e in experts[1:3]:
        seat(e, PanelMember.Role.MEMBER)
    PanelItemScore.objects.bulk_create([PanelItemScore(panel=panel, item=i, percent=Decimal(55), source="consensus",
                                                       reason="经合议形成共识", recorded_by=experts[0]) for i in items])

    client = Client()
    client.force_login(experts[0])
    pages = {"sheet": reverse("review:scoring_sheet", args=[app.pk, "material"]),
             "panel": reverse("review:scoring_panel", args=[app.pk, "material"])}

    def measure():
        out = {}
        for name, page in pages.items():
            client.get(page)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(page)
            assert response.status_code == 200, (name, response.status_code)
            queries = len(ctx.captured_queries)  # now: the next request resets the log
            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                client.get(page)
                times.append((time.perf_counter() - t0) * 1000)
            out[name] = {"queries": queries, "median_ms": round(statistics.median(times), 2)}
        return out

    small = measure()
    for e in experts[3:]:
        seat(e, PanelMember.Role.MEMBER)
    large = measure()
    constant = all(small[k]["queries"] == large[k]["queries"] for k in pages)
    results = {"database": connection.vendor, "items": len(items), "experts_3": small, "experts_12": large,
               "queries_constant": constant}
    print(f"database: {connection.vendor}; {len(items)} items")
    print(f"{'page':8s} {'queries@3':>10s} {'queries@12':>11s} {'ms@3':>8s} {'ms@12':>8s}")
    for name in pages:
        print(f"{name:8s} {small[name]['queries']:10d} {large[name]['queries']:11d} "
              f"{small[name]['median_ms']:8.2f} {large[name]['median_ms']:8.2f}")
    print(f"queries constant in the number of experts: {constant}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if not constant:
        sys.exit(1)


if __name__ == "__main__":
    main()
