"""000 五（五）“经专家评估、征求意见、社会公示等程序，确定…入库组织和个人名单”: after the expert evaluation the
secretariat records whom it asked and their answers; the 入库 publicity (``propose``) waits until all have answered.
The document names nobody to ask, so the secretariat names each one."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from applications import workflow
from applications.models import State
from procedure_support import score_stage
from qualityaward.accounts.services import Actor
from review.prereview import services as pre

ASKED = dt.date(2026, 11, 17)
ANSWERED = dt.date(2026, 11, 19)


@pytest.fixture
def evaluated(world, drive):
    """A cultivation application whose expert evaluation has concluded (入围), before the 入库 publicity."""
    app = drive(world.new_app(name="专家评估完成的申报单位"), State.MATERIAL_REVIEW)
    score_stage(app, percent=70)
    workflow.perform(application=app, name="declare_finalist", actor=Actor(user=world.secretariat))
    app.refresh_from_db()
    return app


def _propose(app, user):
    tier = app.campaign.program.profile.tiers.order_by("order").first()
    return workflow.perform(application=app, name="propose", actor=Actor(user=user), tier=tier)


def test_5_5_no_database_publicity_before_the_consultation(world, evaluated):
    with pytest.raises(workflow.GuardFailed) as info:
        _propose(evaluated, world.secretariat)
    assert "尚未征求意见" in info.value.message
    evaluated.refresh_from_db()
    assert evaluated.state == State.FINALIST


def test_5_5_every_one_asked_answers_before_the_database_publicity(world, evaluated):
    sec = Actor(user=world.secretariat)
    asked = pre.solicit_opinion(application=evaluated, actor=sec, department="省工业和信息化厅", asked_on=ASKED,
                                by=pre.EVALUATION)
    with pytest.raises(workflow.GuardFailed) as info:
        _propose(evaluated, world.secretariat)
    assert "省工业和信息化厅" in info.value.message
    pre.record_answer(application=evaluated, actor=sec, opinion_id=asked.pk, by=pre.EVALUATION,
                      answer="objection", content="建议核实其2025年产品抽检情况。", answered_on=ANSWERED)
    app = _propose(evaluated, world.secretariat)
    assert app.state == State.PROPOSED
    asked.refresh_from_db()
    assert asked.consulted_by == "evaluation" and asked.get_answer_display() == "有异议"
    # the step is over: nothing more is recorded in it
    with pytest.raises(PermissionDenied, match="不在专家评估后征求意见的阶段"):
        pre.solicit_opinion(application=app, actor=sec, department="省生态环境厅", asked_on=ASKED, by=pre.EVALUATION)


def test_5_5_only_after_the_evaluation_and_only_by_the_secretariat(world, drive, evaluated):
    during = drive(world.new_app(name="专家评估中的申报单位"), State.MATERIAL_REVIEW)
    with pytest.raises(PermissionDenied):
        pre.solicit_opinion(application=during, actor=Actor(user=world.secretariat), department="省工业和信息化厅",
                            asked_on=ASKED, by=pre.EVALUATION)
    for user in (world.authority, world.owner, world.secretariat_other):
        with pytest.raises(PermissionDenied):
            pre.solicit_opinion(application=evaluated, actor=Actor(user=user), department="省工业和信息化厅",
                                asked_on=ASKED, by=pre.EVALUATION)
    assert pre.secretariat_opinions(evaluated, pre.EVALUATION) == []


def test_xixian_has_no_consultation_after_the_evaluation(world):
    """息县's procedure goes from the scores to the committee (第十九至二十一条): no such step, no guard."""
    assert not world.xixian.profile.consults_after_evaluation
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county)
    assert pre.secretariat_consultation_problems(app, pre.EVALUATION) == []


def test_5_5_the_secretariat_records_the_consultation_on_its_page(world, client, evaluated):
    url = reverse("review:evaluation_consultation", args=[evaluated.pk])
    client.force_login(world.secretariat)
    detail = client.get(reverse("applications:detail", args=[evaluated.pk])).content.decode()
    assert url in detail
    page = client.get(url).content.decode()
    assert "专家评估后征求意见" in page and "尚未征求意见" in page
    bad = client.post(reverse("review:evaluation_consult_solicit", args=[evaluated.pk]),
                      {"consult-department": "省工业和信息化厅", "consult-asked_on": "2026-12-01"})
    assert bad.status_code == 400 and "不能晚于今天" in bad.content.decode()
    assert pre.secretariat_opinions(evaluated, pre.EVALUATION) == []
    client.post(reverse("review:evaluation_consult_solicit", args=[evaluated.pk]),
                {"consult-department": "省工业和信息化厅", "consult-asked_on": "2026-11-17"})
    opinion = pre.secretariat_opinions(evaluated, pre.EVALUATION)[0]
    done = client.post(reverse("review:evaluation_consult_answer", args=[evaluated.pk]),
                       {"opinion": opinion.pk, "answer": "no_objection", "answered_on": "2026-11-19"})
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "省工业和信息化厅" in page and "无异议" in page and "尚未征求意见" not in page
    # the bureau and the applicant have no part in it
    for user in (world.authority, world.owner):
        client.force_login(user)
        assert client.get(url).status_code in (403, 404)
