"""The expert pool (秘书处), panel draws (秘书处; 监督组 read-only) and the expert's pledge.

Thin views over ``review.panels.services``. Pages a user has no business with answer 404 (not 403), so
they do not reveal that an expert, a campaign's draws or a panel exist.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications import dashboard_cache
from applications.classifications import industry_lookup
from applications.documents.xlsx import xlsx_response
from applications.models import Application, Campaign
from applications.selectors import RECUSED_LABEL, application_for_user_or_404, recused_application_ids
from qualityaward.accounts.models import Region, User
from qualityaward.accounts.services import Actor
from qualityaward.params import int_param

from ..insights import selectors as insights
from . import services as ex
from .forms import DrawForm, ExpertForm, ImportForm, LaterConflictForm, PledgeForm, RelationshipFormSet, ReplaceForm
from .models import ExpertProfile, Panel, PanelDraw, PanelMember, Recusal
from .models import PLEDGE_TEXT

NOT_FOUND = "没有找到该页面，或您无权查看。"


def _pool_manager(request):
    if not ex.can_manage_pool(request.user):
        raise Http404(NOT_FOUND)


# --- the pool ------------------------------------------------------------------------------------
def _filters(request):
    q = (request.GET.get("q") or "").strip()[:40]
    specialty = (request.GET.get("specialty") or "").strip().upper()[:10]
    region = Region.objects.filter(pk=int_param(request.GET.get("region"))).first()
    active = {"1": True, "0": False}.get(request.GET.get("active", "1"))
    return q, specialty, region, active


@login_required
@require_GET
def expert_list(request):
    _pool_manager(request)
    q, specialty, region, active = _filters(request)
    qs = ex.experts_filtered(q=q, specialty=specialty, region=region, active=active)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "review/experts/list.html", {
        "page": page, "q": q, "specialty": specialty, "region": region, "active": request.GET.get("active", "1"),
        "specialty_item": industry_lookup(specialty) if specialty else None,
        "regions": Region.objects.exclude(level=Region.Level.COUNTY).order_by("code"),
        "query": query.urlencode(), "total": qs.count(),
    })


@login_required
@require_GET
def expert_export(request):
    _pool_manager(request)
    q, specialty, region, active = _filters(request)
    qs = ex.experts_filtered(q=q, specialty=specialty, region=region, active=active).prefetch_related("relationships")
    return xlsx_response(f"评审专家库_{timezone.localdate():%Y%m%d}", ex.export_sheets(qs))


@login_required
@require_GET
def expert_template(request):
    _pool_manager(request)
    return xlsx_response("评审专家导入模板", ex.template_sheets())


@login_required
@require_http_methods(["GET", "POST"])
def expert_edit(request, pk=None):
    _pool_manager(request)
    profile = get_object_or_404(ExpertProfile, pk=pk) if pk is not None else None
    form = ExpertForm(request.POST or None, instance=profile)
    formset = RelationshipFormSet(request.POST or None, instance=profile or ExpertProfile(), prefix="rel")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                saved = ex.save_expert(actor=Actor.from_request(request), values=form.values(), profile=profile,
                                       username=form.cleaned_data.get("username", ""))
                formset.instance = saved
                formset.save()
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, f"已保存专家“{saved.name}”。")
            return redirect("review:expert_list")
    return render(request, "review/experts/edit.html", {"form": form, "formset": formset, "profile": profile})


@login_required
@require_POST
def expert_toggle(request, pk):
    _pool_manager(request)
    profile = get_object_or_404(ExpertProfile, pk=pk)
    active = request.POST.get("active") == "1"
    ex.set_expert_active(actor=Actor.from_request(request), profile=profile, active=active,
                         reason=(request.POST.get("reason") or "")[:200])
    messages.success(request, f"专家“{profile.name}”已{'恢复在库' if active else '停用，不再参加抽取'}。")
    return redirect(request.POST.get("next") if (request.POST.get("next") or "").startswith("/review/") else
                    reverse("review:expert_list"))


@login_required
@require_http_methods(["GET", "POST"])
def expert_import(request):
    _pool_manager(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, result = [], None
    if request.method == "POST" and form.is_valid():
        try:
            result = ex.import_experts(actor=Actor.from_request(request), uploaded=form.cleaned_data["file"])
        except ex.ImportRefused as exc:
            errors = exc.errors
        else:
            messages.success(request, f"导入完成：新增 {result.created} 位专家，更新 {result.updated} 位，"
                                      f"关联单位 {result.relationships} 条。")
            return redirect("review:expert_list")
    return render(request, "review/experts/import.html", {"form": form, "errors": errors},
                  status=400 if errors else 200)


# --- panels per campaign -------------------------------------------------------------------------
def _watched_campaign(request, campaign_pk):
    campaign = Campaign.objects.select_related("program__profile").filter(pk=campaign_pk).first()
    if campaign is None or not ex.can_watch(request.user, campaign):
        raise Http404(NOT_FOUND)
    return campaign


@login_required
@require_GET
def panel_campaigns(request):
    return render(request, "review/experts/campaigns.html", dashboard_cache.cached_fragment(
        request, name="review:panel_campaigns", template="review/experts/_campaigns_body.html",
        build=lambda: {"campaigns": ex.watched_campaigns(request.user)}))


@login_required
@require_GET
def panel_campaign(request, campaign_pk):
    campaign = _watched_campaign(request, campaign_pk)
    profile = campaign.program.profile
    # 息县 第十条, 巩义 第十八条: the applications this person stepped aside from are left out of the panels and
    # the balance, and named only as "（已回避）" in the draw records
    recused = recused_application_ids(user=request.user, campaign=campaign)
    rows = [row for row in ex.campaign_rows(campaign) if row.application.pk not in recused]
    sections = [(s, dict(Panel.Stage.choices)[s], [(row, row.panels.get(s)) for row in rows])
                for s in ex.stages_of(profile)]
    draws = list(PanelDraw.objects.filter(campaign=campaign).select_related("performed_by").prefetch_related(
        "applications")[:100])
    for d in draws:
        d.app_names = [RECUSED_LABEL if a.pk in recused else a.applicant_name for a in d.applications.all()]
    return render(request, "review/experts/campaign.html", {
        "campaign": campaign, "profile": profile, "sections": sections, "draws": draws,
        "can_draw": ex.can_draw(request.user, campaign), "drawable": set(ex.DRAWABLE_STATES),
        "balance": insights.campaign_panel_balance(campaign, recused) if ex.can_draw(request.user, campaign)
        else None,
    })


@login_required
@require_http_methods(["GET", "POST"])
def panel_draw(request, campaign_pk):
    campaign = _watched_campaign(request, campaign_pk)
    if not ex.can_draw(request.user, campaign):
        raise PermissionDenied("专家抽取由本奖项秘书处进行，监督组只能查看抽取记录。")
    profile = campaign.program.profile
    source = request.POST if request.method == "POST" else request.GET
    ids = [i for i in (int_param(v) for v in source.getlist("app")) if i]
    apps = list(Application.objects.filter(campaign=campaign, pk__in=ids).select_related("region").order_by("pk"))
    recused = recused_application_ids(user=request.user, campaign=campaign)
    if any(a.pk in recused for a in apps):
        # 息县 第十条: whoever stepped aside from an application does not form its panel
        messages.error(request, "您已对所选的申报声明回避，不能为其抽取专家，请由本奖项其他工作人员办理。")
        return redirect("review:panel_campaign", campaign.pk)
    stage = source.get("stage") or (ex.stages_of(profile) or [""])[0]
    if stage not in ex.stages_of(profile):
        messages.error(request, f"{campaign.program.name}不设该评审阶段。")
        return redirect("review:panel_campaign", campaign.pk)
    if not apps:
        messages.error(request, "请先勾选要组建评审组的申报。")
        return redirect("review:panel_campaign", campaign.pk)
    form = DrawForm(request.POST if request.method == "POST" else None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            draw = ex.draw_panel(
                actor=Actor.from_request(request), campaign=campaign, applications=apps, stage=stage, size=d["size"],
                reserves=d["reserves"], seed=d["seed"], witness=d["witness"], witness_name=d["witness_name"],
                industry_code=d["industry"], exclude_same_region=d["exclude_same_region"])
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, f"已完成第 {draw.number} 次专家抽取，评审组已组建。")
            return redirect("review:draw_detail", draw.pk)
    industries = {a.pk: ex.industry_of(a) for a in apps}
    return render(request, "review/experts/draw.html", {
        "campaign": campaign, "profile": profile, "apps": apps, "stage": stage,
        "stage_label": dict(Panel.Stage.choices)[stage], "form": form,
        "industries": {k: industry_lookup(v) for k, v in industries.items()},
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def draw_detail(request, pk):
    draw = PanelDraw.objects.select_related("campaign__program__profile", "performed_by", "witness",
                                            "replaced_user", "group").filter(pk=pk).first()
    if draw is None or not ex.can_watch(request.user, draw.campaign):
        raise Http404(NOT_FOUND)
    leader, members, reserves = ex.draw_people(draw)
    reproduced = ex.reproduce(draw)
    expected = [*draw.result.get("members", []), *draw.result.get("reserves", [])]
    excluded = {e["id"] for e in draw.exclusions}
    apps = list(draw.applications.select_related("region").order_by("pk"))
    # 息县 第十条, 巩义 第十八条: an application this person stepped aside from stays in the record as
    # "（已回避）", its name taken out of the exclusion reasons too
    recused = recused_application_ids(user=request.user, campaign=draw.campaign)
    hidden = [a for a in apps if a.pk in recused]
    exclusions = draw.exclusions
    if hidden:
        for a in apps:
            a.recused = a.pk in recused
        exclusions = [{**e, "reasons": [_without_names(r, hidden) for r in e.get("reasons", [])]}
                      for e in draw.exclusions]
    return render(request, "review/experts/draw_print.html", {
        "draw": draw, "leader": leader, "members": members, "reserves": reserves, "exclusions": exclusions,
        "apps": apps,
        "industries": [industry_lookup(c) for c in draw.industry_codes],
        "reproduced_ok": reproduced is None or reproduced == expected,
        "pool": [{**p, "excluded": p["id"] in excluded} for p in draw.pool],
    })


@login_required
@require_http_methods(["GET", "POST"])
def panel_replace(request, panel_pk, user_pk):
    panel = get_object_or_404(Panel.objects.select_related("application__campaign__program__profile"), pk=panel_pk)
    campaign = panel.application.campaign
    if not ex.can_watch(request.user, campaign):
        raise Http404(NOT_FOUND)
    if not ex.can_draw(request.user, campaign):
        raise PermissionDenied("补充抽取由本奖项秘书处进行，监督组只能查看抽取记录。")
    if panel.application_id in recused_application_ids(user=request.user, campaign=campaign):
        raise Http404(NOT_FOUND)  # 息县 第十条: the panel of an application this person stepped aside from
    vacated = get_object_or_404(User, pk=user_pk)
    recusal = Recusal.objects.filter(application=panel.application, user=vacated).first()
    form = ReplaceForm(request.POST if request.method == "POST" else None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            draw = ex.draw_replacement(actor=Actor.from_request(request), panel=panel, vacated=vacated,
                                       seed=d["seed"], witness=d["witness"], witness_name=d["witness_name"])
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, f"已完成补充抽取（第 {draw.number} 次抽取）。")
            return redirect("review:draw_detail", draw.pk)
    return render(request, "review/experts/replace.html", {
        "panel": panel, "campaign": campaign, "vacated": vacated, "recusal": recusal, "form": form,
        "reserves": panel.members.filter(role=PanelMember.Role.RESERVE).select_related("expert"),
    }, status=400 if form.errors else 200)


def _without_names(text, applications):
    """``text`` with the names of ``applications`` (and of their organizations) replaced by RECUSED_LABEL."""
    for app in applications:
        for name in {app.applicant_name, getattr(app.organization, "name", "")} - {""}:
            text = text.replace(name, RECUSED_LABEL)
    return text


# --- the expert's side ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def pledge(request, panel_pk):
    seat = ex.seat_for(user=request.user, panel_id=panel_pk)
    if seat is None:
        raise Http404(NOT_FOUND)
    panel = seat.panel
    app = panel.application
    existing = ex.pledge_of(panel, request.user)
    recused = Recusal.objects.filter(application=app, user=request.user).exists()
    form = PledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and existing is None and not recused and form.is_valid():
        conflict = form.cleaned_data["declaration"] == "conflict"
        try:
            ex.accept_pledge(panel=panel, actor=Actor.from_request(request), conflict=conflict,
                             detail=form.cleaned_data["detail"])
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            if conflict:
                messages.info(request, "已记录您申报的利害关系，您已回避该申报。秘书处将另行抽取专家。")
                return redirect("review:my_panels")
            messages.success(request, "承诺书已签署，现在可以查看申报材料。")
            return redirect("applications:detail", app.pk)
    industry = industry_lookup(ex.industry_of(app))
    return render(request, "review/experts/pledge.html", {
        "seat": seat, "panel": panel, "app": app, "industry": industry, "existing": existing, "recused": recused,
        "form": form, "pledge_text": PLEDGE_TEXT, "later_form": LaterConflictForm(),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def declare_conflict(request, panel_pk):
    seat = ex.seat_for(user=request.user, panel_id=panel_pk)
    if seat is None:
        raise Http404(NOT_FOUND)
    form = LaterConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请说明与申报单位存在的利害关系后再申请回避。")
        return redirect("review:pledge", panel_pk)
    ex.declare_conflict_later(panel=seat.panel, actor=Actor.from_request(request), detail=form.cleaned_data["detail"])
    messages.info(request, "已记录您申报的利害关系，您已回避该申报。秘书处将另行抽取专家。")
    return redirect("review:my_panels")


@login_required
@require_GET
def my_panels(request):
    """The expert's seats with pledge status: a seat opens the application only after the pledge."""
    return render(request, "review/my_panels.html", dashboard_cache.cached_fragment(
        request, name="review:my_panels", template="review/_my_panels_body.html",
        build=lambda: {"rows": ex.seats_of(request.user)}))


# --- staff recusals (工作人员回避) ----------------------------------------------------------------------
@login_required
@require_POST
def recuse_staff(request, pk):
    """A member of the secretariat or of the recommending authority steps aside from the application (from the
    application page). Afterwards the application is closed to that person, so it goes back to the dashboard."""
    app = application_for_user_or_404(user=request.user, pk=pk)
    try:
        ex.recuse_staff(application=app, actor=Actor.from_request(request), reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("applications:detail", app.pk)
    text = f"已记录您对“{app.applicant_name}”的回避声明。您不再能查看和办理该申报，由本奖项其他工作人员办理。"
    if ex.secretariat_all_recused(app):
        text += "本奖项秘书处工作人员均已回避，请联系系统管理员为其他工作人员分配秘书处角色后办理。"
    messages.info(request, text)
    return redirect("dashboard")
