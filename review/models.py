"""Expert panels and recusals: the relationships that give (and take away) an expert's access."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from applications.models import Application


class Panel(models.Model):
    class Stage(models.TextChoices):
        MATERIAL = "material", "材料评审"
        ONSITE = "onsite", "现场评审"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="panels",
                                    verbose_name="申报")
    stage = models.CharField("评审阶段", max_length=10, choices=Stage.choices)
    created_at = models.DateTimeField("组建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审组"
        constraints = [models.UniqueConstraint(fields=["application", "stage"], name="one_panel_per_stage")]

    def __str__(self):
        return f"{self.application} · {self.get_stage_display()}"


class PanelMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", "组长"
        MEMBER = "member", "组员"
        RESERVE = "reserve", "备选"

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats")
    role = models.CharField("角色", max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审组成员"
        constraints = [
            models.UniqueConstraint(fields=["panel", "expert"], name="one_seat_per_expert"),
            models.UniqueConstraint(fields=["panel"], condition=Q(role="leader"), name="one_leader_per_panel"),
        ]

    def __str__(self):
        return f"{self.expert}（{self.get_role_display()}）"


class Recusal(models.Model):
    """A person who must not see an application (declared conflict, relationship). Outranks any grant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="recusals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recusals")
    reason = models.CharField("回避事由", max_length=200)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避记录"
        constraints = [models.UniqueConstraint(fields=["application", "user"], name="one_recusal_per_user")]

    def __str__(self):
        return f"{self.user} 回避 {self.application}"
