"""One full publicity window run by a real ``celery beat`` and a real worker over Redis.

PostgreSQL + Redis pass only (QA_REAL_CELERY=1); skipped in the SQLite pass. Beat runs as a
subprocess with a one-second schedule; the window is shortened to seconds by writing its dates
directly, which is the only thing the test does besides composing and scheduling the notice.
"""
import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from clock_support import pinned_celery_command
from django.utils import timezone

from applications.models import Application, State
from publicity.notices import services
from publicity.notices.models import Notice, NoticeItem
from qualityaward.accounts.models import AuditEvent
from qualityaward.accounts.services import Actor

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _start_beat(worker, tmp_path):
    log = tmp_path / "beat.log"
    env = {**os.environ, "DATABASE_URL": worker.database_url, "CELERY_QUEUE": worker.queue, "CONN_MAX_AGE": "0",
           "CELERY_TASK_ALWAYS_EAGER": "0", "PUBLICITY_BEAT_SECONDS": "1", "PYTHONUNBUFFERED": "1"}
    cmd = pinned_celery_command("-A", "qualityaward", "beat", "-l", "info", "--max-interval", "1",
                                "-s", str(tmp_path / "beat-schedule"))
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, log


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _wait_for(predicate, timeout, proc, log, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"celery beat exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text(errors='replace')[-3000:]}")


def test_beat_opens_and_closes_one_window_through_the_worker(celery_real_worker, world, accepted_apps,
                                                              next_year_known, tmp_path):
    if celery_real_worker is None:
        pytest.skip("QA_REAL_CELERY is not set: no real worker in this pass (tasks run eagerly)")
    notice = services.compose_notice(campaign=world.campaign, kind="acceptance", actor=Actor(user=world.secretariat),
                                     application_ids=[a.pk for a in accepted_apps], window_length=5)
    opens_at = timezone.now() + dt.timedelta(seconds=8)
    services.schedule_notice(notice=notice, actor=Actor(user=world.secretariat), opens_at=opens_at)
    Notice.objects.filter(pk=notice.pk).update(closes_at=opens_at + dt.timedelta(seconds=8))  # a window of seconds
    ids = [a.pk for a in accepted_apps]

    proc, log = _start_beat(celery_real_worker, tmp_path)
    try:
        _wait_for(lambda: Notice.objects.get(pk=notice.pk).status == Notice.Status.OPEN, 60, proc, log, "the opening")
        assert timezone.now() >= opens_at
        assert set(Application.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
            State.ACCEPTANCE_PUBLICITY}
        _wait_for(lambda: Notice.objects.get(pk=notice.pk).status == Notice.Status.SETTLED, 60, proc, log,
                  "the closing and settlement")
        time.sleep(3)  # a few more beats: nothing happens twice
    finally:
        _stop(proc)
    notice.refresh_from_db()
    assert notice.opened_at >= opens_at and notice.closed_at >= notice.closes_at
    assert set(Application.objects.filter(pk__in=ids).values_list("state", flat=True)) == {State.MATERIAL_REVIEW}
    system = AuditEvent.objects.filter(actor__isnull=True)
    assert system.filter(action="notice:open").count() == 1
    assert system.filter(action="notice:close").count() == 1
    assert system.filter(action="transition:open_acceptance_publicity").count() == 3
    assert system.filter(action="transition:start_material_review").count() == 3
    assert NoticeItem.objects.filter(notice=notice, settled_at__isnull=True).count() == 0
    assert "run-publicity" in log.read_text(errors="replace") or "run_publicity" in log.read_text(errors="replace")
