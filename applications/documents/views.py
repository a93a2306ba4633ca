"""Thin views for the printed outcome documents (decision, certificates), the application list export and the
printable dossier (request it as a Celery job, watch its progress, read its page check)."""
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from qualityaward.accounts.services import Actor, record_event

from ..models import Campaign, GeneratedDocument
from ..selectors import application_for_user_or_404, applications_for_user
from . import prints
from .dossier import dossier_hash, masks_id_number, may_request_dossier, request_dossier
from .exports import application_list_queryset, application_list_sheet, export_filename
from .xlsx import xlsx_response


def pdf_response(pdf, filename, *, inline=True):
    from urllib.parse import quote

    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response


# --- the decision --------------------------------------------------------------------------------------------
def _campaign_for_decision_or_404(user, campaign_id):
    campaign = Campaign.objects.select_related("program__profile").filter(pk=campaign_id).first()
    if campaign is None or not prints.can_print_decision(user, campaign):
        raise Http404("没有找到该届次，或您无权查看。")
    return campaign


@login_required
@require_GET
def decision(request, campaign_id):
    """The decision of a campaign: the form for its document number, date and 抄送, the list it will
    print, and (``?format=pdf``) the GB/T 9704 PDF."""
    campaign = _campaign_for_decision_or_404(request.user, campaign_id)
    errors, params = [], {}
    try:
        params = prints.parse_decision_params(request.GET)
    except ValidationError as exc:
        errors = exc.messages
    if request.GET.get("format") == "pdf" and not errors:
        pdf = prints.decision_pdf(campaign=campaign, **params)
        record_event(actor=Actor.from_request(request), action="print:decision", target=campaign,
                     data={"doc_number": params["doc_number"]})
        return pdf_response(pdf, f"{campaign.program.short_name}{campaign.name}决定.pdf")
    context = prints.decision_context(campaign=campaign, **(params or {}))
    if prints.is_program_secretariat_of(request.user, campaign):  # the certificates the secretariat hands out
        apps = [a for g in context["groups"] for a in g.applications]
        certificates = {}
        for doc in GeneratedDocument.objects.filter(application__in=apps, kind=GeneratedDocument.Kind.CERTIFICATE
                                                    ).order_by("requested_at", "pk"):
            certificates[doc.application_id] = doc
        for app in apps:
            app.certificate = certificates.get(app.pk)
    return render(request, "applications/decision.html", {
        **context, "errors": errors, "form": request.GET, "is_secretariat": prints.is_program_secretariat_of(
            request.user, campaign),
    }, status=400 if errors else 200)


# --- certificates -----------------------------------------------------------------------------------------------
@login_required
@require_POST
def certificate_request(request, pk):
    """Order (or re-order after a failure) the certificate of an awarded application."""
    app = application_for_user_or_404(user=request.user, pk=pk)
    doc = prints.request_certificate(application=app, actor=Actor.from_request(request))
    if doc.status == GeneratedDocument.Status.READY:
        messages.success(request, "获奖证书已生成，可以下载。")
    else:
        messages.info(request, "获奖证书正在生成，完成后可在本页下载。")
    return redirect("applications:detail", pk=app.pk)


# --- the application list export -------------------------------------------------------------------------------
@login_required
@require_GET
def application_list_export(request):
    qs, state, _query = application_list_queryset(user=request.user, params=request.GET)
    record_event(actor=Actor.from_request(request), action="export:applications",
                 data={"state": state, "q": request.GET.get("q", "")[:60]})
    return xlsx_response(export_filename("申报列表"), [application_list_sheet(qs)])


# --- the printable dossier ----------------------------------------------------------------------------------
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
