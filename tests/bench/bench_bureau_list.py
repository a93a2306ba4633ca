#!/usr/bin/env python
"""The recommending authority's list (初审推荐): 2,000 applications in one bureau's region.

    .venv/bin/python tests/bench/bench_bureau_list.py [--apps 2000] [--repeats 30] [--sqlite]

A script, not a pytest test (``make bench`` runs it). It builds a fresh database (PostgreSQL
``qa_bench_bureau`` when postgres@127.0.0.1:5432 answers, else SQLite in a temporary directory),
loads the fixtures and creates one bureau (郑州市市场监督管理局, 省长质量奖培育) with, in its region,
first 20 and then ``--apps`` submitted applications (states, resubmissions, department opinions and
signed initial opinions mixed in, written in bulk), plus 200 in another city that it must not see.
Then, in-process through Django's test client (the whole request path), it opens the list page
(50 rows a page) with each sort, a state filter, a search and a deep page, counting queries and
timing ``--repeats`` requests of each.

Goal (the issue): the number of queries does not grow with the rows; print the median time.
Writes bench-results/bureau_list.json.
"""
import argparse
import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from benchdb import setup_portal

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "bureau_list.json"
SEED = 7


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even when PostgreSQL answers")
    args = parser.parse_args()

    _workdir, url = setup_portal(prefix="qa-bench-bureau-", postgres_name="qa_bench_bureau", sqlite=args.sqlite)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone


    from applications.campaigns import open_campaign
    from applications.models import Application, Program, State, Submission
    from qualityaward.accounts.models import Organization, Region, Role, User
    from qualityaward.accounts.services import grant_role
    from review.prereview.models import DepartmentOpinion, InitialOpinion

    rng = random.Random(SEED)
    campaign, _created = open_campaign(Program.objects.get(code="henan-cultivation"))  # open today, whatever the date
    zhengzhou, kaifeng = Region.objects.get(code="410100"), Region.objects.get(code="410200")
    districts = list(Region.objects.filter(parent=zhengzhou)) or [zhengzhou]
    bureau = User.objects.create_user(username="bureau", password="bench-pass-123", full_name="郑州市局")
    grant_role(user=bureau, role=Role.AUTHORITY, program=campaign.program, region=zhengzhou)
    owner = User.objects.create_user(username="owner", password="bench-pass-123")
    orgs = {r.pk: Organization.objects.create(name=f"{r.name}基准企业", credit_code=code, region=r)
            for r, code in ((zhengzhou, "91410100MA40QA001Q"), (kaifeng, "91410200MA40QA0027"))}
    states = [State.SUBMITTED] * 6 + [State.RETURNED] * 2 + [State.RECOMMENDED] * 2
    departments = ["发展改革部门", "工业和信息化部门", "生态环境部门", "应急管理部门", "税务部门"]
    made = {"n": 0}

    def add(count, region):
        now = timezone.now()
        start = made["n"]
        apps = []
        for i in range(start, start + count):
            r = region if region != zhengzhou else (zhengzhou if rng.random() < 0.85 else rng.choice(districts))
            apps.append(Application(
                number=f"PY{campaign.year}-{i + 1:05d}", campaign=campaign, kind=Application.Kind.ORGANIZATION,
                organization=orgs[region.pk], owner=owner, applicant_name=f"基准申报单位{i + 1:05d}有限公司",
                region=r, state=rng.choice(states), submitted_at=now - timedelta(minutes=i),
                content={}))
        made["n"] += count
        apps = Application.objects.bulk_create(apps)
        subs, opinions, signed = [], [], []
        for app in apps:
            for seq in range(1, 3 if rng.random() < 0.3 else 2):
                subs.append(Submission(application=app, sequence=seq, submitted_by=owner,
                                       content={"form": {"sections": {"basic": {"org_type": "manufacturing"}}}},
                                       content_hash="0" * 64))
        subs = Submission.objects.bulk_create(subs)
        latest = {}
        for s in subs:
            latest[s.application_id] = s
        for app in apps:
            for d in departments[: rng.randint(0, 5)]:
                answered = rng.random() < 0.7
                opinions.append(DepartmentOpinion(
                    application=app, department=d, asked_on=now.date(), created_by=bureau,
                    answer="no_objection" if answered else "pending", answered_on=now.date() if answered else None))
            if app.state == State.RECOMMENDED or rng.random() < 0.2:
                op = InitialOpinion(application=app, version=1, verification="核实", consultation="征求", publicity="公示",
                                    opinion="同意推荐", submission=latest[app.pk], signed_by=bureau, signed_at=now,
                                    created_by=bureau)
                op.text = op.compose_text()
                op.text_sha256 = InitialOpinion.digest(op.text)
                signed.append(op)
        DepartmentOpinion.objects.bulk_create(opinions)
        InitialOpinion.objects.bulk_create(signed)

    client = Client()
    client.force_login(bureau)
    list_url = reverse("review:prereview_list")
    probes = {
        "deadline (default)": {},
        "submitted": {"sort": "submitted"},
        "-submitted": {"sort": "-submitted"},
        "name": {"sort": "name"},
        "state=submitted": {"state": "submitted"},
        "search": {"q": "00012"},
        "page 20": {"page": "20"},
    }

    def measure(repeats):
        out = {}
        for name, params in probes.items():
            client.get(list_url, params)  # warm
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(list_url, params)
            assert response.status_code == 200, (name, response.status_code)
            queries = len(ctx.captured_queries)
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                client.get(list_url, params)
                times.append((time.perf_counter() - started) * 1000)
            out[name] = {"queries": queries, "median_ms": round(statistics.median(times), 2),
                         "rows_on_page": response.content.decode().count('href="/review/prereview/')}
        return out

    add(20, zhengzhou)
    small = measure(max(5, args.repeats // 3))
    add(args.apps - 20, zhengzhou)
    add(200, kaifeng)  # another bureau's region: never listed
    visible = Application.objects.filter(region__in=[zhengzhou, *districts]).count()
    full = measure(args.repeats)

    constant = all(small[k]["queries"] == full[k]["queries"] for k in probes)
    results = {
        "database": "postgresql" if url else "sqlite",
        "applications_in_region": visible, "applications_elsewhere": 200, "page_size": 50,
        "at_20": small, f"at_{visible}": full,
        "queries_constant_in_rows": constant,
        "median_ms_default_sort": full["deadline (default)"]["median_ms"],
    }
    print(f"database: {results['database']}; {visible} applications in the bureau's region (+200 elsewhere)")
    print(f"{'list':22s} {'queries@20':>10s} {'queries@' + str(visible):>13s} {'median ms':>10s} {'rows':>5s}")
    for name in probes:
        print(f"{name:22s} {small[name]['queries']:10d} {full[name]['queries']:13d} "
              f"{full[name]['median_ms']:10.2f} {full[name]['rows_on_page']:5d}")
    print(f"queries constant in the number of rows: {constant}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if not constant:
        sys.exit(1)


if __name__ == "__main__":
    main()
