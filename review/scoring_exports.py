"""Excel exports of the scoring (through ``applications.xlsx``: write-only, neutralised text cells).

Rows are generated from ``values_list(...).iterator()``, so memory stays flat with the row count."""
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from applications.xlsx import Sheet

from . import scoring as svc
from .models import Panel
from .scoring_models import ItemScore, PanelItemScore, ScoreCorrection, ScoreSheet

STAGES = dict(Panel.Stage.choices)
CHUNK = 2000


def _two(value):
    return None if value is None else float(Decimal(value).quantize(svc.TWO_PLACES))


def ranking_sheet(campaign):
    profile = campaign.program.profile

    def rows():
        for r in svc.ranking(campaign=campaign).iterator(chunk_size=CHUNK):
            yield [r.rank if r.total is not None else None, r.number, r.applicant_name, r.region.name,
                   r.get_state_display(), _two(r.material), _two(r.onsite), _two(r.total),
                   svc.is_finalist(profile=profile, total=r.total)]

    return Sheet("排名", ["名次", "申报编号", "申报单位（个人）", "所在地区", "状态",
                        f"材料评审得分（权重 {profile.material_weight}%）", f"现场评审得分（权重 {profile.onsite_weight}%）",
                        "综合得分", f"达到入围分数线（{profile.finalist_threshold or '未设'}）"],
                 rows(), number_format={5: "0.00", 6: "0.00", 7: "0.00"})


def score_matrix_sheets(campaign):
    """Application × item × expert × stage (each independent score, its correction, the panel's score),
    and the composite per application (the ranking)."""
    latest = ScoreCorrection.objects.filter(score=OuterRef("pk")).order_by("-corrected_at", "-pk").values("percent")[:1]
    panel_pct = PanelItemScore.objects.filter(panel=OuterRef("sheet__panel"), item=OuterRef("item"),
                                              is_current=True).values("percent")[:1]
    qs = (ItemScore.objects.filter(sheet__panel__application__campaign=campaign,
                                   sheet__status=ScoreSheet.Status.SUBMITTED)
          .annotate(corrected=Subquery(latest), panel_percent=Subquery(panel_pct))
          .order_by("sheet__panel__application__number", "sheet__panel__application_id", "sheet__panel__stage",
                    "item__category__order", "item__order", "sheet__expert__username")
          .values_list("sheet__panel__application__number", "sheet__panel__application__applicant_name",
                       "sheet__panel__stage", "item__code", "item__name", "item__points",
                       "sheet__expert__full_name", "sheet__expert__username", "percent", "corrected",
                       "panel_percent", "strengths", "opportunities"))

    def rows():
        for (number, name, stage, code, item_name, points, full_name, username, percent, corrected, panel_percent,
             strengths, opportunities) in qs.iterator(chunk_size=CHUNK):
            panel_score = None if panel_percent is None else Decimal(points) * Decimal(panel_percent) / svc.HUNDRED
            yield [number, name, STAGES.get(stage, stage), code, item_name, points, full_name or username, percent,
                   corrected, None if panel_percent is None else float(panel_percent), _two(panel_score),
                   strengths, opportunities]

    matrix = Sheet("专家评分明细", ["申报编号", "申报单位（个人）", "评审阶段", "条款号", "评分条款", "分值", "专家",
                              "专家得分率（%）", "组长更正后（%）", "评审组得分率（%）", "评审组条款得分", "优势", "改进机会"],
                   rows(), number_format={10: "0.00"})
    return [matrix, ranking_sheet(campaign)]
