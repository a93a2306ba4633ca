"""What waits for each role, for the dashboard. Each section costs a fixed number of queries,
whatever the amount of data: lists are capped and counts come from one aggregate."""
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from qualityaward.accounts.models import AuditEvent, Role
from qualityaward.accounts.selectors import role_assignments

from . import rules as access
from .models import State
from .selectors import applications_for_user, open_campaigns

LIST_LIMIT = 20


@dataclass
class Section:
    role: str
    title: str
    rows: list = field(default_factory=list)
    counts: list = field(default_factory=list)  # (label, number)
    empty_text: str = "暂无待办事项。"
    links: list = field(default_factory=list)  # (label, url)
    more: int = 0


def _rows(qs, deadline_field):
    now = timezone.now()
    rows = []
    for app in qs[:LIST_LIMIT]:
        deadline = getattr(app.campaign, deadline_field) if deadline_field else None
        rows.append({
            "app": app,
            "url": reverse("applications:detail", args=[app.pk]),
            "deadline": deadline,
            "overdue": bool(deadline and deadline < now),
            "days_left": (deadline - now).days if deadline and deadline >= now else None,
        })
    return rows


def _base(user):
    return applications_for_user(user=user).select_related("campaign__program", "region")


def _state_counts(qs):
    counts = dict(qs.order_by().values_list("state").annotate(n=Count("pk")))
    return [(label, counts[value]) for value, label in State.choices if counts.get(value)]


def applicant_section(user):
    mine = _base(user).filter(access._owner_q(user))
    rows = _rows(mine.order_by("-updated_at"), "application_deadline")
    campaigns = list(open_campaigns())
    links = [(f"新建申报：{c.program.name}（{c.name}，{timezone.localtime(c.application_deadline):%Y-%m-%d} 截止）",
              reverse("applications:create", args=[c.pk])) for c in campaigns]
    return Section(Role.APPLICANT, "我的申报", rows=rows, links=links,
                   empty_text="您还没有申报。可从下方入口新建申报。")


def authority_section(user):
    waiting = _base(user).filter(access._authority_q(user), state=State.SUBMITTED).order_by(
        "campaign__recommendation_deadline", "submitted_at")
    all_visible = _base(user).filter(access._authority_q(user))
    return Section(Role.AUTHORITY, "待初审推荐", rows=_rows(waiting, "recommendation_deadline"),
                   counts=_state_counts(all_visible), more=max(0, waiting.count() - LIST_LIMIT),
                   empty_text="本区域暂无待初审的申报。")


def secretariat_section(user):
    scope = access._program_role_q(Role.SECRETARIAT)(user)
    visible = _base(user).filter(scope)
    waiting = visible.filter(state__in=[State.RECOMMENDED, State.ELIGIBILITY_REVIEW]).order_by("state_changed_at")
    return Section(Role.SECRETARIAT, "待资格审核", rows=_rows(waiting, "review_deadline"),
                   counts=_state_counts(visible), more=max(0, waiting.count() - LIST_LIMIT),
                   empty_text="暂无待资格审核的申报。", links=[("管理后台（奖项规则、届次、用户）", reverse("admin:index"))])


def supervisor_section(user):
    scope = access._program_role_q(Role.SUPERVISOR)(user)
    visible = _base(user).filter(scope)
    events = AuditEvent.objects.filter(action__startswith="transition:").order_by("-created_at")[:10]
    section = Section(Role.SUPERVISOR, "监督：各阶段申报数量", counts=_state_counts(visible),
                      empty_text="暂无申报。")
    section.events = list(events)
    return section


def committee_section(user):
    scope = access._program_role_q(Role.COMMITTEE, access.COMMITTEE_STATES)(user)
    waiting = _base(user).filter(scope, state=State.COMMITTEE).order_by("state_changed_at")
    return Section(Role.COMMITTEE, "待评委会审定", rows=_rows(waiting, "review_deadline"),
                   more=max(0, waiting.count() - LIST_LIMIT), empty_text="暂无待审定的候选申报。")


def admin_section(user):
    return Section(Role.ADMIN, "系统管理", links=[("管理后台", reverse("admin:index"))],
                   counts=[("用户角色数", len(role_assignments(user)))], empty_text="")


SECTIONS = {
    Role.APPLICANT: applicant_section,
    Role.AUTHORITY: authority_section,
    Role.SECRETARIAT: secretariat_section,
    Role.SUPERVISOR: supervisor_section,
    Role.COMMITTEE: committee_section,
    Role.ADMIN: admin_section,
}

