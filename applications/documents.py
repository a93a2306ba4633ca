"""Building generated documents (PDF) and recording the outcome on the GeneratedDocument row."""
import time
import traceback

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import GeneratedDocument


def render_pdf(template_name, context):
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None).write_pdf()


def _receipt_pdf(document):
    submission = document.submission
    app = document.application
    return render_pdf("pdf/receipt.html", {
        "app": app,
        "submission": submission,
        "program": app.campaign.program,
        "campaign": app.campaign,
        "submitted_at": timezone.localtime(submission.submitted_at),
        "generated_at": timezone.localtime(),
    })


BUILDERS = {GeneratedDocument.Kind.RECEIPT: _receipt_pdf}


def build_document(*, document_id):
    """Build one document. Idempotent: a ready document is left as it is; a failed one is retried.

    Returns the document; raises only for errors worth retrying (the row says what happened).
    """
    with transaction.atomic():
        doc = GeneratedDocument.objects.select_for_update().filter(pk=document_id).first()
        if doc is None or (doc.status == GeneratedDocument.Status.READY and doc.file):
            return doc
        doc.status = GeneratedDocument.Status.RUNNING
        doc.attempts += 1
        doc.started_at = timezone.now()
        doc.error = ""
        doc.save(update_fields=["status", "attempts", "started_at", "error"])
    doc = GeneratedDocument.objects.select_related(
        "application__campaign__program", "application__region", "submission"
    ).get(pk=document_id)
    started = time.perf_counter()
    try:
        pdf = BUILDERS[doc.kind](doc)
    except Exception as exc:
        GeneratedDocument.objects.filter(pk=doc.pk).update(
            status=GeneratedDocument.Status.FAILED,
            error=f"生成失败，系统将自动重试；如多次失败请联系管理员。（{type(exc).__name__}）",
            finished_at=timezone.now(),
        )
        traceback.print_exc()
        raise
    duration_ms = int((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        doc = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        if doc.file:
            doc.file.delete(save=False)
        doc.file.save(f"{doc.kind}-{doc.application_id}-{doc.pk}.pdf", ContentFile(pdf), save=False)
        doc.status = GeneratedDocument.Status.READY
        doc.finished_at = timezone.now()
        doc.duration_ms = duration_ms
        doc.content_hash = doc.submission.content_hash if doc.submission_id else ""
        doc.save()
    return doc
