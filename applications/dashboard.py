"""What waits for each role, for the dashboard. Each section costs a fixed number of queries,
whatever the amount of data: lists are capped and counts come from one aggregate."""
from dataclasses import dataclass, field

from django.db.models import CharField, Count, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from qualityaward.accounts.models import AuditEvent, Role
from qualityaward.accounts.selectors import role_assignments

from . import rules as access
from .history import describe, state_label
from .models import Application, RuleProfile, State
from .selectors import campaign_offers

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


ROW_FIELDS = ["number", "applicant_name", "state", "updated_at", "state_changed_at", "submitted_at",
              "region__name", "campaign__program__short_name", "campaign__program__profile__outcome"]


def row(app, deadline, *, note="", now, detail_prefix):
    """One dashboard row as plain values: the template only prints them."""
    return {
        "number": app.number,
        "name": app.applicant_name,
        "program": app.campaign.program.short_name,
        "region": app.region.name,
        "state": app.state,
        "state_label": app.get_state_display(),
        "url": f"{detail_prefix}{app.pk}/",
        "note": note,
        "deadline": deadline,
        "deadline_text": f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}" if deadline else "",
        "overdue": bool(deadline and deadline < now),
        "days_left": (deadline - now).days if deadline and deadline >= now else None,
    }


def detail_prefix():
    return reverse("applications:detail", args=[0])[:-2]  # "/applications/": one reverse, not one per row


def _rows(qs, deadline_field):
    """The first LIST_LIMIT rows, loading only the columns the dashboard shows."""
    now, prefix = timezone.now(), detail_prefix()
    fields = ROW_FIELDS + ([f"campaign__{deadline_field}"] if deadline_field else [])
    return [row(app, getattr(app.campaign, deadline_field) if deadline_field else None, now=now, detail_prefix=prefix)
            for app in qs.only(*fields)[:LIST_LIMIT]]


def _base(role_q):
    """Applications one relationship gives (a subset of what the user may see; see rules.py).
    Filtering by that relationship alone keeps the other relationships' subqueries out of the SQL."""
    return Application.objects.filter(role_q).select_related("campaign__program__profile", "region")


def _count_by_state(qs):
    """{(state, the program's outcome): number}, one aggregate; the outcome gives a state its program's word."""
    return {(state, outcome): n for state, outcome, n in qs.order_by().values_list(
        "state", "campaign__program__profile__outcome").annotate(n=Count("pk"))}


def _count_of(counts, state):
    return sum(n for (s, _), n in counts.items() if s == state)


def _labelled(counts):
    """(label, number) in pipeline order; a state a program names in its own words (已入库) is counted apart."""
    totals = {}
    for value, label in State.choices:
        for (state, outcome), n in counts.items():
            if state == value and n:
                word = RuleProfile.outcome_word(outcome, value, label)
                totals[word] = totals.get(word, 0) + n
    return list(totals.items())


# The applicant has something to do before the application deadline only while the application is in its
# hands; afterwards the deadline is not the applicant's any more and the column stays empty.
APPLICANT_DEADLINE_STATES = {State.DRAFT, State.RETURNED}


def applicant_section(user):
    mine = _base(access._owner_q(user))
    rows = _rows(mine.order_by("-updated_at"), "application_deadline")
    for r in rows:
        if r["state"] not in APPLICANT_DEADLINE_STATES:
            r.update(deadline=None, overdue=False, days_left=None)
    offers = campaign_offers(user=user)
    links = [(f"新建申报：{c.program.name}（{c.name}，申报人提交截止 {timezone.localtime(c.application_deadline):%Y-%m-%d}，"
               f"推荐截止 {timezone.localtime(c.recommendation_deadline):%Y-%m-%d}）",
              reverse("applications:create", args=[c.pk])) for c, reason in offers if not reason]
    section = Section(Role.APPLICANT, "我的申报", rows=rows, links=links,
                      empty_text="您还没有申报。可从下方入口新建申报。" if links else "您还没有申报。")
    section.unavailable = [(f"{c.program.name}（{c.name}）", reason) for c, reason in offers if reason]
    return section


def authority_section(user):
    all_visible = _base(access.relationship_q("authority", user))
    counts = _count_by_state(all_visible)
    waiting = all_visible.filter(state=State.SUBMITTED).order_by(
        "campaign__recommendation_deadline", "submitted_at")
    return Section(Role.AUTHORITY, "待初审推荐", rows=_rows(waiting, "recommendation_deadline"),
                   counts=_labelled(counts), more=max(0, _count_of(counts, State.SUBMITTED) - LIST_LIMIT),
                   empty_text="本区域暂无待初审的申报。",
                   links=[("初审推荐工作台：核实材料、征求部门意见、签署初审意见、推荐上报", reverse("review:prereview_list"))])


def secretariat_section(user):
    visible = _base(access.relationship_q("secretariat", user))
    counts = _count_by_state(visible)
    from .workflow import awaiting_eligibility_q

    waiting = visible.filter(awaiting_eligibility_q() | Q(state=State.ELIGIBILITY_REVIEW))
    more = max(0, waiting.count() - LIST_LIMIT)
    waiting = waiting.order_by("state_changed_at")
    return Section(Role.SECRETARIAT, "待资格审核", rows=_rows(waiting, "review_deadline"),
                   counts=_labelled(counts),
                   more=more,
                   empty_text="暂无待资格审核的申报。", links=[("管理后台（奖项规则、届次、用户）", reverse("admin:index")),
                                                       ("资格审核（自动核查、否决情形、受理决定）",
                                                        reverse("review:eligibility_list")),
                                                       ("受理名单（编制、发布、打印）", reverse("review:acceptance_lists")),
                                                       ("评审专家库（新增、导入、导出）", reverse("review:expert_list")),
                                                       ("评审组与专家抽取", reverse("review:panel_campaigns")),
                                                       ("评审排名（综合得分、确定入围、导出）", reverse("review:ranking")),
                                                       *_pool_links(user)])


def _pool_links(user):
    """The candidate list of each program it serves whose document names one (全国质量标杆 通知三)."""
    from .models import Program

    ids = [a.program_id for a in role_assignments(user) if a.role == Role.SECRETARIAT]
    programs = Program.objects.filter(pk__in=ids).exclude(profile__candidate_pool_rule="").select_related("profile")
    return [(f"{p.short_name}：推荐对象名单（{p.profile.candidate_pool_label or '查看、编辑、导入'}）",
             reverse("review:pool_list", args=[p.code])) for p in programs.order_by("code")]


def supervisor_section(user):
    visible = _base(access._program_role_q(Role.SUPERVISOR)(user))
    counts = _labelled(_count_by_state(visible))
    events = (AuditEvent.objects.filter(action__startswith="transition:", content_type__app_label="applications",
                                        content_type__model="application",
                                        object_id__in=visible.values(key=Cast("pk", CharField())))
              .order_by("-created_at").values("created_at", "actor_label", "object_repr", "object_id", "action",
                                              "to_state")[:10])
    section = Section(Role.SUPERVISOR, "监督：各阶段申报数量", counts=counts,
                      empty_text="" if counts else "监督范围内暂无申报。",
                      links=[("专家抽取记录（只读）", reverse("review:panel_campaigns")),
                             ("评审排名与评分明细（只读）", reverse("review:ranking"))])
    events = list(events)
    # each event in its program's words (入库, 推荐参加全国遴选): one query for the ten applications' programs
    outcomes = dict(Application.objects.filter(pk__in=[int(e["object_id"]) for e in events])
                    .values_list("pk", "campaign__program__profile__outcome"))
    section.events = []
    for e in events:
        outcome = outcomes.get(int(e["object_id"]), "")
        section.events.append({"at": e["created_at"], "who": e["actor_label"] or "系统", "what": e["object_repr"],
                               "label": describe(e["action"], outcome)[0],
                               "state": state_label(e["to_state"], outcome)})
    return section


def committee_section(user):
    scope = access._program_role_q(Role.COMMITTEE, access.COMMITTEE_STATES)(user)
    waiting = _base(scope).filter(state=State.COMMITTEE).order_by("state_changed_at")
    rows = _rows(waiting, "review_deadline")
    more = max(0, waiting.count() - LIST_LIMIT)  # always counted: the same queries whatever the data
    return Section(Role.COMMITTEE, "待评委会审定", rows=rows, more=more, empty_text="暂无待审定的候选申报。")


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

