"""The finalist decision as the documents put it: 息县 第十九条 (600 分以上（含） 方可取得获奖入围资格, never passed
without the scores) and 巩义 第十七条（五） (only those passing the material review go on site)."""
import pytest

from applications import workflow
from applications.models import Application, State
from qualityaward.accounts.services import Actor


def test_xixian_19_a_finalist_needs_its_600_points_and_a_stage_without_panels_is_refused(committee_of):
    c = committee_of("xixian")
    app = c.finalist("息县未评审公司", target=State.ONSITE_REVIEW)  # material review scored by the helper
    with pytest.raises(workflow.GuardFailed, match="尚未得出综合得分"):
        workflow.perform(application=app, name="declare_finalist", actor=Actor(user=c.secretariat))
    assert Application.objects.get(pk=app.pk).state == State.ONSITE_REVIEW
    c.score(app, percent=55)  # 30 % × 550 + 70 % × 550 = 550 < 600
    with pytest.raises(workflow.GuardFailed, match="低于入围分数线 600.00 分"):
        workflow.perform(application=app, name="declare_finalist", actor=Actor(user=c.secretariat))
    workflow.perform(application=app, name="declare_not_finalist", actor=Actor(user=c.secretariat),
                     reason="综合得分未达到600分")
    assert Application.objects.get(pk=app.pk).state == State.NOT_FINALIST


def test_xixian_has_no_elimination_at_material_review(committee_of):
    c = committee_of("xixian")
    app = c.finalist("息县材料评审公司", target=State.MATERIAL_REVIEW)
    with pytest.raises(workflow.InvalidTransition):
        workflow.perform(application=app, name="declare_not_finalist", actor=Actor(user=c.secretariat), reason="x")


def test_gongyi_17_5_only_those_passing_the_material_review_go_on_site(committee_of):
    c = committee_of("gongyi")
    app = c.finalist("巩义材料评审未通过公司", target=State.MATERIAL_REVIEW)
    c.score(app, percent=30)
    who = {"secretariat": Actor(user=c.secretariat), "committee": Actor(user=c.members[0]),
           "authority": Actor(user=c.authority)}
    for name in ("committee", "authority"):
        with pytest.raises(workflow.NotPermitted):
            workflow.perform(application=app, name="declare_not_finalist", actor=who[name], reason="未通过材料评审")
    workflow.perform(application=app, name="declare_not_finalist", actor=who["secretariat"], reason="未通过材料评审")
    assert Application.objects.get(pk=app.pk).state == State.NOT_FINALIST
