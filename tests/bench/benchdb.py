"""Databases for the benchmark scripts (imported by them; not a script itself)."""


def fresh_postgres_url(name):
    """Drop and create PostgreSQL database ``name`` on 127.0.0.1:5432; its URL, or None when unreachable."""
    try:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3)
    except Exception:
        return None
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    conn.close()
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def bench_environment(*, workdir, database_url):
    """The environment of a benchmark run: production-like settings (DEBUG off) on ``database_url``,
    files under ``workdir``, Celery eager, no HTTPS redirects (the test client speaks plain HTTP)."""
    return {
        "DATABASE_URL": database_url or f"sqlite:///{workdir}/bench.sqlite3",
        "MEDIA_ROOT": f"{workdir}/media", "STATIC_ROOT": f"{workdir}/static", "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 60, "ALLOWED_HOSTS": "testserver", "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0",
        "CELERY_BROKER_URL": "", "CELERY_TASK_ALWAYS_EAGER": "1", "DJANGO_SETTINGS_MODULE": "qualityaward.settings",
    }


def setup_portal(*, prefix, postgres_name, sqlite=False):
    """A fresh portal for one benchmark: a temporary directory, a new database (PostgreSQL when it answers
    and ``sqlite`` is not asked for), Django set up, migrated, static files collected and the seed data
    loaded. Returns (workdir, database_url or None for SQLite)."""
    import os
    import sys
    import tempfile
    from pathlib import Path

    workdir = tempfile.mkdtemp(prefix=prefix)
    url = None if sqlite else fresh_postgres_url(postgres_name)
    os.environ.update(bench_environment(workdir=workdir, database_url=url))
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_seed_data", verbosity=0)
    return workdir, url


def peak_rss_mb():
    """This process's own peak resident memory (VmHWM), in MB. Not ``ru_maxrss``: Linux keeps that across
    ``execve``, so a child started by a large parent reports at least the parent's resident memory at the
    fork, whatever the child itself used."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
