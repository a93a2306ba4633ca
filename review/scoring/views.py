"""Expert scoring screens: the expert's score sheet, the panel page (spread, consensus, conclusion), the
secretariat's ranking with bulk finalist decisions and exports, and the applicant's review report.

Thin views: reads through ``applications.selectors`` (a stranger or a recused expert gets 404), the
scoring relationship from ``review.scoring.access_for`` (an expert seated only on another panel gets 404;
other viewers of the application get 403), writes through ``review.scoring`` and the workflow.
"""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.documents.services import render_pdf
from applications.documents.views import export_response
from applications.documents.xlsx import xlsx_response
from applications.forms.services import declared_trade_secrets
from applications.models import State
from applications.rules import relationships_held
from applications.selectors import application_for_user_or_404, recused_application_ids
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role
from qualityaward.accounts.services import Actor
from qualityaward.params import int_param

from ..insights import selectors as insights
from ..panels.models import Panel
from . import services as svc
from .exports import ranking_sheet
from .models import ItemScore, OnsiteVisit, ScoreSheet, SheetFrozen, StageResult


def _panel_access(request, pk, stage):
    app = application_for_user_or_404(user=request.user, pk=pk)
    panel = svc.panel_or_404(application=app, stage=stage)
    acc = svc.access_for(user=request.user, panel=panel)
    if not (acc.is_expert or acc.staff):
        if relationships_held(request.user, app) == ["panel"]:
            raise Http404("没有找到该评审组，或您不在该评审组。")
        raise PermissionDenied("评分记录仅供本评审组专家、秘书处和监督组查阅。")
    return app, panel, acc


def _expert_only(request, pk, stage):
    app, panel, acc = _panel_access(request, pk, stage)
    if not acc.is_expert:
        raise PermissionDenied("评分表由本评审组专家本人填写；秘书处和监督组请在评审组页面查阅。")
    return app, panel, acc


def _panel_url(app, panel):
    return reverse("review:scoring_panel", args=[app.pk, panel.stage])


# --- the panel page -----------------------------------------------------------------------------------------
@login_required
@require_GET
def scoring_panel(request, pk, stage):
    app, panel, acc = _panel_access(request, pk, stage)
    rows, own_sheet, sees_peers = svc.panel_rows(acc=acc)
    members, submitted, waiting = svc._all_submitted(panel)
    sheets = {s.expert_id: s for s in ScoreSheet.objects.filter(panel=panel)}
    result = StageResult.objects.filter(panel=panel).select_related("concluded_by").first()
    profile = app.campaign.program.profile
    stage_open = app.state == svc.STAGE_STATE[panel.stage]
    # each expert's scale beside its score on every item (the leader during consensus, the secretariat)
    calibration = insights.panel_calibration(panel) if (acc.is_leader or acc.secretariat) and sees_peers else None
    by_expert = {pk: cal for cal, pk in calibration or []}
    for row in rows:
        for peer in row.peers:
            cal = by_expert.get(peer["expert_id"])
            peer["cal"] = cal if cal is not None and cal.severity is not None else None
            peer["outlier_here"] = bool(cal and row.item.code in dict(cal.outlier_items or ()))
    return render(request, "review/scoring/panel.html", {
        "app": app, "panel": panel, "acc": acc, "rows": rows, "own_sheet": own_sheet, "sees_peers": sees_peers,
        "members": [(m, sheets.get(m.expert_id)) for m in members], "waiting": waiting, "result": result,
        "score": svc.stage_score(panel), "profile": profile, "stage_open": stage_open,
        "visit": OnsiteVisit.objects.filter(panel=panel).first(),
        "can_consensus": acc.is_leader and stage_open and not waiting and (
            result is not None or profile.aggregation == profile.Aggregation.CONSENSUS),
        "spread_count": sum(1 for r in rows if r.spread), "steps": list(range(0, 101, svc.STEP)),
        "agreed_count": len(svc.agreed_items(rows)),
        "other_panels": Panel.objects.filter(application=app).exclude(pk=panel.pk),
        "calibration": calibration,
        "trade_secrets": declared_trade_secrets(app) if acc.is_expert or acc.secretariat else "",
    })


# --- the expert's sheet ------------------------------------------------------------------------------------------
def _posted_items(post):
    data = {}
    for key, value in post.items():
        for field in ("percent", "strengths", "opportunities"):
            prefix = f"{field}_"
            if key.startswith(prefix) and key[len(prefix):].isdigit():
                data.setdefault(key[len(prefix):], {})[field] = value
    # an autosave of one field keeps the item's other fields as stored
    return data


@login_required
@require_http_methods(["GET", "POST"])
def scoring_sheet(request, pk, stage):
    app, panel, acc = _expert_only(request, pk, stage)
    sheet = svc.sheet_for(panel=panel, expert=request.user, create=app.state == svc.STAGE_STATE[panel.stage])
    if sheet is None:
        raise Http404("您在该阶段没有填写评分表，评审阶段已结束。")
    autosave = request.headers.get("X-Autosave") == "1"
    errors, conflict, posted = {}, None, None
    if request.method == "POST":
        posted = _posted_items(request.POST)
        if autosave:  # one item at a time: complete it from the stored row
            stored = {str(s.item_id): s for s in ItemScore.objects.filter(sheet=sheet, item_id__in=[
                int_param(k) for k in posted if int_param(k) is not None])}
            for key, values in posted.items():
                row = stored.get(key)
                if row is not None:
                    values.setdefault("percent", "" if row.percent is None else row.percent)
                    values.setdefault("strengths", row.strengths)
                    values.setdefault("opportunities", row.opportunities)
        try:
            sheet, errors = svc.save_sheet(sheet=sheet, data=posted, base_version=int_param(request.POST.get("version")),
                                           actor=Actor.from_request(request))
        except svc.SheetConflict as exc:
            conflict = exc.current
            if autosave:
                return JsonResponse({"conflict": True, "version": conflict.version,
                                     "message": f"评分表已在其他窗口或设备上保存（第 {conflict.version} 版），"
                                                "本次修改未保存。请刷新页面核对后再保存。"}, status=409)
        except SheetFrozen as exc:
            if autosave:
                return JsonResponse({"frozen": True, "message": exc.messages[0]}, status=409)
            messages.error(request, exc.messages[0])
            return redirect("review:scoring_sheet", pk=app.pk, stage=panel.stage)
        if autosave:
            if errors:
                return JsonResponse({"errors": {str(k): v for k, v in errors.items()}, "version": sheet.version},
                                    status=400)
            # what still keeps the sheet from being submitted: the page enables 提交 as soon as it is empty
            return JsonResponse({"version": sheet.version,
                                 "saved_at": timezone.localtime(sheet.updated_at).strftime("%H:%M:%S"),
                                 "missing": svc.missing_on_sheet(sheet)})
        if not errors and conflict is None:
            messages.success(request, f"评分表草稿已保存（第 {sheet.version} 版）。")
            return redirect("review:scoring_sheet", pk=app.pk, stage=panel.stage)
    rows, own_sheet, sees_peers = svc.panel_rows(acc=acc, with_self_text=True)
    if posted is not None:  # show what the expert typed, not the stored values
        for row in rows:
            typed = posted.get(str(row.item.pk))
            if typed and row.own is not None:
                row.typed = typed
    profile = app.campaign.program.profile
    status = 409 if conflict is not None else 400 if errors else 200
    return render(request, "review/scoring/sheet.html", {
        "app": app, "panel": panel, "acc": acc, "sheet": own_sheet, "rows": rows, "errors": errors,
        "conflict": conflict, "version": conflict.version if conflict is not None else own_sheet.version,
        "bands": svc.band_table(profile.scoring_scheme_id), "steps": list(range(0, 101, svc.STEP)),
        "stage_open": app.state == svc.STAGE_STATE[panel.stage], "sees_peers": sees_peers,
        "missing": svc.missing_on_sheet(own_sheet) if not own_sheet.is_submitted else [],
        "has_self_text": any(r.self_text for r in rows),
        "trade_secrets": declared_trade_secrets(app),
    }, status=status)


@login_required
@require_POST
def scoring_submit(request, pk, stage):
    app, panel, acc = _expert_only(request, pk, stage)
    sheet = svc.sheet_for(panel=panel, expert=request.user, create=False)
    if sheet is None:
        raise ValidationError("请先填写评分表再提交。")
    try:
        svc.submit_sheet(sheet=sheet, base_version=int_param(request.POST.get("version")), actor=Actor.from_request(request))
    except svc.SheetConflict as exc:
        messages.error(request, f"评分表已在其他窗口保存（第 {exc.current.version} 版），请核对后再提交。")
        return redirect("review:scoring_sheet", pk=app.pk, stage=panel.stage)
    messages.success(request, "评分表已提交，不能再修改。现在可以查看本组其他专家的评分。")
    return redirect("review:scoring_panel", pk=app.pk, stage=panel.stage)


@login_required
@require_GET
def scoring_sheet_pdf(request, pk, stage):
    """One expert's sheet as a PDF to sign (签字栏): the expert's own, or any for the staff."""
    app, panel, acc = _panel_access(request, pk, stage)
    if not acc.is_expert and not request.GET.get("expert"):
        raise PermissionDenied("请在评审组页面选择要打印的专家评分表。")
    expert_id = int_param(request.GET.get("expert")) or request.user.pk
    if expert_id == request.user.pk and acc.is_expert and app.state == svc.STAGE_STATE[panel.stage]:
        svc.sheet_for(panel=panel, expert=request.user)  # a blank sheet prints too (to score on paper)
    sheet = ScoreSheet.objects.filter(panel=panel, expert_id=expert_id).select_related("expert").first()
    peer = expert_id != request.user.pk
    if sheet is None or (peer and not (acc.staff or (acc.is_leader and sheet.is_submitted
                                                       and svc.sees_peer_scores(acc)))):
        raise Http404("没有找到该评分表。")
    scores = list(ItemScore.objects.filter(sheet=sheet).select_related("item__category").order_by(
        "item__category__order", "item__order"))
    for s in scores:
        s.score_text = "" if s.percent is None else f"{Decimal(s.item.points * s.percent) / svc.HUNDRED:.2f}"
    total = sum((s.item.points * s.percent for s in scores if s.percent is not None), 0) / svc.HUNDRED
    pdf = render_pdf("pdf/score_sheet.html", {
        "app": app, "panel": panel, "sheet": sheet, "scores": scores, "total": total,
        "points_total": sum(s.item.points for s in scores),
        "program": app.campaign.program, "generated_at": timezone.localtime(),
        "seat": panel.members.filter(expert_id=expert_id).first(),
    })
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"评分表-{app.number or app.pk}-{panel.get_stage_display()}-{sheet.expert.full_name or sheet.expert.username}.pdf"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# --- the leader's actions --------------------------------------------------------------------------------------
@login_required
@require_POST
def scoring_consensus(request, pk, stage):
    app, panel, acc = _panel_access(request, pk, stage)
    if not acc.is_leader:
        raise PermissionDenied("评审组得分由组长记录。")
    profile = app.campaign.program.profile
    items = {str(i.pk): i for i in svc.scored_items(profile.scoring_scheme_id)}
    item = items.get(request.POST.get("item", ""))
    if item is None:
        raise ValidationError("没有这个评分条款，请刷新页面。")
    svc.record_panel_score(acc=acc, item=item, percent=request.POST.get("percent"),
                           reason=request.POST.get("reason"), actor=Actor.from_request(request))
    messages.success(request, f"已记录 {item.code} {item.name} 的评审组得分。")
    return redirect(f"{_panel_url(app, panel)}#item-{item.pk}")


@login_required
@require_POST
def scoring_consensus_agreed(request, pk, stage):
    app, panel, acc = _panel_access(request, pk, stage)
    if not acc.is_leader:
        raise PermissionDenied("评审组得分由组长记录。")
    done = svc.record_agreed_consensus(acc=acc, actor=Actor.from_request(request))
    if done:
        messages.success(request, f"已为意见一致的 {len(done)} 个条款记录评审组得分（取专家评分中位数，理由“意见一致”）。"
                                  "其余条款请逐条记录得分和理由。")
    else:
        messages.info(request, "没有可一次记录的条款：专家意见相差超过一个分档的条款，请逐条记录得分和理由。")
    return redirect(_panel_url(app, panel))


@login_required
@require_POST
def scoring_correct(request, pk, stage):
    app, panel, acc = _panel_access(request, pk, stage)
    if not acc.is_leader:
        raise PermissionDenied("专家评分的更正由组长办理。")
    score = ItemScore.objects.filter(pk=int_param(request.POST.get("score")), sheet__panel=panel).select_related(
        "sheet", "item").first()
    if score is None:
        raise Http404("没有找到该评分。")
    svc.correct_expert_score(acc=acc, score=score, percent=request.POST.get("percent"),
                             reason=request.POST.get("reason"), actor=Actor.from_request(request))
    messages.success(request, f"已记录对 {score.item.code} 专家评分的更正，原评分保留。")
    return redirect(f"{_panel_url(app, panel)}#item-{score.item_id}")


@login_required
@require_POST
def scoring_conclude(request, pk, stage):
    app, panel, acc = _panel_access(request, pk, stage)
    if not acc.is_leader:
        raise PermissionDenied("阶段定稿由评审组组长办理。")
    svc.conclude(acc=acc, actor=Actor.from_request(request))
    score = svc.stage_score(panel)
    messages.success(request, f"{panel.get_stage_display()}已定稿，阶段得分 {score.quantize(svc.TWO_PLACES, rounding=ROUND_HALF_UP)} 分。")
    return redirect(_panel_url(app, panel))


def _date(value, label, required=True):
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError(f"请填写{label}。")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{label}格式不正确，请按 2026-05-20 的格式填写。")


@login_required
@require_POST
def scoring_onsite(request, pk, stage):
    app, panel, acc = _panel_access(request, pk, stage)
    if not acc.is_leader:
        raise PermissionDenied("现场评审记录由评审组组长填写。")
    svc.record_onsite_visit(acc=acc, visited_on=_date(request.POST.get("visited_on"), "现场评审日期"),
                            visited_until=_date(request.POST.get("visited_until"), "结束日期", required=False),
                            places=request.POST.get("places"), issues=request.POST.get("issues"),
                            actor=Actor.from_request(request))
    messages.success(request, "现场评审记录已保存。")
    return redirect(_panel_url(app, panel))


# --- ranking, decisions, exports ------------------------------------------------------------------------------
def _staff_campaign(request, campaign_id):
    campaign = svc.staff_campaigns(request.user).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404("没有找到该届次，或您不是该奖项的秘书处或监督组成员。")
    return campaign


RANKING_PAGE_SIZE = 50
#: The ranking's sortable columns: (sort key, header, right-aligned).
RANKING_COLUMNS = [("rank", "名次", False), ("number", "编号", False), ("name", "申报单位（个人）", False),
                   ("region", "地区", False), ("material", "材料评审", True), ("onsite", "现场评审", True)]


@login_required
@require_GET
def ranking(request):
    """The ranking of a campaign, filtered, sorted and paginated on the server: one SQL statement ranks the
    campaign, the page shows RANKING_PAGE_SIZE rows of it."""
    campaigns = list(svc.staff_campaigns(request.user))
    wanted = int_param(request.GET.get("campaign"))
    # Without a choice, open the campaign that has something to rank (the current one first), never an
    # empty one while another has scores.
    selected = next((c for c in campaigns if c.pk == wanted), None) or (
        max(campaigns, key=lambda c: (c.ranked_count > 0, c.is_current, c.ranked_count)) if campaigns else None)
    rows = svc.ranking_rows(campaign=selected) if selected else []
    query = svc.RankingQuery.from_params(request.GET)
    shown = query.apply(rows)
    page = Paginator(shown, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    secretariat = bool(selected) and has_role(request.user, Role.SECRETARIAT, program_id=selected.program_id)
    # 息县 第十条, 巩义 第十八条: a person who stepped aside from an application keeps its place in the
    # campaign's ranking but sees neither who it is nor its scores
    recused = recused_application_ids(user=request.user, campaign=selected)
    return render(request, "review/scoring/ranking.html", {
        "recused": recused,
        "campaigns": campaigns, "selected": selected, "rows": page.object_list, "page": page, "shown": len(shown),
        "ranked": len(rows), "secretariat": secretariat, "query": query,
        "profile": selected.program.profile if selected else None,
        "finalists": sum(1 for r in rows if r.finalist),
        "states": [(s, l) for s, l in State.choices if s in svc.RANKED_STATES],
        "regions": sorted({(r.region_id, r.region_name) for r in rows}, key=lambda r: r[1]),
        "tiers": list(selected.program.profile.tiers.order_by("order", "pk").values_list("pk", "name"))
        if selected else [],
        "page_params": params.urlencode(), "sort_params": sort_params.urlencode(), "sort_columns": RANKING_COLUMNS,
    })


@login_required
@require_POST
def ranking_declare(request, campaign_id):
    campaign = _staff_campaign(request, campaign_id)
    if not has_role(request.user, Role.SECRETARIAT, program_id=campaign.program_id):
        raise PermissionDenied("入围与否由本奖项秘书处确定；监督组只能查阅。")
    decision = request.POST.get("decision")
    if decision not in ("finalist", "not_finalist"):
        raise ValidationError("请选择“确定入围”或“确定未入围”。")
    ids = [i for i in (int_param(v) for v in request.POST.getlist("applications")) if i is not None]
    if not ids:
        raise ValidationError("请至少勾选一个申报。")
    reason = (request.POST.get("reason") or "").strip()[:500]
    done, refused = svc.declare(campaign=campaign, application_ids=ids, finalist=decision == "finalist",
                                reason=reason, actor=Actor.from_request(request))
    label = "入围" if decision == "finalist" else "未入围"
    if done:
        messages.success(request, f"已确定 {len(done)} 个申报{label}。")
    for app, message in refused:
        messages.error(request, f"{app.number or ''} {app.applicant_name}：{message}")
    return redirect(f"{reverse('review:ranking')}?campaign={campaign.pk}")


@login_required
@require_GET
def ranking_xlsx(request, campaign_id):
    campaign = _staff_campaign(request, campaign_id)
    return xlsx_response(f"排名-{campaign.program.short_name}-{campaign.name}", [ranking_sheet(
        campaign, recused_application_ids(user=request.user, campaign=campaign))])


@login_required
@require_GET
def score_matrix_xlsx(request, campaign_id):
    """The score matrix; ``?detail=1`` gives every item score with its 优势 and 改进机会 instead (one row per
    expert and item: large), optionally for one application (``&application=<id>``)."""
    campaign = _staff_campaign(request, campaign_id)
    params = {key: request.GET[key] for key in ("detail", "application") if request.GET.get(key)}
    return export_response(request, name="score_matrix", campaign=campaign, params=params)


# --- the review report -------------------------------------------------------------------------------------------
@login_required
@require_GET
def report(request, pk):
    app = application_for_user_or_404(user=request.user, pk=pk)
    staff = has_role(request.user, Role.SECRETARIAT, program_id=app.campaign.program_id) or has_role(
        request.user, Role.SUPERVISOR, program_id=app.campaign.program_id)
    released = svc.report_released(app)
    from applications.rules import is_owner

    if not staff and not (is_owner(request.user, app) and released):
        if relationships_held(request.user, app) == ["panel"]:
            raise Http404("没有找到该评审报告。")
        raise PermissionDenied("评审报告尚未发布，或仅供申报单位和秘书处查阅。" if is_owner(request.user, app)
                               else "评审报告仅供申报单位、秘书处和监督组查阅。")
    return render(request, "review/scoring/report.html", {
        "app": app, "program": app.campaign.program, "released": released, "staff": staff,
        "secretariat": has_role(request.user, Role.SECRETARIAT, program_id=app.campaign.program_id),
        "release": getattr(app, "report_release", None) if released else None,
        "doc": svc.report_document(app) if released else None, **svc.report_data(app), **svc.report_context(app),
    })


@login_required
@require_POST
def report_release(request, pk):
    app = application_for_user_or_404(user=request.user, pk=pk)
    if not has_role(request.user, Role.SECRETARIAT, program_id=app.campaign.program_id):
        raise PermissionDenied("评审报告由本奖项秘书处发布。")
    again = svc.report_released(app)
    svc.release_report(application=app, actor=Actor.from_request(request))
    messages.success(request, "评审报告 PDF 已重新生成。" if again else "评审报告已发布，申报单位现在可以查看和下载。")
    return redirect("review:scoring_report", pk=app.pk)
