"""The printable dossier: request it (a Celery job), watch its progress, read its page check."""
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from qualityaward.accounts.services import Actor

from .dossier import dossier_hash, masks_id_number, may_request_dossier, request_dossier
from .models import GeneratedDocument
from .selectors import application_for_user_or_404, applications_for_user

#: A job still queued after this long is probably waiting for a worker: say so.
LONG_WAIT = timedelta(minutes=3)
NOT_ALLOWED = "只有申报人、推荐单位和秘书处可以生成推荐材料（印制装订版）。"


def status_context(*, doc, application, user):
    """What the status partial shows: the job, whether it still matches the application, the page check."""
    current, waiting_long = None, False
    if doc is not None and doc.status == GeneratedDocument.Status.READY:
        current = doc.content_hash == dossier_hash(application, masked=masks_id_number(user, application))
    elif doc is not None and doc.status in (GeneratedDocument.Status.PENDING, GeneratedDocument.Status.RUNNING):
        waiting_long = doc.requested_at < timezone.now() - LONG_WAIT
    return {"doc": doc, "app": application, "current": current, "waiting_long": waiting_long,
            "report": (doc.page_report if doc else None) or {}}


@login_required
@require_POST
def dossier_request(request, pk):
    app = application_for_user_or_404(user=request.user, pk=pk)
    if not may_request_dossier(request.user, app):
        raise PermissionDenied(NOT_ALLOWED)
    doc = request_dossier(application=app, actor=Actor.from_request(request))
    if request.htmx:
        doc.refresh_from_db()
        return render(request, "applications/partials/dossier_status.html",
                      status_context(doc=doc, application=app, user=request.user))
    if doc.status == GeneratedDocument.Status.READY:
        messages.success(request, "推荐材料内容未变，已生成的文件可直接下载。")
    else:
        messages.info(request, "已开始生成推荐材料，完成后可在本页下载并查看页数核查结果。")
    return redirect("applications:detail", pk=app.pk)


@login_required
@require_GET
def dossier_status(request, pk):
    doc = GeneratedDocument.objects.filter(pk=pk, kind=GeneratedDocument.Kind.DOSSIER).first()
    if doc is None or not applications_for_user(user=request.user).filter(pk=doc.application_id).exists():
        raise Http404("没有找到该文件，或您无权查看。")
    app = doc.application
    if not may_request_dossier(request.user, app):
        raise PermissionDenied(NOT_ALLOWED)
    return render(request, "applications/partials/dossier_status.html",
                  status_context(doc=doc, application=app, user=request.user))
