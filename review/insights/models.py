"""The stored expert calibration: per campaign, expert and item, the sums from which the calibration page
derives each expert's severity, spread, z-score and outliers.

A summary of the item scores, never edited by hand: ``review.insights.services.refresh_calibration``
rewrites the rows of a campaign (or of some of its experts) from the stored item scores in one grouped
SQL statement, whenever a panel's scores change (a sheet submitted, a leader's correction, a consensus,
a stage concluded); the page then reads a few thousand rows instead of every expert item score."""
from django.conf import settings
from django.db import models

from applications.models import Campaign, ScoringItem


class ExpertItemCalibration(models.Model):
    """One expert's item scores of one item in one campaign against the panels' scores: how many, Σ
    difference, Σ difference², Σ difference × item points and how many lay more than one band away."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+", verbose_name="届次")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                               verbose_name="专家")
    item = models.ForeignKey(ScoringItem, on_delete=models.CASCADE, related_name="+", verbose_name="评分条款")
    n = models.PositiveIntegerField("条款评分数")
    sum_d = models.FloatField("偏差合计（百分点）")
    sum_d2 = models.FloatField("偏差平方合计")
    sum_points = models.FloatField("偏差×分值合计")
    outliers = models.PositiveIntegerField("相差超过一个分档的评分数")
    refreshed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家评分尺度汇总"
        constraints = [models.UniqueConstraint(fields=["campaign", "expert", "item"],
                                               name="one_calibration_row_per_campaign_expert_item")]

    def __str__(self):
        return f"{self.campaign} · {self.expert_id} · {self.item_id}"
