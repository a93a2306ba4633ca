"""河南省省长质量奖培育 (豫质强办〔2024〕12号), walked through the services: the city bureau pre-reviews and
recommends (五（三）), the secretariat reviews (五（四）), expert evaluation, publicity and the 入库 list (五（五））."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from applications import workflow
from applications.documents import prints
from applications.models import GeneratedDocument, State
from conformance_support import refused, step, tick_exclusions, who_may
from demo.review import complete_sample_prereview
from procedure_support import score_stage
from qualityaward.accounts.services import Actor
from review.prereview import services as pre


def test_5_3_the_city_bureau_of_the_applicant_recommends(world, client):
    """五（三）: 省辖市（区）市场监督管理局…初审，并出具推荐意见 — the applicant's own city, nobody else."""
    app = world.new_app()
    step(app, "submit", world.owner)
    people = [world.authority, world.authority_other_city, world.secretariat]
    assert who_may(app, "recommend", people) == {"authority_zz"}
    assert who_may(app, "start_eligibility_review", people) == set()
    client.force_login(world.authority_other_city)
    assert client.get(reverse("applications:detail", args=[app.pk])).status_code == 404
    # the bureau's 社会公示 and signed opinion come first (guards on recommend)
    assert refused(app, "recommend", world.authority) is workflow.GuardFailed
    complete_sample_prereview(application=app, actor=Actor(user=world.authority))
    step(app, "recommend", world.authority)
    assert app.state == State.RECOMMENDED


def _evaluated_and_consulted(world):
    """An application through 五（四） and the expert evaluation of 五（五）, its opinions in: ready for the publicity."""
    sec = world.secretariat
    app = world.new_app()
    step(app, "submit", world.owner)
    complete_sample_prereview(application=app, actor=Actor(user=world.authority))
    step(app, "recommend", world.authority)
    step(app, "start_eligibility_review", sec)
    tick_exclusions(app, sec)
    for name in ("accept", "open_acceptance_publicity", "start_material_review"):
        step(app, name, sec)
    assert refused(app, "start_onsite_review", sec) is workflow.InvalidTransition  # only an expert evaluation
    score_stage(app, percent=70)
    step(app, "declare_finalist", sec)
    assert refused(app, "send_to_committee", sec) is workflow.InvalidTransition
    tier = world.cultivation.profile.tiers.order_by("order").first()
    # 五（五）经专家评估、征求意见、社会公示: no 入库 publicity before the opinions asked for are in
    assert refused(app, "propose", sec, tier=tier) is workflow.GuardFailed
    asked = pre.solicit_opinion(application=app, actor=Actor(user=sec), department="省工业和信息化厅",
                                asked_on=timezone.localdate(), by=pre.EVALUATION)
    assert refused(app, "propose", sec, tier=tier) is workflow.GuardFailed
    pre.record_answer(application=app, actor=Actor(user=sec), opinion_id=asked.pk, by=pre.EVALUATION,
                      answer="no_objection", content="", answered_on=timezone.localdate())
    return app, tier


def test_5_4_5_5_eligibility_expert_evaluation_and_the_database_list(world):
    """五（四）资格审核、受理公示; 五（五）专家评估，社会公示后确定入库名单 — no committee, no government decision, and
    入库 is the end: the document hands out no certificate."""
    sec = world.secretariat
    app, tier = _evaluated_and_consulted(world)
    step(app, "propose", sec, tier=tier)
    assert app.state == State.PROPOSED
    assert app.get_state_display() == "拟入库公示中"
    assert refused(app, "submit_to_government", sec) is workflow.InvalidTransition
    step(app, "award", sec)
    assert app.state == State.AWARDED
    assert app.get_state_display() == "已入库"
    assert "入库" in world.cultivation.profile.procedure_end
    assert not app.documents.filter(kind=GeneratedDocument.Kind.CERTIFICATE).exists()
    with pytest.raises(PermissionDenied, match="未规定颁发证书"):
        prints.request_certificate(application=app, actor=Actor(user=sec))
    # the document provides for no revocation of 入库: no such step is offered or taken
    assert refused(app, "revoke", sec, reason="发生重大质量事故") is workflow.InvalidTransition


def test_5_5_the_pages_say_ru_ku_not_award_and_offer_no_certificate(world, client):
    """五（五）确定入库名单: the secretariat's buttons and the applicant's page speak of 入库, never of 授奖 or a
    获奖证书."""
    sec = world.secretariat
    app, tier = _evaluated_and_consulted(world)
    client.force_login(sec)
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "确定拟入库名单并公示" in page and "确定拟授奖并公示" not in page
    step(app, "propose", sec, tier=tier)
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "拟入库公示中" in page and "不予入库" in page
    assert "拟授奖" not in page and "不予授奖" not in page
    response = client.post(reverse("applications:transition", args=[app.pk, "award"]), follow=True)
    page = response.content.decode()
    assert "已完成“入库”" in page and "已入库" in page
    assert "获奖证书" not in page and "已授奖" not in page and "撤销奖励" not in page
    client.force_login(world.owner)
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "已入库" in page and "获奖证书" not in page
