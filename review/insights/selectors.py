"""The reads behind the statistics, the expert calibration and the organization's history.

Every function runs a fixed number of SQL queries whatever the number of applications or scores: the
database groups and sums, Python only arranges the few grouped rows (at most one per application ×
stage × category) into figures.
"""
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, Count, F, FloatField, IntegerField, Max, Sum, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from applications import workflow
from applications.classifications import industry_lookup
from applications.forms.spec import ORG_SIZES, ORG_TYPES
from applications.history import state_label
from applications.models import (
    Application, ApplicationSection, Campaign, ScoringCategory, ScoringItem, State,
)
from applications.selectors import recused_applications
from qualityaward.accounts.models import AuditEvent, Region, Role
from qualityaward.accounts.selectors import has_role, role_assignments

from ..panels.models import Panel, PanelMember
from ..panels.rules import SEATED
from ..scoring.services import STAGE_FLAG, STAGE_WEIGHT
from ..scoring.models import PanelItemScore, ReportRelease
from .models import ExpertItemCalibration

UNFILLED = "未填写"
HIST_STEP = 50  # points per histogram bar on the 1000 scale
#: Where an application leaves the campaign without the outcome, and how it is called.
LOSSES = [(State.RETURNED, "退回修改后未再提交"), (State.REJECTED, "不予受理"), (State.WITHDRAWN, "申报人撤回"),
          (State.NOT_FINALIST, "未入围"), ("objection", "公示异议成立，取消资格"),
          (State.DISQUALIFIED, "取消资格（其他原因）"), (State.NOT_AWARDED, "未获奖"), (State.REVOKED, "获奖后撤销")]
OBJECTION_REASON = "公示异议成立"
#: States that mean the application made the finalist line (or went past it).
FINALIST_OR_LATER = {State.FINALIST, State.COMMITTEE, State.PROPOSED, State.AWARDED, State.NOT_AWARDED, State.REVOKED}


# --- who sees what ------------------------------------------------------------------------------------------
def staff_programs(user, *, roles=(Role.SECRETARIAT, Role.SUPERVISOR)):
    """Program ids the user serves as one of ``roles`` (None in the set: every program)."""
    return {a.program_id for a in role_assignments(user) if a.role in roles}


def _application_ids_as_text(apps):
    """The applications' ids as the audit trail stores them (text), for a subquery."""
    return apps.annotate(as_text=Cast("pk", CharField())).values("as_text")


# --- statistics -------------------------------------------------------------------------------------------------
@dataclass
class Figure:
    """One chart's data: labelled counts (or values) in display order."""

    key: str
    title: str
    rows: list  # [(label, value)]
    unit: str = "项"

    @property
    def total(self):
        return sum(v for _label, v in self.rows)


def _counted(key, title, counter, order=None):
    labels = order if order is not None else sorted(counter, key=lambda k: (-counter[k], k))
    return Figure(key, title, [(label, counter[label]) for label in labels if counter.get(label)])


def _stage_of_state(profile):
    """The funnel's stages for the program: from drafting to the outcome, only those the profile has."""
    stages = [State.DRAFT, State.SUBMITTED]
    if profile.has_recommender_step:  # 息县 第十五、十七条: no recommendation where applicants submit to the secretariat
        stages.append(State.RECOMMENDED)
    return stages + [s for s in workflow.enabled_pipeline(profile) if s != State.ACCEPTANCE_PUBLICITY]


def _scores_by_application(program_id):
    """{application id: {stage: {category id: Σ points × percent / 100}}} over the concluded panels of the
    program's applications (one grouped query)."""
    out = defaultdict(lambda: defaultdict(dict))
    rows = (PanelItemScore.objects.filter(is_current=True, panel__result__isnull=False,
                                          panel__application__campaign__program_id=program_id)
            .values("panel__application_id", "panel__stage", "item__category_id")
            .annotate(raw=Cast(Sum(F("item__points") * F("percent")), FloatField())).order_by())
    for row in rows:
        out[row["panel__application_id"]][row["panel__stage"]][row["item__category_id"]] = row["raw"] / 100
    return out


def _composite(profile, stages):
    """{category id: weighted score} and the total, or (None, None) while a weighted stage is missing."""
    parts = []
    for stage in Panel.Stage.values:
        weight = getattr(profile, STAGE_WEIGHT[stage])
        if getattr(profile, STAGE_FLAG[stage]) and weight:
            if stage not in stages:
                return None, None
            parts.append((float(weight) / 100, stages[stage]))
    if not parts:
        return None, None
    cats = defaultdict(float)
    for weight, by_cat in parts:
        for cat, score in by_cat.items():
            cats[cat] += weight * score
    return dict(cats), sum(cats.values())


def histogram(values, *, step=HIST_STEP, top=1000):
    bins = [0] * (top // step)
    for v in values:
        bins[min(int(v // step), len(bins) - 1)] += 1
    return [(f"{i * step}–{(i + 1) * step}", n) for i, n in enumerate(bins)]


def five_numbers(values):
    """min, lower quartile, median, upper quartile, max (inclusive quartiles), or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        q1 = q3 = ordered[0]
    else:
        q1, _m, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return {"min": ordered[0], "q1": q1, "median": statistics.median(ordered), "q3": q3, "max": ordered[-1],
            "n": len(ordered)}


def program_statistics(campaign):
    """Everything the statistics page shows for ``campaign``, and the program's campaigns side by side."""
    program, profile = campaign.program, campaign.program.profile
    campaigns = list(Campaign.objects.filter(program=program).order_by("year", "pk"))
    apps = Application.objects.filter(campaign__program=program)
    app_rows = list(apps.values_list("pk", "campaign_id", "state", "region_id", "kind").order_by())
    regions = dict(Region.objects.filter(pk__in={r[3] for r in app_rows}).values_list("pk", "name"))
    mine = [r for r in app_rows if r[1] == campaign.pk]
    current_state = {r[0]: r[2] for r in app_rows}
    campaign_of = {r[0]: r[1] for r in app_rows}

    # the form's classifications, per campaign (one grouped query over the basic sections)
    sizes, types = dict(ORG_SIZES), dict(ORG_TYPES)
    classes = defaultdict(lambda: {"industry": Counter(), "size": Counter(), "type": Counter()})
    classified = Counter()
    for row in (ApplicationSection.objects.filter(application__campaign__program=program, code="basic")
                .annotate(ind=KT("data__industry"), size=KT("data__org_size"), kind=KT("data__org_type"))
                .values("application__campaign_id", "ind", "size", "kind").annotate(n=Count("pk")).order_by()):
        node = industry_lookup(row["ind"] or "")
        section = industry_lookup(node.section_code) if node else None
        bucket = classes[row["application__campaign_id"]]
        bucket["industry"][f"{section.code} {section.name}" if section else UNFILLED] += row["n"]
        bucket["size"][sizes.get(row["size"], UNFILLED)] += row["n"]
        bucket["type"][types.get(row["kind"], UNFILLED)] += row["n"]
        classified[row["application__campaign_id"]] += row["n"]
    for c in campaigns:
        rows = [r for r in app_rows if r[1] == c.pk]
        individuals = sum(1 for r in rows if r[4] == Application.Kind.INDIVIDUAL)
        for counter in classes[c.pk].values():
            if individuals:
                counter["个人申报"] += individuals
            counter[UNFILLED] += len(rows) - classified[c.pk] - individuals
        classes[c.pk]["region"] = Counter(regions.get(r[3], UNFILLED) for r in rows)
        classes[c.pk]["state"] = Counter(state_label(r[2], profile.outcome) for r in rows)
    industry, size, org_type = (classes[campaign.pk][k] for k in ("industry", "size", "type"))

    # the funnel and the losses, from the audit trail of the program's applications
    ct = ContentType.objects.get_for_model(Application)
    reached = defaultdict(set)  # (campaign, state) -> application ids
    lost_from = {}
    for object_id, to_state, from_state, objection in (
            AuditEvent.objects.filter(content_type=ct, object_id__in=_application_ids_as_text(apps))
            .exclude(to_state="")
            .annotate(objection=Case(When(reason__startswith=OBJECTION_REASON, then=Value(1)), default=Value(0),
                                     output_field=IntegerField()))
            .values_list("object_id", "to_state", "from_state", "objection").distinct().order_by()):
        app_id = int(object_id)
        if app_id not in campaign_of:
            continue
        reached[(campaign_of[app_id], to_state)].add(app_id)
        if current_state[app_id] == to_state:
            lost_from[app_id] = (from_state, objection)
    stages = _stage_of_state(profile)

    def funnel_of(campaign_id, rows):
        out = []
        for stage in stages:
            ids = set() if stage != State.DRAFT else {r[0] for r in rows}
            ids |= reached[(campaign_id, stage)]
            # an application past a stage has passed it, even where the trail has no event (imported data)
            later = stages[stages.index(stage) + 1:]
            ids |= {r[0] for r in rows if r[2] in later or (stage != State.DRAFT and r[2] in FINALIST_OR_LATER
                                                             and stage in (State.SUBMITTED, State.RECOMMENDED))}
            out.append((state_label(stage, profile.outcome) if stage != State.DRAFT else "创建申报", len(ids)))
        return out

    losses = Counter()
    loss_stage = defaultdict(Counter)
    for app_id, _c, state, _r, _k in mine:
        if state not in dict(LOSSES) and state != State.DISQUALIFIED:
            continue
        frm, objection = lost_from.get(app_id, ("", 0))
        key = "objection" if state == State.DISQUALIFIED and objection else state
        losses[key] += 1
        loss_stage[key][state_label(frm, profile.outcome) or "—"] += 1
    loss_rows = [{"label": profile.word(key, label) if key == State.NOT_AWARDED else label, "count": losses[key],
                  "stages": "、".join(f"{s} {n}" for s, n in loss_stage[key].most_common())}
                 for key, label in LOSSES if losses[key]]

    # scores
    scores = _scores_by_application(program.pk)
    categories = list(ScoringCategory.objects.filter(scheme_id=profile.scoring_scheme_id, points__gt=0)
                      .order_by("order"))
    per_campaign = defaultdict(lambda: {"material": [], "onsite": [], "total": [], "cats": defaultdict(list)})
    for app_id, by_stage in scores.items():
        bucket = per_campaign[campaign_of[app_id]]
        for stage, by_cat in by_stage.items():
            bucket[stage].append(sum(by_cat.values()))
        cats, total = _composite(profile, by_stage)
        if total is not None:
            bucket["total"].append(total)
            for cat in categories:
                bucket["cats"][cat.pk].append(100 * cats.get(cat.pk, 0) / cat.points)
    here = per_campaign[campaign.pk]
    threshold = float(profile.finalist_threshold) if profile.finalist_threshold is not None else None
    stage_labels = dict(Panel.Stage.choices)
    score_figures = [Figure(f"hist_{key}", f"{label}分布", histogram(here[key]), unit="项")
                     for key, label in [("material", f"{stage_labels['material']}得分"),
                                        ("onsite", f"{stage_labels['onsite']}得分"), ("total", "综合得分")]
                     if here[key]]
    boxes = [{"label": f"{c.code} {c.name}", "points": c.points, **five_numbers(here["cats"][c.pk])}
             for c in categories if here["cats"].get(c.pk)]

    figures = [
        _counted("region", "按地区", classes[campaign.pk]["region"]),
        _counted("industry", "按行业门类（GB/T 4754）", industry),
        _counted("size", "按组织规模", size, order=[*sizes.values(), "个人申报", UNFILLED]),
        _counted("type", "按组织类型", org_type, order=[*types.values(), "个人申报", UNFILLED]),
        _counted("state", "按当前状态", classes[campaign.pk]["state"],
                 order=[label for _s, label in State.choices]),
        Figure("funnel", "申报漏斗（从创建到结果）", funnel_of(campaign.pk, mine)),
    ]
    # the same distributions side by side over the program's campaigns (labels in this campaign's order, then
    # those only earlier campaigns have)
    distributions = []
    for figure in figures[:5]:
        labels = [label for label, _n in figure.rows]
        others = Counter()
        for c in campaigns:
            others.update(classes[c.pk][figure.key])
        labels += [label for label, _n in sorted(others.items(), key=lambda kv: (-kv[1], kv[0])) if label not in labels
                   and _n]
        distributions.append({"key": figure.key, "title": figure.title,
                              "rows": [(label, [classes[c.pk][figure.key].get(label, 0) for c in campaigns])
                                       for label in labels]})
    comparison = []
    for c in campaigns:
        rows = [r for r in app_rows if r[1] == c.pk]
        totals = per_campaign[c.pk]["total"]
        funnel = dict(funnel_of(c.pk, rows))
        comparison.append({
            "campaign": c, "applications": len(rows), "funnel": funnel,
            "finalists": sum(1 for r in rows if r[2] in FINALIST_OR_LATER),
            "awarded": sum(1 for r in rows if r[2] == State.AWARDED),
            "scored": len(totals), "mean": statistics.fmean(totals) if totals else None,
            "median": statistics.median(totals) if totals else None,
            "above_line": sum(1 for t in totals if threshold is not None and t >= threshold),
            "histogram": histogram(totals),
        })
    return {"program": program, "profile": profile, "campaign": campaign, "campaigns": campaigns,
            "applications": len(mine), "figures": figures, "losses": loss_rows, "score_figures": score_figures,
            "boxes": boxes, "threshold": threshold, "comparison": comparison, "distributions": distributions,
            "funnel_labels": [label for label, _n in funnel_of(campaign.pk, [])]}


# --- expert calibration -----------------------------------------------------------------------------------------------
def _fmt(value, places=1, sign=False):
    if value is None:
        return "—"
    return f"{value:+.{places}f}" if sign else f"{value:.{places}f}"


@dataclass(eq=False)
class Calibration:
    """One expert's severity in one scope (a campaign, or every campaign of the program).

    ``severity``: the mean of (expert's percentage − panel's percentage) over the expert's item scores, in
    percentage points (+: more lenient than the panel, −: stricter); ``total``: the mean difference of a
    whole sheet on the 1000 scale; ``spread``: the standard deviation of the item differences; ``z``: the
    severity against the other experts' severities in the same scope; ``outliers``: item scores more
    than one band away from the panel's; ``item_outliers``: how many of them per item code (every
    expert); ``items``: the per-item figures (filled for the experts asked for in detail)."""

    expert_id: int
    name: str = ""
    sheets: int = 0
    n: int = 0
    sum_d: float = 0.0
    sum_d2: float = 0.0
    sum_points: float = 0.0
    outliers: int = 0
    z: float | None = None
    items: dict = field(default_factory=dict)  # item code -> Calibration of that item
    item_outliers: dict = field(default_factory=dict)  # item code -> scores more than one band away

    def add(self, n, sum_d, sum_d2, sum_points, outliers):
        self.n += n or 0
        self.sum_d += sum_d or 0.0
        self.sum_d2 += sum_d2 or 0.0
        self.sum_points += sum_points or 0.0
        self.outliers += outliers or 0

    @property
    def severity(self):
        return self.sum_d / self.n if self.n else None

    @property
    def spread(self):
        if self.n < 2:
            return None
        mean = self.sum_d / self.n
        return math.sqrt(max(self.sum_d2 / self.n - mean * mean, 0.0) * self.n / (self.n - 1))

    @property
    def total(self):
        return self.sum_points / 100 / self.sheets if self.sheets else None

    @property
    def outlier_items(self):
        return sorted(((code, n) for code, n in self.item_outliers.items() if n), key=lambda x: (-x[1], x[0]))

    @property
    def leaning(self):
        s = self.severity
        if s is None or self.z is None or abs(self.z) < 1.5:
            return ""
        return "偏宽" if s > 0 else "偏严"

    # the page's texts (formatted once here: 300 experts × a template filter each is measurable)
    @property
    def severity_text(self):
        return _fmt(self.severity, sign=True)

    @property
    def total_text(self):
        return _fmt(self.total, sign=True)

    @property
    def spread_text(self):
        return _fmt(self.spread)

    @property
    def z_text(self):
        return _fmt(self.z, 2, sign=True)

    @property
    def outlier_text(self):
        shown = self.outlier_items
        return "、".join(f"{code}（{n}）" for code, n in shown[:6]) + ("等" if len(shown) > 6 else "") or "—"


_SUMS = dict(n_=Sum("n"), d_=Sum("sum_d"), d2_=Sum("sum_d2"), points_=Sum("sum_points"), outliers_=Sum("outliers"))
_SUM_FIELDS = ("n_", "d_", "d2_", "points_", "outliers_")


def calibration_scope(*, program, campaign_id=None, expert_ids=None):
    """The stored calibration rows of the scope (``ExpertItemCalibration``: expert × item × campaign)."""
    qs = ExpertItemCalibration.objects.filter(campaign__program_id=program.pk)
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    if expert_ids is not None:
        qs = qs.filter(expert_id__in=list(expert_ids))
    return qs


def _z_scores(rows, minimum=1):
    rated = [r for r in rows if r.n >= minimum and r.severity is not None]
    if len(rated) < 2:
        return
    values = [r.severity for r in rated]
    mean, sd = statistics.fmean(values), statistics.pstdev(values)
    for r in rated:
        r.z = (r.severity - mean) / sd if sd else 0.0


def calibration(*, program, campaign_id=None, expert_ids=None, detail_for=None):
    """{expert id: Calibration} for the scope with z-scores and the items where each expert was more than
    one band away, from the stored summary (``services.refresh_calibration``): five grouped queries
    whatever the size of the data, each over at most experts × items × campaigns rows. ``detail_for``:
    the experts whose per-item figures are wanted (None: every expert)."""
    scope = calibration_scope(program=program, campaign_id=campaign_id, expert_ids=expert_ids)
    out = {}
    for expert_id, *sums in scope.values("expert_id").annotate(**_SUMS).values_list("expert_id", *_SUM_FIELDS
                                                                                      ).order_by():
        out[expert_id] = cal = Calibration(expert_id)
        cal.add(*sums)
    codes = dict(ScoringItem.objects.filter(category__scheme_id=program.profile.scoring_scheme_id)
                 .values_list("pk", "code"))
    for expert_id, item_id, outliers in (scope.filter(outliers__gt=0).values("expert_id", "item_id")
                                         .annotate(far=Sum("outliers")).values_list("expert_id", "item_id", "far")
                                         .order_by()):
        if expert_id in out and item_id in codes:
            out[expert_id].item_outliers[codes[item_id]] = outliers
    detailed = scope if detail_for is None else scope.filter(expert_id__in=list(detail_for))
    for expert_id, item_id, *sums in (detailed.values("expert_id", "item_id").annotate(**_SUMS)
                                      .values_list("expert_id", "item_id", *_SUM_FIELDS).order_by()):
        if expert_id in out and item_id in codes:
            item = out[expert_id].items[codes[item_id]] = Calibration(expert_id)
            item.add(*sums)
            item.sheets = item.n
    # a submitted sheet scores every item once: per campaign, the expert's item with the most scores counts them
    for expert_id, sheets in (scope.values("expert_id", "campaign_id").annotate(most=Max("n"))
                              .values_list("expert_id", "most").order_by()):
        if expert_id in out:
            out[expert_id].sheets += sheets
    _z_scores(out.values())
    from django.contrib.auth import get_user_model

    for pk, full_name, username in get_user_model().objects.filter(pk__in=list(out)).values_list(
            "pk", "full_name", "username"):
        out[pk].name = full_name or username
    return out


def panel_calibration(panel):
    """For the leader's consensus page: each seated expert's severity over the program's campaigns (this
    panel's own scores included once submitted), in the panel's member order."""
    members = list(PanelMember.objects.filter(panel=panel, role__in=SEATED).order_by("-role", "pk")
                   .values_list("expert_id", flat=True))
    program = panel.application.campaign.program
    cal = calibration(program=program, detail_for=[]) if members else {}
    return [(cal.get(pk), pk) for pk in members]


def campaign_panel_balance(campaign, recused=frozenset()):
    """For the draw page: the program's experts' severities, and each formed panel of the campaign with its
    seated experts' mean severity (a panel of lenient experts shows as such; the draw itself stays random),
    but the panels of the applications in ``recused`` (the reader stepped aside from them, 息县 第十条)."""
    cal = calibration(program=campaign.program, detail_for=[])
    panels = defaultdict(list)
    for panel_id, app_name, stage, expert_id in (
            PanelMember.objects.filter(panel__application__campaign=campaign, role__in=SEATED)
            .exclude(panel__application_id__in=recused)
            .values_list("panel_id", "panel__application__applicant_name", "panel__stage", "expert_id")
            .order_by("panel__application__number", "panel__stage", "-role", "pk")):
        panels[(panel_id, app_name, stage)].append(cal.get(expert_id))
    stage_labels = dict(Panel.Stage.choices)
    rows = []
    for (panel_id, app_name, stage), experts in panels.items():
        known = [c.severity for c in experts if c is not None and c.severity is not None]
        rows.append({"name": app_name, "stage": stage_labels[stage], "experts": len(experts), "known": len(known),
                     "mean": statistics.fmean(known) if known else None})
    notable = sorted((c for c in cal.values() if c.leaning), key=lambda c: -abs(c.z))
    return {"panels": rows, "notable": notable, "experts": len(cal)}


# --- the organization's history -----------------------------------------------------------------------------------
def category_scores(application_ids):
    """{application id: [(category, composite score or None)]} from the concluded panels (one query plus the
    categories)."""
    if not application_ids:
        return {}
    apps = {a.pk: a for a in Application.objects.filter(pk__in=application_ids).select_related(
        "campaign__program__profile")}
    raw = defaultdict(lambda: defaultdict(dict))
    for row in (PanelItemScore.objects.filter(is_current=True, panel__result__isnull=False,
                                              panel__application_id__in=list(apps))
                .values("panel__application_id", "panel__stage", "item__category_id")
                .annotate(raw=Cast(Sum(F("item__points") * F("percent")), FloatField())).order_by()):
        raw[row["panel__application_id"]][row["panel__stage"]][row["item__category_id"]] = row["raw"] / 100
    schemes = {a.campaign.program.profile.scoring_scheme_id for a in apps.values()}
    cats = defaultdict(list)
    for c in ScoringCategory.objects.filter(scheme_id__in=schemes, points__gt=0).order_by("order"):
        cats[c.scheme_id].append(c)
    out = {}
    for pk, app in apps.items():
        profile = app.campaign.program.profile
        by_cat, _total = _composite(profile, raw.get(pk, {}))
        out[pk] = [(c, by_cat.get(c.pk) if by_cat else None) for c in cats[profile.scoring_scheme_id]]
    return out


def organization_timeline(organization, *, visible, hidden=None):
    """The organization's applications (``visible``: the reader's queryset of applications), their outcomes,
    awards with validity, self-assessment reports, revocations and bans, and its category scores per
    campaign from released review reports (the applicant) or concluded reviews (the secretariat); never the
    award of an application in ``hidden`` (those the reader stepped aside from, 息县 第十条)."""
    from ..awards.models import Award

    apps = list(visible.filter(organization=organization).select_related("campaign__program__profile", "tier")
                .order_by("campaign__year", "campaign__opens_at", "pk"))
    released = set(ReportRelease.objects.filter(application__in=apps).values_list("application_id", flat=True))
    awards = Award.objects.filter(organization=organization)
    if hidden is not None:
        awards = awards.exclude(application__in=hidden)
    awards = list(awards
                  .select_related("program__profile", "tier", "application__campaign")
                  .prefetch_related("self_assessments", "sanctions", "recoveries").order_by("decided_on", "pk"))
    scores = category_scores([a.pk for a in apps])
    entries = []
    for app in apps:
        entries.append({"kind": "application", "date": app.submitted_at or app.created_at, "app": app,
                        "released": app.pk in released, "categories": scores.get(app.pk, [])})
    for award in awards:
        entries.append({"kind": "award", "date": award.decided_on, "award": award})
        for sanction in award.sanctions.all():  # 金水 第二十四条 警告、通报
            entries.append({"kind": "sanction", "date": sanction.decided_on, "award": award, "sanction": sanction})
        if award.revoked_on:
            entries.append({"kind": "revocation", "date": award.revoked_on, "award": award})
    return {"organization": organization, "applications": apps, "awards": awards, "released": released,
            "scores": scores, "entries": entries}


def previous_report(application):
    """The organization's (or the individual's) latest released review report before this application,
    with its category scores, or None."""
    if application.organization_id:
        others = Application.objects.filter(organization_id=application.organization_id)
    else:
        others = Application.objects.filter(owner_id=application.owner_id, organization__isnull=True)
    prev = (others.exclude(pk=application.pk).filter(report_release__isnull=False,
                                                     campaign__opens_at__lt=application.campaign.opens_at)
            .select_related("campaign__program").order_by("-campaign__opens_at", "-pk").first())
    if prev is None:
        return None
    both = category_scores([prev.pk, application.pk])
    current = dict((c.code, s) for c, s in both.get(application.pk, []))
    rows = [{"category": c, "previous": s, "current": current.get(c.code),
             "change": (current[c.code] - s) if current.get(c.code) is not None and s is not None else None}
            for c, s in both.get(prev.pk, [])]
    return {"application": prev, "rows": rows}


def eligibility_history(application):
    """For the eligibility page: the applicant's earlier applications with their outcomes, its awards
    (validity, revocation, ban) and the program's repeat-award rule."""
    from ..awards.models import Award

    if application.organization_id:
        others = Application.objects.filter(organization_id=application.organization_id)
        awards = Award.objects.filter(organization_id=application.organization_id)
    else:
        others = Application.objects.filter(owner_id=application.owner_id, organization__isnull=True)
        awards = Award.objects.filter(application__owner_id=application.owner_id, organization__isnull=True)
    earlier = list(others.exclude(pk=application.pk).exclude(state=State.DRAFT)
                   .select_related("campaign__program__profile").order_by("-campaign__opens_at", "-pk")[:20])
    return {"earlier": earlier, "awards": list(awards.select_related("program", "tier").order_by("-decided_on")),
            "profile": application.campaign.program.profile}


def organization_readable(user, organization):
    """The organization's own members, and the secretariat of a program it has submitted to."""
    if not user.is_authenticated:
        return False
    if organization.members.filter(pk=user.pk).exists():
        return True
    programs = staff_programs(user, roles=(Role.SECRETARIAT,))
    if not programs:
        return False
    # 息县 第十条: an application the reader stepped aside from does not open its organization's history
    submitted = Application.objects.filter(organization=organization).exclude(state=State.DRAFT).exclude(
        pk__in=recused_applications(user=user))
    return None in programs or submitted.filter(campaign__program_id__in=programs).exists()


def is_program_secretariat(user, program_id):
    return has_role(user, Role.SECRETARIAT, program_id=program_id)

