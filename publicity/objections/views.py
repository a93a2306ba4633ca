"""Objection pages: the public real-name form and receipt, the secretariat's register, the applicant's reply.

Thin views: reads through ``objections_for_user`` and friends, writes through ``publicity.objections``.
"""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.documents.xlsx import Sheet, xlsx_response
from applications.models import Program
from applications.selectors import recused_applications
from qualityaward.accounts.services import Actor, client_ip
from qualityaward.params import int_param

from ..notices.models import Notice
from . import services as svc
from .forms import BackfillForm, DecisionForm, NoteForm, ObjectionForm, ReplyForm, RequestForm
from .models import Objection, ObjectionFile

RECEIPT_SALT = "publicity.objection-receipt"
RECEIPT_MAX_AGE = 180 * 24 * 3600
PUBLIC_NOTICE_STATUSES = (Notice.Status.OPEN, Notice.Status.CLOSED, Notice.Status.SETTLED)


def _errors(exc):
    return list(exc.messages) if isinstance(exc, ValidationError) else [str(exc)]


# --- the public form --------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def objection_new(request, notice_pk):
    notice = get_object_or_404(Notice.objects.select_related("campaign__program__profile"), pk=notice_pk,
                               status__in=PUBLIC_NOTICE_STATUSES)
    refusal = svc.refusal_for_notice(notice)
    context = {"notice": notice, "program": notice.campaign.program, "refusal": refusal, "errors": []}
    if request.method == "GET":
        context["form"] = ObjectionForm(notice=notice) if not refusal else None
        return render(request, "publicity/objections/new.html", context)
    actor = Actor.from_request(request)
    if svc.rate_limited(client_ip(request) or "unknown"):
        context.update(form=ObjectionForm(request.POST, notice=notice), errors=[svc.RATE_LIMITED_MESSAGE])
        return render(request, "publicity/objections/new.html", context, status=429)
    if refusal:
        return render(request, "publicity/objections/new.html", context, status=400)
    form = ObjectionForm(request.POST, notice=notice)
    context["form"] = form
    if not form.is_valid():
        context["errors"] = ["填写的内容有误，异议尚未提交，请按提示修改（需要重新选择上传的文件）。"]
        return render(request, "publicity/objections/new.html", context, status=400)
    files = {kind: request.FILES.getlist(kind) for kind in ("identity", "sealed_letter", "evidence")}
    try:
        objection = svc.submit_objection(notice=notice, item_id=form.cleaned_data["item"], objector=form.objector(),
                                         grounds=form.cleaned_data["grounds"], files=files, actor=actor)
    except svc.ObjectionRefused as exc:
        context["errors"] = [exc.message]
        return render(request, "publicity/objections/new.html", context, status=400)
    except ValidationError as exc:
        context["errors"] = _errors(exc) + ["异议尚未提交。请重新选择符合要求的文件后再提交。"]
        return render(request, "publicity/objections/new.html", context, status=400)
    token = signing.dumps(objection.pk, salt=RECEIPT_SALT)
    return redirect("publicity:objection_receipt", token=token)


@require_GET
def objection_receipt(request, token):
    try:
        pk = signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        raise Http404("回执链接无效或已过期。")
    objection = Objection.objects.select_related("notice__campaign__program", "item").filter(pk=pk).first()
    if objection is None:
        raise Http404("回执链接无效或已过期。")
    return render(request, "publicity/objections/receipt.html", {
        "objection": objection, "program": objection.notice.campaign.program,
        "deadline": svc.deadline_info(objection), "convention": svc.deadline_convention(objection)})


# --- the secretariat's register ----------------------------------------------------------------------------------
@login_required
@require_GET
def objection_list(request):
    qs = svc.objections_for_user(user=request.user).annotate(request_count=Count("requests"))
    ids = svc.readable_program_ids(request.user)
    programs = Program.objects.all() if ids is None else Program.objects.filter(pk__in=ids)
    program = int_param(request.GET.get("program"))
    if program is not None:
        qs = qs.filter(notice__campaign__program_id=program)
    status = request.GET.get("status", "")
    if status == "open":
        qs = qs.filter(status__in=Objection.OPEN_STATUSES)
    elif status in Objection.Status.values:
        qs = qs.filter(status=status)
    elif status == "backfill":
        qs = qs.filter(backfill_due=True, backfill_done_at__isnull=True)
    query = request.GET.get("q", "").strip()[:60]
    if query:
        qs = qs.filter(Q(receipt_number__icontains=query) | Q(objector_name__icontains=query)
                       | Q(item__name__icontains=query) | Q(application__number__icontains=query))
    page = Paginator(qs.order_by("-received_at", "-pk"), 50).get_page(request.GET.get("page"))
    clock = svc.DeadlineClock()
    rows = [{"o": o, "deadline": svc.deadline_info(o, clock=clock)} for o in page.object_list]
    handled = svc.handled_program_ids(request.user)
    return render(request, "publicity/objections/list.html", {
        "rows": rows, "page": page, "programs": programs, "program": program, "status": status, "q": query,
        "statuses": Objection.Status.choices, "can_read": ids is None or bool(ids), "can_export": bool(handled)})


def _detail_context(request, objection, **extra):
    program = objection.notice.campaign.program
    return {
        "o": objection, "program": program, "deadline": svc.deadline_info(objection),
        "convention": svc.deadline_convention(objection),
        "can_handle": svc.can_handle(request.user, program.pk),
        "files": objection.files.filter(request__isnull=True),
        "notes": objection.notes.select_related("created_by"),
        "requests": objection.requests.select_related("created_by", "replied_by").prefetch_related("files"),
        "reminders": objection.reminders.all(),
        "history": svc.history(objection),
        "note_form": extra.pop("note_form", None) or NoteForm(),
        "request_form": extra.pop("request_form", None) or RequestForm(initial={"grounds": objection.grounds}),
        "decision_form": extra.pop("decision_form", None) or DecisionForm(),
        "backfill_form": extra.pop("backfill_form", None) or BackfillForm(),
        "application_state": objection.application.get_state_display(),
        **extra,
    }


@login_required
@require_GET
def objection_detail(request, pk):
    objection = svc.objection_for_user_or_404(user=request.user, pk=pk)
    return render(request, "publicity/objections/detail.html", _detail_context(request, objection))


@login_required
@require_GET
def objection_answer_print(request, pk):
    """The written answer as a letter to print and post (for objectors who left no e-mail, or for the file)."""
    objection = svc.objection_for_user_or_404(user=request.user, pk=pk)
    if objection.is_open:
        raise Http404("该异议尚未办结，还没有书面答复。")
    return render(request, "publicity/objections/answer_print.html",
                  {"o": objection, "program": objection.notice.campaign.program})


def _act(request, pk, form_class, form_key, action, done):
    """Run one secretariat action; on refusal re-render the page with the message and change nothing."""
    objection = svc.objection_for_user_or_404(user=request.user, pk=pk)
    if not svc.can_handle(request.user, objection.notice.campaign.program_id):
        raise PermissionDenied("只有本奖项秘书处可以办理异议；监督组可以查阅，不能更改。")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(objection, form.cleaned_data, Actor.from_request(request))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, done)
            return redirect("publicity:objection_detail", pk=objection.pk)
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
    objection.refresh_from_db()
    return render(request, "publicity/objections/detail.html",
                  _detail_context(request, objection, errors=errors, **{form_key: form}), status=400)


@login_required
@require_POST
def objection_note(request, pk):
    return _act(request, pk, NoteForm, "note_form",
                lambda o, c, a: svc.add_note(objection=o, text=c["text"], actor=a), "调查记录已保存。")


@login_required
@require_POST
def objection_request(request, pk):
    return _act(request, pk, RequestForm, "request_form",
                lambda o, c, a: svc.send_request(objection=o, grounds=c["grounds"], question=c["question"],
                                                 reply_by=c["reply_by"], actor=a),
                "已请申报单位说明，并已邮件通知申报单位。")


@login_required
@require_POST
def objection_decide(request, pk):
    return _act(request, pk, DecisionForm, "decision_form",
                lambda o, c, a: svc.decide(objection=o, decision=c["decision"], finding=c["finding"],
                                           answer_text=c["answer_text"], actor=a),
                "异议已办结，结论和书面答复已保存。")


@login_required
@require_POST
def objection_backfill(request, pk):
    return _act(request, pk, BackfillForm, "backfill_form",
                lambda o, c, a: svc.record_backfill(objection=o, note=c["note"], actor=a), "递补办理情况已登记。")


@login_required
@require_GET
def objection_export(request):
    handled = svc.handled_program_ids(request.user)
    if not handled:
        raise PermissionDenied("异议登记表只能由本奖项秘书处导出。")
    qs = (Objection.objects.filter(notice__campaign__program_id__in=handled)
          .exclude(application__in=recused_applications(user=request.user))  # 息县 第十条: as in the register
          .select_related("notice__campaign__program", "application", "item")
          .annotate(request_count=Count("requests")).order_by("received_at"))
    program = int_param(request.GET.get("program"))
    if program is not None:
        qs = qs.filter(notice__campaign__program_id=program)
    sheet = Sheet(title="异议登记表", headers=svc.EXPORT_HEADERS, rows=svc.export_rows(qs.iterator(chunk_size=500)))
    return xlsx_response(f"异议登记表-{timezone.localdate():%Y%m%d}", [sheet])


@login_required
@require_GET
def objection_file(request, pk):
    f = ObjectionFile.objects.select_related("objection__notice__campaign", "objection__application").filter(pk=pk).first()
    if f is None:
        raise Http404("没有找到该文件，或您无权查看。")
    objection = f.objection
    allowed = svc.can_read(request.user, objection.notice.campaign.program_id) or (
        f.kind == ObjectionFile.Kind.REPLY and svc.requests_for_applicant(
            user=request.user, application=objection.application).filter(pk=f.request_id).exists())
    if not allowed:
        raise Http404("没有找到该文件，或您无权查看。")
    return FileResponse(f.file.open("rb"), as_attachment=request.GET.get("inline") != "1", filename=f.original_name,
                        content_type=f.content_type)


# --- the applicant's reply -------------------------------------------------------------------------------------
@login_required
@require_POST
def objection_reply(request, pk):
    req = svc.request_for_applicant_or_404(user=request.user, pk=pk)
    form = ReplyForm(request.POST)
    app_url = reverse("applications:detail", args=[req.objection.application_id]) + "#objection-requests"
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(app_url)
    try:
        svc.reply_to_request(request=req, text=form.cleaned_data["reply_text"], files=request.FILES.getlist("files"),
                             actor=Actor.from_request(request))
    except ValidationError as exc:
        messages.error(request, "说明未提交：" + "；".join(_errors(exc)))
    else:
        messages.success(request, "说明已提交秘书处。")
    return redirect(app_url)

