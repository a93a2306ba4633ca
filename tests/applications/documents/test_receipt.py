"""The submission receipt (回执): a real Celery job renders a Chinese PDF the applicant downloads."""
import io
import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from applications.documents import services as documents
from applications import workflow
from applications.models import GeneratedDocument
from applications.documents.tasks import requeue_stale_documents
from qualityaward.accounts.services import Actor


def _text(doc):
    doc.file.open("rb")
    try:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(doc.file.read())).pages)
    finally:
        doc.file.close()


def _submit(world, django_capture_on_commit_callbacks):
    app = world.new_app()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    return app


def test_receipt_is_rendered_with_the_organization_name_in_chinese(world, django_capture_on_commit_callbacks):
    app = _submit(world, django_capture_on_commit_callbacks)
    doc = GeneratedDocument.objects.get(application=app, kind=GeneratedDocument.Kind.RECEIPT)
    assert doc.status == GeneratedDocument.Status.READY, doc.error
    text = _text(doc).replace(" ", "").replace("\n", "")
    assert world.org.name in text
    assert app.number in text
    assert doc.submission.content_hash in text
    assert "河南省省长质量奖培育" in text
    assert doc.content_hash == doc.submission.content_hash
    assert doc.duration_ms is not None and doc.duration_ms < 10_000


def test_page_shows_generating_then_the_download(client, world, django_capture_on_commit_callbacks):
    app = world.new_app()
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))  # job not run yet
    doc = GeneratedDocument.objects.get(application=app)
    client.force_login(world.owner)
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "回执生成中" in page and reverse("applications:document_status", args=[doc.pk]) in page
    assert client.get(reverse("applications:document_download", args=[doc.pk])).status_code == 404

    documents.build_document(document_id=doc.pk)
    status = client.get(reverse("applications:document_status", args=[doc.pk])).content.decode()
    assert "下载申报回执" in status and "hx-get" not in status
    download = client.get(reverse("applications:document_download", args=[doc.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_failed_render_is_recorded_for_the_user_and_retried(world, monkeypatch):
    app = world.new_app()
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    doc = GeneratedDocument.objects.get(application=app)

    def broken(document):
        raise OSError("disk full")

    monkeypatch.setitem(documents.BUILDERS, GeneratedDocument.Kind.RECEIPT, broken)
    with pytest.raises(OSError):
        documents.build_document(document_id=doc.pk)
    doc.refresh_from_db()
    assert doc.status == GeneratedDocument.Status.FAILED and "重试" in doc.error and doc.attempts == 1

    monkeypatch.undo()
    documents.build_document(document_id=doc.pk)
    doc.refresh_from_db()
    assert doc.status == GeneratedDocument.Status.READY and doc.attempts == 2 and doc.error == ""
    first_file = doc.file.name
    documents.build_document(document_id=doc.pk)  # idempotent: a ready document is left alone
    doc.refresh_from_db()
    assert doc.file.name == first_file and doc.attempts == 2


def test_stale_jobs_are_queued_again(world):
    app = world.new_app()
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))  # on_commit never ran
    doc = GeneratedDocument.objects.get(application=app)
    GeneratedDocument.objects.filter(pk=doc.pk).update(requested_at=doc.requested_at.replace(year=2025))
    assert requeue_stale_documents() == 1  # eager: rendered right here
    doc.refresh_from_db()
    assert doc.status == GeneratedDocument.Status.READY
    assert requeue_stale_documents() == 0


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_receipt_through_the_real_worker(celery_real_worker, world):
    """With QA_REAL_CELERY=1 the job crosses Redis to a worker process; otherwise it runs eagerly."""
    app = world.new_app()
    started = time.monotonic()
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))  # commits, then enqueues
    doc = GeneratedDocument.objects.get(application=app)
    while time.monotonic() - started < 60:
        doc.refresh_from_db()
        if doc.status in (GeneratedDocument.Status.READY, GeneratedDocument.Status.FAILED):
            break
        time.sleep(0.2)
    assert doc.status == GeneratedDocument.Status.READY, f"status {doc.status}: {doc.error}"
    assert world.org.name in _text(doc).replace(" ", "").replace("\n", "")
