"""The recommending authority's pre-review screens: its list and, per application, one workspace
(checklist, returns, department opinions, publicity, the signed initial opinion, the city government's
opinion, recommending) plus the version comparison.

Thin views: reads through ``prereview_selectors``, writes through ``prereview`` services. An
application the user cannot see answers 404 (and the attempt is audited as ``access:denied`` when the
application exists); one the user can see but not act on answers 403; refused input re-renders the
workspace with the message and writes nothing.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from applications import dashboard_cache, workflow
from applications import rules as access
from applications.documents.exports import bureau_list_sheet, export_filename
from applications.documents.xlsx import xlsx_response
from applications.forms.spec import form_for
from applications.models import Application
from applications.recommenders import filing_only_message, filing_summary
from applications.selectors import application_for_user_or_404
from qualityaward.accounts.models import AuditEvent, Role
from qualityaward.accounts.selectors import has_role
from qualityaward.accounts.services import Actor, record_event
from qualityaward.params import int_param

from . import selectors as sel
from . import services as svc
from .forms import (
    AnswerForm, ChecklistForm, GovernmentOpinionForm, OpinionDraftForm, PublicityForm, ReturnForm,
    SecretariatSolicitForm, SignForm, SolicitForm,
)
from .models import (
    AuthorityPublicity, DepartmentOpinion, GovernmentOpinion, InitialOpinion, ReturnRequest, SectionCheck,
)

BUREAU, STAFF, OTHER = "bureau", "staff", "other"
ACTION_LABELS = {
    "prereview:checklist": "保存核实清单", "prereview:return": "退回修改（逐项说明）", "prereview:solicit": "征求部门意见",
    "prereview:answer": "登记部门答复", "prereview:publicity": "登记公示情况", "prereview:opinion_draft": "保存初审意见草稿",
    "prereview:sign": "签署初审意见", "prereview:government_opinion": "上传市级人民政府推荐意见",
    "grant:read_application": "授权部门联系人临时查阅", "grant:revoke_read_application": "收回部门联系人查阅授权",
    "transition:return_for_correction": "退回修改", "transition:resubmit": "申报人重新提交",
    "transition:recommend": "推荐上报", "transition:return_to_authority": "秘书处退回推荐单位",
}


# --- access ---------------------------------------------------------------------------------------------
def _application_or_404(request, pk):
    """The application if the user may see it; else 404, recording the attempt when it exists."""
    try:
        return application_for_user_or_404(user=request.user, pk=pk)
    except Http404:
        app = Application.objects.filter(pk=pk).first()
        if app is not None:
            match = request.resolver_match
            record_event(actor=Actor.from_request(request), action="access:denied", target=app, data={
                "view": match.view_name if match else "", "method": request.method, "path": request.path[:200]})
        raise


def _audience(user, app):
    if svc.is_bureau(user, app):
        return BUREAU
    program_id = app.campaign.program_id
    if any(has_role(user, role, program_id=program_id) for role in (Role.SECRETARIAT, Role.SUPERVISOR)):
        return STAFF
    return OTHER


def _bureau_app(request, pk, *, states=svc.BUREAU_STATES, action="办理初审事项"):
    """For the POST views: the application, if the user is its bureau and it is in the bureau's stage."""
    app = _application_or_404(request, pk)
    svc.require_bureau(app, Actor.from_request(request), states=states, action=action)
    return app


def _back(app, anchor=""):
    return redirect(reverse("review:prereview_detail", args=[app.pk]) + (f"#{anchor}" if anchor else ""))


def _invalid(request, app, key, form, summary):
    """Re-render the workspace with the bound form; the alert repeats each error with its field, so
    nothing is lost when the form's row is no longer on the page (e.g. the department was just asked)."""
    details = [f"{form.fields[name].label}：{m}" if name in form.fields and form.fields[name].label else m
               for name, msgs in form.errors.items() for m in msgs]
    return _workspace(request, app, bound={key: form}, status=400, error=[summary, *details])


def _errors(exc):
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(getattr(exc, "messages", [str(exc)]))


# --- the list -----------------------------------------------------------------------------------------------
@login_required
@require_GET
def prereview_list(request):
    def build():
        query = sel.ListQuery.from_params(request.GET)
        scopes = sel.authority_scopes(request.user)
        page = Paginator(sel.bureau_list(request.user, query), sel.PAGE_SIZE).get_page(request.GET.get("page"))
        sel.decorate_rows(page.object_list)
        programs, campaigns = sel.filter_choices(request.user)
        params = request.GET.copy()
        params.pop("page", None)
        return {
            "page": page, "query": query, "programs": programs, "campaigns": campaigns, "states": sel.LIST_STATES,
            "sorts": [(k, v[0]) for k, v in sel.SORTS.items()], "is_authority": bool(scopes),
            "params": params.urlencode(),
        }

    return render(request, "review/prereview/list.html", dashboard_cache.cached_fragment(
        request, name="review:prereview_list", template="review/prereview/_list_body.html", build=build,
        parts=dashboard_cache.query_parts(request)))


# --- the workspace ------------------------------------------------------------------------------------------
def _workspace(request, app, *, bound=None, status=200, error=None):
    bound = bound or {}
    user = request.user
    audience = _audience(user, app)
    submission = svc.latest_submission(app)
    spec = form_for(app)
    open_stage = audience == BUREAU and app.state in svc.BUREAU_STATES
    can_sign = audience == BUREAU and app.state in svc.SIGNING_STATES
    ctx = {
        "app": app, "audience": audience, "submission": submission, "open_stage": open_stage, "can_sign": can_sign,
        "error": error, "now": timezone.now(), "profile": app.campaign.program.profile,
        "current": svc.current_opinion(app),
        "versions": list(svc.signed_versions(app)),
        "government": list(GovernmentOpinion.objects.filter(application=app).select_related("uploaded_by")),
        "open_return": sel.open_return_request(app),
    }
    deadline = app.campaign.recommendation_deadline
    ctx["overdue"] = deadline < ctx["now"]
    ctx["days_left"] = None if ctx["overdue"] else (deadline - ctx["now"]).days
    if audience == OTHER:
        if access.receives_filing(user, app):  # 通知三: the filing the local department receives, as before
            ctx["filing_only"] = filing_only_message(app)
            ctx["filing"] = filing_summary(app)
            ctx["filing_label"] = svc.FILING_LABEL
        return render(request, "review/prereview/detail.html", ctx, status=status)

    checks = {c.section: c for c in SectionCheck.objects.filter(submission=submission)} if submission else {}
    changed = sel.changed_section_codes(app)
    ctx["returns"] = list(ReturnRequest.objects.filter(application=app).select_related("submission", "created_by")
                          .prefetch_related("sections"))
    ctx["changed"] = changed
    ctx["checklist"] = bound.get("checklist") or ChecklistForm(sections=spec.sections, checks=checks)
    ctx["check_rows"] = [{**row, "changed": row["section"].code in changed, "check": checks.get(row["section"].code)}
                         for row in ctx["checklist"].rows()]
    problems = {code: c.note for code, c in checks.items() if c.verdict == SectionCheck.Verdict.PROBLEM}
    ctx["return_form"] = bound.get("return") or ReturnForm(sections=svc.applicant_sections(app),
                                                           initial_reasons=problems)
    today = timezone.localdate()
    rows = svc.department_rows(app)
    for n, row in enumerate(rows):
        op = row["opinion"]
        if op is None and row["required"]:
            key = f"solicit:{row['department']}"
            row["form"] = bound.get(key) or SolicitForm(
                initial={"department": row["department"], "asked_on": today}, auto_id=f"id_sol{n}_%s")
        elif op is not None:
            key = f"answer:{op.pk}"
            row["form"] = bound.get(key) or AnswerForm(initial={
                "opinion": op.pk, "answer": op.answer if op.answered else None, "content": op.content,
                "answered_on": op.answered_on or today}, auto_id=f"id_ans{op.pk}_%s")
    ctx["departments"] = rows
    record = AuthorityPublicity.objects.filter(application=app).first()
    ctx["publicity"] = record
    ctx["publicity_form"] = bound.get("publicity") or PublicityForm(initial={
        "starts_on": record.starts_on, "ends_on": record.ends_on, "channel": record.channel,
        "objections_received": record.objections_received, "objections_summary": record.objections_summary,
        "handling": record.handling} if record else {"objections_received": 0})
    draft = svc.opinion_draft(app)
    ctx["draft"] = draft
    if "opinion" in bound:
        ctx["opinion_form"] = bound["opinion"]
    else:
        source = draft or ctx["current"]
        initial = {key: getattr(source, key) for key, _l in InitialOpinion.PARTS} if source else {}
        ctx["opinion_form"] = OpinionDraftForm(initial={**initial, "draft_id": draft.pk if draft else None},
                                               kind=app.kind)
    ctx["sign_form"] = bound.get("sign") or SignForm(initial={"opinion_id": draft.pk if draft else None})
    ctx["government_form"] = bound.get("government") or GovernmentOpinionForm(initial={"issued_on": today})
    ctx["readiness"] = svc.readiness(app)
    ctx["ready"] = all(ok for label, ok, _msg in ctx["readiness"] if label not in svc.ADVISORY_LABELS)
    ctx["history"] = list(AuditEvent.objects.filter(
        Q(action__startswith="prereview:") | Q(action__startswith="grant:") | Q(action__in=ACTION_LABELS),
        content_type__app_label="applications", content_type__model="application", object_id=str(app.pk),
    ).order_by("-created_at")[:30])
    for event in ctx["history"]:
        event.label = ACTION_LABELS.get(event.action, event.action)
    return render(request, "review/prereview/detail.html", ctx, status=status)


@login_required
@require_GET
def prereview_detail(request, pk):
    return _workspace(request, _application_or_404(request, pk))


@login_required
@require_GET
def prereview_diff(request, pk):
    app = _application_or_404(request, pk)

    diff = sel.submission_diff(app, older=int_param(request.GET.get("from")), newer=int_param(request.GET.get("to")))
    return render(request, "review/prereview/diff.html", {"app": app, "diff": diff,
                                                          "audience": _audience(request.user, app)})


# --- the secretariat's consultation after the expert evaluation (000 五（五）) ------------------------------------
def _evaluation_page(request, app, *, status=200, errors=None, form=None):
    profile = app.campaign.program.profile
    if not profile.consults_after_evaluation:
        raise Http404("本奖项文件未规定专家评估后征求意见。")
    if _audience(request.user, app) != STAFF:
        raise PermissionDenied("专家评估后征求意见由本奖项秘书处办理，监督组可查阅。")
    panel = svc.consultation_panel(app, request.user, svc.EVALUATION)
    return render(request, "review/prereview/evaluation_consultation.html", {
        "app": app, "panel": panel, "errors": errors or [], "consult_forms": {"solicit": form} if form else {},
    }, status=status)


@login_required
@require_GET
def evaluation_consultation(request, pk):
    return _evaluation_page(request, _application_or_404(request, pk))


def _evaluation_app(request, pk, action):
    app = _application_or_404(request, pk)
    svc.require_consulter(app, Actor.from_request(request), by=svc.EVALUATION, action=action)
    return app


def _form_errors(form):
    return [f"{form.fields[name].label}：{m}" if name in form.fields and form.fields[name].label else m
            for name, msgs in form.errors.items() for m in msgs]


def _evaluation_back(app):
    return redirect(reverse("review:evaluation_consultation", args=[app.pk]) + "#consultation")


@login_required
@require_POST
def evaluation_consult_solicit(request, pk):
    app = _evaluation_app(request, pk, "征求意见")
    form = SecretariatSolicitForm(request.POST, prefix="consult")
    if not form.is_valid():
        return _evaluation_page(request, app, status=400, errors=_form_errors(form), form=form)
    try:
        opinion = svc.solicit_opinion(application=app, actor=Actor.from_request(request),
                                      department=form.cleaned_data["department"], by=svc.EVALUATION,
                                      asked_on=form.cleaned_data["asked_on"], reader=form.cleaned_data["reader"])
    except ValidationError as exc:
        return _evaluation_page(request, app, status=400, errors=_errors(exc), form=form)
    messages.success(request, f"已登记征求{opinion.department}意见。答复后请在此登记答复。")
    return _evaluation_back(app)


@login_required
@require_POST
def evaluation_consult_answer(request, pk):
    app = _evaluation_app(request, pk, "登记意见答复")
    form = AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        return _evaluation_page(request, app, status=400, errors=_form_errors(form))
    try:
        opinion = svc.record_answer(application=app, actor=Actor.from_request(request), by=svc.EVALUATION,
                                    opinion_id=form.cleaned_data["opinion"], answer=form.cleaned_data["answer"],
                                    content=form.cleaned_data["content"], answered_on=form.cleaned_data["answered_on"],
                                    letter=form.cleaned_data["letter"])
    except ValidationError as exc:
        return _evaluation_page(request, app, status=400, errors=_errors(exc))
    messages.success(request, f"已登记{opinion.department}的答复：{opinion.get_answer_display()}。")
    return _evaluation_back(app)


# --- writes -------------------------------------------------------------------------------------------------
def _refused(request, app, exc, bound=None):
    if isinstance(exc, workflow.TransitionError):
        return _workspace(request, app, bound=bound, status=exc.status_code, error=[exc.message])
    return _workspace(request, app, bound=bound, status=400, error=_errors(exc))


@login_required
@require_POST
def prereview_checklist(request, pk):
    app = _bureau_app(request, pk, action="核实申报材料")
    form = ChecklistForm(request.POST, sections=form_for(app).sections)
    if not form.is_valid():
        return _invalid(request, app, "checklist", form, "核实清单有内容不符合要求，请按提示修改。")
    try:
        changed = svc.save_checklist(application=app, actor=Actor.from_request(request), entries=form.entries())
    except ValidationError as exc:
        return _refused(request, app, exc, {"checklist": form})
    messages.success(request, f"核实清单已保存（更新 {len(changed)} 项）。" if changed else "核实清单没有变化。")
    return _back(app, "checklist")


@login_required
@require_POST
def prereview_return(request, pk):
    app = _bureau_app(request, pk, states=svc.SIGNING_STATES, action="退回修改")
    form = ReturnForm(request.POST, sections=svc.applicant_sections(app))
    if not form.is_valid():
        return _invalid(request, app, "return", form, "退回修改的内容不完整，请按提示修改。")
    try:
        request_row = svc.return_for_correction(application=app, actor=Actor.from_request(request),
                                                reasons=form.cleaned_data["reasons"])
    except (ValidationError, workflow.TransitionError) as exc:
        return _refused(request, app, exc, {"return": form})
    names = "、".join(s.title for s in request_row.sections.all())
    messages.success(request, f"已退回申报人修改：{names}。申报人只能修改这些部分，修改后重新提交。")
    return _back(app)


@login_required
@require_POST
def prereview_solicit(request, pk):
    app = _bureau_app(request, pk, action="征求部门意见")
    department = request.POST.get("department", "")[:40]
    rows = svc.department_rows(app)
    index = next((n for n, r in enumerate(rows) if r["department"] == department and r["required"]), 0)
    form = SolicitForm(request.POST, auto_id=f"id_sol{index}_%s")
    key = f"solicit:{department}"
    if not form.is_valid():
        return _invalid(request, app, key, form, f"登记征求{department}意见未成功，请按提示修改。")
    try:
        svc.solicit_opinion(application=app, actor=Actor.from_request(request),
                            department=form.cleaned_data["department"], asked_on=form.cleaned_data["asked_on"],
                            reader=form.cleaned_data["reader"])
    except ValidationError as exc:
        return _refused(request, app, exc, {key: form})
    reader = form.cleaned_data["reader"]
    messages.success(request, f"已登记征求{department}意见" + (f"，并授权 {reader} 临时查阅本申报（登记答复后自动收回）。" if reader else "。"))
    return _back(app, "departments")


@login_required
@require_POST
def prereview_answer(request, pk):
    app = _bureau_app(request, pk, action="登记部门意见")
    opinion_id = int_param(request.POST.get("opinion"))
    if opinion_id is None:
        raise ValidationError("记录编号无效，请刷新页面。")
    form = AnswerForm(request.POST, request.FILES, auto_id=f"id_ans{opinion_id}_%s")
    key = f"answer:{opinion_id}"
    if not form.is_valid():
        return _invalid(request, app, key, form, "登记部门答复未成功，请按提示修改。")
    try:
        opinion = svc.record_answer(application=app, actor=Actor.from_request(request), opinion_id=opinion_id,
                                    answer=form.cleaned_data["answer"], content=form.cleaned_data["content"],
                                    answered_on=form.cleaned_data["answered_on"], letter=form.cleaned_data["letter"])
    except ValidationError as exc:
        return _refused(request, app, exc, {key: form})
    extra = "，临时查阅授权已收回" if opinion.reader_id else ""
    messages.success(request, f"已登记{opinion.department}的答复：{opinion.get_answer_display()}{extra}。")
    return _back(app, "departments")


@login_required
@require_POST
def prereview_publicity(request, pk):
    app = _bureau_app(request, pk, action="登记公示情况")
    form = PublicityForm(request.POST)
    if not form.is_valid():
        return _invalid(request, app, "publicity", form, "公示情况有内容不符合要求，请按提示修改。")
    try:
        svc.save_publicity(application=app, actor=Actor.from_request(request), **form.cleaned_data)
    except ValidationError as exc:
        return _refused(request, app, exc, {"publicity": form})
    messages.success(request, "公示情况已登记。")
    return _back(app, "publicity")


@login_required
@require_POST
def prereview_opinion(request, pk):
    """Save the draft; with ``suggest``, fill its empty parts from what the bureau recorded."""
    app = _bureau_app(request, pk, action="起草初审意见")
    form = OpinionDraftForm(request.POST, kind=app.kind)
    if not form.is_valid():
        return _invalid(request, app, "opinion", form, "初审意见有内容不符合要求，请按提示修改。")
    parts = form.parts()
    if "suggest" in request.POST:
        suggested = svc.suggested_parts(app)
        parts = {k: v or suggested[k] for k, v in parts.items()}
    try:
        draft = svc.save_opinion_draft(application=app, actor=Actor.from_request(request), parts=parts,
                                       draft_id=form.cleaned_data.get("draft_id"))
    except (ValidationError, workflow.TransitionError) as exc:
        return _refused(request, app, exc, {"opinion": form})
    what = f"第{draft.version}版初审意见草稿已保存"
    if draft.supersedes_id:
        what += f"（更正第{draft.supersedes.version}版）"
    messages.success(request, what + "。核对无误后请签署。")
    return _back(app, "opinion")


@login_required
@require_POST
def prereview_sign(request, pk):
    app = _bureau_app(request, pk, states=svc.SIGNING_STATES, action="签署初审意见")
    form = SignForm(request.POST)
    if not form.is_valid():
        return _invalid(request, app, "sign", form, "签署未完成，请按提示修改。")
    try:
        opinion = svc.sign_opinion(application=app, actor=Actor.from_request(request),
                                   opinion_id=form.cleaned_data["opinion_id"], password=form.cleaned_data["password"])
    except (ValidationError, workflow.TransitionError) as exc:
        return _refused(request, app, exc, {"sign": SignForm(initial={"opinion_id": form.cleaned_data["opinion_id"]})})
    messages.success(request, f"第{opinion.version}版初审意见已签署（SHA-256 {opinion.text_sha256[:16]}…），此后不能修改。")
    return _back(app, "opinion")


@login_required
@require_POST
def prereview_government(request, pk):
    app = _bureau_app(request, pk, action="上传市级人民政府推荐意见")
    form = GovernmentOpinionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, app, "government", form, "市级人民政府推荐意见未上传，请按提示修改。")
    try:
        svc.upload_government_opinion(application=app, actor=Actor.from_request(request),
                                      uploaded=form.cleaned_data["file"], issued_on=form.cleaned_data["issued_on"])
    except ValidationError as exc:
        return _refused(request, app, exc, {"government": form})
    messages.success(request, "市级人民政府推荐意见已上传。")
    return _back(app, "government")


@login_required
@require_POST
def prereview_recommend(request, pk):
    app = _bureau_app(request, pk, states=svc.SIGNING_STATES, action="推荐上报")
    try:
        svc.recommend(application=app, actor=Actor.from_request(request),
                      quota_reason=request.POST.get("quota_reason", ""), pool_reason=request.POST.get("pool_reason", ""))
    except workflow.TransitionError as exc:
        return _refused(request, app, exc)
    messages.success(request, f"已推荐上报秘书处，当前状态：{app.get_state_display()}。")
    return _back(app)


# --- files --------------------------------------------------------------------------------------------------
FILE_MODELS = {"letter": DepartmentOpinion, "government": GovernmentOpinion}


@login_required
@require_GET
def prereview_file(request, kind, file_id):
    """A department's reply letter or the government's opinion: for the bureau, the secretariat and
    supervisors of the program."""
    model = FILE_MODELS.get(kind)
    row = model.objects.filter(pk=file_id).first() if model else None
    if row is None:
        raise Http404("没有找到该文件，或您无权查看。")
    app = _application_or_404(request, row.application_id)
    if _audience(request.user, app) == OTHER:
        raise PermissionDenied("该文件仅供推荐单位、秘书处和监督组查阅。")
    if not row.file:
        raise Http404("该记录没有上传文件。")
    return FileResponse(row.file.open("rb"), as_attachment=request.GET.get("inline") != "1",
                        filename=row.original_name or "文件", content_type=row.content_type or "application/octet-stream")


@login_required
@require_GET
def prereview_export(request):
    query = sel.ListQuery.from_params(request.GET)
    qs = sel.bureau_list(request.user, query)
    record_event(actor=Actor.from_request(request), action="export:prereview",
                 data={"program": query.program, "campaign": query.campaign, "state": query.state, "q": query.q})
    return xlsx_response(export_filename("初审推荐"), [bureau_list_sheet(qs)])
