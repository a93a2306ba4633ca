"""Pages: the campaign statistics (secretariat and supervisors of the program), the expert calibration
(the program's secretariat), and the organization's history (its members, and the secretariat of the
programs it submitted to). Anyone else gets 404; a supervisor asking for the calibration gets 403."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET

from applications.models import Application, Campaign, Program, State
from applications.selectors import applications_for_user, recused_applications
from applications.documents.xlsx import xlsx_response
from qualityaward.accounts.models import Organization, Role
from qualityaward.accounts.services import Actor, record_event

from ..scoring.services import staff_campaigns
from . import charts
from . import selectors as sel
from .exports import calibration_sheets, organization_sheets, statistics_sheets


def _int(value):
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def statistics(request):
    campaigns = list(staff_campaigns(request.user))
    if not campaigns:
        raise Http404("统计分析仅供奖项秘书处和监督组查看。")
    wanted = _int(request.GET.get("campaign"))
    campaign = next((c for c in campaigns if c.pk == wanted), None) or next(
        (c for c in campaigns if c.is_current), campaigns[0])
    data = sel.program_statistics(campaign)
    for figure in data["figures"]:
        figure.svg = charts.bar_chart(figure.rows, label=figure.title,
                                      colour=charts.ALT if figure.key == "funnel" else charts.BAR)
    for figure in data["score_figures"]:
        figure.svg = charts.histogram(figure.rows, label=figure.title,
                                      threshold=data["threshold"] if figure.key == "hist_total" else None)
    for row in data["comparison"]:
        row["svg"] = charts.histogram(row["histogram"], label=f"{row['campaign'].name}综合得分分布",
                                      threshold=data["threshold"], width=360, height=170)
    return render(request, "review/insights/statistics.html", {
        **data, "all_campaigns": campaigns,
        "box_svg": charts.box_plot(data["boxes"], label="各类目得分率分布"),
        "can_calibrate": sel.is_program_secretariat(request.user, campaign.program_id),
    })


@login_required
@require_GET
def statistics_xlsx(request, campaign_id):
    campaign = staff_campaigns(request.user).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404("没有找到该届次的统计，或您不是该奖项的秘书处或监督组。")
    data = sel.program_statistics(campaign)
    return xlsx_response(f"{campaign.program.short_name}{campaign.name}统计分析", statistics_sheets(data))


def _calibration_scope(request, program_id):
    program = Program.objects.select_related("profile").filter(pk=program_id).first() if program_id else None
    if program is None or not sel.is_program_secretariat(request.user, program.pk):
        if program is not None and sel.staff_programs(request.user, roles=(Role.SUPERVISOR,)) & {None, program.pk}:
            raise PermissionDenied("专家评分尺度仅供本奖项秘书处组建评审组时参考。")
        raise Http404("没有找到该奖项，或您不是该奖项的秘书处。")
    campaign_id = _int(request.GET.get("campaign"))
    campaign = Campaign.objects.filter(program=program, pk=campaign_id).first() if campaign_id else None
    return program, campaign


def _sorted(cal):
    return sorted(cal.values(), key=lambda c: (-(abs(c.z) if c.z is not None else -1), c.name))


@login_required
@require_GET
def calibration(request):
    programs = sel.staff_programs(request.user, roles=(Role.SECRETARIAT,))
    choices = list(Program.objects.filter(**({} if None in programs else {"pk__in": programs})).order_by("code"))
    if not choices:
        if sel.staff_programs(request.user, roles=(Role.SUPERVISOR,)):
            raise PermissionDenied("专家评分尺度仅供奖项秘书处组建评审组时参考。")
        raise Http404("专家评分尺度仅供奖项秘书处查看。")
    program, campaign = _calibration_scope(request, _int(request.GET.get("program")) or choices[0].pk)
    wanted = _int(request.GET.get("expert"))
    rows = _sorted(sel.calibration(program=program, campaign_id=campaign.pk if campaign else None,
                                   detail_for=[wanted] if wanted is not None else []))
    chosen = next((c for c in rows if c.expert_id == wanted), None)
    # the chart: the most lenient and the strictest experts, from + to − (a table lists everyone below)
    ranked = sorted((c for c in rows if c.severity is not None), key=lambda c: (-c.severity, c.name))
    shown = ranked if len(ranked) <= 24 else ranked[:12] + ranked[-12:]
    return render(request, "review/insights/calibration.html", {
        "program": program, "programs": choices, "campaign": campaign, "table": _calibration_table(rows, program, campaign),
        "campaigns": Campaign.objects.filter(program=program).order_by("-year", "-pk"), "rows": rows,
        "chosen": chosen,
        "shown": len(shown), "svg": charts.diverging([(c.name, c.severity) for c in shown], label="专家平均偏差（百分点）"),
        "item_svg": charts.diverging([(code, i.severity) for code, i in sorted(chosen.items.items())],
                                     label=f"{chosen.name}分条款平均偏差") if chosen else "",
    })


def _calibration_table(rows, program, campaign):
    """The table of every expert as markup, built here rather than by the template engine: 300 experts ×
    nine cells is most of the page's time through template lookups."""
    base = f"?program={program.pk}" + (f"&campaign={campaign.pk}" if campaign else "")
    badge = {"偏宽": "text-bg-warning", "偏严": "text-bg-info"}

    def leaning(c):
        return format_html('<span class="badge {}">{}</span>', badge[c.leaning], c.leaning) if c.leaning else ""

    return format_html_join(
        "\n", '<tr><td><a href="{}">{}</a></td><td class="text-end">{}</td><td class="text-end">{}</td>'
               '<td class="text-end">{}</td><td class="text-end">{}</td><td class="text-end">{}</td>'
               '<td class="text-end">{}</td><td>{}</td><td>{}</td></tr>',
        ((f"{base}&expert={c.expert_id}#expert-items", c.name, c.sheets, c.n, c.severity_text, c.total_text,
          c.spread_text, c.z_text, leaning(c), c.outlier_text) for c in rows))


@login_required
@require_GET
def calibration_xlsx(request, program_id):
    program, campaign = _calibration_scope(request, program_id)
    rows = _sorted(sel.calibration(program=program, campaign_id=campaign.pk if campaign else None))
    scope = campaign.name if campaign else "历届"
    return xlsx_response(f"{program.short_name}专家评分尺度（{scope}）", calibration_sheets(rows, scope))


def _readable_organizations(user):
    programs = sel.staff_programs(user, roles=(Role.SECRETARIAT,))
    mine = Q(members=user)
    if None in programs:
        return Organization.objects.filter(mine | Q(applications__isnull=False)).distinct()
    submitted = Application.objects.filter(campaign__program_id__in=programs).exclude(state=State.DRAFT).exclude(
        pk__in=recused_applications(user=user))  # 息县 第十条: not through an application one stepped aside from
    return Organization.objects.filter(mine | Q(pk__in=submitted.values("organization_id"))).distinct()


@login_required
@require_GET
def organizations(request):
    query = (request.GET.get("q") or "").strip()[:60]
    qs = _readable_organizations(request.user).select_related("region").order_by("name")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(credit_code__icontains=query))
    return render(request, "review/insights/organizations.html", {"organizations": qs[:100], "query": query})


def _organization_page(request, pk):
    """The organization's timeline as its reader may see it (404 for anyone else)."""
    org = get_object_or_404(Organization.objects.select_related("region"), pk=pk)
    if not sel.organization_readable(request.user, org):
        raise Http404("没有找到该组织，或您无权查看。")
    member = org.members.filter(pk=request.user.pk).exists()
    visible = applications_for_user(user=request.user)
    data = sel.organization_timeline(org, visible=visible, hidden=recused_applications(user=request.user))
    # the applicant sees the scores of released review reports only
    scored = [a for a in data["applications"] if (a.pk in data["released"] or not member)
              and any(s is not None for _c, s in data["scores"].get(a.pk, []))]
    series = []
    if scored:
        cats = [c for c, _s in data["scores"][scored[0].pk]]
        series = [(f"{c.code} {c.name}", [next((100 * s / c.points for cc, s in data["scores"][a.pk]
                                               if cc.code == c.code and s is not None), None) for a in scored])
                  for c in cats]
    # each scored application by its program and campaign (and its number where a campaign has several)
    names = [f"{a.campaign.program.short_name}{a.campaign.name}" for a in scored]
    labels = [f"{n} {a.number}" if names.count(n) > 1 and a.number else n for n, a in zip(names, scored)]
    entries = sorted(data["entries"], key=lambda e: (str(e["date"])[:10], e["kind"]), reverse=True)
    return {**data, "entries": entries, "member": member, "scored": scored, "trend": series, "trend_labels": labels}


@login_required
@require_GET
def organization(request, pk):
    data = _organization_page(request, pk)
    chart = ""
    if data["scored"]:
        chart = charts.lines(data["trend"], label="各类目得分率变化", labels=data["trend_labels"])
    return render(request, "review/insights/organization.html", {**data, "chart": chart})


@login_required
@require_GET
def organization_xlsx(request, pk):
    data = _organization_page(request, pk)
    org = data["organization"]
    record_event(actor=Actor.from_request(request), action="insights:export_history", target=org,
                 data={"rows": len(data["entries"])})
    return xlsx_response(f"{org.name}组织历程", organization_sheets(data))


def dashboard_section(user):
    """The dashboard's links to these pages, for those who may open them (None for everyone else)."""
    from django.urls import reverse

    from applications.dashboard import Section

    links = []
    if sel.staff_programs(user):
        links.append(("统计分析：申报分布、漏斗、得分分布和历届对比", reverse("insights:statistics")))
    if sel.staff_programs(user, roles=(Role.SECRETARIAT,)):
        links.append(("专家评分尺度：偏宽偏严、离散程度和超过一个分档的条款", reverse("insights:calibration")))
    if links or user.organizations.exists():
        links.append(("组织历程：历届申报、评审报告、获奖与撤销", reverse("insights:organizations")))
    return Section("insights", "统计与历程", empty_text="", links=links) if links else None
