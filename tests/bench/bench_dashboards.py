#!/usr/bin/env python
"""Dashboard throughput: every role's dashboard against a minimal logged-in Django page.

    .venv/bin/python tests/bench/bench_dashboards.py [--seconds 4] [--rounds 3] [--sqlite] [--no-strict]

What it does (a script, not a pytest test; ``make bench`` runs it):

1. builds a fresh database: PostgreSQL ``qa_bench`` (dropped and created) when
   postgres@127.0.0.1:5432 is reachable, else SQLite in a temporary directory; migrates, loads the
   fixtures and runs ``generate_data`` (once at the small scale, 200 applications / 30 experts,
   then at the full scale, 2,000 / 300, each in its own database);
2. in a Django process on each database, picks for every role its busiest user, opens each page
   once with the test client on an empty cache and counts its queries (``CaptureQueriesContext``), so that
   the two scales show whether queries grow with the data, then once more served from the per-user
   section cache (``applications.dashboard_cache``);
3. starts gunicorn (``-w 2``, DEBUG=0, production settings, ``bench_settings`` whose URLconf adds
   ``/bench/minimal/`` and ``/bench/bare/``) on the full-scale database and measures requests per
   second with a few threads over ``http.client`` connections to 127.0.0.1 only, each role logged
   in by its own session cookie;
4. prints a table and writes ``bench-results/dashboards.json``.

Goal (the issue): every dashboard serves at least 50 % of the minimal page's requests per second,
and its number of queries does not grow with the data. Exit 1 when a dashboard misses it (``--no-strict``
only reports). The cache is Redis (``BENCH_CACHE_URL``), shared by the workers as in production; the
PostgreSQL database is ``BENCH_DB`` (default ``qa_bench``, and ``<BENCH_DB>_small``).
"""
import argparse
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchdb import fresh_postgres_url

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(__file__).resolve().parent
RESULTS = ROOT / "bench-results" / "dashboards.json"
FIXTURES = [str(ROOT / "fixtures" / f"{name}.json") for name in ("regions", "gbt19580", "programs")]
ROLES = ["applicant", "authority", "secretariat", "expert", "supervisor", "committee", "admin"]
GOAL_RATIO = 0.5
SEED = 1
# the PostgreSQL database's name (env BENCH_DB, so that runs of two checkouts on one server do not collide)
BENCH_DB = os.environ.get("BENCH_DB", "qa_bench")


# --- environment ------------------------------------------------------------------------------
def bench_env(database_url, workdir):
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), str(ROOT)]),
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        # shared by the gunicorn workers, as in production (the portal refuses a per-process cache with DEBUG
        # off, and the dashboard's cached sections are invalidated across workers through it); database 5,
        # away from make test's 14/15 and its xdist workers' 13, 12 …, since the measurement clears it
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "rediscache://127.0.0.1:6379/5"),
        "CELERY_BROKER_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def manage(env, *args):
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout, time.perf_counter() - started


def build_database(label, name, apps, experts, use_pg, workdir):
    if use_pg:
        url = fresh_postgres_url(name)
    else:
        url = f"sqlite:///{workdir / (name + '.sqlite3')}"
    env = bench_env(url, workdir)
    _, t_migrate = manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "loaddata", *FIXTURES, "-v", "0")
    out, t_gen = manage(env, "generate_data", "--applications", str(apps), "--experts", str(experts),
                        "--seed", str(SEED))
    print(f"   {label}: {url}  (migrate {t_migrate:.1f}s, generate_data {t_gen:.1f}s)")
    for line in out.strip().splitlines()[:2]:
        print(f"     {line}")
    return env, {"url": url, "applications": apps, "experts": experts, "generate_seconds": round(t_gen, 2)}


def measure_in_process(env, workdir, label):
    out = workdir / f"inprocess-{label}.json"
    result = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--inprocess", str(out)], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"in-process measurement failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return json.loads(out.read_text())


# --- in-process part (runs inside Django, on one database) ------------------------------------
def busiest(users, measure):
    best = max(users, key=measure, default=None)
    if best is None:
        raise SystemExit("no user for a role: did generate_data run?")
    return best


def pick_users():
    """The user with the most to see, for each role."""
    from django.db.models import Count

    from applications.selectors import applications_for_user
    from qualityaward.accounts.models import Role, User
    from review.panels.models import PanelMember

    def with_role(role):
        return list(User.objects.filter(role_assignments__role=role, is_active=True).distinct())

    def visible(user):
        return applications_for_user(user=user).count()

    top_owner = (User.objects.filter(role_assignments__role=Role.APPLICANT).annotate(n=Count("applications"))
                 .order_by("-n", "pk").first())
    top_expert = PanelMember.objects.values("expert").annotate(n=Count("pk")).order_by("-n", "expert").first()
    return {
        "applicant": top_owner,
        "authority": busiest(with_role(Role.AUTHORITY), visible),
        "secretariat": busiest(with_role(Role.SECRETARIAT), visible),
        "expert": User.objects.get(pk=top_expert["expert"]),
        "supervisor": busiest(with_role(Role.SUPERVISOR), visible),
        "committee": busiest(with_role(Role.COMMITTEE), visible),
        "admin": User.objects.filter(is_superuser=True, role_assignments__role=Role.ADMIN).first(),
    }


def _generated_at():
    # the outer process has no Django settings: the machine's local time, with its offset
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def inprocess(out_path):
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from qualityaward.views import DASHBOARD_SECTIONS

    users = pick_users()
    pages = {f"dashboard:{role}": ("/", users[role], role) for role in ROLES}
    pages["minimal"] = ("/bench/minimal/", users["applicant"], None)
    pages["bare"] = ("/bench/bare/", None, None)
    result = {"pages": {}, "database": connection.vendor}
    for page, (path, user, role) in pages.items():
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        response = client.get(path)  # warm-up (URL resolver, templates, content types)
        if response.status_code != 200:
            raise SystemExit(f"{page}: status {response.status_code} for {user}")
        if role is not None:
            title = DASHBOARD_SECTIONS[role](user).title
            if title not in response.content.decode():
                raise SystemExit(f"{page}: section title “{title}” missing")
        cache.clear()  # the dashboard's sections built from the database: what grows with the data, if anything
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        # read now: the next requests reset connection.queries_log (request_started)
        queries = [{"sql": q["sql"], "ms": round(float(q["time"]) * 1000, 2)} for q in ctx.captured_queries]
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)  # served from the per-user cache (applications.dashboard_cache)
        cached_queries = len(ctx.captured_queries)
        timings = []
        for _ in range(30):
            started = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        result["pages"][page] = {
            "path": path,
            "user": user.username if user else None,
            "visible": _visible(user) if user else None,
            "queries": len(queries),
            "queries_cached": cached_queries,
            "sql_ms": round(sum(q["ms"] for q in queries), 2),
            "slowest": sorted(queries, key=lambda q: -q["ms"])[:3],
            "all_queries": queries,
            "inprocess_ms": round(statistics.median(timings), 2),
            "bytes": len(response.content),
            "session": client.cookies["sessionid"].value if user else None,
        }
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False, indent=1))


def _visible(user):
    from applications.selectors import applications_for_user

    return applications_for_user(user=user).count()


# --- load generator --------------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hammer(port, path, session, seconds, threads):
    """Requests/second for ``path`` with ``threads`` client threads over keep-alive connections."""
    headers = {"Host": "127.0.0.1", "Connection": "keep-alive"}
    if session:
        headers["Cookie"] = f"sessionid={session}"
    ok = [0] * threads
    bad = [0] * threads
    latencies = [[] for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    ok[i] += 1
                    latencies[i].append(time.perf_counter() - started)
                else:
                    bad[i] += 1
                if response.will_close:
                    conn.close()  # gunicorn's sync worker closes after each response; reconnects next time
            except (OSError, http.client.HTTPException):
                bad[i] += 1
                conn.close()
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    started = time.perf_counter()
    stop_at[0] = started + seconds
    barrier.wait()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    lat = sorted(x for per in latencies for x in per)
    return {
        "rps": sum(ok) / elapsed,
        "errors": sum(bad),
        "requests": sum(ok),
        "p50_ms": lat[len(lat) // 2] * 1000 if lat else None,
        "p95_ms": lat[int(len(lat) * 0.95)] * 1000 if lat else None,
    }


def start_gunicorn(env, workers, workdir):
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = open(workdir / "gunicorn.log", "wb")
    proc = subprocess.Popen(
        [str(gunicorn), "qualityaward.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--timeout", "60"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited ({proc.returncode}):\n{(workdir / 'gunicorn.log').read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/bench/bare/", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                conn.close()
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    sys.exit("gunicorn did not answer within 60 s")


def stop_gunicorn(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- report ---------------------------------------------------------------------------------
def width(text):
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def table(rows):
    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [str(c) + " " * (widths[i] - width(c)) if i < 2 else " " * (widths[i] - width(c)) + str(c)
                 for i, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--experts", type=int, default=300)
    parser.add_argument("--small-applications", type=int, default=200)
    parser.add_argument("--small-experts", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=1.5, help="measured seconds per page and round")
    parser.add_argument("--rounds", type=int, default=8,
                        help="rounds over all pages; short slices interleave the pages so that each sees the same "
                             "background load (the median over rounds is reported)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even if PostgreSQL is reachable")
    parser.add_argument("--strict", action="store_true", default=True,
                        help="exit 1 when a dashboard misses the goal (the default; make bench runs it so)")
    parser.add_argument("--no-strict", dest="strict", action="store_false", help="report only, exit 0")
    parser.add_argument("--inprocess", metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inprocess:
        return inprocess(args.inprocess)

    use_pg = not args.sqlite and fresh_postgres_url(BENCH_DB) is not None
    workdir = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    where = "PostgreSQL 127.0.0.1:5432" if use_pg else "SQLite (temporary directory)"
    print(f">> database: {where}; work dir {workdir}")
    try:
        small_env, small_db = build_database("small", f"{BENCH_DB}_small", args.small_applications, args.small_experts,
                                             use_pg, workdir)
        manage(small_env, "collectstatic", "--noinput", "-v", "0")  # DEBUG=0 serves hashed names from the manifest
        small = measure_in_process(small_env, workdir, "small")
        env, big_db = build_database("full", BENCH_DB, args.applications, args.experts, use_pg, workdir)
        big = measure_in_process(env, workdir, "full")

        pages = [f"dashboard:{role}" for role in ROLES] + ["minimal", "bare"]
        proc, port = start_gunicorn(env, args.workers, workdir)
        print(f">> gunicorn -w {args.workers} on 127.0.0.1:{port}; {args.threads} threads × {args.seconds:g} s × "
              f"{args.rounds} rounds per page")
        runs = {page: [] for page in pages}
        try:
            for page in pages:  # warm every worker's code paths once
                hammer(port, big["pages"][page]["path"], big["pages"][page]["session"], 0.5, args.threads)
            for r in range(args.rounds):
                for page in (pages if r % 2 == 0 else list(reversed(pages))):
                    info = big["pages"][page]
                    runs[page].append(hammer(port, info["path"], info["session"], args.seconds, args.threads))
        finally:
            stop_gunicorn(proc)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    minimal_rps = statistics.median(x["rps"] for x in runs["minimal"])
    minimal_ms = big["pages"]["minimal"]["inprocess_ms"]
    report, rows, missed = [], [("page", "user", "req/s", "vs minimal", f"queries@{args.applications}",
                                 f"queries@{args.small_applications}", "cached", "SQL ms", "in-proc ms",
                                 "in-proc ratio", "errors", "goal")], []
    for page in pages:
        info, info_small = big["pages"][page], small["pages"][page]
        rps = statistics.median(x["rps"] for x in runs[page])
        # per round, against the minimal page measured in the same round (same background load)
        ratio = statistics.median(x["rps"] / m["rps"] for x, m in zip(runs[page], runs["minimal"]) if m["rps"])
        inproc_ratio = minimal_ms / info["inprocess_ms"] if info["inprocess_ms"] else 0
        errors = sum(x["errors"] for x in runs[page])
        p50 = statistics.median(x["p50_ms"] for x in runs[page] if x["p50_ms"] is not None)
        is_dashboard = page.startswith("dashboard:")
        grows = info["queries"] != info_small["queries"]
        ok = (not is_dashboard) or (ratio >= GOAL_RATIO and not grows and not errors)
        if not ok:
            missed.append(page)
        rows.append((page, info["user"] or "—", f"{rps:.0f}", f"{ratio:.0%}", info["queries"], info_small["queries"],
                     info["queries_cached"], f"{info['sql_ms']:.1f}", f"{info['inprocess_ms']:.1f}", f"{inproc_ratio:.0%}", errors,
                     ("ok" if ok else "MISSED") if is_dashboard else ""))
        report.append({
            "page": page, "path": info["path"], "user": info["user"], "visible_applications": info["visible"],
            "rps": round(rps, 1), "rps_rounds": [round(x["rps"], 1) for x in runs[page]],
            "ratio_to_minimal": round(ratio, 3), "inprocess_ratio_to_minimal": round(inproc_ratio, 3),
            "errors": errors, "p50_ms": round(p50, 2),
            "p95_ms": round(statistics.median(x["p95_ms"] for x in runs[page] if x["p95_ms"] is not None), 2),
            "queries": info["queries"], "queries_small_scale": info_small["queries"], "queries_grow": grows,
            "queries_cached": info["queries_cached"],
            "sql_ms_one_request": info["sql_ms"], "inprocess_ms": info["inprocess_ms"], "bytes": info["bytes"],
            "slowest_queries": info["slowest"], "queries_sql": [q["sql"] for q in info["all_queries"]],
            "meets_goal": ok if is_dashboard else None,
        })

    print()
    print(table(rows))
    print()
    if missed:
        print(f"Goal missed by: {', '.join(missed)} (goal: ≥ {GOAL_RATIO:.0%} of the minimal page's req/s, "
              "queries not growing with the data). See bench-results/dashboards.json for each page's SQL.")
    else:
        print(f"Goal met: every dashboard ≥ {GOAL_RATIO:.0%} of the minimal page's req/s; queries do not grow "
              "with the data.")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "generated_at": _generated_at(),
        "goal": {"ratio_to_minimal": GOAL_RATIO, "queries_constant": True},
        "goal_met": not missed,
        "missed": missed,
        "setup": {
            "database": "postgresql" if use_pg else "sqlite", "full": big_db, "small": small_db,
            "gunicorn_workers": args.workers, "client_threads": args.threads, "seconds": args.seconds,
            "rounds": args.rounds, "cpus": os.cpu_count(), "python": platform.python_version(),
            "machine": platform.platform(),
        },
        "pages": report,
    }, ensure_ascii=False, indent=1))
    print(f"Written {RESULTS.relative_to(ROOT)}")
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
