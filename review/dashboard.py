from django.urls import reverse

from applications.dashboard import LIST_LIMIT, Section
from qualityaward.accounts.models import Role

from .models import PanelMember
from .rules import SEATED


def expert_section(user):
    seats = (
        PanelMember.objects.filter(expert=user, role__in=SEATED)
        .exclude(panel__application__recusals__user=user)
        .select_related("panel__application__campaign__program", "panel__application__region")
        .order_by("-panel__created_at")
    )
    rows = [{
        "app": seat.panel.application,
        "url": reverse("applications:detail", args=[seat.panel.application_id]),
        "note": f"{seat.panel.get_stage_display()} · {seat.get_role_display()}",
        "deadline": seat.panel.application.campaign.review_deadline,
    } for seat in seats[:LIST_LIMIT]]
    return Section(Role.EXPERT, "我的评审任务", rows=rows, empty_text="暂无分配给您的评审任务。")
