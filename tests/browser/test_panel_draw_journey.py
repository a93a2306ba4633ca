"""The expert review's first steps in a real browser: the secretariat draws a panel for an accepted
application under a witness and reads the printable record; a drawn expert cannot open the
application until declaring no conflict and signing the pledge, and then can."""
import re

import pytest
from playwright.sync_api import expect

from applications import workflow
from review.eligibility.services import ABSENT, exclusion_items, record_exclusions
from applications.models import State
from demo.content import fill_application
from qualityaward.accounts.models import Region, Role, User
from qualityaward.accounts.services import Actor, grant_role
from review.panels.models import PanelMember
from demo.review import complete_sample_prereview

pytestmark = pytest.mark.browser


def _accepted(portal):
    applicant = portal.applicant()
    app = portal.draft(applicant)
    fill_application(application=app, actor=Actor(user=applicant))
    program = app.campaign.program
    bureau = User.objects.create_user(username="zz_bureau", password=portal.password)
    grant_role(user=bureau, role=Role.AUTHORITY, program=program, region=Region.objects.get(code="410100"))
    secretariat = User.objects.create_user(username="sec", password=portal.password, full_name="秘书处 陈")
    grant_role(user=secretariat, role=Role.SECRETARIAT, program=program)
    workflow.perform(application=app, name="submit", actor=Actor(user=applicant))
    complete_sample_prereview(application=app, actor=Actor(user=bureau))
    workflow.perform(application=app, name="recommend", actor=Actor(user=bureau))
    workflow.perform(application=app, name="start_eligibility_review", actor=Actor(user=secretariat))
    record_exclusions(application=app, actor=Actor(user=secretariat),
                      answers={item.pk: (ABSENT, "") for item in exclusion_items(app)})
    workflow.perform(application=app, name="accept", actor=Actor(user=secretariat))
    app.refresh_from_db()
    assert app.state == State.ACCEPTED
    return app, secretariat


def test_secretariat_draws_a_panel_and_the_expert_pledges_before_seeing_the_application(portal, context, page):
    app, secretariat = _accepted(portal)
    portal.experts(5)

    # --- the secretariat draws the panel under a witness ------------------------------------------------
    portal.sign_in(context, secretariat)
    page.goto("/")
    page.get_by_role("link", name="评审组与专家抽取").click()
    page.get_by_role("link", name=re.compile("河南省省长质量奖培育.*当前")).click()
    expect(page.get_by_role("cell", name=app.applicant_name)).to_be_visible()
    page.get_by_role("link", name="抽取专家").click()
    page.get_by_label("评审组人数").fill("9")
    page.get_by_label("现场监督人姓名").fill("监督组 王监督")
    page.get_by_role("button", name="抽取").click()
    expect(page.locator(".alert-danger")).to_contain_text("评审组人数应在 3—7 人之间")
    page.get_by_label("评审组人数").fill("3")
    page.get_by_label("备选专家人数").fill("1")
    page.get_by_label("随机种子").fill("20261122")
    page.get_by_role("button", name="抽取").click()
    expect(page.locator("h1")).to_contain_text("评审专家抽取记录")
    expect(page.locator("body")).to_contain_text("20261122")
    expect(page.locator("body")).to_contain_text("结果一致")
    expect(page.locator("body")).to_contain_text("监督组 王监督")
    leader = PanelMember.objects.get(panel__application=app, role="leader").expert

    # --- the leader cannot open the application before the pledge ------------------------------------------
    portal.sign_in(context, leader)
    response = page.goto(f"/applications/{app.pk}/")
    assert response.status == 404
    page.goto("/")
    expect(page.locator("body")).to_contain_text("待签署承诺书")
    page.goto("/review/")
    page.get_by_role("link", name="申报利害关系并签署承诺书").click()
    expect(page.locator("#applicant-name")).to_have_text(app.applicant_name)
    expect(page.locator("#pledge-text")).to_contain_text("保密")
    page.get_by_label("本人与该申报单位（个人）不存在利害关系").check()
    page.get_by_label("本人已阅读上述承诺书，承诺遵守").check()
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".alert-success")).to_contain_text("承诺书已签署")
    assert page.url.endswith(f"/applications/{app.pk}/")
    expect(page.locator("body")).to_contain_text(app.applicant_name)
