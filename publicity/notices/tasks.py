"""The publicity job run by Celery beat (every minute): opens and closes windows, settles lines.

Idempotent and catching up: a run after an outage settles every window that should have opened or
closed in the meantime, each exactly once (see ``publicity.services.run_due``)."""
from celery import shared_task

from applications import jobs

from . import services


@shared_task(name="publicity.tasks.run_publicity", acks_late=True)
def run_publicity():
    return services.run_due()


jobs.register("publicity.run_due", lambda: run_publicity.delay())
