"""Dashboard sections of the supervision group's work: the reports waiting for a supervisor's finding, and
the supervision reports sent to the committee and the secretariat (息县 第二十五条). A section appears
only for people who have something here; each costs one or two queries."""
from django.urls import reverse

from applications.dashboard import LIST_LIMIT, Section
from applications.models import Campaign
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import role_assignments

from .models import SupervisionReport
from .selectors import campaign_reports_for_user, own_reports, reports_for_user, supervised_program_ids


def supervisor_section(user):
    ids = supervised_program_ids(user)
    if ids is not None and not ids:
        return None
    campaigns = Campaign.objects.filter(program__profile__supervision_reports=True).select_related("program")
    if ids is not None:
        campaigns = campaigns.filter(program_id__in=ids)
    campaigns = list(campaigns.filter(is_current=True).order_by("program__code"))
    waiting = list(reports_for_user(user=user).filter(status=SupervisionReport.Status.RECEIVED)
                   .order_by("received_at")[:LIST_LIMIT + 1])
    if not campaigns and not waiting:
        return None
    rows = [{
        "number": r.receipt_number, "name": f"举报：{r.subject}", "program": r.program.short_name,
        "region": r.campaign.name if r.campaign else "", "state": r.status, "state_label": r.get_status_display(),
        "url": reverse("supervision:report_detail", args=[r.pk]), "note": "待记录办理情况",
        "deadline": None, "deadline_text": "", "overdue": False, "days_left": None,
    } for r in waiting[:LIST_LIMIT]]
    links = [("监督组：全部举报", reverse("supervision:report_list"))]
    links += [(f"监督情况报告（向评委会及秘书处报告）：{c.program.short_name}{c.name}",
               reverse("supervision:campaign", args=[c.pk])) for c in campaigns]
    return Section(Role.SUPERVISOR, "监督组：待办理的举报", rows=rows, links=links,
                   counts=[("待办理", len(waiting))] if waiting else [], more=max(0, len(waiting) - LIST_LIMIT),
                   empty_text="暂无待办理的举报。")


def received_reports_section(user):
    """For the committee and the secretariat: the supervision reports sent to them (their programs)."""
    if not any(a.role in (Role.COMMITTEE, Role.SECRETARIAT) for a in role_assignments(user)):
        return None
    recent = list(campaign_reports_for_user(user=user).order_by("-sent_at")[:5])
    if not recent:
        return None
    role = Role.COMMITTEE if any(a.role == Role.COMMITTEE for a in role_assignments(user)) else Role.SECRETARIAT
    links = [(f"{r.campaign.program.short_name}{r.campaign.name}：{r.title}（{r.sent_at:%Y-%m-%d}）",
              reverse("supervision:campaign", args=[r.campaign_id])) for r in recent]
    return Section(role, "监督组报告的监督情况", links=links, empty_text="")


def reporter_section(user):
    """A signed-in reporter's link to its reports' status (only when it has filed any)."""
    mine = own_reports(user=user)
    if not mine.exists():
        return None
    open_count = mine.filter(status=SupervisionReport.Status.RECEIVED).count()
    return Section(Role.APPLICANT, "我的举报", links=[("查看我向监督组提交的举报及办理状态", reverse("supervision:mine"))],
                   counts=[("办理中", open_count)] if open_count else [], empty_text="")


def sections(user):
    return [s for s in (supervisor_section(user), received_reports_section(user), reporter_section(user)) if s]
