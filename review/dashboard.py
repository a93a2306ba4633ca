from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from applications.dashboard import LIST_LIMIT, ROW_FIELDS, Section, detail_prefix, row
from applications.models import Application
from qualityaward.accounts.models import Role

from .models import Panel, PanelMember, Recusal
from .rules import SEATED


def expert_section(user):
    """Seats first (three tables, cheap to plan), then their applications with what the rows show."""
    seats = list(
        PanelMember.objects.filter(expert=user, role__in=SEATED)
        .exclude(Exists(Recusal.objects.filter(application=OuterRef("panel__application"), user=user)))
        .order_by("-panel__created_at")
        .values_list("panel__application_id", "panel__stage", "role")[:LIST_LIMIT]
    )
    apps = (Application.objects.select_related("campaign__program", "region")
            .only(*ROW_FIELDS, "campaign__review_deadline").in_bulk({app_id for app_id, _s, _r in seats}))
    stages, roles, now, prefix = dict(Panel.Stage.choices), dict(PanelMember.Role.choices), timezone.now(), detail_prefix()
    rows = [row(apps[app_id], apps[app_id].campaign.review_deadline, note=f"{stages[stage]} · {roles[role]}", now=now,
                detail_prefix=prefix) for app_id, stage, role in seats]
    for r, (app_id, stage, _role) in zip(rows, seats):  # each seat opens its panel's scoring page
        r["url"] = reverse("review:scoring_panel", args=[app_id, stage])
    return Section(Role.EXPERT, "我的评审任务", rows=rows, empty_text="暂无分配给您的评审任务。")
