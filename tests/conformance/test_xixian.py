"""息县县长质量奖 (息政文〔2022〕68号《息县县长质量奖管理办法》), walked article by article through the services:
who may act at each step, what is refused, the state reached."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications.models import State
from conformance_support import (
    consult_departments, make_user, new_application, refused, step, tick_exclusions, who_may,
)
from procedure_support import decide_after_publicity, score_stage
from qualityaward.accounts.models import Role
from applications import workflow
from demo.review import complete_sample_defense
from qualityaward.accounts.services import Actor
from review.awards import services as awards
from review.committee import services as committee
from review.scoring import defense


def test_15_17_applicants_submit_to_the_secretariat_without_a_recommender(world, client):
    """第十五条: 申报单位按照公告要求…提供书面材料; 第十七条: 秘书处对在规定时限内提交的申报材料…进行资格审查 —
    no 推荐单位 in between, no recommender deadline."""
    profile = world.xixian.profile
    assert not profile.has_recommender_step
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county)
    # a county bureau with an authority role on 息县 (left over from before) has nothing to do with it
    bureau = make_user("xx_bureau", (Role.AUTHORITY, {"program": world.xixian, "region": world.xixian_county}))
    step(app, "submit", world.owner)
    assert app.state == State.SUBMITTED
    people = [world.owner, bureau, world.secretariat_other, world.authority_other_program]
    assert who_may(app, "recommend", people) == set()
    assert refused(app, "recommend", bureau) is workflow.NotPermitted
    assert who_may(app, "start_eligibility_review", people) == {"secretariat_xx"}
    assert who_may(app, "return_for_correction", people) == {"secretariat_xx"}
    client.force_login(bureau)
    assert client.get(reverse("applications:detail", args=[app.pk])).status_code == 404
    client.force_login(world.owner)
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "推荐截止" not in page
    public = client.get(reverse("applications:program_detail", args=[world.xixian.code])).content.decode()
    assert "推荐截止" not in public and "申报人直接向秘书处提交" in public


def test_17_the_secretariat_returns_to_the_applicant_and_reviews_eligibility(world, client):
    """第十七条: 秘书处…进行资格审查后，形成受理名单，向社会公示 — the secretariat itself returns incomplete material."""
    sec = world.secretariat_other
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county)
    step(app, "submit", world.owner)
    step(app, "start_eligibility_review", sec)
    assert refused(app, "return_to_authority", sec, reason="补正") is workflow.InvalidTransition
    step(app, "return_for_correction", sec, reason="请补充近三年财务报表。")
    assert app.state == State.RETURNED
    step(app, "resubmit", world.owner)
    assert app.state == State.SUBMITTED
    client.force_login(sec)
    listing = client.get(reverse("review:eligibility_list") + f"?campaign={app.campaign_id}").content.decode()
    assert "待审核（申报人已提交秘书处）" in listing and app.applicant_name in listing
    response = client.post(reverse("review:eligibility_start", args=[app.pk]))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == State.ELIGIBILITY_REVIEW
    page = client.get(reverse("review:eligibility_detail", args=[app.pk])).content.decode()
    assert "退回申报人修改" in page and "退回推荐单位" not in page
    tick_exclusions(app, sec)
    # 第十七条 “在征求县直有关部门意见的基础上，进行资格审查”: no acceptance before the departments answered
    assert refused(app, "accept", sec) is workflow.GuardFailed
    assert "秘书处征求有关部门意见" in page and "尚未征求有关部门意见" in page
    response = client.post(reverse("review:eligibility_consult_solicit", args=[app.pk]),
                           {"consult-department": "县生态环境分局", "consult-asked_on": "2026-11-18"})
    assert response.status_code == 302
    assert refused(app, "accept", sec) is workflow.GuardFailed
    opinion = app.department_opinions.get(consulted_by="secretariat")
    response = client.post(reverse("review:eligibility_consult_answer", args=[app.pk]),
                           {"opinion": opinion.pk, "answer": "no_objection", "answered_on": "2026-11-19"})
    assert response.status_code == 302
    page = client.get(reverse("review:eligibility_detail", args=[app.pk])).content.decode()
    assert "县生态环境分局" in page and "无异议" in page and "尚未征求有关部门意见" not in page
    step(app, "accept", sec)
    assert app.state == State.ACCEPTED
    step(app, "open_acceptance_publicity", sec)
    assert app.state == State.ACCEPTANCE_PUBLICITY


def test_18_to_22_review_committee_and_the_county_government_decide_before_the_award_and_33_revocation(world):
    """第十八条 材料评审、陈述答辩、现场评审; 第十九条 600 分以上入围; 第二十一条 评委会全体会议现场展示和陈述答辩、
    无记名投票; 第二十二条 县政府常务会议审定; 第三十三条 撤销、收回证书、奖牌和奖金、向社会公开、5 年内不得再次申报."""
    sec = world.secretariat_other
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county)
    for name in ("submit", "start_eligibility_review"):
        step(app, name, world.owner if name == "submit" else sec)
    tick_exclusions(app, sec)
    consult_departments(app, sec)
    for name in ("accept", "open_acceptance_publicity", "start_material_review"):
        step(app, name, sec)
    assert app.state == State.MATERIAL_REVIEW
    # 第十八条: material review, then on-site review; no finalist straight from the material stage
    assert refused(app, "declare_finalist", sec) is workflow.InvalidTransition
    score_stage(app)
    # 第十八条: 陈述答辩 between material and on-site review — scheduled, then held with the panel's notes
    assert refused(app, "start_onsite_review", sec) is workflow.GuardFailed
    defense.schedule_defense(application=app, actor=Actor(user=sec), kind=defense.PANEL,
                             scheduled_on=dt.date(2026, 11, 19), place="县市场监管局三楼会议室")
    assert refused(app, "start_onsite_review", sec) is workflow.GuardFailed
    defense.record_defense(application=app, actor=Actor(user=sec), kind=defense.PANEL, held_on=dt.date(2026, 11, 19),
                           notes="企业负责人陈述；评审组就战略与过程管理提问，答辩清楚。")
    step(app, "start_onsite_review", sec)
    # 第十九条: without the scores reaching 600 nobody is declared a finalist
    assert refused(app, "declare_finalist", sec) is workflow.GuardFailed
    score_stage(app, percent=70)
    step(app, "declare_finalist", sec)
    # 第二十一条: the plenary hears each candidate's 现场展示和陈述答辩, then votes
    tier = world.xixian.profile.tiers.order_by("order").first()
    with pytest.raises(ValidationError, match="现场展示和陈述答辩"):
        committee.open_session(campaign=app.campaign, actor=Actor(user=sec), candidates=[(app, tier)])
    complete_sample_defense(application=app, actor=Actor(user=sec), kind=defense.PLENARY)
    step(app, "send_to_committee", sec)
    assert app.state == State.COMMITTEE
    tier = world.xixian.profile.tiers.order_by("order").first()
    step(app, "propose", sec, tier=tier)
    assert app.state == State.PROPOSED
    # 第二十二条: the publicity over, the award waits for the 县政府常务会议
    assert refused(app, "award", sec) is workflow.InvalidTransition
    step(app, "submit_to_government", sec)
    assert app.state == State.GOVERNMENT_DECISION
    assert refused(app, "award", sec) is workflow.GuardFailed
    decide_after_publicity(app, sec)
    assert app.state == State.AWARDED
    # 第三十三条: 以欺骗、贿赂等不正当手段获奖的 — revoked with the county's approval, everything taken back, made public
    awards.revoke(application=app, actor=Actor(user=sec), ground="fraud", reason="查实申报材料弄虚作假。",
                  reference="息政文〔2027〕3号")
    app.refresh_from_db()
    award = app.award
    assert app.state == State.REVOKED and award.ban_until == award.revoked_on.replace(year=award.revoked_on.year + 5)
    assert [line.label for line in awards.recovery_lines(award)] == ["证书", "奖牌", "奖金"]
    assert award in awards.published_revocations(world.xixian)


def test_15_the_applicant_is_told_the_secretariat_has_the_material(world, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    """第十五、十七条: the receipt mail names the secretariat, not a 推荐单位 that does not exist."""
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county)
    with django_capture_on_commit_callbacks(execute=True):
        step(app, "submit", world.owner)
    (sent,) = [m for m in mailoutbox if app.number in m.subject]
    assert "已提交至秘书处" in sent.body and "推荐单位" not in sent.body
