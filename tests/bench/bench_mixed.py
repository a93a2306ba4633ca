#!/usr/bin/env python
"""Mixed load: every role signed in, walking its main pages, against gunicorn on 127.0.0.1.

    .venv/bin/python tests/bench/bench_mixed.py [--users 50] [--seconds 60] [--database-url URL] [--sqlite]

What it does (a script, not a pytest test; ``make bench`` runs it):

1. builds the full-scale database as ``bench_dashboards.py`` does (PostgreSQL ``qa_bench_mixed`` when
   postgres@127.0.0.1:5432 answers, else SQLite; ``generate_data --applications 2000 --experts 300``),
   or uses ``--database-url`` (env ``BENCH_DATABASE_URL``) when it already holds such data;
2. in a Django process, signs in the busiest user of each role (a session each, as a login does) and
   lists that role's main pages: the dashboard, its application list, one application it may see, its
   work list (初审推荐, 资格审核, 我的评审任务, 评委会表决 …) and a public notice;
3. starts gunicorn (``-w 2`` unless ``--workers``) and runs ``--users`` client threads (env
   ``BENCH_USERS``, default 50) for ``--seconds`` (env ``BENCH_SECONDS``, default 60), each thread a
   user of one role walking that role's pages in turn over a keep-alive connection;
4. then, in the same run and against the same server, the minimal signed-in page with the same number
   of threads for a quarter of that time (at least 5 s);
5. prints req/s, p50/p95/p99 and errors beside the minimal page's req/s and writes
   ``bench-results/mixed.json``.

Goal (the issue): the mix serves at least 50 % of the minimal page's req/s, with no errors. Exit 1
when it does not.
"""
import argparse
import http.client
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboards import (ROLES, _generated_at, bench_env, build_database, hammer, manage,  # noqa: E402
                              start_gunicorn, stop_gunicorn)
from benchdb import fresh_postgres_url  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "mixed.json"
GOAL_RATIO = 0.5


# --- in-process part: sessions and pages per role ---------------------------------------------
def inprocess(out_path):
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from applications.selectors import applications_for_user
    from bench_dashboards import pick_users
    from publicity.notices.models import Notice

    users = pick_users()
    notice = Notice.objects.filter(status=Notice.Status.OPEN).order_by("pk").first()
    work_lists = {
        "authority": [reverse("review:prereview_list")],
        "secretariat": [reverse("review:eligibility_list"), reverse("publicity:manage")],
        "expert": [reverse("review:my_panels")],
        "committee": [reverse("review:committee_list")],
        "supervisor": [reverse("review:panel_campaigns")],
        "applicant": [],
        "admin": [],
    }
    result = {"roles": {}, "minimal": None}
    for role in ROLES:
        user = users[role]
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        pages = ["/", reverse("applications:list")]
        first = applications_for_user(user=user).order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            pages.append(reverse("applications:detail", args=[first]))
        pages += work_lists[role]
        if notice is not None:
            pages.append(reverse("publicity:notice", args=[notice.pk]))
        for page in pages:  # every page must answer 200 before it is put under load
            status = client.get(page).status_code
            if status != 200:
                raise SystemExit(f"{role} ({user.username}): {page} answered {status}")
        result["roles"][role] = {"user": user.username, "session": client.cookies["sessionid"].value,
                                 "pages": pages}
    result["minimal"] = {"path": "/bench/minimal/", "session": result["roles"]["applicant"]["session"]}
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False, indent=1))


# --- load ---------------------------------------------------------------------------------------
def walk(port, roles, users, seconds):
    """``users`` threads, thread i a user of role i mod 7 walking its pages; latencies and errors."""
    names = list(roles)
    latencies = [[] for _ in range(users)]
    errors = [dict() for _ in range(users)]
    per_page = [dict() for _ in range(users)]
    barrier = threading.Barrier(users + 1)
    stop_at = [0.0]

    def worker(i):
        role = roles[names[i % len(names)]]
        headers = {"Host": "127.0.0.1", "Connection": "keep-alive", "Cookie": f"sessionid={role['session']}"}
        pages = role["pages"]
        n = i  # threads of one role start on different pages
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            page = pages[n % len(pages)]
            n += 1
            started = time.perf_counter()
            try:
                conn.request("GET", page, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    elapsed = time.perf_counter() - started
                    latencies[i].append(elapsed)
                    per_page[i].setdefault(page.split("?")[0], []).append(elapsed)
                else:
                    errors[i][str(response.status)] = errors[i].get(str(response.status), 0) + 1
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                errors[i][type(exc).__name__] = errors[i].get(type(exc).__name__, 0) + 1
                conn.close()
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(users)]
    for t in pool:
        t.start()
    started = time.perf_counter()
    stop_at[0] = started + seconds
    barrier.wait()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    lat = sorted(x for per in latencies for x in per)
    errs = {}
    for per in errors:
        for k, v in per.items():
            errs[k] = errs.get(k, 0) + v
    pages = {}
    for per in per_page:
        for k, v in per.items():
            pages.setdefault(k, []).extend(v)

    def pct(p):
        return round(lat[min(len(lat) - 1, int(len(lat) * p))] * 1000, 1) if lat else None

    return {
        "rps": round(len(lat) / elapsed, 1), "requests": len(lat), "errors": sum(errs.values()), "error_kinds": errs,
        "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "seconds": round(elapsed, 1),
        "pages": {k: {"requests": len(v), "p50_ms": round(statistics.median(v) * 1000, 1)}
                  for k, v in sorted(pages.items())},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", 50)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 60)))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--experts", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="an existing database already holding generate_data's data (not dropped)")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even if PostgreSQL is reachable")
    parser.add_argument("--inprocess", metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inprocess:
        return inprocess(args.inprocess)

    workdir = Path(tempfile.mkdtemp(prefix="qa-bench-mixed-"))
    try:
        if args.database_url:
            env = bench_env(args.database_url, workdir)
            manage(env, "migrate", "--noinput", "-v", "0")
            setup = {"url": args.database_url, "reused": True}
        else:
            use_pg = not args.sqlite and fresh_postgres_url("qa_bench_mixed") is not None
            env, setup = build_database("full", "qa_bench_mixed", args.applications, args.experts, use_pg, workdir)
        manage(env, "collectstatic", "--noinput", "-v", "0")
        out = workdir / "sessions.json"
        result = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--inprocess", str(out)], cwd=ROOT,
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"signing in failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
        plan = json.loads(out.read_text())
        proc, port = start_gunicorn(env, args.workers, workdir)
        minimal_seconds = max(5.0, args.seconds / 4)
        load_before = os.getloadavg()
        print(f">> gunicorn -w {args.workers} on 127.0.0.1:{port}; {args.users} users for {args.seconds:g} s, "
              f"then the minimal page for {minimal_seconds:g} s; load average {load_before[0]:.2f}")
        try:
            for role in plan["roles"].values():  # warm every worker's code paths once
                for page in role["pages"]:
                    hammer(port, page, role["session"], 0.2, 2)
            mixed = walk(port, plan["roles"], args.users, args.seconds)
            minimal = hammer(port, plan["minimal"]["path"], plan["minimal"]["session"], minimal_seconds, args.users)
        finally:
            stop_gunicorn(proc)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    ratio = mixed["rps"] / minimal["rps"] if minimal["rps"] else 0.0
    met = ratio >= GOAL_RATIO and mixed["errors"] == 0 and minimal["errors"] == 0
    print()
    print(f"mixed workload, {args.users} users × {args.seconds:g} s: {mixed['rps']:.1f} req/s "
          f"({mixed['requests']} requests), p50 {mixed['p50_ms']} ms, p95 {mixed['p95_ms']} ms, "
          f"p99 {mixed['p99_ms']} ms, errors {mixed['errors']}{' ' + str(mixed['error_kinds']) if mixed['errors'] else ''}")
    print(f"minimal page, same run:      {minimal['rps']:.1f} req/s, errors {minimal['errors']}")
    print(f"share of the minimal page:   {ratio:.0%} (goal ≥ {GOAL_RATIO:.0%}, 0 errors): {'met' if met else 'NOT MET'}")
    print("per page (p50 ms, requests): " + "; ".join(f"{k} {v['p50_ms']} ({v['requests']})"
                                                      for k, v in mixed["pages"].items()))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "generated_at": _generated_at(), "goal": {"ratio_to_minimal": GOAL_RATIO, "errors": 0}, "met": met,
        "ratio_to_minimal": round(ratio, 3), "mixed": mixed,
        "minimal": {k: minimal[k] for k in ("rps", "errors", "requests", "p50_ms", "p95_ms")},
        "setup": {"database": setup, "users": args.users, "seconds": args.seconds, "workers": args.workers,
                  "load_average_before": load_before, "load_average_after": os.getloadavg(),
                  "cpus": os.cpu_count(), "python": platform.python_version()},
        "plan": {role: {"user": v["user"], "pages": v["pages"]} for role, v in plan["roles"].items()},
    }, ensure_ascii=False, indent=1))
    print(f"Written {RESULTS.relative_to(ROOT)}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
