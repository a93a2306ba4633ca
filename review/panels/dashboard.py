from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from applications.dashboard import LIST_LIMIT, ROW_FIELDS, Section, detail_prefix, row
from applications.models import Application
from qualityaward.accounts.models import Role

from .models import Panel, PanelMember, Pledge, Recusal
from .rules import DISSOLVED, SEATED, undecided_q


def expert_section(user):
    """Seats first (three tables, cheap to plan), then their applications with what the rows show.
    A seat whose pledge is not signed yet links to the pledge, not to the application."""
    mine = (PanelMember.objects.filter(expert=user, role__in=SEATED)
            .exclude(Exists(Recusal.objects.filter(application=OuterRef("panel__application"), user=user))))
    open_ = undecided_q("panel__application__campaign_id")
    seats = list(
        mine.filter(open_)
        .annotate(pledged=Exists(Pledge.objects.filter(panel=OuterRef("panel"), expert=user)))
        .order_by("-panel__created_at")
        .values_list("panel__application_id", "panel__stage", "role", "panel_id", "pledged")[:LIST_LIMIT]
    )
    apps = (Application.objects.select_related("campaign__program__profile", "region")
            .only(*ROW_FIELDS, "campaign__review_deadline").in_bulk({s[0] for s in seats}))
    stages, roles, now, prefix = dict(Panel.Stage.choices), dict(PanelMember.Role.choices), timezone.now(), detail_prefix()
    pledge_prefix = reverse("review:pledge", args=[0])[:-2]
    rows = []
    for app_id, stage, role, panel_id, pledged in seats:
        r = row(apps[app_id], apps[app_id].campaign.review_deadline,
                note=f"{stages[stage]} · {roles[role]}" + ("" if pledged else " · 待签署承诺书"), now=now,
                detail_prefix=prefix)
        # a signed seat opens its panel's scoring page; an unsigned one the pledge
        r["url"] = reverse("review:scoring_panel", args=[app_id, stage]) if pledged else f"{pledge_prefix}{panel_id}/"
        rows.append(r)
    waiting = sum(1 for s in seats if not s[4])
    section = Section(Role.EXPERT, "我的评审任务", rows=rows, empty_text="暂无分配给您的评审任务。",
                      counts=[("待签署承诺书", waiting)] if waiting else [],
                      links=[("我的评审任务：签署承诺书、申报回避", reverse("review:my_panels"))])
    # 息县 第九条: the panels of a decided campaign are dissolved; say so instead of silently dropping the rows
    dissolved = mine.exclude(open_).values("panel__application__campaign_id").distinct().count()
    if dissolved:
        section.closed_note = f"{DISSOLVED}（{dissolved} 个评审批次已结束，评审组已解散）。"
    return section
