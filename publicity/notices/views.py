"""Public notice pages (no login, no JavaScript needed), the pages where the secretariat and the
recommending authorities compose and publish notices, and the applicant's internal publicity record.

Thin views: writes go through ``publicity.services``; a notice the user may not manage is a 404.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications import dashboard_cache
from applications.models import Campaign
from applications.rules import EDITABLE_STATES, is_owner
from applications.selectors import application_for_user_or_404
from qualityaward.accounts.models import Region
from qualityaward.accounts.services import Actor

from .. import workdays
from . import prints, selectors, services
from .forms import InternalPublicityForm, NoticeForm, ScheduleForm
from .models import InternalPublicity, Notice


def _errors(exc):
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


def _window(notice):
    return {"line": services.window_line(notice), "convention": workdays.convention_for(notice.window_unit),
            "closes": timezone.localtime(notice.closes_at)}


# --- public pages -------------------------------------------------------------------------------------------
@require_GET
def notice_index(request):
    """The public board: per program, its open notices and its past ones."""
    program = request.GET.get("program") or None
    return render(request, "publicity/index.html", {
        "board": selectors.board(program_code=program), "convention": workdays.WINDOW_CONVENTION,
        "calendar_convention": workdays.CALENDAR_WINDOW_CONVENTION})


@require_GET
def revocation_list(request, program):
    """The program's public revocation notices (撤销公告): only where its document has revocations made public."""
    found = selectors.revocation_program_or_none(program)
    if found is None:
        raise Http404("该奖项没有撤销公告。")
    return render(request, "publicity/revocations.html", {
        "program": found, "notices": selectors.revocation_notices(found)})


@require_GET
def revocation_detail(request, program, pk):
    found = selectors.revocation_program_or_none(program)
    entry = selectors.revocation_notice_or_none(found, pk) if found else None
    if entry is None:
        raise Http404("没有找到该撤销公告。")
    award, notice = entry
    return render(request, "publicity/revocation.html", {"program": found, "award": award, "notice": notice})


def _public_context(notice):
    items = selectors.items_of(notice)
    return {"notice": notice, "items": items, "window": _window(notice), "show_tier": any(row[4] for row in items),
            "program": notice.campaign.program, "profile": notice.campaign.program.profile,
            "objection_url": selectors.objection_url(notice),
            "days_left": selectors.workdays_left(notice) if notice.status == Notice.Status.OPEN else None,
            "corrections": list(notice.corrections.filter(status__in=selectors.PUBLIC_STATUSES))}


@require_GET
def notice_detail(request, pk):
    notice = selectors.public_notice_or_none(pk)
    if notice is None:
        raise Http404("没有找到该公示。")
    return render(request, "publicity/notice.html", _public_context(notice))


@require_GET
def notice_print(request, pk):
    notice = selectors.public_notice_or_none(pk)
    if notice is None:
        raise Http404("没有找到该公示。")
    return render(request, "publicity/notice_print.html", _public_context(notice))


# --- composing and publishing (secretariat, recommending authority) -------------------------------------------
@login_required
@require_GET
def manage_list(request):
    def build():
        notices = list(selectors.managed_notices(request.user).annotate(n=Count("items"))
                       .order_by("-created_at")[:200])
        clock = workdays.DeadlineClock()
        for notice in notices:
            notice.window_text = services.window_line(notice)
            notice.days_left = selectors.workdays_left(notice, clock) if notice.status == Notice.Status.OPEN else None
        return {"notices": notices, "composable": selectors.composable(request.user)}

    return render(request, "publicity/manage_list.html", dashboard_cache.cached_fragment(
        request, name="publicity:manage", template="publicity/_manage_list_body.html", build=build))


def _compose_target(request, campaign_pk, kind):
    campaign = Campaign.objects.select_related("program__profile").filter(pk=campaign_pk).first()
    if campaign is None or kind not in Notice.Kind.values:
        raise Http404("没有找到该届次或公示类型。")
    region = None
    if kind in services.AUTHORITY_KINDS:
        region_ids = services.authority_region_ids(request.user, campaign)
        wanted = request.GET.get("region") or request.POST.get("region")
        region_id = int(wanted) if str(wanted or "").isdigit() and int(wanted) in region_ids else (
            region_ids[0] if len(region_ids) == 1 else None)
        region = Region.objects.filter(pk=region_id).first() if region_id else None
    if not services.can_compose(request.user, campaign, kind, region):
        raise Http404("没有找到该页面。")
    return campaign, region


@login_required
@require_http_methods(["GET", "POST"])
def compose(request, campaign_pk, kind):
    campaign, region = _compose_target(request, campaign_pk, kind)
    rule = services.rule_for(campaign, kind)
    if rule is None:
        raise Http404("本奖项没有此类公示。")
    eligible = list(services.eligible_applications(campaign, kind, region, user=request.user))
    initial = {"window_length": rule.min_length, "issuer": services._issuer(campaign, kind, request.user, region),
               "title": services._default_title(campaign, kind, region),
               "applications": [str(a.pk) for a in eligible]}
    form = NoticeForm(request.POST or None, eligible=eligible, rule=rule, initial=initial)
    errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.compose_notice(
                campaign=campaign, kind=kind, actor=Actor.from_request(request),
                application_ids=data["applications"], title=data["title"], body=data["body"], issuer=data["issuer"],
                contact=data["contact"], window_length=data["window_length"], region=region)
        except (ValidationError, PermissionDenied) as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "公示草稿已保存。请预览核对后确定发布时间。")
            return redirect("publicity:manage_notice", pk=notice.pk)
    elif request.method == "POST":
        errors = [m for msgs in form.errors.values() for m in msgs]
    return render(request, "publicity/compose.html", {
        "form": form, "campaign": campaign, "kind_label": Notice.Kind(kind).label, "rule": rule, "region": region,
        "eligible": eligible, "errors": errors, "convention": workdays.convention_for(rule.unit),
    }, status=400 if errors else 200)


def _managed_or_404(request, pk):
    notice = Notice.objects.select_related("campaign__program__profile", "region", "corrects").filter(pk=pk).first()
    if notice is None or not services.can_manage(request.user, notice):
        raise Http404("没有找到该公示。")
    return notice


def _manage_page(request, notice, *, form=None, schedule_form=None, errors=None, status=200):
    rule = services.rule_for(notice.campaign, notice.kind)
    editable = notice.status in services.EDITABLE
    # a draft is internal: a reader who stepped aside from a line sees its place only (息县 第十条, 巩义 第十八条)
    hidden = prints.recused_line_ids(notice, request.user)
    items = list(notice.items.order_by("position"))
    for item in items:
        if item.application_id in hidden:
            for field, value in prints.MASKED_LINE.items():
                setattr(item, field, value)
    if form is None and editable:
        pool = list(services.eligible_applications(notice.campaign, notice.kind, notice.region, user=request.user)) \
            if notice.corrects_id is None else []
        on_notice = list(notice.items.select_related("application__region").order_by("position"))
        apps = {a.pk: a for a in pool}
        for item in on_notice:
            apps.setdefault(item.application_id, item.application)
        form = NoticeForm(eligible=list(apps.values()), rule=rule, recused=hidden, initial={
            "title": notice.title, "body": notice.body, "issuer": notice.issuer, "contact": notice.contact,
            "window_length": notice.window_length, "applications": [str(i.application_id) for i in on_notice]})
    return render(request, "publicity/manage_notice.html", {
        "notice": notice, "items": items, "window": _window(notice),
        "form": form, "schedule_form": schedule_form or ScheduleForm(), "editable": editable, "rule": rule,
        "errors": errors or [], "public_url": reverse("publicity:notice", args=[notice.pk]),
        "days_left": selectors.workdays_left(notice) if notice.status == Notice.Status.OPEN else None,
    }, status=status)


@login_required
@require_GET
def manage_notice(request, pk):
    return _manage_page(request, _managed_or_404(request, pk))


@login_required
@require_POST
def notice_edit(request, pk):
    notice = _managed_or_404(request, pk)
    if notice.status not in services.EDITABLE:
        return _manage_page(request, notice, errors=[services.frozen_message(notice)], status=409)
    rule = services.rule_for(notice.campaign, notice.kind)
    pool = list(services.eligible_applications(notice.campaign, notice.kind, notice.region, user=request.user)) \
        if notice.corrects_id is None else []
    pool += [i.application for i in notice.items.select_related("application__region")]
    form = NoticeForm(request.POST, eligible={a.pk: a for a in pool}.values(), rule=rule,
                      recused=prints.recused_line_ids(notice, request.user))
    if not form.is_valid():
        return _manage_page(request, notice, form=form, status=400,
                            errors=[m for msgs in form.errors.values() for m in msgs])
    data = form.cleaned_data
    try:
        services.update_notice(notice=notice, actor=Actor.from_request(request), title=data["title"] or notice.title,
                               body=data["body"], issuer=data["issuer"] or notice.issuer, contact=data["contact"],
                               window_length=data["window_length"], application_ids=data["applications"])
    except (ValidationError, PermissionDenied) as exc:
        notice.refresh_from_db()
        return _manage_page(request, notice, form=form, errors=_errors(exc),
                            status=409 if isinstance(exc, services.NoticeFrozen) else 400)
    messages.success(request, "公示已修改。")
    return redirect("publicity:manage_notice", pk=notice.pk)


@login_required
@require_POST
def notice_schedule(request, pk):
    notice = _managed_or_404(request, pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, notice, schedule_form=form, status=400,
                            errors=[m for msgs in form.errors.values() for m in msgs])
    try:
        services.schedule_notice(notice=notice, actor=Actor.from_request(request), opens_at=form.cleaned_data["opens_at"])
    except (ValidationError, PermissionDenied) as exc:
        notice.refresh_from_db()
        return _manage_page(request, notice, schedule_form=form, errors=_errors(exc),
                            status=409 if isinstance(exc, services.NoticeFrozen) else 400)
    notice.refresh_from_db()
    messages.success(request, f"已确定发布：{timezone.localtime(notice.opens_at):%Y-%m-%d %H:%M} 起，"
                              f"{services.window_line(notice)}。到时系统自动发布，期满自动办结。")
    return redirect("publicity:manage_notice", pk=notice.pk)


@login_required
@require_POST
def notice_unschedule(request, pk):
    notice = _managed_or_404(request, pk)
    try:
        services.unschedule_notice(notice=notice, actor=Actor.from_request(request))
    except ValidationError as exc:
        return _manage_page(request, notice, errors=_errors(exc), status=409)
    messages.success(request, "已撤回发布计划，公示回到草稿。")
    return redirect("publicity:manage_notice", pk=notice.pk)


@login_required
@require_POST
def notice_correct(request, pk):
    notice = _managed_or_404(request, pk)
    try:
        correction = services.create_correction(notice=notice, actor=Actor.from_request(request))
    except ValidationError as exc:
        return _manage_page(request, notice, errors=_errors(exc), status=400)
    messages.success(request, "已生成更正公示草稿，请修改后发布。原公示保持不变，并链接到更正公示。")
    return redirect("publicity:manage_notice", pk=correction.pk)


@login_required
@require_POST
def notice_delete(request, pk):
    notice = _managed_or_404(request, pk)
    try:
        services.delete_draft(notice=notice, actor=Actor.from_request(request))
    except ValidationError as exc:
        return _manage_page(request, notice, errors=_errors(exc), status=409)
    messages.success(request, "公示草稿已删除。")
    return redirect("publicity:manage")


# --- the applicant's internal publicity -------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def internal_publicity(request, pk):
    app = application_for_user_or_404(user=request.user, pk=pk)
    record = InternalPublicity.objects.filter(application=app).first()
    rule = services.internal_rule(app)
    can_edit = is_owner(request.user, app) and app.state in EDITABLE_STATES
    errors = []
    initial = {}
    if record is not None:
        initial = {"starts_on": record.starts_on, "ends_on": record.ends_on, "place": record.place,
                   "objections_received": record.objections_received, "handling": record.handling}
    form = InternalPublicityForm(request.POST or None, request.FILES or None, initial=initial,
                                 has_file=record is not None)
    if request.method == "POST":
        if not is_owner(request.user, app):
            raise PermissionDenied("内部公示情况由申报单位登记。")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.save_internal_publicity(
                    application=app, actor=Actor.from_request(request), starts_on=d["starts_on"], ends_on=d["ends_on"],
                    place=d["place"], objections_received=d["objections_received"], handling=d["handling"],
                    evidence=d.get("evidence"))
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, "内部公示情况已登记。")
                return redirect("publicity:internal", pk=app.pk)
        else:
            errors = [m for msgs in form.errors.values() for m in msgs]
    days = None
    if record is not None:
        try:
            days = workdays.working_days_between(record.starts_on, record.ends_on)
        except workdays.UnknownCalendarYear:
            days = None
    return render(request, "publicity/internal.html", {
        "app": app, "record": record, "rule": rule, "form": form, "can_edit": can_edit, "errors": errors,
        "days": days, "convention": workdays.WINDOW_CONVENTION,
    }, status=400 if errors else 200)


@login_required
@require_GET
def internal_publicity_file(request, pk):
    app = application_for_user_or_404(user=request.user, pk=pk)
    record = get_object_or_404(InternalPublicity, application=app)
    if not record.file:
        raise Http404("没有上传证明材料。")
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=record.original_name,
                        content_type=record.content_type)
