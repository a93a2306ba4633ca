"""Building generated documents (PDF) and recording the outcome on the GeneratedDocument row."""
import gc
import threading
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .. import dashboard_cache
from ..models import GeneratedDocument
from .fonts import cache_dir, ensure_fonts


def render_document(template_name, context):
    """The laid-out WeasyPrint document (pages, bookmarks) of a PDF template.

    Templates include ``pdf/_fonts.html``, which declares the prepared Chinese faces (see ``pdffonts``);
    ``ensure_fonts`` prepares them first if setup has not.
    """
    from weasyprint import HTML

    from .layout_speedups import install

    install()
    faces = ensure_fonts()
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None, url_fetcher=local_url_fetcher()).render(
        font_config=font_configuration(faces))


_local = threading.local()


def font_configuration(faces):
    """The WeasyPrint font configuration of this thread, kept from one document to the next.

    A new configuration per document would load the system font list again, copy the prepared faces
    (megabytes each) into a temporary folder and start Pango with cold caches. One per thread (Pango's
    font map is not shared between threads); a new one when the prepared faces (``faces``, from
    ``ensure_fonts``) are other files or have been prepared again.
    """
    from weasyprint.text.fonts import FontConfiguration

    key = tuple(sorted((k, str(p), p.stat().st_mtime_ns, p.stat().st_size) for k, p in faces.items()))
    cached = getattr(_local, "font_config", None)
    if cached is None or cached[0] != key:
        cached = _local.font_config = (key, FontConfiguration())
    return cached[1]


def local_url_fetcher():
    """A fetcher for the resources a PDF may load: data: URIs and files in the font cache or MEDIA_ROOT.
    Nothing from a network, nothing else from the disk."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher

    roots = [p.resolve() for p in (cache_dir(), Path(settings.MEDIA_ROOT))]

    class LocalURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if not any(path.is_relative_to(root) for root in roots):
                    raise ValueError(f"PDF resource outside the allowed folders: {url[:80]}")
            return super().fetch(url, headers)

    return LocalURLFetcher(allowed_protocols=("file", "data"))


@contextmanager
def young_collections_only():
    """Run a large layout with the cyclic garbage collector looking at young objects only.

    Laying out a long document allocates hundreds of thousands of objects that live until the PDF is
    written; the collector's full passes would walk them (and the rest of the process) again and again,
    about a quarter of the build's time. Inside the block, short-lived garbage is still collected, but
    nothing is promoted to the oldest generation, so ``gc.collect(1)`` at the end of the block frees what
    the build left behind without walking the whole process. The thresholds are restored on the way out.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], 1_000_000_000, 1_000_000_000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def release_free_memory():
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Python frees a laid-out document's objects, but the allocator keeps their pages for later, so a
    process's resident memory stays at its highest and what comes next (the evidence merge, the next
    document) grows on top of it instead of within it.
    """
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None


def render_pdf(template_name, context):
    return render_document(template_name, context).write_pdf()


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


#: kind -> builder(document) returning the PDF bytes, or (bytes or a file, {"content_hash": ..., "page_report": ...});
#: a file (a large dossier) is stored from the disk and closed.
#: The other kinds register theirs when their app is ready (dossier, certificate, review report).
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
        result = BUILDERS[doc.kind](doc)
    except Exception as exc:
        # a problem the user can fix carries its own message (``user_message``)
        message = getattr(exc, "user_message", "") or (
            f"生成失败，系统将自动重试；如多次失败请联系管理员。（{type(exc).__name__}）")
        GeneratedDocument.objects.filter(pk=doc.pk).update(
            status=GeneratedDocument.Status.FAILED, error=message, finished_at=timezone.now(),
        )
        dashboard_cache.changed_in_bulk()
        traceback.print_exc()
        raise
    pdf, extra = (result, {}) if isinstance(result, bytes) else result
    duration_ms = int((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        doc = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        if doc.file:
            doc.file.delete(save=False)
        content = ContentFile(pdf) if isinstance(pdf, bytes) else File(pdf)
        try:
            doc.file.save(f"{doc.kind}-{doc.application_id}-{doc.pk}.pdf", content, save=False)
        finally:
            content.close()
        doc.status = GeneratedDocument.Status.READY
        doc.finished_at = timezone.now()
        doc.duration_ms = duration_ms
        doc.content_hash = extra.get("content_hash") or (doc.submission.content_hash if doc.submission_id else "")
        if "page_report" in extra:
            doc.page_report = extra["page_report"]
        doc.save()
    return doc
