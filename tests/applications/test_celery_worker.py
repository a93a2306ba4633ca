"""Smoke test: a real Celery worker, started by the ``celery_real_worker`` fixture, answers over Redis.

Runs in the PostgreSQL + Redis pass of ``make test`` (QA_REAL_CELERY=1); skipped in the SQLite pass,
where there is no broker and tasks run eagerly.
"""
import pytest

from qualityaward.celery import app

pytestmark = pytest.mark.celery_worker


def test_real_worker_answers_ping(celery_real_worker):
    if celery_real_worker is None:
        pytest.skip("QA_REAL_CELERY is not set: no real worker in this pass (tasks run eagerly)")
    replies = app.control.ping(destination=[celery_real_worker.nodename], timeout=5, limit=1) or []
    names = [name for reply in replies for name in reply]
    assert names == [celery_real_worker.nodename], f"no ping reply from {celery_real_worker.nodename}; got {replies}"
    assert replies[0][celery_real_worker.nodename] == {"ok": "pong"}
    assert celery_real_worker.process.poll() is None, "the worker process has exited"


def test_tasks_are_eager_unless_the_real_worker_is_requested():
    """Tests that do not ask for the worker run tasks in-process, in both passes."""
    assert app.conf.task_always_eager is True
