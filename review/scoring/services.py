"""Expert scoring against GB/T 19580: services (writes) and selectors (reads).

* Each seated expert (组长/组员 of a stage's panel) scores the scheme's scored items independently, in
  5 % steps, with 优势 and 改进机会 per item. Drafts are saved with an optimistic version (a save based on
  an older version is a conflict, never an overwrite); submitting freezes the sheet.
* An expert sees the other experts' scores only after submitting their own sheet.
* The leader (组长) sees the spread per item (items whose experts are more than one band apart are
  flagged; bands come from the scheme's ``ScoringBand`` rows), records the panel's score per item with a
  reason under the consensus rule, may correct an expert's submitted score by a new record with a
  reason, and concludes the stage. Under the mean or trimmed-mean rule concluding computes the panel's
  item scores from the experts' (corrected) scores.
* Stage score = Σ item points × panel percentage / 100 (exact Decimal). Total = material score × the
  profile's material weight % + on-site score × on-site weight %; finalists are at or above the
  profile's ``finalist_threshold`` on the exact value.

Every write: keyword-only arguments, the actor's right checked here (``PermissionDenied``), bad input
raises ``ValidationError`` with a Chinese message and writes nothing, audited with ``record_event``.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, getcontext
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value, Window,
)
from django.db.models.functions import Coalesce, Rank
from django.http import Http404
from django.utils import timezone

from applications import dashboard_cache, jobs
from applications import rules as access
from applications.forms import richtext
from applications.forms.spec import CONTROL_CHARS
from applications.history import state_label
from applications.models import Application, GeneratedDocument, RuleProfile, ScoringBand, ScoringItem, State
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role
from qualityaward.accounts.services import record_event

from ..insights.services import panel_scores_changed
from ..panels.models import Panel, PanelMember, Recusal
from ..panels.rules import SEATED
from .models import (
    ItemScore, OnsiteVisit, PanelItemScore, ReportRelease, ScoreCorrection, ScoreSheet, SheetFrozen, StageResult,
)

STEP = 5
TEXT_MAX = 3000
REASON_MAX = 1000
HUNDRED = Decimal(100)
FOUR_PLACES = Decimal("0.0001")
TWO_PLACES = Decimal("0.01")
STAGE_STATE = {Panel.Stage.MATERIAL: State.MATERIAL_REVIEW, Panel.Stage.ONSITE: State.ONSITE_REVIEW}
STAGE_FLAG = {Panel.Stage.MATERIAL: "has_material_review", Panel.Stage.ONSITE: "has_onsite_review"}
STAGE_WEIGHT = {Panel.Stage.MATERIAL: "material_weight", Panel.Stage.ONSITE: "onsite_weight"}
#: States in which an application is ranked on the secretariat's ranking page.
RANKED_STATES = [State.MATERIAL_REVIEW, State.ONSITE_REVIEW, State.FINALIST, State.NOT_FINALIST, State.COMMITTEE,
                 State.PROPOSED, State.CANDIDATE_CONFIRMATION, State.GOVERNMENT_DECISION, State.AWARDED,
                 State.NOT_AWARDED]


class SheetConflict(Exception):
    """The sheet was saved elsewhere (another tab) since the page was loaded."""

    def __init__(self, current):
        super().__init__("conflict")
        self.current = current


# --- who may do what --------------------------------------------------------------------------------
@dataclass
class Access:
    """What one user may do on one panel (the application is already visible to them)."""

    panel: Panel
    seat: PanelMember | None = None
    staff: bool = False  # the program's secretariat or a supervisor: reads everything
    secretariat: bool = False

    @property
    def is_leader(self):
        return self.seat is not None and self.seat.role == PanelMember.Role.LEADER

    @property
    def is_expert(self):
        return self.seat is not None


def panel_or_404(*, application, stage):
    if stage not in Panel.Stage.values:
        raise Http404("没有这个评审阶段。")
    panel = Panel.objects.filter(application=application, stage=stage).first()
    if panel is None:
        raise Http404("该申报尚未组建此阶段的评审组。")
    panel.application = application
    return panel


def access_for(*, user, panel):
    """The user's relationship to the panel: a seat (not recused), or the staff who read everything.

    Callers have already checked that the user sees the application (``application_for_user_or_404``);
    a recused expert never gets that far."""
    app = panel.application
    seat = None
    if user.is_authenticated:
        seat = (PanelMember.objects.filter(panel=panel, expert=user, role__in=SEATED)
                .exclude(panel__application__recusals__user=user).first())
    secretariat = has_role(user, Role.SECRETARIAT, program_id=app.campaign.program_id)
    staff = secretariat or has_role(user, Role.SUPERVISOR, program_id=app.campaign.program_id)
    return Access(panel=panel, seat=seat, staff=staff, secretariat=secretariat)


def seated_members(panel):
    recused = Recusal.objects.filter(application_id=panel.application_id).values("user_id")
    return list(PanelMember.objects.filter(panel=panel, role__in=SEATED).exclude(expert_id__in=recused)
                .select_related("expert").order_by("-role", "pk"))


def _require_leader(acc):
    if not acc.is_leader:
        raise PermissionDenied("此操作由评审组组长办理。")


def _require_stage_open(panel):
    app = panel.application
    if app.state != STAGE_STATE[panel.stage]:
        raise PermissionDenied(f"该申报当前状态为“{app.get_state_display()}”，不在{panel.get_stage_display()}阶段，"
                               "评分记录不能再修改。")


# --- the scheme: items and bands ------------------------------------------------------------------------
def scored_items(scheme_id):
    return list(ScoringItem.objects.filter(category__scheme_id=scheme_id, points__gt=0)
                .select_related("category").order_by("category__order", "order"))


def bands_of(scheme_id):
    return list(ScoringBand.objects.filter(scheme_id=scheme_id).order_by("low"))


def band_index(bands, percent):
    """Index of the band a percentage falls in (a mean between two bands counts in the lower one)."""
    index = 0
    for i, band in enumerate(bands):
        if percent >= band.low:
            index = i
    return index


def differs_by_more_than_one_band(bands, percents):
    """True when the experts' scores for an item lie in bands that are not the same or adjacent."""
    values = [p for p in percents if p is not None]
    if len(values) < 2 or not bands:
        return False
    return band_index(bands, max(values)) - band_index(bands, min(values)) > 1


def parse_percent(raw, *, label="得分率"):
    """A percentage typed by a person: '' -> None; otherwise an integer 0–100 in 5 % steps."""
    text = CONTROL_CHARS.sub("", "" if raw is None else str(raw)).strip().rstrip("%％").strip()
    if text == "":
        return None
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise ValidationError(f"{label}须填写 0 到 100 之间的数字（5 的整数倍），如 45。")
    if not value.is_finite() or value != value.to_integral_value() or not 0 <= value <= 100 or value % STEP:
        raise ValidationError(f"{label}须为 0 到 100 之间 5 的整数倍（如 40、45、50），您填写的是“{text}”。")
    return int(value)


def _clean_text(raw, label, limit=TEXT_MAX):
    text = CONTROL_CHARS.sub("", "" if raw is None else str(raw)).replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise ValidationError(f"{label}不能超过 {limit} 字，当前 {len(text)} 字，请精简。")
    return text


# --- the expert's sheet ------------------------------------------------------------------------------------
def sheet_for(*, panel, expert, create=True):
    """The expert's sheet on the panel with one row per scored item (created on first open)."""
    sheet = ScoreSheet.objects.filter(panel=panel, expert=expert).first()
    if sheet is None and create:
        with transaction.atomic():
            sheet, created = ScoreSheet.objects.get_or_create(panel=panel, expert=expert)
            if created:
                scheme_id = panel.application.campaign.program.profile.scoring_scheme_id
                ItemScore.objects.bulk_create([ItemScore(sheet=sheet, item=item) for item in scored_items(scheme_id)])
    return sheet


def save_sheet(*, sheet, data, base_version, actor):
    """Save a draft: ``data`` maps item id -> {percent, strengths, opportunities} (only the items sent
    change). Returns ``(sheet, errors)``; with errors (item id -> message) nothing is written.

    Raises ``SheetConflict`` when the sheet was saved since ``base_version``, ``SheetFrozen`` when it is
    submitted, ``PermissionDenied`` when the actor is not its expert or the stage is over."""
    if sheet.expert_id != getattr(actor.user, "pk", None):
        raise PermissionDenied("只能填写自己的评分表。")
    _require_stage_open(sheet.panel)
    errors, changes = {}, {}
    for key, values in (data or {}).items():
        try:
            item_id = int(key)
        except (TypeError, ValueError):
            continue
        values = values or {}
        try:
            changes[item_id] = {
                "percent": parse_percent(values.get("percent")),
                "strengths": _clean_text(values.get("strengths"), "优势"),
                "opportunities": _clean_text(values.get("opportunities"), "改进机会"),
            }
        except ValidationError as exc:
            errors[item_id] = exc.messages[0]
    with transaction.atomic():
        locked = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
        if locked.is_submitted:
            raise SheetFrozen("评分表已提交，不能修改。")
        if locked.version != base_version:
            raise SheetConflict(locked)
        scores = {s.item_id: s for s in ItemScore.objects.filter(sheet=locked, item_id__in=list(changes))}
        unknown = [i for i in changes if i not in scores]
        for item_id in unknown:
            errors[item_id] = "没有这个评分条款，请刷新页面。"
        if errors:
            return locked, errors
        changed = []
        for item_id, values in changes.items():
            score = scores[item_id]
            if (score.percent, score.strengths, score.opportunities) != (
                    values["percent"], values["strengths"], values["opportunities"]):
                score.percent, score.strengths, score.opportunities = (
                    values["percent"], values["strengths"], values["opportunities"])
                changed.append(score)
        if changed:
            ItemScore.objects.bulk_update(changed, ["percent", "strengths", "opportunities"])
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        record_event(actor=actor, action="scoring:save", target=sheet.panel.application,
                     data={"stage": sheet.panel.stage, "sheet": locked.pk, "version": locked.version,
                           "items": [s.item_id for s in changed]})
    return locked, {}


def missing_on_sheet(sheet):
    """What stops submission: items without a percentage, or without any comment."""
    problems = []
    for score in ItemScore.objects.filter(sheet=sheet).select_related("item").order_by(
            "item__category__order", "item__order"):
        if score.percent is None:
            problems.append(f"{score.item.code} {score.item.name}：未评分")
        elif not (score.strengths or score.opportunities):
            problems.append(f"{score.item.code} {score.item.name}：请至少填写优势或改进机会之一")
    return problems


def submit_sheet(*, sheet, base_version, actor):
    if sheet.expert_id != getattr(actor.user, "pk", None):
        raise PermissionDenied("只能提交自己的评分表。")
    _require_stage_open(sheet.panel)
    with transaction.atomic():
        locked = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
        if locked.is_submitted:
            raise SheetFrozen("评分表已经提交过了。")
        if locked.version != base_version:
            raise SheetConflict(locked)
        problems = missing_on_sheet(locked)
        if problems:
            raise ValidationError("评分表尚未完成，不能提交：" + "；".join(problems[:10])
                                  + (f" 等 {len(problems)} 项" if len(problems) > 10 else ""))
        locked.status = ScoreSheet.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        ScoreSheet.objects.filter(pk=locked.pk).update(status=locked.status, submitted_at=locked.submitted_at,
                                                       version=F("version") + 1)
        dashboard_cache.changed_in_bulk()
        record_event(actor=actor, action="scoring:submit", target=sheet.panel.application,
                     data={"stage": sheet.panel.stage, "sheet": locked.pk})
        panel_scores_changed(panel=sheet.panel)
    locked.refresh_from_db()
    return locked


def correct_expert_score(*, acc, score, percent, reason, actor):
    """The leader corrects an expert's submitted item score: a new record beside the original."""
    _require_leader(acc)
    panel = acc.panel
    _require_stage_open(panel)
    if score.sheet.panel_id != panel.pk:
        raise Http404
    if not score.sheet.is_submitted:
        raise ValidationError("只能更正已提交评分表中的评分；草稿由专家本人修改。")
    if StageResult.objects.filter(panel=panel).exists():
        raise ValidationError("本阶段已定稿。如需调整，请更正评审组的条款得分。")
    value = parse_percent(percent, label="更正后的得分率")
    if value is None:
        raise ValidationError("请填写更正后的得分率。")
    reason = _clean_text(reason, "更正理由", REASON_MAX)
    if not reason:
        raise ValidationError("更正专家评分须填写理由。")
    with transaction.atomic():
        correction = ScoreCorrection.objects.create(score=score, percent=value, reason=reason,
                                                    corrected_by=actor.user)
        record_event(actor=actor, action="scoring:correct_expert", target=panel.application, reason=reason,
                     data={"stage": panel.stage, "item": score.item.code, "sheet": score.sheet_id,
                           "from": effective_percent(score), "to": value})
        panel_scores_changed(panel=panel)
    return correction


def effective_percent(score):
    latest = score.corrections.order_by("-corrected_at", "-pk").first()
    return latest.percent if latest else score.percent


# --- the panel: consensus, aggregation, conclusion -----------------------------------------------------------
def trims(*, rule, experts, min_experts):
    """Whether ``rule`` drops the highest and lowest with ``experts`` scoring (never below 3 experts)."""
    return (rule in (RuleProfile.Aggregation.TRIMMED_MEAN, RuleProfile.Aggregation.TRIMMED_TOTAL)
            and experts >= max(min_experts, 3))


def aggregate(percents, *, rule, min_experts):
    """(sum, count): the experts' percentages for one item that the panel's mean averages under ``rule``
    (mean, or per-item trimmed mean: the highest and the lowest dropped). The mean is exactly sum / count."""
    values = sorted(int(p) for p in percents)
    if not values:
        raise ValidationError("没有可汇总的专家评分。")
    if rule == RuleProfile.Aggregation.TRIMMED_MEAN and trims(rule=rule, experts=len(values), min_experts=min_experts):
        values = values[1:-1]
    return sum(values), len(values)


def experts_kept_by_total(matrix, items, expert_ids, *, min_experts):
    """The experts whose sheets count under the trimmed-total rule (most Chinese panels' 去掉一个最高分、一个
    最低分): each expert's total Σ points × percent / 100, the one highest and the one lowest dropped, from
    ``min_experts`` (and at least 3) experts on. Equal totals: whichever is dropped, the stage score is the
    same; the expert listed first (by id) is the one dropped, so item percentages are reproducible."""
    totals = {e: sum(item.points * int(matrix.get(item.pk, {}).get(e) or 0) for item in items) for e in expert_ids}
    ranked = sorted(expert_ids, key=lambda e: (totals[e], e))
    if not trims(rule=RuleProfile.Aggregation.TRIMMED_TOTAL, experts=len(ranked), min_experts=min_experts):
        return ranked, totals, None, None
    lowest = ranked[0]
    highest = max(ranked[1:], key=lambda e: (totals[e], -e))
    return [e for e in ranked if e not in (lowest, highest)], totals, highest, lowest


def exact_to_decimal(value):
    """An exact fraction as a Decimal: one division at the end, exact when the value terminates (every
    value with a finite decimal expansion within 28 digits), else correct to 28 significant digits — far
    beyond the two places shown, so no comparison with a threshold of two decimals can be turned."""
    value = Fraction(value)
    return Decimal(value.numerator) / Decimal(value.denominator)


def _all_submitted(panel):
    members = seated_members(panel)
    submitted = set(ScoreSheet.objects.filter(panel=panel, status=ScoreSheet.Status.SUBMITTED)
                    .values_list("expert_id", flat=True))
    waiting = [m.expert for m in members if m.expert_id not in submitted]
    return members, submitted, waiting


def record_panel_score(*, acc, item, percent, reason, actor):
    """The leader records the panel's score for an item (consensus before the stage is concluded; a
    correction, under any rule, after it). A new row every time; the previous one stays as history."""
    _require_leader(acc)
    panel = acc.panel
    _require_stage_open(panel)
    profile = panel.application.campaign.program.profile
    concluded = StageResult.objects.filter(panel=panel).exists()
    if not concluded and profile.aggregation != RuleProfile.Aggregation.CONSENSUS:
        raise ValidationError(f"本奖项的专家分汇总方式为“{profile.get_aggregation_display()}”，定稿时由系统计算评审组得分；"
                              "定稿后如需调整，可在此更正。")
    _members, _submitted, waiting = _all_submitted(panel)
    if waiting:
        raise ValidationError("须待全体专家提交独立评分后再形成评审组得分。尚未提交："
                              + "、".join(str(u) for u in waiting) + "。")
    if item.category.scheme_id != profile.scoring_scheme_id or item.points == 0:
        raise ValidationError("没有这个评分条款，请刷新页面。")
    value = parse_percent(percent, label=f"{item.code} 评审组得分率")
    if value is None:
        raise ValidationError(f"请填写 {item.code} 的评审组得分率。")
    reason = _clean_text(reason, "理由", REASON_MAX)
    if not reason:
        raise ValidationError(f"请填写 {item.code} 评审组得分的理由（如：经合议，采纳多数专家意见）。")
    with transaction.atomic():
        Panel.objects.select_for_update().filter(pk=panel.pk).first()
        current = PanelItemScore.objects.filter(panel=panel, item=item, is_current=True).first()
        if current is not None:
            PanelItemScore.objects.filter(pk=current.pk).update(is_current=False)
            dashboard_cache.changed_in_bulk()
        row = PanelItemScore.objects.create(
            panel=panel, item=item, percent=Decimal(value), reason=reason, recorded_by=actor.user,
            source=PanelItemScore.Source.CONSENSUS, is_correction=concluded, supersedes=current)
        record_event(actor=actor, action="scoring:correct_panel" if concluded else "scoring:consensus",
                     target=panel.application, reason=reason,
                     data={"stage": panel.stage, "item": item.code, "percent": value,
                           "previous": str(current.percent) if current else ""})
        refresh_stage_sums(panels=[panel])
        panel_scores_changed(panel=panel)
    return row


AGREED_REASON = "意见一致"


def agreed_items(rows):
    """Items the panel agrees on and that have no panel score yet: every expert scored it, and no two scores
    are more than one band apart (the page's own disagreement flag is off)."""
    return [r for r in rows if r.panel_score is None and r.suggest is not None and not r.spread and r.peers
            and all(p["percent"] is not None for p in r.peers)]


def record_agreed_consensus(*, acc, actor, reason=AGREED_REASON):
    """The leader records the panel's score for every item the experts agree on, in one step: each at the
    median (to the nearest step) with the reason “意见一致”, each its own row and audit event, as if recorded
    one by one. Items where the experts differ are left for the leader to record with a reason."""
    rows, _sheet, _sees = panel_rows(acc=acc)
    done = []
    with transaction.atomic():
        for row in agreed_items(rows):
            record_panel_score(acc=acc, item=row.item, percent=str(row.suggest), reason=reason, actor=actor)
            done.append(row.item)
    return done


def conclude(*, acc, actor):
    """The leader concludes the stage: every seated expert has submitted; under consensus every item has
    the panel's score; under mean / trimmed mean the panel's item scores are computed now."""
    _require_leader(acc)
    panel = acc.panel
    _require_stage_open(panel)
    profile = panel.application.campaign.program.profile
    with transaction.atomic():
        Panel.objects.select_for_update().filter(pk=panel.pk).first()
        if StageResult.objects.filter(panel=panel).exists():
            raise ValidationError("本阶段已经定稿。")
        members, submitted, waiting = _all_submitted(panel)
        if not members:
            raise ValidationError("评审组没有在任的组长或组员。")
        if waiting:
            raise ValidationError("尚有专家未提交评分表，不能定稿：" + "、".join(str(u) for u in waiting) + "。")
        items = scored_items(profile.scoring_scheme_id)
        if panel.stage == Panel.Stage.ONSITE and not OnsiteVisit.objects.filter(panel=panel).exists():
            raise ValidationError("请先填写现场评审记录（日期、察看的现场、发现的问题）再定稿。")
        rule = profile.aggregation
        if rule == RuleProfile.Aggregation.CONSENSUS:
            have = set(PanelItemScore.objects.filter(panel=panel, is_current=True).values_list("item_id", flat=True))
            missing = [f"{i.code} {i.name}" for i in items if i.pk not in have]
            if missing:
                raise ValidationError("以下条款尚未形成评审组得分：" + "、".join(missing) + "。")
        else:
            expert_ids = sorted(m.expert_id for m in members)
            matrix = expert_matrix(panel, expert_ids)
            source = PanelItemScore.Source(rule)
            rows = []
            dropped = {}
            if rule == RuleProfile.Aggregation.TRIMMED_TOTAL:
                kept, totals, highest, lowest = experts_kept_by_total(
                    matrix, items, expert_ids, min_experts=profile.trimmed_mean_min_experts)
                if highest is not None:
                    dropped = {"highest": highest, "lowest": lowest,
                               "totals": {str(e): str(Decimal(t) / HUNDRED) for e, t in totals.items()}}
                    reason = (f"{len(expert_ids)} 位专家按总分去掉最高和最低各一位后，{len(kept)} 位专家评分平均"
                              f"（最高总分 {exact_text(Decimal(totals[highest]) / HUNDRED)}，"
                              f"最低总分 {exact_text(Decimal(totals[lowest]) / HUNDRED)}）")
                else:
                    reason = f"{len(kept)} 位专家评分算术平均（不足 {max(profile.trimmed_mean_min_experts, 3)} 位，不去极值）"
            for item in items:
                if rule == RuleProfile.Aggregation.TRIMMED_TOTAL:
                    by_expert = matrix.get(item.pk, {})
                    percents = [by_expert[e] for e in kept if by_expert.get(e) is not None]
                    total, count = aggregate(percents, rule=RuleProfile.Aggregation.MEAN, min_experts=0)
                else:
                    percents = [p for p in matrix.get(item.pk, {}).values() if p is not None]
                    total, count = aggregate(percents, rule=rule, min_experts=profile.trimmed_mean_min_experts)
                    trimmed = trims(rule=rule, experts=len(percents), min_experts=profile.trimmed_mean_min_experts)
                    reason = (f"{len(percents)} 位专家评分去掉最高分和最低分后平均" if trimmed
                              else f"{len(percents)} 位专家评分算术平均")
                rows.append(PanelItemScore(
                    panel=panel, item=item, percent=exact_to_decimal(Fraction(total, count)).quantize(
                        FOUR_PLACES, rounding=ROUND_HALF_UP),
                    percent_sum=total, experts_counted=count, source=source, recorded_by=actor.user,
                    reason=reason))
            PanelItemScore.objects.filter(panel=panel, is_current=True).update(is_current=False)
            dashboard_cache.changed_in_bulk()
            PanelItemScore.objects.bulk_create(rows)
        result = StageResult.objects.create(panel=panel, aggregation=rule, experts=len(submitted),
                                            concluded_by=actor.user)
        refresh_stage_sums(panels=[panel])
        score = stage_score(panel)
        record_event(actor=actor, action="scoring:conclude", target=panel.application,
                     data={"stage": panel.stage, "rule": rule, "score": str(score), "experts": len(submitted),
                           **({"dropped": dropped} if rule != RuleProfile.Aggregation.CONSENSUS and dropped else {})})
        panel_scores_changed(panel=panel)
    return result


def record_onsite_visit(*, acc, visited_on, visited_until, places, issues, actor):
    _require_leader(acc)
    panel = acc.panel
    if panel.stage != Panel.Stage.ONSITE:
        raise ValidationError("只有现场评审阶段需要填写现场评审记录。")
    _require_stage_open(panel)
    if StageResult.objects.filter(panel=panel).exists():
        raise ValidationError("本阶段已定稿，现场评审记录不能再修改。")
    places = _clean_text(places, "察看的现场")
    issues = _clean_text(issues, "发现的问题", 5000)
    if visited_on is None:
        raise ValidationError("请填写现场评审日期。")
    if not places:
        raise ValidationError("请填写察看的现场（部门、车间、场所）。")
    if visited_until is not None and visited_until < visited_on:
        raise ValidationError("结束日期不能早于现场评审日期。")
    with transaction.atomic():
        visit, _ = OnsiteVisit.objects.update_or_create(panel=panel, defaults={
            "visited_on": visited_on, "visited_until": visited_until, "places": places, "issues": issues,
            "recorded_by": actor.user})
        record_event(actor=actor, action="scoring:onsite_visit", target=panel.application,
                     data={"visited_on": str(visited_on), "visited_until": str(visited_until or "")})
    return visit


# --- reads ------------------------------------------------------------------------------------------------------
def expert_matrix(panel, expert_ids=None):
    """{item id: {expert id: effective percentage}} of the panel's submitted sheets (corrections applied)."""
    latest = ScoreCorrection.objects.filter(score=OuterRef("pk")).order_by("-corrected_at", "-pk").values("percent")[:1]
    qs = ItemScore.objects.filter(sheet__panel=panel, sheet__status=ScoreSheet.Status.SUBMITTED)
    if expert_ids is not None:
        qs = qs.filter(sheet__expert_id__in=expert_ids)
    out = {}
    for item_id, expert_id, percent in qs.annotate(eff=Coalesce(Subquery(latest), F("percent"))).values_list(
            "item_id", "sheet__expert_id", "eff"):
        out.setdefault(item_id, {})[expert_id] = percent
    return out


def stage_fraction(panel):
    """Σ points × panel percentage / 100 over the current item scores, as an exact fraction (computed means
    from their exact sums, never from the rounded percentage shown); None before conclusion."""
    if not StageResult.objects.filter(panel=panel).exists():
        return None
    total = Fraction(0)
    for row in PanelItemScore.objects.filter(panel=panel, is_current=True).select_related("item"):
        total += row.item.points * row.exact_percent / 100
    return total


def stage_score(panel):
    """The stage score (exact; see ``exact_to_decimal``); None before conclusion."""
    value = stage_fraction(panel)
    return None if value is None else exact_to_decimal(value)


def _composite_fraction(profile, material, onsite):
    total = Fraction(0)
    for score, stage in ((material, Panel.Stage.MATERIAL), (onsite, Panel.Stage.ONSITE)):
        weight = getattr(profile, STAGE_WEIGHT[stage])
        if getattr(profile, STAGE_FLAG[stage]) and weight:
            if score is None:
                return None
            total += Fraction(score) * Fraction(weight) / 100
    return total


def composite(*, profile, material, onsite):
    """Total on the 1000 scale from the stage scores (exact fractions or Decimals) and the profile's
    weights, computed exactly and divided once. None when a stage the program weighs is not concluded yet."""
    value = _composite_fraction(profile, material, onsite)
    return None if value is None else exact_to_decimal(value)


def exact_text(value, *, places=2):
    """A score for people, to two places. A value that terminates is shown in full where two places would
    hide a difference (599.995 stays 599.995, not 600.00); a value that does not terminate (a mean of
    three experts) is shown rounded half up after “约” (``places`` decimals; four where it is compared
    with a threshold)."""
    value = Decimal(value)
    two = value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    if two == value:
        return f"{two:.2f}"
    if len(value.as_tuple().digits) < getcontext().prec:  # terminated within the context's precision
        return format(value.normalize(), "f")
    return f"约 {value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}"


def is_finalist(*, profile, total):
    return total is not None and profile.finalist_threshold is not None and total >= profile.finalist_threshold


def application_scores(application):
    """{stage: score or None}, and the total, of one application (what guards and reports read); the total
    is computed from the exact stage fractions."""
    panels = {p.stage: p for p in Panel.objects.filter(application=application)}
    exact = {stage: stage_fraction(panels[stage]) if stage in panels else None for stage in Panel.Stage.values}
    profile = application.campaign.program.profile
    scores = {stage: None if value is None else exact_to_decimal(value) for stage, value in exact.items()}
    return scores, composite(profile=profile, material=exact["material"], onsite=exact["onsite"])


@dataclass
class ItemRow:
    item: ScoringItem
    descriptor: str = ""
    own: ItemScore | None = None
    peers: list = field(default_factory=list)  # [(label, percent, corrected)]
    spread: bool = False
    low: int | None = None
    high: int | None = None
    panel_score: PanelItemScore | None = None
    history: list = field(default_factory=list)
    self_text: str = ""
    suggest: int | None = None  # the median of the experts' scores, to the nearest 5 % (the consensus form's default)


def self_assessment_texts(application):
    """The applicant's self-assessment text per item code, from the latest submission (where the
    applicant's form holds it per item; forms without it give nothing)."""
    sub = application.submissions.order_by("-sequence").only("content").first()
    if sub is None:
        return {}
    content = sub.content or {}
    sections = (content.get("form") or {}).get("sections") or content.get("sections") or {}
    data = sections.get("self_assessment") or {}
    # a narrative with tables and images is shown by its text beside the score (the form shows it in full)
    return {key[len("item_"):]: richtext.text_of(value).strip() for key, value in data.items()
            if key.startswith("item_") and value}


def sees_peer_scores(acc):
    """Staff read every sheet; an expert reads the peers' scores only after submitting its own sheet."""
    if acc.staff:
        return True
    if acc.seat is None:
        return False
    return ScoreSheet.objects.filter(panel=acc.panel, expert=acc.seat.expert_id,
                                     status=ScoreSheet.Status.SUBMITTED).exists()


def panel_rows(*, acc, with_self_text=False):
    """One row per scored item for the panel page: the viewer's own score, the peers' scores when the
    viewer may see them, the spread flag, the panel's current score and its history."""
    panel = acc.panel
    profile = panel.application.campaign.program.profile
    items = scored_items(profile.scoring_scheme_id)
    bands = bands_of(profile.scoring_scheme_id)
    own_sheet = ScoreSheet.objects.filter(panel=panel, expert=acc.seat.expert_id).first() if acc.seat else None
    sees_peers = acc.staff or (own_sheet is not None and own_sheet.is_submitted)
    members = seated_members(panel)
    labels = {m.expert_id: f"{m.expert.full_name or m.expert.username}（{m.get_role_display()}）" for m in members}
    matrix = expert_matrix(panel) if sees_peers else {}
    originals = {}
    if sees_peers:
        for pk, item_id, expert_id, percent in ItemScore.objects.filter(
                sheet__panel=panel, sheet__status=ScoreSheet.Status.SUBMITTED).values_list(
                "pk", "item_id", "sheet__expert_id", "percent"):
            originals[(item_id, expert_id)] = (pk, percent)
    own = {s.item_id: s for s in ItemScore.objects.filter(sheet=own_sheet)} if own_sheet else {}
    history = {}
    for row in PanelItemScore.objects.filter(panel=panel).select_related("recorded_by").order_by("-recorded_at", "-pk"):
        history.setdefault(row.item_id, []).append(row)
    texts = self_assessment_texts(panel.application) if with_self_text else {}
    rows = []
    for item in items:
        band_list = bands
        scores = matrix.get(item.pk, {})
        order = list(labels)
        peers = [{"expert_id": eid, "label": labels.get(eid, "（已离组专家）"), "percent": p,
                  "score_id": originals.get((item.pk, eid), (None,))[0],
                  "original": originals.get((item.pk, eid), (None, None))[1],
                  "corrected": originals.get((item.pk, eid), (None, None))[1] != p}
                 for eid, p in sorted(scores.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)]
        values = [p for p in scores.values() if p is not None]
        hist = history.get(item.pk, [])
        current = next((h for h in hist if h.is_current), None)
        own_score = own.get(item.pk)
        band = band_list[band_index(band_list, own_score.percent)] if own_score and own_score.percent is not None \
            else None
        suggest = None
        if current is not None and current.percent == current.percent.to_integral_value() and current.percent % STEP == 0:
            suggest = int(current.percent)
        elif values:
            ordered = sorted(values)
            mid = len(ordered) // 2
            median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
            suggest = int(Decimal(median / STEP).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * STEP
        rows.append(ItemRow(
            item=item, own=own_score, peers=peers, suggest=suggest, spread=differs_by_more_than_one_band(bands, values),
            low=min(values) if values else None, high=max(values) if values else None, panel_score=current,
            history=hist, self_text=texts.get(item.code, ""),
            descriptor=(band.process_descriptor if item.kind == "process" else band.results_descriptor) if band else "",
        ))
    return rows, own_sheet, sees_peers


def band_table(scheme_id):
    return [{"range": f"{b.low}%–{b.high}%", "process": b.process_descriptor, "results": b.results_descriptor,
             "low": b.low, "high": b.high} for b in bands_of(scheme_id)]


# --- ranking (SQL) ---------------------------------------------------------------------------------------------
#: What the ranking reads of each application (``only``: the form's content never leaves the database).
RANKING_FIELDS = ("id", "number", "applicant_name", "state", "region_id", "region__name", "tier_id")


def stage_sums_subquery():
    """Σ points × percent of the current item scores of the panel of the StageResult at hand (OuterRef)."""
    return Subquery(PanelItemScore.objects.filter(panel=OuterRef("panel"), is_current=True).order_by()
                    .values("panel").annotate(points_sum=Sum(F("item__points") * F("percent"))).values("points_sum"),
                    output_field=DecimalField(max_digits=14, decimal_places=4))


def refresh_stage_sums(*, panels):
    """Store on each concluded panel's StageResult the Σ points × percent of its current item scores (one
    UPDATE): called in the transaction that concludes a stage or changes a concluded panel's score, so the
    ranking reads it instead of summing the item scores."""
    StageResult.objects.filter(panel__in=panels).update(points_sum=stage_sums_subquery())


def _stage_sum(stage):
    """Σ points × percent of the application's concluded panel of ``stage``, as its StageResult keeps it (one
    row per panel: the ranking joins 2 rows per application instead of 46 item scores)."""
    return Sum("panels__result__points_sum", filter=Q(panels__stage=stage),
               output_field=DecimalField(max_digits=14, decimal_places=4))


def ranking(*, campaign):
    """The campaign's applications under review or past it, each with its stage scores and total,
    ranked by total (SQL: one GROUP BY over the applications' concluded stages' stored sums, the weighted
    total and a RANK window).

    ``material``/``onsite`` are None before the stage is concluded; ``total`` is None while a stage the
    program weighs is missing. Values are exact (six decimal places hold every total)."""
    profile = campaign.program.profile
    dec = DecimalField(max_digits=16, decimal_places=6)
    qs = (Application.objects.filter(campaign=campaign, state__in=RANKED_STATES)
          .select_related("region").only(*RANKING_FIELDS)
          .annotate(material_raw=_stage_sum(Panel.Stage.MATERIAL), onsite_raw=_stage_sum(Panel.Stage.ONSITE)))
    parts = []
    for stage in (Panel.Stage.MATERIAL, Panel.Stage.ONSITE):
        weight = getattr(profile, STAGE_WEIGHT[stage])
        if getattr(profile, STAGE_FLAG[stage]) and weight:
            parts.append(F(f"{stage}_raw") * Value(Decimal(weight), output_field=dec))
    if parts:
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        total = ExpressionWrapper(total * Value(Decimal("0.0001"), output_field=dec), output_field=dec)
    else:
        total = Value(None, output_field=dec)
    qs = qs.annotate(
        # multiplications by 0.01 / 0.0001, never divisions: SQLite divides integers as integers
        material=ExpressionWrapper(F("material_raw") * Value(Decimal("0.01"), output_field=dec), output_field=dec),
        onsite=ExpressionWrapper(F("onsite_raw") * Value(Decimal("0.01"), output_field=dec), output_field=dec),
        total=total,
    ).annotate(rank=Window(Rank(), order_by=F("total").desc(nulls_last=True)))
    return qs.order_by(F("total").desc(nulls_last=True), "number", "pk")


@dataclass(slots=True)
class RankedRow:
    pk: int
    number: str
    applicant_name: str
    region_id: int
    region_name: str
    state: str
    tier_id: int | None
    material: Decimal | None
    onsite: Decimal | None
    total: Decimal | None
    rank: int
    finalist: bool = False
    profile: object = None

    @property
    def state_label(self):
        return state_label(self.state, self.profile.outcome if self.profile else "")


def ranking_rows(*, campaign):
    """The ranking as plain rows (one SQL statement), each with its finalist flag (on the exact total,
    threshold inclusive)."""
    profile = campaign.program.profile
    fields = ("pk", "number", "applicant_name", "region_id", "region__name", "state", "tier_id", "material", "onsite",
              "total", "rank")
    rows = [RankedRow(*values) for values in ranking(campaign=campaign).values_list(*fields)]
    # The SQL sums the panels' percentages as stored (four places); a mean's exact value differs from that by
    # less than 0.00005 % per item, so the totals within RANKING_MARGIN of the line (the few applications at
    # the line) are computed exactly, in one more statement, and the finalist flag is always the exact
    # decision the guard takes.
    threshold = profile.finalist_threshold
    near = {r.pk: r for r in rows if r.total is not None and threshold is not None
            and abs(r.total - threshold) <= RANKING_MARGIN}
    if near:
        stages = {}
        for app_id, stage, points, percent, percent_sum, counted in PanelItemScore.objects.filter(
                is_current=True, panel__application_id__in=list(near), panel__result__isnull=False).values_list(
                "panel__application_id", "panel__stage", "item__points", "percent", "percent_sum",
                "experts_counted"):
            exact = Fraction(percent_sum, counted) if counted else Fraction(percent)
            key = (app_id, stage)
            stages[key] = stages.get(key, Fraction(0)) + points * exact / 100
        for pk, row in near.items():
            row.total = composite(profile=profile, material=stages.get((pk, Panel.Stage.MATERIAL)),
                                  onsite=stages.get((pk, Panel.Stage.ONSITE)))
    for row in rows:
        row.finalist = is_finalist(profile=profile, total=row.total)
        row.profile = profile
    return rows


#: how far from the finalist line a ranked total (from four-place percentages) is recomputed exactly: the most
#: the rounding can move a 1000-point total (23 items × 0.00005 % × their points, well under 0.1)
RANKING_MARGIN = Decimal("0.1")


@dataclass
class RankingQuery:
    """What the ranking page shows of the ranked rows: filters (state, region, tier, a minimum total) and a
    sort key (``-`` for descending). The 名次 stays the campaign's whatever the filter."""

    SORTS = {"rank": lambda r: (r.total is None, r.rank), "number": lambda r: r.number or "",
             "name": lambda r: r.applicant_name, "region": lambda r: r.region_name,
             "material": lambda r: (r.material is None, r.material or 0),
             "onsite": lambda r: (r.onsite is None, r.onsite or 0)}

    state: str = ""
    region: int | None = None
    tier: int | None = None
    threshold: Decimal | None = None
    sort: str = "rank"

    @classmethod
    def from_params(cls, params):
        from qualityaward.params import int_param

        try:
            threshold = Decimal(params.get("threshold", "").strip() or "x")
        except ArithmeticError:
            threshold = None
        sort = params.get("sort", "rank")
        return cls(state=params.get("state", "") if params.get("state") in RANKED_STATES else "",
                   region=int_param(params.get("region")), tier=int_param(params.get("tier")),
                   threshold=threshold if threshold is not None and threshold.is_finite() else None,
                   sort=sort if sort.lstrip("-") in cls.SORTS else "rank")

    def apply(self, rows):
        kept = [r for r in rows if (not self.state or r.state == self.state)
                and (self.region is None or r.region_id == self.region)
                and (self.tier is None or r.tier_id == self.tier)
                and (self.threshold is None or (r.total is not None and r.total >= self.threshold))]
        key = self.SORTS[self.sort.lstrip("-")]
        descending = self.sort.startswith("-")
        # numbers (then ids) break ties in either direction, so a page boundary never moves between requests
        kept.sort(key=lambda r: (r.number or "", r.pk))
        kept.sort(key=key, reverse=descending)
        return kept


def staff_campaigns(user):
    """Campaigns of the programs where the user is secretariat or supervisor."""
    from applications.models import Campaign
    from qualityaward.accounts.selectors import role_assignments

    scopes = {a.program_id for a in role_assignments(user) if a.role in (Role.SECRETARIAT, Role.SUPERVISOR)}
    if not scopes:
        return Campaign.objects.none()
    qs = Campaign.objects.select_related("program__profile").order_by("program__code", "-is_current", "-pk").annotate(
        ranked_count=Count("applications", filter=Q(applications__state__in=RANKED_STATES)))
    return qs if None in scopes else qs.filter(program_id__in=scopes)


# --- declaring finalists, releasing reports ---------------------------------------------------------------------
def stages_needed(profile):
    return [s for s in Panel.Stage.values if getattr(profile, STAGE_FLAG[s])]


def _concluded_guard(stages, check_threshold):
    """A guard: when the application has panels, its panels of ``stages`` must be concluded; with
    ``check_threshold`` the total must reach the profile's finalist threshold (inclusive, exact). A program with a
    threshold (息县 第十九条: 600 分以上（含） 方可取得获奖入围资格) is never passed without its scores."""

    def guard(app, actor, params):
        from applications.workflow import GuardFailed

        panels = {p.stage: p for p in Panel.objects.filter(application=app).select_related("result")}
        profile = app.campaign.program.profile
        if not panels and not (check_threshold and profile.finalist_threshold is not None):
            return  # reviewed outside the portal (no panels formed) and no score to reach: nothing to check here
        for stage in stages:
            panel = panels.get(stage)
            if panel is not None and not hasattr(panel, "result"):
                raise GuardFailed(f"{panel.get_stage_display()}尚未定稿（评审组组长定稿后方可继续）。")
        if check_threshold and profile.finalist_threshold is not None:
            _scores, total = application_scores(app)
            if total is None:
                raise GuardFailed("尚未得出综合得分（各评审阶段组建评审组、评分并定稿后计算），不能确定入围。"
                                  "请先完成专家评审。")
            if total < profile.finalist_threshold:
                raise GuardFailed(f"综合得分 {exact_text(total, places=4)} 分，低于入围分数线 {exact_text(profile.finalist_threshold)} 分"
                                  "（按精确值比较），不能确定入围。")

    return guard


_onsite_guard = _concluded_guard([Panel.Stage.MATERIAL], check_threshold=False)
_finalist_guard = _concluded_guard([Panel.Stage.MATERIAL, Panel.Stage.ONSITE], check_threshold=True)
_not_finalist_guard = _concluded_guard([Panel.Stage.MATERIAL, Panel.Stage.ONSITE], check_threshold=False)


def install():
    from applications.documents import services as documents
    from applications import workflow

    workflow.add_guard("start_onsite_review", _onsite_guard)
    workflow.add_guard("declare_finalist", _finalist_guard)
    workflow.add_guard("declare_not_finalist", _not_finalist_guard)
    documents.BUILDERS[GeneratedDocument.Kind.REVIEW_REPORT] = _report_pdf
    # the committee's ballot shows the same 综合得分 as the ranking
    from review.committee import services as committee
    committee.register_composite_provider(lambda application: application_scores(application)[1])


#: Functions application -> extra context of the review report (page and PDF), registered by the packages
#: that read more than scoring does (insights: the comparison with the previous report).
REPORT_CONTEXT = []


def register_report_context(provider):
    if provider not in REPORT_CONTEXT:
        REPORT_CONTEXT.append(provider)


def report_context(application):
    extra = {}
    for provider in REPORT_CONTEXT:
        extra.update(provider(application))
    return extra


def _report_pdf(document):
    from applications.documents.services import render_pdf

    app = document.application
    return render_pdf("pdf/review_report.html", {"app": app, "program": app.campaign.program,
                                                 "campaign": app.campaign, "generated_at": timezone.localtime(),
                                                 **report_data(app), **report_context(app)})


def declare(*, campaign, application_ids, finalist, reason, actor):
    """Declare several applications finalists (or not) through the workflow; returns (done, refused)."""
    from applications import workflow

    name = "declare_finalist" if finalist else "declare_not_finalist"
    done, refused = [], []
    apps = Application.objects.filter(campaign=campaign, pk__in=list(application_ids)).select_related(
        "campaign__program__profile")
    for app in apps:
        try:
            workflow.perform(application=app, name=name, actor=actor, reason=reason)
        except workflow.TransitionError as exc:
            refused.append((app, exc.message))
        else:
            done.append(app)
    return done, refused


def report_released(application):
    return ReportRelease.objects.filter(application=application).exists()


def release_report(*, application, actor):
    if not has_role(actor.user, Role.SECRETARIAT, program_id=application.campaign.program_id):
        raise PermissionDenied("评审报告由本奖项秘书处发布。")
    if access.is_recused(actor.user, application):
        raise PermissionDenied(access.RECUSED)
    if not StageResult.objects.filter(panel__application=application).exists():
        raise ValidationError("尚无定稿的评审阶段，不能发布评审报告。")
    with transaction.atomic():
        release, created = ReportRelease.objects.get_or_create(application=application,
                                                               defaults={"released_by": actor.user})
        doc = request_report_pdf(application=application)
        record_event(actor=actor, action="scoring:release_report", target=application,
                     data={"document": doc.pk, "again": not created})
    return release


def request_report_pdf(*, application):
    """(Re)build the review report PDF in the background; the latest submission names the document."""
    submission = application.submissions.order_by("-sequence").first()
    doc, _ = GeneratedDocument.objects.get_or_create(application=application, submission=submission,
                                                     kind=GeneratedDocument.Kind.REVIEW_REPORT)
    GeneratedDocument.objects.filter(pk=doc.pk).update(status=GeneratedDocument.Status.PENDING, error="")
    dashboard_cache.changed_in_bulk()
    if doc.file:
        doc.file.delete(save=False)
        GeneratedDocument.objects.filter(pk=doc.pk).update(file="")
        dashboard_cache.changed_in_bulk()
    jobs.after_commit("render_document", document_id=doc.pk)
    return doc


def report_document(application):
    return GeneratedDocument.objects.filter(application=application,
                                            kind=GeneratedDocument.Kind.REVIEW_REPORT).order_by("-pk").first()


# --- the applicant's review report ---------------------------------------------------------------------------------
def report_data(application):
    """Scores per category and item for each concluded stage, with strengths and opportunities (texts of
    the experts' submitted sheets, without names), the total, and the radar chart."""
    profile = application.campaign.program.profile
    items = scored_items(profile.scoring_scheme_id)
    panels = [p for p in Panel.objects.filter(application=application).select_related("result").order_by("stage")
              if hasattr(p, "result")]
    panels.sort(key=lambda p: Panel.Stage.values.index(p.stage))
    current = {(r.panel_id, r.item_id): r for r in PanelItemScore.objects.filter(panel__in=panels, is_current=True)}
    comments = {}
    for item_id, strengths, opportunities in ItemScore.objects.filter(
            sheet__panel__in=panels, sheet__status=ScoreSheet.Status.SUBMITTED).order_by(
            "sheet__panel__stage", "sheet_id").values_list("item_id", "strengths", "opportunities"):
        entry = comments.setdefault(item_id, {"strengths": [], "opportunities": []})
        for key, text in (("strengths", strengths), ("opportunities", opportunities)):
            if text and text not in entry[key]:
                entry[key].append(text)
    stages = []
    for panel in panels:
        categories = []
        for item in items:
            if not categories or categories[-1]["category"].pk != item.category_id:
                categories.append({"category": item.category, "items": [], "exact": Fraction(0)})
            row = current.get((panel.pk, item.pk))
            exact = item.points * row.exact_percent / 100 if row is not None else None
            categories[-1]["items"].append({"item": item, "percent": row.percent if row else None,
                                            "score": None if exact is None else exact_to_decimal(exact)})
            categories[-1]["exact"] += exact or 0
        for category in categories:
            category["score"] = exact_to_decimal(category["exact"])
        exact_stage = sum((c["exact"] for c in categories), Fraction(0))
        stages.append({"panel": panel, "label": panel.get_stage_display(), "categories": categories,
                       "score": exact_to_decimal(exact_stage), "exact": exact_stage,
                       "visit": OnsiteVisit.objects.filter(panel=panel).first()})
    by_stage = {s["panel"].stage: s["exact"] for s in stages}
    total = composite(profile=profile, material=by_stage.get("material"), onsite=by_stage.get("onsite"))
    feedback = [{"item": item, **comments.get(item.pk, {"strengths": [], "opportunities": []})} for item in items]
    return {"stages": stages, "total": total, "feedback": feedback, "profile": profile,
            "radar": radar_svg(stages) if stages else ""}


def radar_svg(stages, size=360):
    """A radar chart of the seven categories (percentage of each category's points), one polygon per
    stage, as inline SVG (no script)."""
    import math
    from html import escape

    cats = [c["category"] for c in stages[0]["categories"]]
    n = len(cats)
    if n < 3:
        return ""
    cx = cy = size / 2
    radius = size / 2 - 70
    colours = ["#1f6feb", "#d1242f", "#1a7f37"]

    def point(i, ratio):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + radius * ratio * math.cos(angle), cy + radius * ratio * math.sin(angle)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
             'role="img" aria-label="七大类目得分率雷达图" font-size="11">']
    for level in (0.2, 0.4, 0.6, 0.8, 1.0):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(n)))
        parts.append(f'<polygon points="{pts}" fill="none" stroke="#ccc" stroke-width="0.8"/>')
    for i, cat in enumerate(cats):
        x, y = point(i, 1.0)
        lx, ly = point(i, 1.18)
        parts.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ccc" stroke-width="0.8"/>')
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        parts.append(f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}">{escape(cat.code)} {escape(cat.name)}</text>')
    for s, stage in enumerate(stages):
        ratios = [float(c["score"] / c["category"].points) if c["category"].points else 0.0
                  for c in stage["categories"]]
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, r) for i, r in enumerate(ratios)))
        colour = colours[s % len(colours)]
        parts.append(f'<polygon points="{pts}" fill="{colour}" fill-opacity="0.15" stroke="{colour}" stroke-width="1.6"/>')
        parts.append(f'<rect x="10" y="{size - 20 - 16 * s}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="26" y="{size - 11 - 16 * s}">{escape(stage["label"])}</text>')
    parts.append("</svg>")
    return "".join(parts)
