"""Supervision pages (息县 第九条、第二十五条): the public report form and its receipt, the reporter's own
reports, the supervision group's register and finding, and its report on a campaign to the committee and
the secretariat. Thin views: reads through ``selectors``, writes through ``services``.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.models import Campaign, Program
from qualityaward.accounts.services import Actor, client_ip

from ..objections.services import rate_limited
from . import selectors as sel
from . import services as svc
from .forms import CampaignReportForm, FindingForm, ReportForm
from .models import CampaignSupervisionReportFile, SupervisionReport, SupervisionReportFile

RECEIPT_SALT = "publicity.supervision-receipt"
RECEIPT_MAX_AGE = 365 * 24 * 3600
RATE_LIMITED_MESSAGE = ("同一网络 1 小时内提交举报的次数已达上限，请稍后再试。"
                        "如需提交大量材料，请按奖项页面所列联系方式与监督组联系。")
NOT_SUBMITTED = "填写的内容有误，举报尚未提交，请按提示修改（需要重新选择上传的文件）。"


def _errors(exc):
    return list(exc.messages) if isinstance(exc, ValidationError) else [str(exc)]


def _form_errors(form):
    return [e for errors in form.errors.values() for e in errors]


# --- the public form ---------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def report_new(request, code):
    program = get_object_or_404(Program.objects.select_related("profile"), code=code, is_active=True)
    refusal = svc.refusal_for_program(program)
    campaigns = svc.reportable_campaigns(program)
    context = {"program": program, "refusal": refusal, "errors": []}
    template = "publicity/supervision/new.html"
    if request.method == "GET":
        context["form"] = None if refusal else ReportForm(campaigns=campaigns, user=request.user)
        return render(request, template, context)
    form = ReportForm(request.POST, campaigns=campaigns)
    context["form"] = None if refusal else form
    if rate_limited(client_ip(request) or "unknown", scope="supervision"):
        context["errors"] = [RATE_LIMITED_MESSAGE]
        return render(request, template, context, status=429)
    if refusal:
        return render(request, template, context, status=400)
    if not form.is_valid():
        context["errors"] = [NOT_SUBMITTED]
        return render(request, template, context, status=400)
    try:
        report = svc.submit_report(program=program, campaign=form.chosen_campaign(), reporter=form.objector(),
                                   subject=form.cleaned_data["subject"], content=form.cleaned_data["content"],
                                   files=request.FILES.getlist("evidence"), actor=Actor.from_request(request))
    except svc.ReportRefused as exc:
        context["errors"] = [exc.message]
        return render(request, template, context, status=400)
    except ValidationError as exc:
        context["errors"] = _errors(exc) + ["举报尚未提交。请重新选择符合要求的文件后再提交。"]
        return render(request, template, context, status=400)
    return redirect("supervision:receipt", token=signing.dumps(report.pk, salt=RECEIPT_SALT))


@require_GET
def report_receipt(request, token):
    try:
        pk = signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        raise Http404("回执链接无效或已过期。")
    report = SupervisionReport.objects.select_related("program", "campaign").filter(pk=pk).first()
    if report is None:
        raise Http404("回执链接无效或已过期。")
    return render(request, "publicity/supervision/receipt.html", {"report": report})


@login_required
@require_GET
def my_reports(request):
    return render(request, "publicity/supervision/mine.html",
                  {"reports": sel.own_reports(user=request.user).order_by("-received_at")})


# --- the supervision group's register ------------------------------------------------------------------------------
@login_required
@require_GET
def report_list(request):
    ids = sel.supervised_program_ids(request.user)
    qs = sel.reports_for_user(user=request.user)
    status = request.GET.get("status", "")
    if status in SupervisionReport.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-received_at", "-pk"), 50).get_page(request.GET.get("page"))
    programs = Program.objects.filter(profile__supervision_reports=True)
    if ids is not None:
        programs = programs.filter(pk__in=ids)
    campaigns = Campaign.objects.filter(program__in=programs).select_related("program").order_by("program", "-opens_at")
    return render(request, "publicity/supervision/list.html", {
        "page": page, "status": status, "statuses": SupervisionReport.Status.choices,
        "is_supervisor": ids is None or bool(ids), "campaigns": campaigns})


def _detail(request, report, *, status=200, **extra):
    return render(request, "publicity/supervision/detail.html", {
        "r": report, "files": report.files.all(), "history": svc.history(report),
        "finding_form": extra.pop("finding_form", None) or FindingForm(), **extra}, status=status)


@login_required
@require_GET
def report_detail(request, pk):
    return _detail(request, sel.report_for_user_or_404(user=request.user, pk=pk))


@login_required
@require_POST
def report_finding(request, pk):
    report = sel.report_for_user_or_404(user=request.user, pk=pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        try:
            svc.record_finding(report=report, finding=c["finding"], conclusion=c["conclusion"],
                               handled_on=c["handled_on"], actor=Actor.from_request(request))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "办理情况已记录，举报已办结。")
            return redirect("supervision:report_detail", pk=report.pk)
    else:
        errors = _form_errors(form)
    report.refresh_from_db()
    return _detail(request, report, status=400, errors=errors, finding_form=form)


def _file_response(request, row):
    return FileResponse(row.file.open("rb"), as_attachment=request.GET.get("inline") != "1",
                        filename=row.original_name, content_type=row.content_type)


@login_required
@require_GET
def report_file(request, pk):
    row = SupervisionReportFile.objects.select_related("report").filter(pk=pk).first()
    if row is None or not sel.supervises(request.user, row.report.program_id):
        raise Http404(sel.NOT_FOUND)
    return _file_response(request, row)


# --- the campaign's supervision report -----------------------------------------------------------------------------
def _campaign_page(request, campaign, *, status=200, **extra):
    program = campaign.program
    can_write = sel.supervises(request.user, program.pk) and svc.no_supervision_group(program) is None
    reports = sel.campaign_reports_for_user(user=request.user).filter(campaign=campaign).order_by("-sent_at")
    handled = SupervisionReport.objects.filter(campaign=campaign)
    return render(request, "publicity/supervision/campaign.html", {
        "campaign": campaign, "program": program, "reports": reports, "can_write": can_write,
        "form": extra.pop("form", None) or (CampaignReportForm() if can_write else None),
        "counts": {"received": handled.count(), "open": handled.filter(status=SupervisionReport.Status.RECEIVED).count()}
        if sel.supervises(request.user, program.pk) else None,
        **extra}, status=status)


@login_required
@require_GET
def campaign_page(request, pk):
    return _campaign_page(request, sel.campaign_for_readers_or_404(user=request.user, pk=pk))


@login_required
@require_POST
def campaign_report_new(request, pk):
    campaign = sel.campaign_for_readers_or_404(user=request.user, pk=pk)
    if not sel.supervises(request.user, campaign.program_id):
        raise PermissionDenied("监督情况报告由本奖项监督组撰写；评委会和秘书处可以查阅。")
    form = CampaignReportForm(request.POST)
    if form.is_valid():
        try:
            svc.send_campaign_report(campaign=campaign, title=form.cleaned_data["title"], text=form.cleaned_data["text"],
                                     document=request.FILES.get("document"), actor=Actor.from_request(request))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "监督情况报告已报送评委会和秘书处，并已邮件通知。")
            return redirect("supervision:campaign", pk=campaign.pk)
    else:
        errors = _form_errors(form)
    return _campaign_page(request, campaign, status=400, form=form,
                          errors=errors + ["报告尚未报送（如选择了文件，请重新选择）。"])


@login_required
@require_GET
def campaign_report_file(request, pk):
    row = CampaignSupervisionReportFile.objects.select_related("report__campaign").filter(pk=pk).first()
    if row is None or not sel.reads_campaign_reports(request.user, row.report.campaign.program_id):
        raise Http404(sel.NOT_FOUND)
    return _file_response(request, row)
