"""The committee's anonymous vote (评委会无记名投票). Services: ``review.committee``; the awards it leads
to live in ``review.awards.models``.

Anonymity is a property of the tables: a ``Ballot`` row holds a candidate and a choice and nothing
else — no member, no time, a random primary key — and the ``VoterRoll`` that stops a member from
voting twice holds the member and nothing about the choices.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from applications.models import Application, AwardTier, Campaign


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


