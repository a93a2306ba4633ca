"""Celery tasks: thin, take ids, idempotent, safe to run twice (acks_late).

Registered under their first names (``applications.tasks.*``): beat schedules and queued messages use them."""
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .. import jobs
from ..models import GeneratedDocument
from .services import build_document


@shared_task(name="applications.tasks.render_document", bind=True, acks_late=True, max_retries=3,
             default_retry_delay=15)
def render_document(self, document_id):
    try:
        build_document(document_id=document_id)
    except Exception as exc:  # the row already records the failure for the user
        if self.request.is_eager or getattr(exc, "user_message", ""):
            return  # eager, or a problem only the user can fix: retrying would fail the same way
        raise self.retry(exc=exc)


def enqueue_document(document_id):
    render_document.delay(document_id)


jobs.register("render_document", enqueue_document)


@shared_task(name="applications.tasks.requeue_stale_documents", acks_late=True)
def requeue_stale_documents(minutes=10):
    """Catch up after an outage: documents still pending/running after ``minutes`` are queued again."""
    cutoff = timezone.now() - timedelta(minutes=minutes)
    stale = GeneratedDocument.objects.filter(
        status__in=[GeneratedDocument.Status.PENDING, GeneratedDocument.Status.RUNNING, GeneratedDocument.Status.FAILED],
        requested_at__lt=cutoff, attempts__lt=5,
    ).values_list("pk", flat=True)
    for pk in stale:
        enqueue_document(pk)
    return len(stale)
