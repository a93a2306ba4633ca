"""The award an application received, with its prize, validity, certificate and any revocation, and what
winners owe afterwards (annual self-assessment reports and their reminders). Services: ``review.awards``."""
from django.conf import settings
from django.db import models

from applications.models import Application, AwardTier, Program
from qualityaward.accounts.models import Organization


class Award(models.Model):
    """The award an application received (授奖), with its prize, validity, certificate and any revocation."""

    class Ground(models.TextChoices):
        FRAUD = "fraud", "以欺骗、贿赂等不正当手段获奖"
        INCIDENT = "incident", "获奖后发生重大质量、安全、环保等事故"
        VIOLATION = "violation", "严重违法违规或造成严重不良社会影响"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award",
                                       verbose_name="申报")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="awards", verbose_name="奖项")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="awards", verbose_name="获奖组织")
    recipient_name = models.CharField("获奖单位/个人", max_length=120)
    tier = models.ForeignKey(AwardTier, on_delete=models.PROTECT, null=True, blank=True, verbose_name="奖励等级")
    prize_amount = models.DecimalField("奖金（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    prize_note = models.CharField("奖金说明", max_length=200, blank=True)
    uses_quota = models.BooleanField("占用名额", default=True)
    decided_on = models.DateField("授奖日期")
    decision_reference = models.CharField("授奖文号", max_length=60, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    certificate_number = models.CharField("证书编号", max_length=40, unique=True)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revocation_ground = models.CharField("撤销情形", max_length=20, choices=Ground.choices, blank=True)
    revocation_reason = models.TextField("撤销理由", blank=True)
    ban_until = models.DateField("禁止申报至", null=True, blank=True)
    revocation_reference = models.CharField("批准撤销文号", max_length=60, blank=True,
                                            help_text="政府批准撤销的文号或会议（息县 第三十三条“提请县政府批准撤销”）")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "获奖记录"
        ordering = ["-decided_on", "certificate_number"]
        indexes = [models.Index(fields=["program", "organization"])]

    def __str__(self):
        return f"{self.recipient_name} · {self.tier or self.program}"

    @property
    def is_revoked(self):
        return self.revoked_on is not None


class Recovery(models.Model):
    """What the secretariat took back after a revocation (息县 第三十三条 收回证书、奖牌和奖金, 第三十四条 收回证书、奖牌;
    巩义 第二十五条 收回证书和奖杯、追缴奖金; 金水 第二十三条 收回奖牌（奖杯）、证书，追缴奖金): one dated record per item
    returned, or per payment of prize money recovered (the money may come back in parts)."""

    class Item(models.TextChoices):
        CERTIFICATE = "certificate", "证书"
        TROPHY = "trophy", "奖牌（奖杯）"
        PRIZE = "prize", "奖金"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="recoveries", verbose_name="获奖记录")
    item = models.CharField("收回事项", max_length=20, choices=Item.choices)
    amount = models.DecimalField("追回金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    recovered_on = models.DateField("收回日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="登记人")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "撤销后收回记录"
        ordering = ["award", "recovered_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["award", "item"], condition=~models.Q(item="prize"),
                                    name="one_return_per_item"),
            models.CheckConstraint(condition=models.Q(item="prize", amount__gt=0)
                                   | (~models.Q(item="prize") & models.Q(amount__isnull=True)),
                                   name="recovery_amount_only_for_prize"),
        ]

    def __str__(self):
        return f"{self.award} · {self.get_item_display()} · {self.recovered_on}"


class Sanction(models.Model):
    """A sanction the government approved against a holder during the award's validity (金水 第二十四条: 出现用户或
    消费者投诉、重大质量事故、监督抽查不合格等情况的单位，经区政府批准，分别给予警告、通报处理). The kinds a program
    may give are its profile's ``sanction_kinds``."""

    class Kind(models.TextChoices):
        WARNING = "warning", "警告"
        CIRCULAR = "circular", "通报"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="sanctions", verbose_name="获奖记录")
    kind = models.CharField("处理", max_length=20, choices=Kind.choices)
    reason = models.TextField("事由", max_length=2000)
    decided_on = models.DateField("处理日期")
    approval_reference = models.CharField("批准文号或会议", max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="登记人")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "获奖单位处理记录"
        ordering = ["award", "decided_on", "pk"]

    def __str__(self):
        return f"{self.award} · {self.get_kind_display()} · {self.decided_on}"


class SelfAssessmentReport(models.Model):
    """A winner's yearly self-assessment report (自评报告) during the award's validity."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="self_assessments",
                              verbose_name="获奖记录")
    period = models.PositiveSmallIntegerField("有效期第几年")
    text = models.TextField("自评报告正文", blank=True, max_length=20000)
    file = models.FileField("自评报告文件", upload_to="self_assessment/%Y/", blank=True)
    original_name = models.CharField("文件名", max_length=120, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    pages = models.PositiveIntegerField("页数", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="报送人")
    submitted_at = models.DateTimeField("报送时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度自评报告"
        ordering = ["award", "period"]
        constraints = [models.UniqueConstraint(fields=["award", "period"], name="one_report_per_award_year")]

    def __str__(self):
        return f"{self.award} 第{self.period}年自评报告"


class SelfAssessmentReminder(models.Model):
    """A reminder e-mail that was sent, so the daily job never sends the same one twice."""

    class Kind(models.TextChoices):
        UPCOMING = "upcoming", "即将到期"
        OVERDUE = "overdue", "已逾期"

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="reminders")
    period = models.PositiveSmallIntegerField("有效期第几年")
    kind = models.CharField("提醒类型", max_length=10, choices=Kind.choices)
    recipients = models.TextField("收件人", blank=True)
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "自评报告提醒"
        constraints = [models.UniqueConstraint(fields=["award", "period", "kind"], name="one_reminder_per_kind")]

    def __str__(self):
        return f"{self.award} 第{self.period}年 {self.get_kind_display()}"


class ProcedureDecision(models.Model):
    """A decision after the winners' publicity that the program's document requires before the award: the
    committee's formal candidate list (金水 第十六条) or the government's decision (息县 第二十二条 县政府常务会议审定,
    巩义 第十七条（八）市政府研究审议, 金水 第十六条 区政府常务会议批准). Recorded by the secretariat with the
    decision document; the workflow leaves a waiting state only when its decision is on record."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "评委会确定正式候选名单"
        GOVERNMENT = "government", "政府审定"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="procedure_decisions",
                                    verbose_name="申报")
    kind = models.CharField("决定类型", max_length=20, choices=Kind.choices)
    body = models.CharField("决定机关或会议", max_length=60)
    reference = models.CharField("会议名称或文号", max_length=60)
    decided_on = models.DateField("决定日期")
    approved = models.BooleanField("通过", default=True)
    note = models.TextField("说明", blank=True)
    document = models.FileField("决定文件", upload_to="decisions/%Y/")
    original_name = models.CharField("文件名", max_length=120)
    sha256 = models.CharField("SHA-256", max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="登记人")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "审定决定"
        ordering = ["application", "recorded_at"]
        constraints = [models.UniqueConstraint(fields=["application", "kind"], name="one_decision_per_kind")]

    def __str__(self):
        return f"{self.application} · {self.get_kind_display()}"
