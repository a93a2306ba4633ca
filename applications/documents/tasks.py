"""Celery tasks: thin, take ids, idempotent, safe to run twice (acks_late).

Registered under their first names (``applications.tasks.*``): beat schedules and queued messages use them."""
from datetime import timedelta

from celery import group, shared_task
from django.utils import timezone

from .. import dashboard_cache, jobs
from ..models import BackgroundJob, GeneratedDocument
from .background import count_dossier_job, documents_to_build, run_export
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
    lost = BackgroundJob.objects.filter(status__in=BackgroundJob.ACTIVE, requested_at__lt=cutoff).values_list(
        "pk", "kind")
    for pk, kind in lost:  # a job whose messages were lost: its remaining dossiers (or its export) again
        (campaign_dossiers if kind == BackgroundJob.Kind.DOSSIERS else export_job).delay(pk)
    return len(stale)


# --- background jobs (applications.documents.background) ------------------------------------------------------
@shared_task(name="applications.tasks.campaign_dossiers", acks_late=True)
def campaign_dossiers(job_id):
    """Build the job's dossiers side by side: one task per dossier not ready yet."""
    ids = documents_to_build(job_id=job_id)
    if ids:
        group(job_dossier.si(job_id, pk) for pk in ids).apply_async()


@shared_task(name="applications.tasks.job_dossier", bind=True, acks_late=True, max_retries=3,
             default_retry_delay=15)
def job_dossier(self, job_id, document_id):
    """One dossier of a campaign job; once it is ready or has failed for good, the job is counted (the last one
    writes the zip)."""
    try:
        build_document(document_id=document_id)
    except Exception as exc:  # the row records the failure for the user
        if not (self.request.is_eager or getattr(exc, "user_message", "")) and self.request.retries < self.max_retries:
            # not failed for good yet: the job must not close without it
            GeneratedDocument.objects.filter(pk=document_id).update(status=GeneratedDocument.Status.PENDING)
            dashboard_cache.changed_in_bulk()
            raise self.retry(exc=exc)
    count_dossier_job(job_id=job_id)


@shared_task(name="applications.tasks.export_job", acks_late=True)
def export_job(job_id):
    run_export(job_id=job_id)


jobs.register("campaign_dossiers", lambda job_id: campaign_dossiers.delay(job_id))
jobs.register("export", lambda job_id: export_job.delay(job_id))
