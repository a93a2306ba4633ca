"""The leader's consolidation: the spread per item by band, consensus with reasons and history, the
aggregation rules on worked examples with exact totals, corrections as new records, the on-site record."""
import importlib.util
import pathlib
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse

from applications.models import RuleProfile, ScoringBand
from qualityaward.accounts.models import AuditEvent
from qualityaward.accounts.services import Actor
from review.scoring import services as svc
from review.panels.models import Panel
from review.scoring.models import ItemScore, PanelItemScore, ScoreCorrection, StageResult

_spec = importlib.util.spec_from_file_location("scoring_setup", pathlib.Path(__file__).with_name("scoring_setup.py"))
S = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(S)
seeded, world, drive, panel_app, scored_panel = S.seeded, S.world, S.drive, S.panel_app, S.scored_panel

pytestmark = pytest.mark.django_db
CONSENSUS, MEAN, TRIMMED, TRIMMED_TOTAL = (
    RuleProfile.Aggregation.CONSENSUS, RuleProfile.Aggregation.MEAN, RuleProfile.Aggregation.TRIMMED_MEAN,
    RuleProfile.Aggregation.TRIMMED_TOTAL)


def test_items_more_than_one_band_apart_are_flagged(seeded):
    bands = list(ScoringBand.objects.order_by("low"))  # 0–5, 10–25, 30–45, 50–65, 70–85, 90–100
    assert not svc.differs_by_more_than_one_band(bands, [25, 30])  # adjacent bands
    assert not svc.differs_by_more_than_one_band(bands, [10, 25])  # the same band
    assert svc.differs_by_more_than_one_band(bands, [25, 50])  # 10–25 and 50–65
    assert svc.differs_by_more_than_one_band(bands, [5, 30, 35])
    assert not svc.differs_by_more_than_one_band(bands, [60])


def test_the_leader_sees_the_spread_once_submitted(client, world, scored_panel):
    S.fill(scored_panel, world.expert, {"4.1.2": 20})
    S.fill(scored_panel, scored_panel.a, {"4.1.2": 50})
    S.fill(scored_panel, scored_panel.b, {"4.1.2": 30})
    client.force_login(world.expert)
    body = client.get(reverse("review:scoring_panel", args=[scored_panel.application.pk, "material"])).content.decode()
    row = body[body.index(f'id="item-{S.item("4.1.2").pk}"'):]
    assert 'data-spread="1"' in row[:80] and "20–50%" in row[:3000]
    form = row[row.index('name="percent"'):]
    assert form[:form.index("</select>")].count(" selected") == 1 and '<option value="30" selected>' in form  # median
    assert body.count('data-spread="1"') == 1  # every other item: 50, 50, 50


def test_consensus_needs_everyone_submitted_a_reason_and_keeps_every_record(world, scored_panel):
    acc, actor = S.leader_access(scored_panel)
    item = S.item("4.2.2")
    S.fill(scored_panel, world.expert, 40)
    S.fill(scored_panel, scored_panel.a, 60)
    with pytest.raises(ValidationError) as exc:
        svc.record_panel_score(acc=acc, item=item, percent="50", reason="合议", actor=actor)
    assert "专家member1" in exc.value.messages[0]  # who has not submitted yet
    S.fill(scored_panel, scored_panel.b, 50)
    with pytest.raises(ValidationError):
        svc.record_panel_score(acc=acc, item=item, percent="50", reason=" ", actor=actor)
    with pytest.raises(ValidationError):
        svc.record_panel_score(acc=acc, item=item, percent="52", reason="合议", actor=actor)
    first = svc.record_panel_score(acc=acc, item=item, percent="50", reason="采纳多数意见", actor=actor)
    second = svc.record_panel_score(acc=acc, item=item, percent="55", reason="复议后上调", actor=actor)
    first.refresh_from_db()
    assert not first.is_current and second.is_current and second.supersedes == first
    assert list(ItemScore.objects.filter(item=item, sheet__panel=scored_panel).order_by("percent")
                .values_list("percent", flat=True)) == [40, 50, 60]  # the independent scores stay
    member = svc.access_for(user=scored_panel.a, panel=scored_panel)
    with pytest.raises(PermissionDenied):
        svc.record_panel_score(acc=member, item=item, percent="50", reason="x", actor=Actor(user=scored_panel.a))


def test_consensus_conclusion_needs_every_item_and_gives_the_exact_stage_score(world, scored_panel):
    for expert in (world.expert, scored_panel.a, scored_panel.b):
        S.fill(scored_panel, expert, 50)
    S.consensus_all(scored_panel, {"4.1.2": 65})
    PanelItemScore.objects.filter(panel=scored_panel, item=S.item("4.7.7")).update(is_current=False)
    with pytest.raises(ValidationError) as exc:
        S.conclude(scored_panel)
    assert "4.7.7" in exc.value.messages[0]
    acc, actor = S.leader_access(scored_panel)
    svc.record_panel_score(acc=acc, item=S.item("4.7.7"), percent="45", reason="结果数据不全", actor=actor)
    S.conclude(scored_panel)
    # 1000 × 50 % = 500, + 50 × 15 % (4.1.2 at 65 %) − 50 × 5 % (4.7.7 at 45 %) = 505.00
    assert svc.stage_score(scored_panel) == Decimal("505.00")
    event = AuditEvent.objects.get(action="scoring:conclude")
    assert Decimal(event.data["score"]) == Decimal("505") and event.data["rule"] == "consensus"


def _panel_of(world, n, rule, percents, min_experts=5):
    """A material panel of ``n`` experts (the leader first) each giving every item one percentage."""
    app = S.drive_xixian(world, name=f"息县测试企业{n}{rule}{percents[0]}")
    S.set_rule(app, rule, min_experts)
    panel = Panel.objects.create(application=app, stage=Panel.Stage.MATERIAL)
    experts = S.new_experts(n, f"r{app.pk}_")
    S.seat(panel, experts[0], experts[1:])
    panel.application = app
    for expert, pct in zip(experts, percents):
        S.fill(panel, expert, pct)
    S.conclude(panel)
    return panel


def test_mean_of_the_experts(world):
    panel = _panel_of(world, 4, MEAN, [50, 60, 70, 90])
    assert set(PanelItemScore.objects.filter(panel=panel).values_list("percent", flat=True)) == {Decimal("67.5")}
    assert svc.stage_score(panel) == Decimal("675.00")


def test_trimmed_mean_drops_the_highest_and_lowest_only_from_the_minimum_number_of_experts(world):
    four = _panel_of(world, 4, TRIMMED, [50, 60, 70, 90])  # fewer than 5: a plain mean
    assert svc.stage_score(four) == Decimal("675.00")
    five = _panel_of(world, 5, TRIMMED, [50, 60, 60, 70, 90])  # drop 50 and 90: (60 + 60 + 70) / 3 = 63⅓ %
    assert set(PanelItemScore.objects.filter(panel=five).values_list("percent", flat=True)) == {Decimal("63.3333")}
    assert svc.stage_fraction(five) == Fraction(1900, 3)  # 1000 × 63⅓ %, not 1000 × 63.3333 %
    assert svc.stage_score(five) == Decimal(1900) / Decimal(3)
    assert svc.exact_text(svc.stage_score(five)) == "约 633.33"
    row = PanelItemScore.objects.filter(panel=five).first()
    assert row.source == "trimmed_mean" and "去掉最高分和最低分" in row.reason
    assert (row.percent_sum, row.experts_counted) == (190, 3)
    assert StageResult.objects.get(panel=five).experts == 5


def test_no_rounding_inside_a_stage_score(world):
    """Means of 51⅔ % on two 30-point items add exactly 1 point: 501, where rounding each mean to four
    places first gave 501.00002."""
    panel = _panel_of(world, 3, MEAN, [50, 50, {"4.1.3": 55, "4.1.4": 55}])
    assert PanelItemScore.objects.get(panel=panel, item=S.item("4.1.3")).percent == Decimal("51.6667")  # shown
    assert svc.stage_score(panel) == Decimal("501")
    assert svc.exact_text(svc.stage_score(panel)) == "501.00"
    scores, _total = svc.application_scores(panel.application)
    assert scores["material"] == Decimal("501")


def test_trimmed_total_drops_the_experts_with_the_highest_and_lowest_totals(world):
    """The rule most panels use: the expert totals 900 and 300 are dropped, the other three experts'
    sheets averaged item by item. 4.1.2 (50 points): (60 + 60 + 100) / 3 = 73⅓ %; every other item
    (950 points): (60 + 60 + 55) / 3 = 58⅓ %. Stage score = 50 × 73⅓ % + 950 × 58⅓ % = 3545/6 = 590.83…
    (a per-item trimmed mean would give 4.1.2 (60 + 60 + 90) / 3 = 70 % instead)."""
    fifth = {"4.1.2": 100, **{code: 55 for code in S.codes_except("4.1.2")}}  # total 50 + 522.5 = 572.5
    panel = _panel_of(world, 5, TRIMMED_TOTAL, [90, 30, 60, 60, fifth])
    assert svc.stage_fraction(panel) == Fraction(3545, 6)
    assert svc.exact_text(svc.stage_score(panel)) == "约 590.83"
    row = PanelItemScore.objects.get(panel=panel, item=S.item("4.1.2"))
    assert (row.percent_sum, row.experts_counted, row.percent) == (220, 3, Decimal("73.3333"))
    assert row.source == "trimmed_total" and "按总分去掉最高和最低各一位" in row.reason
    assert "最高总分 900.00" in row.reason and "最低总分 300.00" in row.reason
    event = AuditEvent.objects.filter(action="scoring:conclude").latest("pk")
    assert event.data["rule"] == "trimmed_total" and set(event.data["dropped"]) == {"highest", "lowest", "totals"}


def test_trimmed_total_is_a_plain_mean_below_the_profiles_minimum_panel(world):
    four = _panel_of(world, 4, TRIMMED_TOTAL, [90, 30, 60, 60], min_experts=5)
    assert svc.stage_score(four) == Decimal("600")  # (900 + 300 + 600 + 600) / 4
    assert "不去极值" in PanelItemScore.objects.filter(panel=four).first().reason
    trimmed = _panel_of(world, 4, TRIMMED_TOTAL, [90, 30, 60, 65], min_experts=4)
    assert svc.stage_score(trimmed) == Decimal("625")  # 900 and 300 dropped: (600 + 650) / 2


def test_equal_totals_give_the_same_stage_score_whichever_expert_is_dropped(world):
    low_a = {"4.1.2": 0, **{code: 50 for code in S.codes_except("4.1.2")}}  # 475
    low_b = {"4.7.2": 30, **{code: 50 for code in S.codes_except("4.7.2")}}  # 484
    panel = _panel_of(world, 5, TRIMMED_TOTAL, [70, 70, 60, low_a, low_b])
    assert svc.stage_fraction(panel) == Fraction(700 + 600 + 484, 3)  # one 700 and the 475 dropped


def test_aggregate_gives_the_exact_sum_and_count():
    assert svc.aggregate([50, 55], rule=MEAN, min_experts=5) == (105, 2)
    assert svc.aggregate([5, 10, 10], rule=MEAN, min_experts=5) == (25, 3)
    assert svc.aggregate([0, 100, 50, 50, 60], rule=TRIMMED, min_experts=5) == (160, 3)
    assert svc.aggregate([0, 100, 50, 60], rule=TRIMMED, min_experts=4) == (110, 2)
    assert svc.aggregate([0, 100, 50, 60], rule=TRIMMED, min_experts=5) == (210, 4)


def test_a_total_of_exactly_600_passes_the_threshold_and_599_99_does_not():
    profile = RuleProfile(material_weight=Decimal(30), onsite_weight=Decimal(70), has_material_review=True,
                          has_onsite_review=True, finalist_threshold=Decimal(600))
    exact = svc.composite(profile=profile, material=Fraction(1900, 3), onsite=Fraction(4100, 7))
    assert exact == Decimal(600)  # 190 + 410, both thirds and sevenths cancel
    assert svc.is_finalist(profile=profile, total=exact)
    below = svc.composite(profile=profile, material=Fraction(1900, 3) - Fraction(1, 30000), onsite=Fraction(4100, 7))
    assert not svc.is_finalist(profile=profile, total=below) and svc.exact_text(below) == "599.99999"
    third = svc.composite(profile=profile, material=Fraction(1900, 3) - Fraction(1, 90), onsite=Fraction(4100, 7))
    assert not svc.is_finalist(profile=profile, total=third)  # 599.99666…
    assert svc.exact_text(third) == "约 600.00" and svc.exact_text(third, places=4) == "约 599.9967"


def test_a_corrected_expert_score_counts_and_the_original_is_kept(world):
    app = S.drive_xixian(world)
    S.set_rule(app, MEAN)
    panel = Panel.objects.create(application=app, stage=Panel.Stage.MATERIAL)
    leader, member = S.new_experts(2, "c")
    S.seat(panel, leader, [member])
    panel.application = app
    S.fill(panel, leader, 60)
    S.fill(panel, member, {"4.4.6": 95})  # meant 45 (a slip)
    acc, actor = S.leader_access(panel)
    score = ItemScore.objects.get(sheet__panel=panel, sheet__expert=member, item=S.item("4.4.6"))
    with pytest.raises(ValidationError):
        svc.correct_expert_score(acc=acc, score=score, percent="45", reason="", actor=actor)
    svc.correct_expert_score(acc=acc, score=score, percent="45", reason="专家确认笔误，应为 45%", actor=actor)
    score.refresh_from_db()
    assert score.percent == 95 and ScoreCorrection.objects.get(score=score).percent == 45
    S.conclude(panel)
    assert PanelItemScore.objects.get(panel=panel, item=S.item("4.4.6")).percent == Decimal("52.5")
    # items: 4.4.6 (10 points) at (60 + 45) / 2 = 52.5 %, the rest at (60 + 50) / 2 = 55 %
    assert svc.stage_score(panel) == Decimal("990") * Decimal("0.55") + Decimal("10") * Decimal("0.525")


def test_after_conclusion_a_correction_is_a_new_audited_record(world, scored_panel):
    for expert in (world.expert, scored_panel.a, scored_panel.b):
        S.fill(scored_panel, expert, 50)
    S.consensus_all(scored_panel, 50)
    S.conclude(scored_panel)
    assert svc.stage_score(scored_panel) == Decimal("500.00")
    acc, actor = S.leader_access(scored_panel)
    item = S.item("4.6.3")
    svc.record_panel_score(acc=acc, item=item, percent="60", reason="复核证实性材料后上调", actor=actor)
    rows = list(PanelItemScore.objects.filter(panel=scored_panel, item=item).order_by("recorded_at", "pk"))
    assert [(r.percent, r.is_current, r.is_correction) for r in rows] == [
        (Decimal("50"), False, False), (Decimal("60"), True, True)]
    assert svc.stage_score(scored_panel) == Decimal("504.00")
    # the ranking reads the corrected score at once (the concluded stage's stored sum follows the correction)
    (ranked,) = [r for r in svc.ranking_rows(campaign=scored_panel.application.campaign)
                 if r.pk == scored_panel.application_id]
    assert ranked.material == Decimal("504.00")
    assert AuditEvent.objects.filter(action="scoring:correct_panel", reason="复核证实性材料后上调").exists()
    with pytest.raises(DatabaseError), transaction.atomic():  # the record itself never changes
        PanelItemScore.objects.filter(pk=rows[0].pk).update(percent=Decimal("70"))
    with pytest.raises(ValidationError):
        S.conclude(scored_panel)  # once only


def test_the_on_site_stage_records_its_visit_before_conclusion(world):
    app = S.drive_xixian(world)
    material = Panel.objects.create(application=app, stage=Panel.Stage.MATERIAL)
    leader, member = S.new_experts(2, "o")
    S.seat(material, leader, [member])
    material.application = app
    for e in (leader, member):
        S.fill(material, e, 60)
    S.consensus_all(material, 60)
    S.conclude(material)
    from applications import workflow
    from demo.review import complete_sample_defense

    complete_sample_defense(application=app, actor=Actor(user=world.secretariat_other), kind="panel")  # 第十八条
    workflow.perform(application=app, name="start_onsite_review", actor=Actor(user=world.secretariat_other))
    app.refresh_from_db()
    onsite = Panel.objects.create(application=app, stage=Panel.Stage.ONSITE)
    S.seat(onsite, leader, [member])
    onsite.application = app
    for e in (leader, member):
        S.fill(onsite, e, 70)
    S.consensus_all(onsite, 70)
    with pytest.raises(ValidationError) as exc:
        S.conclude(onsite)
    assert "现场评审记录" in exc.value.messages[0]
    acc, actor = S.leader_access(onsite)
    import datetime as dt

    with pytest.raises(ValidationError):
        svc.record_onsite_visit(acc=acc, visited_on=dt.date(2026, 6, 3), visited_until=dt.date(2026, 6, 2),
                                places="总装车间", issues="", actor=actor)
    svc.record_onsite_visit(acc=acc, visited_on=dt.date(2026, 6, 2), visited_until=dt.date(2026, 6, 3),
                            places="总装车间、质量部、实验室", issues="部分过程记录不完整", actor=actor)
    S.conclude(onsite)
    assert svc.stage_score(onsite) == Decimal("700.00")
    scores, total = svc.application_scores(app)
    assert total == Decimal("600.00") * Decimal("0.3") + Decimal("700.00") * Decimal("0.7")


def test_the_panel_page_posts_consensus_and_conclusion(client, world, scored_panel):
    app = scored_panel.application
    for expert in (world.expert, scored_panel.a, scored_panel.b):
        S.fill(scored_panel, expert, 50)
    client.force_login(world.expert)
    url = reverse("review:scoring_consensus", args=[app.pk, "material"])
    item = S.item("4.1.3")
    bad = client.post(url, {"item": item.pk, "percent": "50", "reason": ""})
    assert bad.status_code == 400 and "理由" in bad.content.decode()
    assert client.post(url, {"item": item.pk, "percent": "55", "reason": "合议"}).status_code == 302
    assert PanelItemScore.objects.get(panel=scored_panel, item=item).percent == Decimal("55")
    refused = client.post(reverse("review:scoring_conclude", args=[app.pk, "material"]))
    assert refused.status_code == 400 and not StageResult.objects.exists()
    client.force_login(scored_panel.a)  # a member: not the leader's to do
    assert client.post(url, {"item": item.pk, "percent": "60", "reason": "x"}).status_code == 403
    client.force_login(world.secretariat)
    assert client.post(url, {"item": item.pk, "percent": "60", "reason": "x"}).status_code == 403
    assert PanelItemScore.objects.filter(panel=scored_panel).count() == 1


def test_an_application_with_scores_can_still_be_deleted_whole(world, scored_panel):
    for expert in (world.expert, scored_panel.a, scored_panel.b):
        S.fill(scored_panel, expert, 50)
    acc, actor = S.leader_access(scored_panel)
    score = ItemScore.objects.filter(sheet__panel=scored_panel, sheet__expert=scored_panel.a).first()
    svc.correct_expert_score(acc=acc, score=score, percent="55", reason="笔误", actor=actor)
    S.consensus_all(scored_panel, 50)
    svc.record_panel_score(acc=acc, item=S.item("4.1.2"), percent="55", reason="复议", actor=actor)
    S.conclude(scored_panel)
    from applications.models import Application

    Application.objects.filter(pk=scored_panel.application.pk).delete()  # what the administrator may do
    assert not ItemScore.objects.exists() and not PanelItemScore.objects.exists()


def test_the_leader_corrects_an_experts_score_on_the_panel_page(client, world, scored_panel):
    for expert in (world.expert, scored_panel.a, scored_panel.b):
        S.fill(scored_panel, expert, 50)
    score = ItemScore.objects.get(sheet__panel=scored_panel, sheet__expert=scored_panel.b, item=S.item("4.3.2"))
    url = reverse("review:scoring_correct", args=[scored_panel.application.pk, "material"])
    client.force_login(world.expert)
    assert client.post(url, {"score": score.pk, "percent": "42", "reason": "笔误"}).status_code == 400
    assert client.post(url, {"score": score.pk, "percent": "45", "reason": "专家确认笔误"}).status_code == 302
    body = client.get(reverse("review:scoring_panel", args=[scored_panel.application.pk, "material"])).content.decode()
    assert "已更正（原 50）" in body
    score.refresh_from_db()
    assert score.percent == 50 and svc.effective_percent(score) == 45
    client.force_login(scored_panel.b)  # not the expert's own to correct
    assert client.post(url, {"score": score.pk, "percent": "50", "reason": "改回"}).status_code == 403


def test_the_data_generator_writes_scores_consistent_with_the_rules(seeded):
    import io

    from django.core.management import call_command

    from review.scoring.models import ScoreSheet

    call_command("generate_data", applications=60, experts=12, seed=5, stdout=io.StringIO())
    submitted = ScoreSheet.objects.filter(status=ScoreSheet.Status.SUBMITTED)
    assert submitted.exists()
    assert not ItemScore.objects.filter(sheet__in=submitted, percent__isnull=True).exists()
    for result in StageResult.objects.select_related("panel__application")[:10]:
        assert result.panel.application.state != svc.STAGE_STATE[result.panel.stage]
        assert PanelItemScore.objects.filter(panel=result.panel, is_current=True).count() == 23
        assert svc.stage_score(result.panel) is not None
    call_command("generate_data", applications=60, experts=12, seed=5, replace=True, stdout=io.StringIO())


def test_the_leader_records_every_agreed_item_in_one_step_and_each_is_its_own_record(client, world, scored_panel):
    """Where the experts agree (no two scores more than one band apart) the leader records all those items at
    once, at the median, reason “意见一致”; the item where they differ is left for a reasoned record."""
    S.fill(scored_panel, world.expert, {"4.1.2": 20, "4.2.2": 50})
    S.fill(scored_panel, scored_panel.a, {"4.1.2": 50, "4.2.2": 55})
    S.fill(scored_panel, scored_panel.b, {"4.1.2": 30, "4.2.2": 60})
    app = scored_panel.application
    items = S.items_of(app)
    client.force_login(world.expert)
    page = client.get(reverse("review:scoring_panel", args=[app.pk, "material"])).content.decode()
    assert f"一次记录意见一致的 {len(items) - 1} 个条款" in page
    response = client.post(reverse("review:scoring_consensus_agreed", args=[app.pk, "material"]), follow=True)
    assert f"已为意见一致的 {len(items) - 1} 个条款记录评审组得分" in response.content.decode()
    current = {p.item.code: p for p in PanelItemScore.objects.filter(panel=scored_panel, is_current=True)
               .select_related("item")}
    assert "4.1.2" not in current and len(current) == len(items) - 1
    assert current["4.2.2"].percent == 55 and current["4.2.2"].reason == "意见一致"
    assert AuditEvent.objects.filter(action="scoring:consensus", object_id=str(app.pk)).count() == len(items) - 1
    # a second press records nothing more: the agreed items have their score, the differing one needs a reason
    response = client.post(reverse("review:scoring_consensus_agreed", args=[app.pk, "material"]), follow=True)
    assert "没有可一次记录的条款" in response.content.decode()
    client.force_login(scored_panel.a)  # a member cannot
    assert client.post(reverse("review:scoring_consensus_agreed", args=[app.pk, "material"])).status_code == 403
