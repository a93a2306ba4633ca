"""Thin views for the printed outcome documents (decision, certificates), the application list export and the
printable dossier (request it as a Celery job, watch its progress, read its page check)."""
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from qualityaward.accounts.services import Actor, record_event

from ..models import BackgroundJob, Campaign, GeneratedDocument
from ..selectors import application_for_user_or_404, applications_for_user, recused_application_ids
from . import background, prints
from .dossier import dossier_hash, masks_id_number, may_request_dossier, request_dossier
from .exports import application_list_queryset
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
    # 息县 第十条, 巩义 第十八条: an application the reader stepped aside from keeps its number in the list as
    # "（已回避）"; the document itself, which must name it, is printed by a colleague
    recused = recused_application_ids(user=request.user, campaign=campaign)
    if request.GET.get("format") == "pdf" and recused & {a.pk for g in prints.awarded_by_tier(campaign)
                                                           for a in g.applications}:
        errors = [*errors, "您已对本届次的获奖申报声明回避，不能生成决定文件，请由本奖项其他工作人员生成。"]
    if request.GET.get("format") == "pdf" and not errors:
        pdf = prints.decision_pdf(campaign=campaign, **params)
        record_event(actor=Actor.from_request(request), action="print:decision", target=campaign,
                     data={"doc_number": params["doc_number"]})
        return pdf_response(pdf, f"{campaign.program.short_name}{campaign.name}决定.pdf")
    context = prints.decision_context(campaign=campaign, **(params or {}))
    for app in (a for g in context["groups"] for a in g.applications):
        app.recused = app.pk in recused
    is_secretariat = prints.is_program_secretariat_of(request.user, campaign)
    # the certificates the secretariat hands out, where the program's document names one
    hands_out_certificates = is_secretariat and campaign.program.profile.issues_certificate
    if hands_out_certificates:
        apps = [a for g in context["groups"] for a in g.applications]
        certificates = {}
        for doc in GeneratedDocument.objects.filter(application__in=apps, kind=GeneratedDocument.Kind.CERTIFICATE
                                                    ).order_by("requested_at", "pk"):
            certificates[doc.application_id] = doc
        for app in apps:
            app.certificate = certificates.get(app.pk)
    return render(request, "applications/decision.html", {
        **context, "errors": errors, "form": request.GET, "is_secretariat": is_secretariat,
        "hands_out_certificates": hands_out_certificates,
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
    return export_response(request, name="application_list",
                           params={key: request.GET[key] for key in ("state", "q") if request.GET.get(key)})


def export_response(request, *, name, campaign=None, params=None):
    """The export ``name`` as a download at once, or, above ``settings.BACKGROUND_EXPORT_ROWS`` rows, as a
    background job: the user is taken to its page (progress, then the download)."""
    params = params or {}
    if not background.is_large(name=name, user=request.user, campaign=campaign, params=params):
        filename, sheets = background.EXPORTS[name].build(user=request.user, campaign=campaign, params=params)
        return xlsx_response(filename, sheets)
    job = background.request_export(name=name, actor=Actor.from_request(request), campaign=campaign, params=params)
    messages.info(request, f"数据量较大（约 {job.total} 行），已转入后台导出。本页会显示进度，完成后可在本页下载；"
                           "您也可以先离开，稍后从本页地址回来下载。")
    return redirect("applications:job", pk=job.pk)


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


# --- background jobs: a campaign's dossiers, large exports ----------------------------------------------------
def _campaign_for_dossiers_or_404(user, campaign_id):
    campaign = Campaign.objects.select_related("program__profile").filter(pk=campaign_id).first()
    if campaign is None or not background.may_build_campaign_dossiers(user, campaign):
        raise Http404("没有找到该届次，或您不是该奖项的秘书处。")
    return campaign


def _job_or_404(user, pk):
    job = BackgroundJob.objects.select_related("campaign__program", "requested_by").filter(pk=pk).first()
    if job is None or not background.may_see_job(user, job):
        raise Http404("没有找到该任务，或您无权查看。")
    return job


def job_context(job, user=None):
    dossiers = bool(job) and job.kind == BackgroundJob.Kind.DOSSIERS
    failed = background.failed_documents(job) if dossiers else []
    # 息县 第十条, 巩义 第十八条: what the reader stepped aside from stays unnamed, and its dossier out of reach
    recused = recused_application_ids(user=user, campaign=job.campaign_id) if dossiers and user else set()
    for doc in failed:
        doc.recused = doc.application_id in recused
    zip_refused = bool(recused) and job.documents.filter(application_id__in=recused).exists()
    return {"job": job, "failed": failed, "zip_refused": RECUSED_ZIP if zip_refused else ""}


#: Why a campaign's dossiers zip is refused to someone who stepped aside from one of its applications.
RECUSED_ZIP = "压缩包中有您已声明回避的申报的推荐材料，您不能下载，请由本奖项其他工作人员下载。"


@login_required
@require_GET
def campaign_dossiers(request, campaign_id):
    """The secretariat's page of a campaign's dossiers: start building them all, watch, download the zip."""
    campaign = _campaign_for_dossiers_or_404(request.user, campaign_id)
    submitted = applications_for_user(user=request.user).filter(
        campaign=campaign, submissions__isnull=False).distinct().count()
    return render(request, "applications/campaign_dossiers.html", {
        "campaign": campaign, "program": campaign.program, "submitted": submitted,
        **job_context(background.latest_dossier_job(campaign), request.user)})


@login_required
@require_POST
def campaign_dossiers_start(request, campaign_id):
    campaign = _campaign_for_dossiers_or_404(request.user, campaign_id)
    job, started = background.start_campaign_dossiers(campaign=campaign, actor=Actor.from_request(request))
    if started:
        messages.info(request, f"已开始生成本届次全部 {job.total} 份推荐材料，本页会显示进度，完成后可下载压缩包。")
    else:
        messages.info(request, f"本届次的推荐材料正在生成（已完成 {job.done} / {job.total} 份），无需重复点击，请等待完成。")
    return redirect("applications:campaign_dossiers", campaign_id=campaign.pk)


@login_required
@require_GET
def job_detail(request, pk):
    """A job's page; under htmx its status box alone (polled while the job runs)."""
    job = _job_or_404(request.user, pk)
    template = "applications/partials/job_status.html" if request.htmx else "applications/job.html"
    return render(request, template, job_context(job, request.user))


@login_required
@require_GET
def job_download(request, pk):
    job = _job_or_404(request.user, pk)
    if not job.file or job.status not in (BackgroundJob.Status.READY, BackgroundJob.Status.PARTIAL):
        raise Http404("文件尚未生成，请等待任务完成后再下载。")
    if job_context(job, request.user)["zip_refused"]:
        raise PermissionDenied(RECUSED_ZIP)  # 息县 第十条: the zip holds a dossier the reader stepped aside from
    suffix = ".zip" if job.kind == BackgroundJob.Kind.DOSSIERS else ".xlsx"
    content_type = "application/zip" if suffix == ".zip" else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=f"{job.title}{suffix}",
                        content_type=content_type)


@login_required
@require_POST
def job_retry(request, pk):
    """Build a dossier job's failed dossiers again (after the applicant fixed what the reason says)."""
    job = _job_or_404(request.user, pk)
    if job.kind != BackgroundJob.Kind.DOSSIERS:
        raise Http404("没有找到该任务，或您无权查看。")
    count = background.retry_failed_dossiers(job=job, actor=Actor.from_request(request))
    if count is not None:
        messages.info(request, f"已重新开始生成 {count} 份失败的推荐材料，完成后压缩包会随之更新。")
    else:
        messages.info(request, "没有需要重新生成的推荐材料（任务仍在进行，或没有失败的材料）。")
    return redirect("applications:campaign_dossiers", campaign_id=job.campaign_id)
