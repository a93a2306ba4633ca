"""The data generator's scoring step (``generate_data``): for every generated panel, each seated
expert's sheet with 23 item scores and comments, and, where the application has left the stage, the
panel's consensus per item and the stage's conclusion. Written with ``bulk_create``."""
from decimal import Decimal

from applications.models import ScoringItem, State
from review.panels.models import Panel, PanelMember
from review.scoring.models import ItemScore, PanelItemScore, ScoreSheet, StageResult
from review.scoring.services import refresh_stage_sums

from .bulk import explicit_timestamps

STAGE_STATE = {Panel.Stage.MATERIAL: State.MATERIAL_REVIEW, Panel.Stage.ONSITE: State.ONSITE_REVIEW}
STRENGTHS = ["方法系统、展开充分，形成了定期评价和改进的机制。", "关键绩效指标连续三年保持良好趋势。",
             "高层领导亲自推动，战略目标分解到部门和岗位。", "建立了顾客满意度第三方测评并据此改进。"]
OPPORTUNITIES = ["缺少与行业标杆的对比数据。", "方法在子公司的展开程度不一。", "改进成果的分享和推广机制尚不健全。",
                 "部分过程缺少量化的测量指标。"]
BATCH = 2000


def generate_scores(gen):
    seats = getattr(gen, "panel_seats", [])
    if not seats:
        gen.n_item_scores = 0
        return
    rng = gen.rng
    items_by_scheme = {}
    plans = {plan.app.pk: plan for plan in gen.plans if plan.app is not None}
    sheets, pending = [], []
    by_panel = {}
    for panel, expert, role, at in seats:
        if role == PanelMember.Role.RESERVE:
            continue
        by_panel.setdefault(panel.pk, (panel, []))[1].append((expert, role, at))
    concluded, level = [], {}
    for panel, members in by_panel.values():
        plan = plans.get(panel.application_id)
        if plan is None:
            continue
        scheme_id = plan.campaign.program.profile.scoring_scheme_id
        if scheme_id not in items_by_scheme:
            items_by_scheme[scheme_id] = list(ScoringItem.objects.filter(category__scheme_id=scheme_id, points__gt=0)
                                              .order_by("category__order", "order"))
        items = items_by_scheme[scheme_id]
        in_stage = plan.state == STAGE_STATE[panel.stage]
        base = level.setdefault(panel.application_id, rng.choice(range(35, 80, 5)))
        for i, (expert, role, at) in enumerate(members):
            submitted = not in_stage or rng.random() < 0.5
            sheet = ScoreSheet(panel=panel, expert=expert, version=2,
                               status=ScoreSheet.Status.SUBMITTED if submitted else ScoreSheet.Status.DRAFT,
                               submitted_at=at if submitted else None, created_at=at, updated_at=at)
            sheets.append(sheet)
            filled = len(items) if submitted else rng.randint(0, len(items))
            pending.append((sheet, [(item, max(0, min(100, base + 5 * rng.randint(-2, 2))) if n < filled else None)
                                    for n, item in enumerate(items)]))
        if not in_stage and plan.state not in (State.WITHDRAWN, State.DISQUALIFIED):
            leader = next((e for e, r, _ in members if r == PanelMember.Role.LEADER), members[0][0])
            concluded.append((panel, leader, items, base, members[0][2], len(members)))
    with explicit_timestamps(ScoreSheet, StageResult, PanelItemScore):
        ScoreSheet.objects.bulk_create(sheets, batch_size=BATCH)
        rows, n = [], 0
        for sheet, scores in pending:
            for item, pct in scores:
                rows.append(ItemScore(sheet=sheet, item=item, percent=pct,
                                      strengths=rng.choice(STRENGTHS) if pct is not None else "",
                                      opportunities=rng.choice(OPPORTUNITIES) if pct is not None else ""))
            if len(rows) >= BATCH:
                ItemScore.objects.bulk_create(rows, batch_size=BATCH)
                n, rows = n + len(rows), []
        ItemScore.objects.bulk_create(rows, batch_size=BATCH)
        n += len(rows)
        PanelItemScore.objects.bulk_create([
            PanelItemScore(panel=panel, item=item, percent=Decimal(max(0, min(100, base + 5 * rng.randint(-1, 1)))),
                           source=PanelItemScore.Source.CONSENSUS, reason="经合议形成共识", recorded_by=leader,
                           recorded_at=at)
            for panel, leader, items, base, at, _n in concluded for item in items], batch_size=BATCH)
        StageResult.objects.bulk_create([
            StageResult(panel=panel, aggregation="consensus", experts=count, concluded_by=leader, concluded_at=at)
            for panel, leader, _items, _base, at, count in concluded], batch_size=BATCH)
    refresh_stage_sums(panels=[c[0] for c in concluded])
    gen.n_item_scores, gen.n_concluded = n, len(concluded)
