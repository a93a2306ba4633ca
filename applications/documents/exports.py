"""What each list exports to Excel: the same filters and the same visibility as the list page, never more.

Each ``*_sheet`` function takes the queryset (or rows) the list page itself uses and returns an
``applications.xlsx.Sheet`` whose rows are produced lazily, in chunks, so a large export streams
through ``write_workbook`` with flat memory. Only what the list shows is exported (no ID numbers,
contacts or scores).
"""
from django.utils import timezone

from ..models import State
from ..selectors import RECUSED_LABEL, applications_for_user
from .xlsx import Sheet

CHUNK = 1000


def application_list_queryset(*, user, params):
    """The applicant/staff list (applications:list): visible applications, filtered by state and q."""
    qs = applications_for_user(user=user).select_related("campaign__program__profile", "region", "tier").order_by(
        "-state_changed_at", "-pk")
    state = params.get("state", "")
    state = state if state in State.values else ""
    if state:
        qs = qs.filter(state=state)
    query = (params.get("q") or "").strip()[:60]
    if query:
        qs = qs.filter(applicant_name__icontains=query) | qs.filter(number__icontains=query)
    return qs, state, query


def _local(moment):
    return timezone.localtime(moment) if moment else None


def _chunked(qs):
    """Rows of a queryset in primary-key chunks (keeps ``select_related`` and annotations, unlike
    ``iterator()`` on some backends, and never holds more than one chunk)."""
    return qs.iterator(chunk_size=CHUNK)


def application_list_sheet(qs):
    headers = ["申报编号", "申报单位（个人）", "申报主体", "奖项", "届次", "所在地区", "状态", "奖励等级",
               "首次提交时间", "状态更新时间"]

    def rows():
        for app in _chunked(qs):
            yield [app.number or "（未编号）", app.applicant_name, app.get_kind_display(),
                   app.campaign.program.name, app.campaign.name, app.region.name, app.get_state_display(),
                   app.tier.name if app.tier_id else "", _local(app.submitted_at), _local(app.state_changed_at)]

    return Sheet("申报列表", headers, rows(), widths=[18, 36, 8, 22, 14, 14, 14, 16, 18, 18],
                 number_format={8: "yyyy-mm-dd hh:mm", 9: "yyyy-mm-dd hh:mm"})


def bureau_list_sheet(qs, *, now=None):
    """The recommending authority's list (review:prereview_list), with its pre-review progress."""
    now = now or timezone.now()
    headers = ["申报编号", "申报单位（个人）", "申报主体", "奖项", "届次", "所在地区", "状态", "最近提交时间", "提交次数",
               "推荐截止时间", "剩余天数", "初审意见", "已征求部门意见", "已答复部门意见", "市级政府推荐意见"]

    def rows():
        for app in _chunked(qs):
            deadline = app.campaign.recommendation_deadline
            overdue = deadline < now
            needs_government = app.campaign.program.profile.requires_government_opinion
            yield [app.number or "（未编号）", app.applicant_name, app.get_kind_display(), app.campaign.program.name,
                   app.campaign.name, app.region.name, app.get_state_display(), _local(app.last_submitted_at),
                   app.submission_count, _local(deadline), "已截止" if overdue else (deadline - now).days,
                   "已签署" if app.opinion_signed else "未签署", app.departments_asked, app.departments_answered,
                   ("已上传" if app.government_opinion else "未上传") if needs_government else "不适用"]

    return Sheet("初审推荐", headers, rows(), widths=[18, 36, 8, 22, 14, 14, 14, 18, 9, 18, 9, 10, 14, 14, 16],
                 number_format={7: "yyyy-mm-dd hh:mm", 9: "yyyy-mm-dd hh:mm"})


def eligibility_sheet(rows_by_group):
    """The secretariat's eligibility list (review:eligibility_list) for one campaign.

    ``rows_by_group`` yields (group label, row dict as built by the list page)."""
    headers = ["分组", "申报编号", "申报单位（个人）", "所在地区", "状态", "自动核查", "否决情形已勾选", "状态更新时间"]

    def rows():
        for label, row in rows_by_group:
            app = row["app"]
            if not row["computed"]:
                checks = "未核查"
            else:
                checks = f"不符合 {row['failed']} 项" if row["failed"] else "无不符合项"
                if row.get("flagged"):
                    checks += f"，待研判 {row['flagged']} 项"
            ticked = f"{row['ticked']} / {row['items']}" if row["review"] else "—"
            yield [label, app.number or "（未编号）", app.applicant_name, app.region.name, app.get_state_display(),
                   checks, ticked, _local(app.state_changed_at)]

    return Sheet("资格审核", headers, rows(), widths=[16, 18, 36, 14, 14, 14, 14, 18],
                 number_format={7: "yyyy-mm-dd hh:mm"})


def acceptance_list_sheet(acceptance_list, recused=frozenset()):
    """A 受理名单: its frozen public fields only; a line of an application in ``recused`` (the reader stepped aside
    from it, 息县 第十条) keeps its number as RECUSED_LABEL."""
    headers = ["序号", "申报单位（个人）", "所在地区", "所属行业"]

    def rows():
        for item in acceptance_list.items.order_by("order").iterator(chunk_size=CHUNK):
            if item.application_id in recused:
                yield [item.order, RECUSED_LABEL, None, None]
                continue
            yield [item.order, item.applicant_name, item.region_name, item.industry_name]

    return Sheet("受理名单", headers, rows(), widths=[8, 40, 16, 30])


def export_filename(*parts):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return "-".join([p for p in parts if p] + [stamp]) + ".xlsx"


# --- large exports run in the background (background.py) --------------------------------------------------------
def _application_list_estimate(*, user, campaign, params):
    return application_list_queryset(user=user, params=params)[0].count()


def _application_list_build(*, user, campaign, params):
    return export_filename("申报列表"), [application_list_sheet(application_list_queryset(user=user, params=params)[0])]


def install():
    from .background import register_export

    register_export("application_list", estimate=_application_list_estimate, build=_application_list_build)
