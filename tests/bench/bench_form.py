#!/usr/bin/env python
"""The applicant's form: autosave server time and the heaviest section pages' queries.

    .venv/bin/python tests/bench/bench_form.py [--saves 300] [--sqlite]

A script, not a pytest test (``make bench`` runs it). It builds a fresh database (PostgreSQL
``qa_bench_form`` when postgres@127.0.0.1:5432 answers, else SQLite in a temporary directory),
loads the fixtures, creates a complete organization application, then, in-process through
Django's test client (the whole request path: middleware, session, view, database):

* autosave: posts the 组织概述 section (3,000 字) and the 2.1 basic section ``--saves`` times each,
  every save based on the previous version, and reports the median and 95th percentile;
* the heaviest pages: renders 三 自评报告 (23 items, 50,000 字), 2.5 (market tables) and 2.2 with 1
  and with 30 product rows, counting queries (they must not grow with the rows) and timing them.

Goals (the issue): autosave median ≤ 30 ms on PostgreSQL; heaviest page ≤ 20 queries, constant.
Writes bench-results/form.json.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchdb import fresh_postgres_url

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "form.json"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even when PostgreSQL answers")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the autosaves")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="qa-bench-form-")
    url = None if args.sqlite else fresh_postgres_url("qa_bench_form")
    os.environ.update({
        "DATABASE_URL": url or f"sqlite:///{workdir}/bench.sqlite3",
        "MEDIA_ROOT": f"{workdir}/media", "STATIC_ROOT": f"{workdir}/static", "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "testserver", "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0", "CELERY_BROKER_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "1", "DJANGO_SETTINGS_MODULE": "qualityaward.settings",
    })
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_seed_data", verbosity=0)

    from applications.campaigns import open_campaign
    from applications.forms.services import save_section
    from applications.forms.spec import form_for
    from applications.models import Application, ApplicationSection, Program
    from demo.content import fill_application, section_data
    from applications.services import create_application
    from qualityaward.accounts.models import Organization, Region, Role, User
    from qualityaward.accounts.services import Actor, grant_role

    user = User.objects.create_user(username="bench", password="bench-pass-123", full_name="基准测试")
    grant_role(user=user, role=Role.APPLICANT)
    org = Organization.objects.create(name="河南基准测试有限公司", credit_code="91410100MA40QA001Q",
                                      region=Region.objects.get(code="410100"))
    org.members.add(user)
    campaign, _created = open_campaign(Program.objects.get(code="henan-cultivation"))  # open today, whatever the date
    app = create_application(actor=Actor(user=user), campaign=campaign, kind=Application.Kind.ORGANIZATION,
                             applicant_name=org.name, region=org.region, organization=org)
    fill_application(application=app, actor=Actor(user=user))
    spec = form_for(app)
    client = Client()
    client.force_login(user)

    def autosave(code, data, n):
        url_ = reverse("applications:section_save", args=[app.pk, code])
        version = ApplicationSection.objects.get(application=app, code=code).version
        times = []
        for i in range(n):
            body = dict(data)
            first = next(iter(body))
            if isinstance(body[first], str):
                body[first] = body[first][:-4] + f"{i:04d}"
            started = time.perf_counter()
            response = client.post(url_, json.dumps({"version": version, "data": body}),
                                   content_type="application/json")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content
            version = response.json()["version"]
        times.sort()
        return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(len(times) * 0.95)], 2),
                "saves": n}

    overview = {"text": ("质量" * 1500)}
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        autosave("basic", section_data(spec.section("basic")), 50)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    results = {"database": "postgresql" if url else "sqlite", "autosave": {
        "overview_3000_chars": autosave("overview", overview, args.saves),
        "basic_28_fields": autosave("basic", section_data(spec.section("basic")), args.saves),
    }}

    def page(code, repeats=20):
        url_ = reverse("applications:section", args=[app.pk, code])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url_).status_code == 200
        queries = len(ctx.captured_queries)  # read now: the next request clears the log
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            client.get(url_)
            times.append((time.perf_counter() - started) * 1000)
        return {"queries": queries, "median_ms": round(statistics.median(times), 2)}

    sa = section_data(spec.section("self_assessment"))
    per_item = 50000 // len(sa) - 10
    row = ApplicationSection.objects.get(application=app, code="self_assessment")
    save_section(application=app, code="self_assessment", data={k: "卓越绩效" * (per_item // 4) for k in sa},
                 base_version=row.version, actor=Actor(user=user))
    pages = {"self_assessment (50,000 字)": page("self_assessment"), "market": page("market")}
    products = section_data(spec.section("products"))
    one = page("products")
    products["rows"] = products["rows"] * 30
    row = ApplicationSection.objects.get(application=app, code="products")
    save_section(application=app, code="products", data=products, base_version=row.version,
                 actor=Actor(user=user))
    thirty = page("products")
    pages["products (1 row)"] = one
    pages["products (30 rows)"] = thirty
    pages["overview page (progress of all sections)"] = {**page("overview")}
    results["pages"] = pages
    results["queries_constant_in_rows"] = one["queries"] == thirty["queries"]
    heaviest = max(p["queries"] for p in pages.values())
    results["goal"] = {"autosave_median_ms_max": 30, "page_queries_max": 20,
                       "autosave_met": all(v["median_ms"] <= 30 for v in results["autosave"].values()),
                       "queries_met": heaviest <= 20 and results["queries_constant_in_rows"]}

    print(f"database: {results['database']}")
    for name, r in results["autosave"].items():
        print(f"autosave {name:24s} median {r['median_ms']:7.2f} ms   p95 {r['p95_ms']:7.2f} ms   ({r['saves']} saves)")
    for name, r in pages.items():
        print(f"page {name:42s} {r['queries']:3d} queries   median {r['median_ms']:7.2f} ms")
    print(f"goals met: autosave {results['goal']['autosave_met']}, queries {results['goal']['queries_met']}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
