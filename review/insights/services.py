"""Writes of the insights: the stored expert calibration (``ExpertItemCalibration``).

``refresh_calibration`` recomputes, in one grouped SQL statement over the stored item scores, the rows
of a campaign (or of some of its experts) and replaces them: idempotent, safe to run twice or
concurrently (the campaign's row is locked while its rows are replaced). ``panel_scores_changed`` is
what the scoring services call when a panel's scores change: it asks for the refresh of the panel's
experts in the panel's campaign after the commit (a Celery job, ``review.insights.tasks``).

What is compared, item by item (deviation = expert − panel, in percentage points):

* the expert's score is the one on the submitted sheet, or the leader's latest correction of it
  (a clerical error corrected during the consensus is not the expert's judgement);
* the panel's score is its current score for the item: the consensus the leader recorded (or the
  correction recorded after the stage was concluded, which supersedes it), else the mean or trimmed
  mean the program's aggregation rule computed at the conclusion. An item without a panel score yet
  is not compared.
"""
from django.db import transaction
from django.db.models import Case, Count, F, FloatField, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce

from applications import jobs
from applications.models import Campaign, ScoringBand

from ..scoring.models import ItemScore, ScoreCorrection, ScoreSheet
from .models import ExpertItemCalibration

JOB = "review.refresh_calibration"


def _band_case(expression, lows):
    """The band index of a percentage as SQL (a mean between two bands counts in the lower one)."""
    return Case(*[When(Q(**{f"{expression}__gte": low}), then=Value(i)) for i, low in reversed(list(enumerate(lows)))],
                default=Value(0), output_field=IntegerField())


def calibration_sums(*, campaign, expert_ids=None):
    """The grouped SQL: one row per expert × item of the campaign with the count, Σ difference, Σ
    difference², Σ difference × points and the scores more than one band away."""
    lows = list(ScoringBand.objects.filter(scheme_id=campaign.program.profile.scoring_scheme_id).order_by("low")
                .values_list("low", flat=True))
    corrected = (ScoreCorrection.objects.filter(score=OuterRef("pk")).order_by("-corrected_at", "-pk")
                 .values("percent")[:1])
    panel_pct = "sheet__panel__item_scores__percent"
    qs = ItemScore.objects.filter(
        sheet__status=ScoreSheet.Status.SUBMITTED, sheet__panel__application__campaign_id=campaign.pk,
        percent__isnull=False,
        # the panel's current score of the same item (one join, both conditions on it)
        sheet__panel__item_scores__item_id=F("item_id"), sheet__panel__item_scores__is_current=True)
    if expert_ids is not None:
        qs = qs.filter(sheet__expert_id__in=list(expert_ids))
    # floating point from the start: exact decimals are not needed for a mean deviation, and are slower
    qs = qs.annotate(expert_pct=Coalesce(Subquery(corrected), F("percent")))
    qs = qs.annotate(d=Cast("expert_pct", FloatField()) - Cast(panel_pct, FloatField()))
    outlier = Value(0, output_field=IntegerField())
    if lows:
        qs = qs.annotate(far=_band_case("expert_pct", lows) - _band_case(panel_pct, lows))
        outlier = Case(When(Q(far__gt=1) | Q(far__lt=-1), then=Value(1)), default=Value(0),
                       output_field=IntegerField())
    return (qs.values(expert=F("sheet__expert_id"), item_ref=F("item_id"))
            .annotate(n=Count("pk"), sum_d=Sum("d"), sum_d2=Sum(F("d") * F("d")),
                      sum_points=Sum(F("d") * F("item__points"), output_field=FloatField()),
                      outliers=Sum(outlier))
            .order_by())


def refresh_calibration(*, campaign_id, expert_ids=None):
    """Replace the stored calibration of the campaign (of ``expert_ids`` only, when given) by what the
    item scores say now. Returns the number of rows written; a campaign that no longer exists writes
    nothing."""
    with transaction.atomic():
        campaign = (Campaign.objects.select_for_update(of=("self",)).select_related("program__profile")
                    .filter(pk=campaign_id).first())
        if campaign is None:
            return 0
        experts = None if expert_ids is None else sorted({int(pk) for pk in expert_ids})
        rows = [ExpertItemCalibration(campaign_id=campaign.pk, expert_id=r["expert"], item_id=r["item_ref"], n=r["n"],
                                      sum_d=r["sum_d"] or 0.0, sum_d2=r["sum_d2"] or 0.0,
                                      sum_points=r["sum_points"] or 0.0, outliers=r["outliers"] or 0)
                for r in calibration_sums(campaign=campaign, expert_ids=experts)]
        stale = ExpertItemCalibration.objects.filter(campaign_id=campaign.pk)
        if experts is not None:
            stale = stale.filter(expert_id__in=experts)
        stale.delete()
        ExpertItemCalibration.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def refresh_all_calibration():
    """Every campaign with submitted sheets, from scratch (after a bulk import, or to catch up)."""
    campaigns = (ScoreSheet.objects.filter(status=ScoreSheet.Status.SUBMITTED)
                 .values_list("panel__application__campaign_id", flat=True).distinct().order_by())
    stored = ExpertItemCalibration.objects.values_list("campaign_id", flat=True).distinct().order_by()
    written = 0
    for campaign_id in sorted(set(campaigns) | set(stored)):
        written += refresh_calibration(campaign_id=campaign_id)
    return written


def panel_scores_changed(*, panel):
    """A panel's scores changed (a sheet submitted, an expert's score corrected, the panel's score
    recorded, the stage concluded): refresh its experts' calibration in its campaign after the commit."""
    experts = sorted(set(ScoreSheet.objects.filter(panel=panel).values_list("expert_id", flat=True)))
    if experts:
        jobs.after_commit(JOB, campaign_id=panel.application.campaign_id, expert_ids=experts)
