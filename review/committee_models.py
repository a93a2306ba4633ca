"""The committee's anonymous vote (评委会无记名投票), the awards it leads to, and what winners owe
afterwards (annual self-assessment reports). Services: ``review.committee`` and ``review.awards``.

Anonymity is a property of the tables: a ``Ballot`` row holds a candidate and a choice and nothing
else — no member, no time, a random primary key — and the ``VoterRoll`` that stops a member from
voting twice holds the member and nothing about the choices.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from applications.models import Application, AwardTier, Campaign, Program
from qualityaward.accounts.models import Organization


class VoteSession(models.Model):
    """One vote of the committee on a campaign's candidates (审议表决)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="vote_sessions",
                                 verbose_name="届次")
    title = models.CharField("名称", max_length=120)
    note = models.TextField("会议说明", blank=True, max_length=2000)
    threshold_numerator = models.PositiveSmallIntegerField("通过比例（分子）")
    threshold_denominator = models.PositiveSmallIntegerField("通过比例（分母）")
    closes_at = models.DateTimeField("定时结束", null=True, blank=True,
                                     help_text="到时自动结束表决；留空则由秘书处手动结束")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="发起人")
    opened_at = models.DateTimeField("开始时间", auto_now_add=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="结束人（空为定时结束）")
    decided_at = models.DateTimeField("确定结果时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="确定结果人")

    class Meta:
        verbose_name = verbose_name_plural = "评委会表决"
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign"], condition=Q(closed_at__isnull=True),
                                    name="one_open_vote_per_campaign"),
            models.CheckConstraint(condition=Q(threshold_denominator__gt=0)
                                   & Q(threshold_numerator__lte=models.F("threshold_denominator")),
                                   name="vote_threshold_in_range"),
            models.CheckConstraint(condition=Q(decided_at__isnull=True) | Q(closed_at__isnull=False),
                                   name="vote_decided_after_close"),
        ]

    def __str__(self):
        return self.title

    @property
    def threshold(self):
        from fractions import Fraction

        return Fraction(self.threshold_numerator, self.threshold_denominator)

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def is_decided(self):
        return self.decided_at is not None


class VoteCandidate(models.Model):
    """A candidate before the committee with the tier the secretariat proposes; the tally is written
    when the vote closes (never before), the outcome when the secretariat applies the result."""

    class Outcome(models.TextChoices):
        PENDING = "", "未确定"
        WITHIN_QUOTA = "within_quota", "通过，名额内"
        OVER_QUOTA = "over_quota", "通过，超出名额"
        FAILED = "failed", "未通过"

    session = models.ForeignKey(VoteSession, on_delete=models.CASCADE, related_name="candidates",
                                verbose_name="表决")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="vote_candidacies",
                                    verbose_name="候选申报")
    tier = models.ForeignKey(AwardTier, on_delete=models.PROTECT, null=True, blank=True, verbose_name="拟授等级")
    order = models.PositiveSmallIntegerField("序号", default=0)
    approve = models.PositiveIntegerField("同意", null=True, blank=True)
    reject = models.PositiveIntegerField("不同意", null=True, blank=True)
    abstain = models.PositiveIntegerField("弃权", null=True, blank=True)
    passed = models.BooleanField("表决通过", null=True, blank=True)
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField("结果说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "表决候选"
        ordering = ["session", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "application"], name="one_candidacy_per_vote")]

    def __str__(self):
        return f"{self.session} · {self.application.applicant_name}"

    @property
    def voters(self):
        if self.approve is None:
            return None
        return self.approve + self.reject + self.abstain


class Ballot(models.Model):
    """One anonymous choice on one candidate. Deliberately no member, no time, a random key."""

    class Choice(models.TextChoices):
        APPROVE = "approve", "同意"
        REJECT = "reject", "不同意"
        ABSTAIN = "abstain", "弃权"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(VoteCandidate, on_delete=models.CASCADE, related_name="ballots")
    choice = models.CharField("表决意见", max_length=10, choices=Choice.choices)

    class Meta:
        verbose_name = verbose_name_plural = "选票"

    def __str__(self):
        return self.get_choice_display()


class VoterRoll(models.Model):
    """Who has voted in a session (so nobody votes twice); says nothing about how."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(VoteSession, on_delete=models.CASCADE, related_name="roll")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="委员")

    class Meta:
        verbose_name = verbose_name_plural = "已投票委员"
        constraints = [models.UniqueConstraint(fields=["session", "voter"], name="one_vote_per_member")]

    def __str__(self):
        return f"{self.voter} 已投票"


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
