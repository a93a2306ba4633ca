"""The secretariat's eligibility review (资格审核) and acceptance lists (受理名单).

Thin views: reads through ``applications.selectors`` (a person who cannot see the application gets a
plain 404), writes through ``review.eligibility.services`` and the workflow. Every POST is refused with a
Chinese message and changes nothing when the user is not the program's secretariat (403) or the
application is not at the stage the action belongs to (403: the review is not open).
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications import dashboard_cache, workflow
from applications.forms.services import declared_trade_secrets
from applications.models import AcceptanceList, Application, EligibilityReview, State
from applications.history import history_for
from applications.rules import is_program_secretariat
from applications.selectors import application_for_user_or_404, applications_for_user, recused_application_ids
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role
from qualityaward.accounts.services import Actor

from qualityaward.params import int_param

from ..insights import selectors as insights
from ..prereview import services as consultation
from ..prereview.forms import AnswerForm, SecretariatSolicitForm
from . import services as el
from .forms import AcceptanceListForm, DecisionForm, ExclusionChecklistForm

#: URL slugs of the decisions
DECISION_SLUGS = ("accept", "reject", "return")


def decision_transition(app, slug):
    """The workflow transition of a decision slug for this application's program."""
    if slug == "return":
        return el.return_transition(app.campaign.program.profile)
    return slug


def decision_states(app, slug):
    """States the decision is offered in: accept/reject during the review; return wherever its transition
    leaves from, before or during the review."""
    if slug in ("accept", "reject"):
        return {State.ELIGIBILITY_REVIEW}
    sources = workflow.TRANSITIONS[decision_transition(app, slug)].sources_for(app)
    return sources & ({State.ELIGIBILITY_REVIEW} | workflow.awaiting_eligibility_states(app.campaign.program.profile))


def groups_for(profile):
    """The list's groups for one program (what waits depends on whether it has a recommender step)."""
    waiting = workflow.awaiting_eligibility_states(profile)
    label = "待审核（已推荐）" if profile.has_recommender_step else "待审核（申报人已提交秘书处）"
    return [
        ("waiting", label, list(waiting)),
        ("reviewing", "资格审核中", [State.ELIGIBILITY_REVIEW]),
        ("accepted", "已受理", el.ACCEPTED_STATES),
        ("rejected", "不予受理", [State.REJECTED]),
    ]


# --- the list ------------------------------------------------------------------------------------------
def selected_campaign(request, campaigns):
    """The campaign the list shows: the one asked for, else the current one, else the first."""
    wanted = int_param(request.GET.get("campaign"))
    return next((c for c in campaigns if c.pk == wanted), None) or next(
        (c for c in campaigns if c.is_current), None) or (campaigns[0] if campaigns else None)


def eligibility_apps(user, campaign):
    """What the list holds for one campaign: visible applications in the listed states."""
    return applications_for_user(user=user).filter(campaign=campaign,
                                                   state__in=el.listed_states(campaign.program.profile))


def eligibility_row(app, review, items):
    """One row of the list: the latest review's automatic failures and ticked exclusion items."""
    results = el.results_of(review)
    ticks = len([t for t in (review.exclusion_ticks or {}).values()
                 if isinstance(t, dict) and t.get("answer")]) if review else 0
    return {"app": app, "review": review, "failed": sum(1 for r in results if r.status == el.FAIL),
            "flagged": len(el.undecided_flags(review)),
            "computed": bool(review and review.computed_at), "ticked": ticks, "items": items}


#: rows per group and page: a campaign of 2,000 applications lists hundreds of accepted ones, and the
#: secretariat works on the waiting rows; each group pages on its own (``<group>_page``)
GROUP_PAGE_SIZE = 50


def eligibility_groups(user, selected, params=None):
    """The list's groups for one campaign, read through ``applications_for_user``: each group's count from
    one aggregate query, and only the rows of each group's current page (``<key>_page`` in ``params``)."""
    params = params if params is not None else QueryDict()
    apps = eligibility_apps(user, selected)
    counts = dict(apps.order_by().values_list("state").annotate(n=Count("pk")))
    items = selected.program.profile.exclusions.count()
    groups = []
    for key, label, states in groups_for(selected.program.profile):
        total = sum(counts.get(s, 0) for s in states)
        paginator = Paginator(apps.filter(state__in=states).select_related("region").order_by("state_changed_at", "pk"),
                              GROUP_PAGE_SIZE)
        paginator.count = total  # counted by the aggregate above: no COUNT query per group
        page = paginator.get_page(params.get(f"{key}_page"))
        groups.append({"key": key, "label": label, "count": total, "page": page,
                       "rows": list(page.object_list)})
    shown = [app for g in groups for app in g["rows"]]
    latest = {}
    for review in EligibilityReview.objects.filter(application__in=shown).order_by("application_id", "-pk"):
        latest.setdefault(review.application_id, review)
    for g in groups:
        g["rows"] = [eligibility_row(app, latest.get(app.pk), items) for app in g["rows"]]
        g["pages"] = _pager_links(params, f"{g['key']}_page", g["page"])
    return groups


def _pager_links(params, name, page):
    """Previous/next links of one group's pager, keeping the rest of the query string (other groups' pages)."""
    if not page.has_other_pages():
        return None
    query = params.copy()

    def link(number):
        query[name] = number
        return "?" + query.urlencode()

    return {"previous": link(page.previous_page_number()) if page.has_previous() else None,
            "next": link(page.next_page_number()) if page.has_next() else None}


@login_required
@require_GET
def eligibility_list(request):
    def build():
        campaigns = list(el.secretariat_campaigns(request.user))
        selected = selected_campaign(request, campaigns)
        groups, returned = [], []
        if selected is not None:
            groups = eligibility_groups(request.user, selected, request.GET)
            returned = list(
                EligibilityReview.objects.filter(application__campaign=selected,
                                                 decision=EligibilityReview.Decision.RETURNED)
                .exclude(application__state__in=el.listed_states(selected.program.profile))
                .select_related("application__region", "decided_by").order_by("-decided_at")[:50]
            )
        return {"campaigns": campaigns, "selected": selected, "groups": groups, "returned": returned}

    return render(request, "review/eligibility/list.html", dashboard_cache.cached_fragment(
        request, name="review:eligibility_list", template="review/eligibility/_list_body.html", build=build,
        parts=dashboard_cache.query_parts(request)))


# --- one application ----------------------------------------------------------------------------------------
def _render_detail(request, app, *, status=200, checklist=None, errors=None, decision=None, decision_form=None,
                   consult_forms=None):
    user = request.user
    is_sec = bool(is_program_secretariat(user, app))
    show_notes = is_sec or has_role(user, Role.SUPERVISOR, program_id=app.campaign.program_id)
    review = el.latest_review(app)
    open_review = el.current_review(app) if app.state == State.ELIGIBILITY_REVIEW else None
    shown = open_review or review
    latest_submission = el.latest_submission(app)
    awaiting = workflow.awaiting_eligibility_states(app.campaign.program.profile)
    preview = el.compute(app) if is_sec and app.state in awaiting else []
    in_review = is_sec and app.state == State.ELIGIBILITY_REVIEW
    rows = el.exclusion_rows(app, shown)
    if in_review and checklist is None:
        checklist = ExclusionChecklistForm(rows)
    forms = {}
    if is_sec:
        suggested = el.suggested_rejection_reason(app, open_review) if open_review else ""
        for slug in DECISION_SLUGS:
            if app.state in decision_states(app, slug):
                if slug == decision and decision_form is not None:
                    forms[slug] = decision_form
                else:
                    initial = {"reason": suggested} if slug == "reject" else {}
                    forms[slug] = DecisionForm(initial=initial, reason_required=slug != "accept")
    return render(request, "review/eligibility/detail.html", {
        "app": app, "is_secretariat": is_sec, "may_start": is_sec and app.state in awaiting,
        "has_recommender": app.campaign.program.profile.has_recommender_step, "show_notes": show_notes,
        "in_review": in_review, "trade_secrets": declared_trade_secrets(app) if is_sec else "",
        "review": shown, "results": el.result_rows(shown), "preview": el.result_rows(None, preview) if preview else [],
        "stale": bool(shown and latest_submission and shown.submission_id != latest_submission.pk),
        "latest_submission": latest_submission,
        "exclusion_rows": rows, "checklist": checklist,
        "blockers": el.decision_blockers(app, open_review) if in_review else [],
        "accept_blockers": el.acceptance_blockers(app, open_review) if in_review else [],
        "forms": forms, "errors": errors or [], "error_for": decision,
        "submissions": app.submissions.order_by("-sequence"),
        "history": history_for(application=app, user=request.user),
        "prereview_panels": el.prereview_panels(app, user),
        "consult_forms": consult_forms or {},
        "applicant_history": insights.eligibility_history(app) if is_sec else None,
        "status_labels": el.STATUS_LABELS, "tick_labels": el.TICK_LABELS,
    }, status=status)


@login_required
@require_GET
def eligibility_detail(request, pk):
    app = application_for_user_or_404(user=request.user, pk=pk)
    return _render_detail(request, app)


def _secretariat_app(request, pk, states, action):
    """The application for a secretariat POST: 404 when not visible, 403 (nothing changes) otherwise refused."""
    app = application_for_user_or_404(user=request.user, pk=pk)
    if not is_program_secretariat(request.user, app):
        raise PermissionDenied("资格审核由本奖项秘书处办理，您没有权限执行此操作。")
    if app.state not in states:
        raise PermissionDenied(f"该申报当前状态为“{app.get_state_display()}”，不能{action}。请刷新页面查看最新状态。")
    return app


def _back(app):
    return redirect("review:eligibility_detail", pk=app.pk)


@login_required
@require_POST
def eligibility_start(request, pk):
    app = application_for_user_or_404(user=request.user, pk=pk)
    app = _secretariat_app(request, pk, workflow.awaiting_eligibility_states(app.campaign.program.profile),
                           "开始资格审核（只有待审核的申报可以开始）")
    workflow.perform(application=app, name="start_eligibility_review", actor=Actor.from_request(request))
    results = el.results_of(el.current_review(app))
    counts = {s: sum(1 for r in results if r.status == s) for s in (el.PASS, el.FAIL, el.NA, el.FLAG)}
    flagged = f"待研判 {counts[el.FLAG]} 项（请逐项研判并写明理由），" if counts[el.FLAG] else ""
    messages.success(request, f"已开始资格审核。自动核查：符合 {counts[el.PASS]} 项，不符合 {counts[el.FAIL]} 项，"
                              f"{flagged}不适用 {counts[el.NA]} 项。请逐项勾选否决情形清单后作出决定。")
    return _back(app)


@login_required
@require_POST
def eligibility_recompute(request, pk):
    app = _secretariat_app(request, pk, {State.ELIGIBILITY_REVIEW}, "重新核查（资格审核未在进行中）")
    try:
        review = el.recompute(application=app, actor=Actor.from_request(request))
    except ValidationError as exc:
        return _render_detail(request, app, status=400, errors=exc.messages)
    failed = len(el.failed_checks(review))
    messages.success(request, f"已重新核查（{len(review.results)} 项），不符合 {failed} 项。")
    return _back(app)


@login_required
@require_POST
def eligibility_exclusions(request, pk):
    app = _secretariat_app(request, pk, {State.ELIGIBILITY_REVIEW}, "勾选否决情形（资格审核未在进行中）")
    review = el.current_review(app)
    checklist = ExclusionChecklistForm(el.exclusion_rows(app, review), data=request.POST)
    try:
        el.record_exclusions(application=app, actor=Actor.from_request(request), answers=checklist.answers())
    except ValidationError as exc:
        checklist.errors = exc.messages
        return _render_detail(request, app, status=400, checklist=checklist)
    left = el.unticked_exclusions(app, el.current_review(app))
    messages.success(request, "否决情形清单已保存。" + (f"还有 {len(left)} 项未勾选。" if left else "已全部勾选。"))
    return _back(app)


@login_required
@require_POST
def eligibility_flag(request, pk):
    app = _secretariat_app(request, pk, {State.ELIGIBILITY_REVIEW}, "研判核查结果（资格审核未在进行中）")
    try:
        el.record_flag_decision(application=app, actor=Actor.from_request(request),
                                code=str(request.POST.get("code", ""))[:60],
                                answer=str(request.POST.get("answer", ""))[:20],
                                reason=str(request.POST.get("reason", ""))[: el.NOTE_MAX_CHARS * 2])
    except ValidationError as exc:
        return _render_detail(request, app, status=400, errors=exc.messages)
    left = el.undecided_flags(el.current_review(app))
    messages.success(request, "研判已保存。" + (f"还有 {len(left)} 项待研判。" if left else "待研判事项已全部处理。"))
    return _back(app)


@login_required
@require_POST
def eligibility_decide(request, pk, decision):
    if decision not in DECISION_SLUGS:
        raise Http404("没有这个操作。")
    app = application_for_user_or_404(user=request.user, pk=pk)
    transition = workflow.TRANSITIONS[decision_transition(app, decision)]
    app = _secretariat_app(request, pk, decision_states(app, decision), f"“{transition.label}”")
    form = DecisionForm(request.POST, reason_required=decision != "accept")
    if not form.is_valid():
        errors = [m for msgs in form.errors.values() for m in msgs]
        return _render_detail(request, app, status=400, errors=errors, decision=decision, decision_form=form)
    try:
        workflow.perform(application=app, name=transition.name, actor=Actor.from_request(request),
                         reason=form.cleaned_data["reason"])
    except workflow.TransitionError as exc:
        app.refresh_from_db()
        return _render_detail(request, app, status=exc.status_code, errors=[exc.message], decision=decision,
                              decision_form=form)
    messages.success(request, f"已完成“{transition.label}”，当前状态：{app.get_state_display()}。")
    return _back(app)


# --- the secretariat's consultation of the departments (息县 第十七条, 巩义 第十七条（三）) ------------------------
def _form_errors(form):
    return [f"{form.fields[name].label}：{m}" if name in form.fields and form.fields[name].label else m
            for name, msgs in form.errors.items() for m in msgs]


@login_required
@require_POST
def eligibility_consult_solicit(request, pk):
    app = application_for_user_or_404(user=request.user, pk=pk)
    app = _secretariat_app(request, pk, consultation.secretariat_consultation_states(app.campaign.program.profile),
                           "征求部门意见（已不在资格审查阶段）")
    form = SecretariatSolicitForm(request.POST, prefix="consult")
    if not form.is_valid():
        return _render_detail(request, app, status=400, errors=_form_errors(form), consult_forms={"solicit": form})
    try:
        opinion = consultation.solicit_opinion(
            application=app, actor=Actor.from_request(request), department=form.cleaned_data["department"],
            asked_on=form.cleaned_data["asked_on"], reader=form.cleaned_data["reader"], by=consultation.SECRETARIAT)
    except (ValidationError, PermissionDenied) as exc:
        return _render_detail(request, app, status=400, errors=list(getattr(exc, "messages", [str(exc)])),
                              consult_forms={"solicit": form})
    messages.success(request, f"已登记征求{opinion.department}意见。部门答复后请在此登记答复。")
    return redirect(reverse("review:eligibility_detail", args=[app.pk]) + "#consultation")


@login_required
@require_POST
def eligibility_consult_answer(request, pk):
    app = application_for_user_or_404(user=request.user, pk=pk)
    app = _secretariat_app(request, pk, consultation.secretariat_consultation_states(app.campaign.program.profile),
                           "登记部门意见（已不在资格审查阶段）")
    form = AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, app, status=400, errors=_form_errors(form))
    try:
        opinion = consultation.record_answer(
            application=app, actor=Actor.from_request(request), opinion_id=form.cleaned_data["opinion"],
            answer=form.cleaned_data["answer"], content=form.cleaned_data["content"],
            answered_on=form.cleaned_data["answered_on"], letter=form.cleaned_data["letter"],
            by=consultation.SECRETARIAT)
    except (ValidationError, PermissionDenied) as exc:
        return _render_detail(request, app, status=400, errors=list(getattr(exc, "messages", [str(exc)])))
    messages.success(request, f"已登记{opinion.department}的答复：{opinion.get_answer_display()}。")
    return redirect(reverse("review:eligibility_detail", args=[app.pk]) + "#consultation")


# --- acceptance lists -----------------------------------------------------------------------------------------
def _lists_page(request, form, *, status=200, errors=None):
    campaigns = form.campaigns.values()
    mine = list(AcceptanceList.objects.filter(campaign__in=list(campaigns)).select_related("campaign__program")
                .annotate(n=Count("items")).order_by("-created_at"))
    published = list(AcceptanceList.objects.filter(published_at__isnull=False).select_related("campaign__program")
                     .annotate(n=Count("items")).order_by("-published_at")[:50])
    accepted = dict(Application.objects.filter(campaign__in=list(campaigns), state__in=el.ACCEPTED_STATES)
                    .order_by().values_list("campaign").annotate(n=Count("pk")))
    return render(request, "review/eligibility/acceptance_lists.html", {
        "form": form, "campaigns": [(c, accepted.get(c.pk, 0)) for c in campaigns], "mine": mine,
        "published": published, "errors": errors or [],
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def acceptance_lists(request):
    campaigns = list(el.secretariat_campaigns(request.user))
    if request.method == "GET":
        current = next((c for c in campaigns if c.is_current), None)
        return _lists_page(request, AcceptanceListForm(campaigns=campaigns,
                                                       initial={"campaign": current.pk if current else None}))
    if not campaigns:
        raise PermissionDenied("受理名单由奖项秘书处编制，您没有权限执行此操作。")
    form = AcceptanceListForm(request.POST, campaigns=campaigns)
    if not form.is_valid():
        return _lists_page(request, form, status=400, errors=[m for msgs in form.errors.values() for m in msgs])
    campaign = form.campaigns[form.cleaned_data["campaign"]]
    try:
        created = el.create_acceptance_list(campaign=campaign, actor=Actor.from_request(request),
                                            title=form.cleaned_data["title"])
    except ValidationError as exc:
        return _lists_page(request, form, status=400, errors=exc.messages)
    messages.success(request, f"已编制“{created.title}”（第 {created.number} 批，{created.items.count()} 个），"
                              "请核对后发布。发布后不能修改。")
    return redirect("review:acceptance_list", pk=created.pk)


@require_http_methods(["GET", "POST"])
def acceptance_list(request, pk):
    lst = AcceptanceList.objects.select_related("campaign__program__profile", "created_by").filter(pk=pk).first()
    if lst is None:
        raise Http404("没有找到该受理名单。")
    is_sec = el.is_campaign_secretariat(request.user, lst.campaign)
    if not lst.is_published and not is_sec:
        raise Http404("没有找到该受理名单。")
    errors = []
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_sec:
            raise PermissionDenied("受理名单由本奖项秘书处发布，您没有权限执行此操作。")
        try:
            el.publish_acceptance_list(acceptance_list=lst, actor=Actor.from_request(request))
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "受理名单已发布，公示期自发布之日起计算。")
            return redirect("review:acceptance_list", pk=lst.pk)
    rule = el.acceptance_publicity_rule(lst.campaign)
    items = list(lst.items.order_by("order"))
    if not lst.is_published:  # 息县 第十条, 巩义 第十八条: a draft's line one stepped aside from keeps its number only
        recused = recused_application_ids(user=request.user, campaign=lst.campaign)
        for item in items:
            item.recused = item.application_id in recused
    return render(request, "review/eligibility/acceptance_list_print.html", {
        "lst": lst, "items": items, "program": lst.campaign.program,
        "profile": lst.campaign.program.profile, "rule": rule, "is_secretariat": is_sec, "errors": errors,
        "lists_url": reverse("review:acceptance_lists"),
    }, status=400 if errors else 200)
