"""The secretariat's (and recommending authority's) dashboard section: notices scheduled or open, with
their countdown, and notices whose lines wait to be settled. A fixed number of queries."""
from django.urls import reverse
from django.utils import timezone

from applications.dashboard import LIST_LIMIT, Section
from qualityaward.accounts.models import Role

from .. import workdays
from . import selectors, services
from .models import Notice

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
