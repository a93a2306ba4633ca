"""Expert scoring against GB/T 19580 (材料评审、现场评审): each seated expert's independent score sheet,
the panel's score per item (the leader's consensus, or computed by the program's aggregation rule),
corrections as new records, the on-site visit record and the release of the applicant's review report.

Services: ``review.scoring``. Nothing here is ever overwritten once submitted or concluded: a submitted
sheet and its item scores are frozen (``save`` refuses, a database trigger refuses an UPDATE or DELETE);
the panel's score for an item is append-only (a change is a new row that supersedes the old one).
"""
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Mod
from django.db.models.lookups import Exact

from applications.models import Application, RuleProfile, ScoringItem

from ..panels.models import Panel


class SheetFrozen(ValidationError):
    """A submitted score sheet (or one of its item scores) cannot change."""


def _five_percent_steps(field):
    return Q(**{f"{field}__gte": 0, f"{field}__lte": 100}) & Exact(Mod(field, 5), 0)


class ScoreSheet(models.Model):
    """One seated expert's independent score sheet for one panel (one stage of one application)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="score_sheets", verbose_name="评审组")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="score_sheets",
                               verbose_name="专家")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField("版本", default=0)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("保存时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家评分表"
        constraints = [
            models.UniqueConstraint(fields=["panel", "expert"], name="one_sheet_per_expert_and_panel"),
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True) | Q(status="submitted",
                                                                           submitted_at__isnull=False),
                name="submitted_sheet_has_time"),
        ]

    def __str__(self):
        return f"{self.panel} · {self.expert} 评分表（{self.get_status_display()}）"

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk, status=self.Status.SUBMITTED).exists():
            raise SheetFrozen("评分表已提交，不能修改。如确有差错，请组长以更正记录的方式处理。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_submitted:
            raise SheetFrozen("已提交的评分表不能删除。")
        return super().delete(*args, **kwargs)


class ItemScore(models.Model):
    """An expert's score for one item: a percentage in 5 % steps, with 优势 and 改进机会."""

    # no index of its own: one_score_per_sheet_item (sheet, item) serves every lookup by sheet, and in item
    # order, so a sheet's scores come without a sort (the score matrix reads 30,000 sheets' scores that way)
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores", verbose_name="评分表",
                              db_index=False)
    item = models.ForeignKey(ScoringItem, on_delete=models.PROTECT, related_name="+", verbose_name="评分条款")
    percent = models.PositiveSmallIntegerField("得分率（%）", null=True, blank=True,
                                               validators=[MinValueValidator(0), MaxValueValidator(100)])
    strengths = models.TextField("优势", blank=True, max_length=3000)
    opportunities = models.TextField("改进机会", blank=True, max_length=3000)

    class Meta:
        verbose_name = verbose_name_plural = "专家条款评分"
        ordering = ["sheet", "item__category__order", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "item"], name="one_score_per_sheet_item"),
            models.CheckConstraint(condition=Q(percent__isnull=True) | _five_percent_steps("percent"),
                                   name="item_score_in_five_percent_steps"),
        ]

    def __str__(self):
        return f"{self.item.code} {self.percent}%"


class ScoreCorrection(models.Model):
    """The leader's correction of an expert's submitted item score (a clerical error found during the
    consensus). The expert's own record stays as submitted; the latest correction is what counts."""

    score = models.ForeignKey(ItemScore, on_delete=models.CASCADE, related_name="corrections",
                              verbose_name="被更正的专家评分")
    percent = models.PositiveSmallIntegerField("更正后得分率（%）")
    reason = models.TextField("更正理由", max_length=1000)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="更正人")
    corrected_at = models.DateTimeField("更正时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家评分更正记录"
        ordering = ["score", "corrected_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_five_percent_steps("percent"), name="correction_in_five_percent_steps"),
            models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason"),
        ]

    def __str__(self):
        return f"更正 {self.score.item.code} → {self.percent}%"


class PanelItemScore(models.Model):
    """The panel's score for one item. Append-only: recording again (or correcting after the stage was
    concluded) writes a new row that supersedes the current one; ``is_current`` marks the one that counts.

    ``percent`` is exact for a consensus (5 % steps). A computed mean is exactly ``percent_sum`` /
    ``experts_counted`` (the experts' percentages it averages, summed, and how many): stage scores are
    computed from these, never from ``percent``, which shows the mean to four decimal places (half up)
    when it does not terminate (e.g. a third)."""

    class Source(models.TextChoices):
        CONSENSUS = "consensus", "组长主持形成共识"
        MEAN = "mean", "算术平均（系统计算）"
        TRIMMED_MEAN = "trimmed_mean", "逐条去掉最高分和最低分后平均（系统计算）"
        TRIMMED_TOTAL = "trimmed_total", "去掉总分最高和最低的专家后平均（系统计算）"

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="item_scores", verbose_name="评审组")
    item = models.ForeignKey(ScoringItem, on_delete=models.PROTECT, related_name="+", verbose_name="评分条款")
    percent = models.DecimalField("评审组得分率（%）", max_digits=7, decimal_places=4)
    percent_sum = models.PositiveIntegerField("参与平均的专家得分率之和（%）", null=True, blank=True)
    experts_counted = models.PositiveSmallIntegerField("参与平均的专家数", null=True, blank=True)
    source = models.CharField("形成方式", max_length=20, choices=Source.choices)
    reason = models.TextField("理由", blank=True, max_length=2000)
    is_correction = models.BooleanField("阶段定稿后的更正", default=False)
    is_current = models.BooleanField("现行记录", default=True)
    supersedes = models.OneToOneField("self", on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="superseded_by", verbose_name="取代的记录")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="记录人")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审组条款得分"
        ordering = ["panel", "item__category__order", "item__order", "-recorded_at"]
        indexes = [
            models.Index(fields=["panel", "is_current"]),
            # the ranking sums points × percent of the current scores per panel: an index-only scan (PostgreSQL)
            models.Index(fields=["panel"], include=["item", "percent"], condition=Q(is_current=True),
                         name="current_panel_scores_cover"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["panel", "item"], condition=Q(is_current=True),
                                    name="one_current_panel_score_per_item"),
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100), name="panel_score_in_range"),
            models.CheckConstraint(condition=~Q(source="consensus") | ~Q(reason=""), name="consensus_has_reason"),
            models.CheckConstraint(condition=Q(percent_sum__isnull=True, experts_counted__isnull=True)
                                   | Q(percent_sum__isnull=False, experts_counted__gt=0),
                                   name="panel_score_mean_parts_together"),
        ]

    def __str__(self):
        return f"{self.panel} · {self.item.code} {self.percent}%"

    @property
    def exact_percent(self):
        """The panel's percentage as an exact fraction."""
        if self.experts_counted:
            return Fraction(self.percent_sum, self.experts_counted)
        return Fraction(self.percent)


class StageResult(models.Model):
    """A panel's stage concluded (定稿) by its leader: the panel's item scores are complete under the
    program's aggregation rule. The stage score itself is always derived from the current item scores."""

    panel = models.OneToOneField(Panel, on_delete=models.CASCADE, related_name="result", verbose_name="评审组")
    aggregation = models.CharField("汇总方式", max_length=20, choices=RuleProfile.Aggregation.choices)
    experts = models.PositiveSmallIntegerField("参与评分专家数")
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="定稿人")
    concluded_at = models.DateTimeField("定稿时间", auto_now_add=True)
    #: Σ points × percent over the panel's current item scores (the stage score × 100, from the percentages as
    #: stored), kept by ``services.refresh_stage_sums`` whenever they change, so the ranking adds two numbers per
    #: application instead of summing 46 item scores.
    points_sum = models.DecimalField("Σ 分值 × 评审组得分率", max_digits=14, decimal_places=4, null=True,
                                     editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "评审阶段结果"

    def __str__(self):
        return f"{self.panel} 定稿"


class OnsiteVisit(models.Model):
    """The on-site review's record: when, where the panel went and what it found."""

    panel = models.OneToOneField(Panel, on_delete=models.CASCADE, related_name="onsite_visit",
                                 verbose_name="评审组")
    visited_on = models.DateField("现场评审日期")
    visited_until = models.DateField("结束日期", null=True, blank=True)
    places = models.TextField("察看的现场（部门、车间、场所）", max_length=3000)
    issues = models.TextField("发现的问题", blank=True, max_length=5000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("记录时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "现场评审记录"
        constraints = [models.CheckConstraint(
            condition=Q(visited_until__isnull=True) | Q(visited_on__lte=models.F("visited_until")),
            name="onsite_dates_in_order")]

    def __str__(self):
        return f"{self.panel} 现场评审 {self.visited_on}"


class ReportRelease(models.Model):
    """The secretariat releases the review report to the applicant (expert identities never shown)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="report_release",
                                       verbose_name="申报")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField("发布时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审报告发布"

    def __str__(self):
        return f"{self.application} 评审报告"


ZERO = Decimal("0")


class Defense(models.Model):
    """陈述答辩 where the profile has it (``has_defense``, 息县): the review panel's 陈述答辩 between material and on-site
    review (第十八条 “评审主要包括材料评审、陈述答辩、现场评审”; the article has only material and on-site review scored,
    so the panel's record is its notes), and the committee plenary's 现场展示和陈述答辩 before its ballot (第二十一条).
    Scheduled (date, place), then held (date, notes)."""

    class Kind(models.TextChoices):
        PANEL = "panel", "评审组陈述答辩（第十八条）"
        PLENARY = "plenary", "评委会全体会议现场展示和陈述答辩（第二十一条）"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="defenses",
                                    verbose_name="申报")
    kind = models.CharField("环节", max_length=10, choices=Kind.choices)
    scheduled_on = models.DateField("安排日期")
    place = models.CharField("地点", max_length=100, blank=True)
    held_on = models.DateField("举行日期", null=True, blank=True)
    notes = models.TextField("记录（评审组或评委会意见）", blank=True, max_length=3000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("登记时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "陈述答辩记录"
        ordering = ["application", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="one_defense_per_kind"),
            models.CheckConstraint(condition=Q(held_on__isnull=True) | ~Q(notes=""), name="held_defense_has_notes"),
        ]

    def __str__(self):
        return f"{self.application} · {self.get_kind_display()}"

    @property
    def held(self):
        return self.held_on is not None
