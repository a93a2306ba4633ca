"""Fixtures shared by every test.

* Uploaded and generated files go to a temporary MEDIA_ROOT, one per test session.
* Passwords are hashed with MD5 (fast; tests only).
* Every cache is cleared before each test (django-axes and rate limits keep state there).
* The clock is pinned with time-machine for the whole session at ``TEST_NOW`` (Beijing time,
  ticking from there; tests/clock_support.py), so no outcome depends on the day the suite runs.
  The fixture campaigns' fixed dates (open 2026-09-01, applications close 2027-03-31) lie around
  it. A test that needs another day travels again inside it (``time_machine.travel(...)``); the
  real Celery worker and beat start at the tests' current moment (``pinned_celery_command``).
* ``celery_real_worker``: with QA_REAL_CELERY=1 (the PostgreSQL + Redis pass of ``make test``)
  a real Celery worker is started against the Redis broker and the *test* database; without it
  the fixture yields None and tasks run eagerly, in-process.

Celery mode per test: a test that requests ``celery_real_worker`` while a real worker is up
sends its tasks through the broker (``task_always_eager`` off for that test only); every other
test runs tasks eagerly, whatever the environment says. A test that uses the real worker and
touches the database must be ``@pytest.mark.django_db(transaction=True)``: the worker is another
process and only sees committed rows.
"""
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import time_machine
from clock_support import TEST_NOW, pinned_celery_command
from django.db import connections
from django.test.utils import override_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
REAL_CELERY = os.environ.get("QA_REAL_CELERY", "") not in ("", "0", "false", "False", "no")
WORKER_START_TIMEOUT = float(os.environ.get("QA_WORKER_START_TIMEOUT", "60"))

# Recorded before pytest-django renames the connection to its test database.
_ORIGINAL_DB = dict(connections["default"].settings_dict)


# --- Settings for the whole session --------------------------------------------------------


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    """The session's MEDIA_ROOT (a fresh temporary directory)."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session", autouse=True)
def _session_settings(media_root):
    from django.conf import settings

    extra = {}
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    cache = settings.CACHES["default"]
    if worker.startswith("gw") and cache["BACKEND"].endswith("RedisCache"):
        # Every test clears the cache (FLUSHDB on Redis): give each xdist worker a Redis database of
        # its own, counting down from the configured one (the broker keeps database 15).
        base, _, index = str(cache["LOCATION"]).rpartition("/")
        extra["CACHES"] = {"default": {**cache, "LOCATION": f"{base}/{int(index or 0) - int(worker[2:])}"}}
    overrides = override_settings(
        MEDIA_ROOT=str(media_root),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        **extra,
    )
    overrides.enable()
    yield
    overrides.disable()


@pytest.fixture(scope="session", autouse=True)
def _pinned_clock():
    """The session runs from TEST_NOW on a ticking clock, whatever the machine's date."""
    with time_machine.travel(TEST_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _clear_caches():
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield


# --- Celery --------------------------------------------------------------------------------


def _test_database_url():
    """A DATABASE_URL for the test database pytest-django creates (``test_<name>``)."""
    db = connections["default"].settings_dict
    engine = db["ENGINE"]
    if not engine.endswith(("postgresql", "postgis")):
        raise RuntimeError(
            f"QA_REAL_CELERY=1 needs a PostgreSQL DATABASE_URL (a worker process cannot share {engine}'s "
            "test database); run it through `make test`, which sets both."
        )
    name = (db.get("TEST") or {}).get("NAME") or f"test_{_ORIGINAL_DB['NAME']}"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(name, safe='')}"


def _log_tail(path, lines=60):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no worker log)"


def _stop(proc):
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # warm shutdown
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def celery_real_worker(request, media_root, tmp_path_factory):
    """A real Celery worker (QA_REAL_CELERY=1) or None (tasks run eagerly).

    Yields a namespace with ``nodename``, ``queue``, ``database_url``, ``log`` and ``process``.
    Fails (never skips) when QA_REAL_CELERY=1 and the worker does not come up.
    """
    if not REAL_CELERY:
        yield None
        return

    # The worker must use the test database, so it must exist first (when any test needs it).
    request.getfixturevalue("django_db_setup")

    from celery.utils.nodenames import host_format

    from qualityaward.celery import app

    if not app.conf.broker_url or app.conf.broker_url.startswith("memory://"):
        pytest.fail("QA_REAL_CELERY=1 but CELERY_BROKER_URL is empty: set it to the Redis broker.")

    database_url = _test_database_url()
    queue = app.conf.task_default_queue
    xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if xdist_worker:
        # Under pytest-xdist each test process starts its own Celery worker on its own test database,
        # so each gets its own queue too (set before this process publishes anything).
        queue = f"{queue}-{xdist_worker}"
        app.conf.task_default_queue = queue
    nodename = host_format(f"qa-test-{os.getpid()}-{uuid.uuid4().hex[:6]}@%h")
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "qualityaward.settings"),
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(media_root),
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    # The worker is another process: it starts at the tests' pinned moment.
    cmd = pinned_celery_command(
        "-A", "qualityaward", "worker",
        "-l", "warning", "-P", "solo", "-c", "1", "-Q", queue,
        "-n", nodename, "--purge", "--without-gossip", "--without-mingle",
    )
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        replied = False
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"Celery worker exited with code {proc.returncode} while starting:\n{_log_tail(log)}",
                            pytrace=False)
            if app.control.ping(destination=[nodename], timeout=0.5, limit=1):
                replied = True
                break
        if not replied:
            pytest.fail(f"Celery worker did not answer a ping within {WORKER_START_TIMEOUT:.0f}s "
                        f"(broker {app.conf.broker_url}):\n{_log_tail(log)}", pytrace=False)
        yield SimpleNamespace(nodename=nodename, queue=queue, database_url=database_url, log=log, process=proc)
    finally:
        _stop(proc)


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Eager for every test, except tests that ask for a running real worker."""
    from qualityaward.celery import app

    worker = None
    if "celery_real_worker" in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if marker is not None and not (marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0])):
            pytest.fail("tests using celery_real_worker must be @pytest.mark.django_db(transaction=True): "
                        "the worker only sees committed rows", pytrace=False)
        worker = request.getfixturevalue("celery_real_worker")

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = worker is None
    yield
    app.conf.task_always_eager = previous

