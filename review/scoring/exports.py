"""Excel exports of the scoring (through ``applications.xlsx``: write-only, neutralised text cells).

Rows are generated from ``values_list(...).iterator()``, so memory stays flat with the row count."""
import operator
from decimal import Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import OuterRef, Subquery

from applications.documents.xlsx import Sheet
from applications.history import state_label
from applications.selectors import RECUSED_LABEL, recused_application_ids

from ..panels.models import Panel
from . import services as svc
from .models import ItemScore, PanelItemScore, ScoreCorrection, ScoreSheet

STAGES = dict(Panel.Stage.choices)
CHUNK = 2000


def _two(value):
    return None if value is None else float(Decimal(value).quantize(svc.TWO_PLACES))


def ranking_sheet(campaign, recused=frozenset()):
    """The campaign's ranking; an application in ``recused`` (ids the reader stepped aside from, 息县 第十条,
    巩义 第十八条) keeps its place but shows neither who it is nor its scores, as on the ranking page."""
    profile = campaign.program.profile

    def rows():
        for r in svc.ranking(campaign=campaign).iterator(chunk_size=CHUNK):
            if r.pk in recused:
                yield [r.rank if r.total is not None else None, None, RECUSED_LABEL, None, None, None, None, None, None]
                continue
            yield [r.rank if r.total is not None else None, r.number, r.applicant_name, r.region.name,
                   state_label(r.state, profile.outcome), _two(r.material), _two(r.onsite), _two(r.total),
                   svc.is_finalist(profile=profile, total=r.total)]

    return Sheet("排名", ["名次", "申报编号", "申报单位（个人）", "所在地区", "状态",
                        f"材料评审得分（权重 {profile.material_weight}%）", f"现场评审得分（权重 {profile.onsite_weight}%）",
                        "综合得分", f"达到入围分数线（{profile.finalist_threshold or '未设'}）"],
                 rows(), number_format={5: "0.00", 6: "0.00", 7: "0.00"})


#: Applications per round trip of the matrix export: what is held in memory at once.
MATRIX_CHUNK = 100


def score_matrix_sheets(campaign, recused=frozenset()):
    """The score matrix, one row per application × stage × expert with the 23 items as columns (the
    percentage each expert gave), then the panel's row (consensus or mean) with the stage score; the
    leader's corrections; and the ranking with the composite. Applications are read MATRIX_CHUNK at a time,
    so memory does not grow with the campaign. The applications in ``recused`` (the reader stepped aside
    from them, 息县 第十条) are left out, except for their place in the ranking sheet."""
    items = svc.scored_items(campaign.program.profile.scoring_scheme_id)
    column = {item.pk: i for i, item in enumerate(items)}
    points = [item.points for item in items]

    def expert_score(percents):
        """An expert's stage score: Σ points × percent / 100 over integer percentages, summed as integers and
        rounded once to two places (no fractions: 30,000 such rows in a campaign of 2,000)."""
        if None in percents:
            return None
        return _two(Decimal(sum(map(operator.mul, points, percents))) / 100)

    def panel_score(exact):
        """The panel's stage score from its exact item values, each a (numerator, denominator) pair of
        integers (a mean is percent_sum / experts), summed per denominator, so a row costs one fraction per
        denominator instead of one per item."""
        if None in exact:
            return None
        by_denominator = {}
        for pts, (numerator, denominator) in zip(points, exact):
            by_denominator[denominator] = by_denominator.get(denominator, 0) + pts * numerator
        return _two(svc.exact_to_decimal(sum(Fraction(n, d) for d, n in by_denominator.items()) / 100))

    # a sheet's scores come in item id order: when they are all there, one C-level pick puts them in column order
    in_id_order = sorted(column)
    pick = operator.itemgetter(*[in_id_order.index(item.pk) for item in items]) if len(items) > 1 else None

    def _percents(item_ids, percents):
        if pick is not None and item_ids == in_id_order:
            return list(pick(percents))
        row = [None] * len(items)
        for item_id, percent in zip(item_ids, percents):
            if item_id in column:
                row[column[item_id]] = percent
        return row

    def rows():
        apps = list(Panel.objects.filter(application__campaign=campaign).exclude(application_id__in=recused)
                    .order_by("application__number", "application_id")
                    .values_list("application_id", "application__number", "application__applicant_name")
                    .distinct())
        for start in range(0, len(apps), MATRIX_CHUNK):
            chunk = apps[start:start + MATRIX_CHUNK]
            ids = [a[0] for a in chunk]
            sheets = {sheet_id: (app_id, stage, name or username, _percents(item_ids, percents))
                      for sheet_id, app_id, stage, name, username, item_ids, percents in _submitted_sheets(ids)}
            panels, exact = {}, {}
            for panel_id, app_id, stage, item_id, percent, percent_sum, counted in (
                    PanelItemScore.objects.filter(panel__application_id__in=ids, is_current=True)
                    .values_list("panel_id", "panel__application_id", "panel__stage", "item_id", "percent",
                                 "percent_sum", "experts_counted")):
                row = panels.setdefault((app_id, stage), [None] * len(items))
                exact_row = exact.setdefault((app_id, stage), [None] * len(items))
                if item_id in column:
                    row[column[item_id]] = percent  # shown to four places
                    exact_row[column[item_id]] = (percent_sum, counted) if counted else percent.as_integer_ratio()
            by_app = {}
            for app_id, stage, expert, percents in sheets.values():
                by_app.setdefault(app_id, []).append((stage, expert, percents))
            for app_id, number, name in chunk:
                for stage in (Panel.Stage.MATERIAL, Panel.Stage.ONSITE):
                    for sheet_stage, expert, percents in by_app.get(app_id, []):
                        if sheet_stage == stage:
                            yield [number, name, STAGES[stage], expert, *percents, expert_score(percents)]
                    if (app_id, stage) in panels:
                        percents = panels[(app_id, stage)]
                        yield [number, name, STAGES[stage], "评审组（共识/平均）", *percents,
                               panel_score(exact[(app_id, stage)])]

    headers = ["申报编号", "申报单位（个人）", "评审阶段", "评分人",
               *[f"{item.code} {item.name}（{item.points}分）" for item in items], "阶段得分"]
    matrix = Sheet("评分矩阵", headers, rows(), widths=[14, 28, 10, 18, *[12] * len(items), 10],
                   number_format={4 + len(items): "0.00"}, text_columns=range(4))
    return [matrix, corrections_sheet(campaign, recused), ranking_sheet(campaign, recused)]


def _submitted_sheets(application_ids):
    """(sheet id, application id, stage, expert name, username, item ids, percents) of the submitted
    sheets of these applications, by stage and expert. PostgreSQL gathers each sheet's scores into two
    arrays (one row per sheet instead of 23), each array a correlated subquery over the sheet's 23 scores in
    item order (an index range each: no sort of every score row by the expert's name, which took half the
    time); elsewhere they are grouped here."""
    qs = (ScoreSheet.objects.filter(panel__application_id__in=application_ids, status=ScoreSheet.Status.SUBMITTED)
          .order_by("panel__stage", "expert__username"))
    fields = ("pk", "panel__application_id", "panel__stage", "expert__full_name", "expert__username")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        # both arrays read the same rows in the same order (item id, unique per sheet), so their elements line up
        scores = ItemScore.objects.filter(sheet=OuterRef("pk")).order_by("item_id")
        yield from qs.annotate(item_ids=ArraySubquery(scores.values("item_id")),
                               percents=ArraySubquery(scores.values("percent"))).values_list(*fields, "item_ids",
                                                                                            "percents")
        return
    sheets = list(qs.values_list(*fields))
    scores = {}
    for sheet_id, item_id, percent in ItemScore.objects.filter(sheet_id__in=[s[0] for s in sheets]).values_list(
            "sheet_id", "item_id", "percent"):
        ids, percents = scores.setdefault(sheet_id, ([], []))
        ids.append(item_id)
        percents.append(percent)
    for sheet in sheets:
        yield (*sheet, *scores.get(sheet[0], ([], [])))


def corrections_sheet(campaign, recused=frozenset()):
    """The leader's corrections of submitted expert scores (the expert's own record stays as submitted), but
    those of the applications in ``recused``."""
    qs = (ScoreCorrection.objects.filter(score__sheet__panel__application__campaign=campaign)
          .exclude(score__sheet__panel__application_id__in=recused)
          .order_by("score__sheet__panel__application__number", "corrected_at", "pk")
          .values_list("score__sheet__panel__application__number", "score__sheet__panel__application__applicant_name",
                       "score__sheet__panel__stage", "score__item__code", "score__sheet__expert__full_name",
                       "score__percent", "percent", "reason", "corrected_by__full_name", "corrected_at"))

    def rows():
        for number, name, stage, code, expert, before, after, reason, by, at in qs.iterator(chunk_size=CHUNK):
            yield [number, name, STAGES.get(stage, stage), code, expert, before, after, reason, by, at]

    return Sheet("组长更正", ["申报编号", "申报单位（个人）", "评审阶段", "条款号", "专家", "原得分率（%）",
                          "更正后（%）", "更正理由", "更正人", "更正时间"], rows())


def score_detail_sheets(campaign, application_id=None, recused=frozenset()):
    """Every independent item score with its 优势 and 改进机会, one row each (large: one row per expert and
    item), with its correction and the panel's score; for one application when ``application_id`` is given;
    never those of the applications in ``recused``."""
    latest = ScoreCorrection.objects.filter(score=OuterRef("pk")).order_by("-corrected_at", "-pk").values("percent")[:1]
    panel_pct = PanelItemScore.objects.filter(panel=OuterRef("sheet__panel"), item=OuterRef("item"),
                                              is_current=True).values("percent")[:1]
    qs = ItemScore.objects.filter(sheet__panel__application__campaign=campaign,
                                  sheet__status=ScoreSheet.Status.SUBMITTED).exclude(
        sheet__panel__application_id__in=recused)
    if application_id is not None:
        qs = qs.filter(sheet__panel__application_id=application_id)
    qs = (qs.annotate(corrected=Subquery(latest), panel_percent=Subquery(panel_pct))
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

    return [Sheet("专家评分明细", ["申报编号", "申报单位（个人）", "评审阶段", "条款号", "评分条款", "分值", "专家",
                              "专家得分率（%）", "组长更正后（%）", "评审组得分率（%）", "评审组条款得分", "优势", "改进机会"],
                  rows(), number_format={10: "0.00"})]


# --- large exports run in the background (applications.documents.background) -----------------------------------
def _detail_application(params):
    raw = str(params.get("application") or "")
    return int(raw) if raw.isdigit() else None


def _score_export_estimate(*, user, campaign, params):
    """Rows the workbook will hold: the detail's item scores, or the matrix's sheets and panel rows."""
    sheets = ScoreSheet.objects.filter(panel__application__campaign=campaign, status=ScoreSheet.Status.SUBMITTED)
    if params.get("detail"):
        application_id = _detail_application(params)
        if application_id is not None:
            sheets = sheets.filter(panel__application_id=application_id)
        return ItemScore.objects.filter(sheet__in=sheets).count()
    return sheets.count() + Panel.objects.filter(application__campaign=campaign).count() * 2


def _score_export_build(*, user, campaign, params):
    name = f"{campaign.program.short_name}-{campaign.name}.xlsx"
    recused = recused_application_ids(user=user, campaign=campaign)
    if params.get("detail"):
        return f"评语明细-{name}", score_detail_sheets(campaign, _detail_application(params), recused)
    return f"评分矩阵-{name}", score_matrix_sheets(campaign, recused)


def install():
    from applications.documents.background import register_export

    register_export("score_matrix", estimate=_score_export_estimate, build=_score_export_build)
