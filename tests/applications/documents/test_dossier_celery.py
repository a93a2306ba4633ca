"""A dossier built by a Celery worker: through Redis to a worker process in the PostgreSQL + Redis pass
(QA_REAL_CELERY=1), eagerly in-process otherwise."""
import io
import re
import time

import pytest
from pypdf import PdfReader

from applications.documents.dossier import request_dossier
from applications.models import GeneratedDocument
from qualityaward.accounts.services import Actor


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_builds_the_dossier_and_an_unchanged_request_reuses_it(celery_real_worker, world):
    app = world.new_app()
    started = time.monotonic()
    doc = request_dossier(application=app, actor=Actor(user=world.owner))  # commits, then enqueues
    while time.monotonic() - started < 90:
        doc.refresh_from_db()
        if doc.status in (GeneratedDocument.Status.READY, GeneratedDocument.Status.FAILED):
            break
        time.sleep(0.3)
    assert doc.status == GeneratedDocument.Status.READY, f"status {doc.status}: {doc.error}"
    reader = PdfReader(io.BytesIO(doc.file.read()))
    assert world.org.name in re.sub(r"\s+", "", reader.pages[0].extract_text())
    assert len(reader.pages) == doc.page_report["total"] and doc.page_report["over"] == []
    assert doc.duration_ms is not None and doc.attempts == 1

    again = request_dossier(application=app, actor=Actor(user=world.owner))
    assert again.pk == doc.pk and again.status == GeneratedDocument.Status.READY
    assert GeneratedDocument.objects.filter(application=app, kind=GeneratedDocument.Kind.DOSSIER).count() == 1
