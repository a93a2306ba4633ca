"""The secretariat's (and recommending authority's) dashboard section: notices scheduled or open, with
their countdown, and notices whose lines wait to be settled. A fixed number of queries.

Above the sections, the secretariat and the administrator are warned when the working-day calendar runs
out: this year unknown (all year), or next year unknown from 1 November. No query while the installed
``chinesecalendar`` covers both years, one small query otherwise."""
from django.urls import reverse
from django.utils import timezone

from applications.dashboard import LIST_LIMIT, Section
from qualityaward.accounts.models import Role

from .. import workdays
from . import selectors, services
from .models import CalendarYear, Notice

ACTIVE = [Notice.Status.SCHEDULED, Notice.Status.OPEN, Notice.Status.CLOSED]


def publicity_section(user, role=Role.SECRETARIAT):
    notices = list(selectors.managed_notices(user).filter(status__in=ACTIVE).order_by("closes_at")[:LIST_LIMIT])
    clock = workdays.DeadlineClock()
    rows = []
    for n in notices:
        if n.status == Notice.Status.SCHEDULED:
            note = f"待发布：{timezone.localtime(n.opens_at):%Y-%m-%d %H:%M} 自动发布"
        elif n.status == Notice.Status.OPEN:
            left = selectors.workdays_left(n, clock)
            note = f"公示中：还剩 {left} 个工作日" if left is not None else "公示中"
        else:
            note = "已截止，有名单暂缓办结（异议未处理完毕等）"
        rows.append({"title": n.title, "url": reverse("publicity:manage_notice", args=[n.pk]), "status": n.status,
                     "status_label": n.get_status_display(), "window": services.window_line(n), "note": note,
                     "program": n.campaign.program.short_name})
    section = Section(role, "公示", empty_text="暂无待发布或公示中的公示。",
                      links=[("公示管理（编制名单、预览、定时发布、更正）", reverse("publicity:manage")),
                             ("公示公告（公开页面）", reverse("publicity:index"))])
    if role == Role.SECRETARIAT:
        section.links.append(("工作日日历（录入节假日和调休上班日）", reverse("admin:publicity_calendaroverride_changelist")))
    section.notices = rows
    section.convention = workdays.WINDOW_CONVENTION
    if rows:
        section.empty_text = ""
    return section


def calendar_alerts(user, roles):
    """Warnings about years whose holidays nobody has entered yet: [{"text", "links"}]."""
    if Role.SECRETARIAT not in roles and Role.ADMIN not in roles:
        return []
    today = timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    years = [y for y in years if not workdays.package_knows(y)]
    if not years:
        return []
    entered = {year: (pk, confirmed) for year, pk, confirmed
               in CalendarYear.objects.filter(year__in=years).values_list("year", "pk", "confirmed")}
    editor = selectors.can_edit_calendar(user)
    alerts = []
    for year in years:
        pk, confirmed = entered.get(year, (None, False))
        if confirmed:
            continue
        scope = "本年的" if year == today.year else f"凡跨入{year}年的"
        title = f"{year}年的法定节假日和调休安排尚未录入。"
        text = (f"系统内置日历未收录{year}年，{scope}公示期、异议答复期限等"
                "按工作日计算的日期都无法计算（系统不会推算，相关公示将无法发布）。")
        if not editor:
            alerts.append({"title": title, "text": text + f"请联系秘书处录入{year}年的安排。", "links": []})
            continue
        year_url = (reverse("admin:publicity_calendaryear_change", args=[pk]) if pk
                    else f"{reverse('admin:publicity_calendaryear_add')}?year={year}")
        alerts.append({"title": title, "text": text + (
            f"请在 管理后台 › 公示与异议 › 工作日日历调整 中逐日录入国务院办公厅公布的{year}年放假日和调休上班日，"
            f"再在 工作日日历年度 中{'打开' if pk else '新增'}{year}年，填写依据（通知文号）并勾选“已录入全年安排”。"),
            "links": [(f"录入{year}年的放假日和调休上班日", reverse("admin:publicity_calendaroverride_add")),
                      (f"查看已录入的{year}年日期",
                       f"{reverse('admin:publicity_calendaroverride_changelist')}?date__year={year}"),
                      (f"{year}年录入完毕后勾选“已录入全年安排”", year_url)]})
    return alerts
