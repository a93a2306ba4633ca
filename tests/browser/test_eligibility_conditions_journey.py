"""Forms and eligibility as each document asks, in a real browser.

1. 息县 第十六条第二款: only a branch (分支机构) brings its parent organization's opinion. An enterprise that says
   it is a branch is asked for it; once it says it is not, it submits without one.
2. 000 三（二） excludes only 重大责任事故: an applicant that declares a 较大事故 is not refused; the finding is
   flagged 待研判, and the secretariat accepts after deciding it with a written reason, which stays on the record.
"""
import re

import pytest
from playwright.sync_api import expect

from applications import workflow
from applications.models import ApplicationSection, Campaign, State
from applications.services import create_application
from demo.content import fill_application
from qualityaward.accounts.models import AuditEvent, Region, Role, User
from qualityaward.accounts.services import Actor, grant_role

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^已保存 \d{1,2}:\d{2}:\d{2}$")


def field(page, path):
    return page.locator(f'#qa-section [data-path="{path}"]')


def answer(page, **values):
    for path, value in values.items():
        field(page, path).select_option(value)
    field(page, list(values)[-1]).blur()  # leaving the field saves at once
    expect(page.locator("#qa-status")).to_have_text(SAVED)


def test_a_xixian_enterprise_that_is_not_a_branch_submits_without_a_parent_opinion(portal, context, page):
    applicant = portal.applicant()
    org = applicant.organizations.get()
    org.region = Region.objects.get(code="411528")  # 息县
    org.save()
    campaign = Campaign.objects.get(program__code="xixian", is_current=True)
    app = create_application(actor=Actor(user=applicant), campaign=campaign, kind="organization",
                             applicant_name=org.name, region=org.region, organization=org)
    fill_application(application=app, actor=Actor(user=applicant))
    ApplicationSection.objects.filter(application=app, code="conditions").delete()  # the applicant answers it here

    portal.sign_in(context, applicant)
    page.goto(f"/applications/{app.pk}/form/conditions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("附 申报条件")
    page.locator('#qa-section [data-path="self_assessment_good_years"]').fill("3")
    answer(page, in_territory="yes", org_nature="enterprise", specialized_level="none", is_branch="yes")
    page.goto(f"/applications/{app.pk}/")
    expect(page.locator("body")).to_contain_text("上级组织推荐意见（分支机构适用）")  # a branch is asked for it

    page.goto(f"/applications/{app.pk}/form/conditions/")
    answer(page, is_branch="no")
    page.goto(f"/applications/{app.pk}/")
    expect(page.locator("details summary", has_text="提交前还需完成")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("上级组织推荐意见")
    page.get_by_role("button", name="提交申报").click()
    expect(page.locator("span.badge.fs-6")).to_have_text("已提交")
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and not app.attachments.filter(slot__startswith="opinion_").exists()


def test_a_larger_accident_is_flagged_and_the_secretariat_accepts_it_with_a_reason(portal, context, page):
    from demo.review import complete_sample_prereview

    applicant = portal.applicant()
    app = portal.draft(applicant)
    fill_application(application=app, actor=Actor(user=applicant))
    basic = ApplicationSection.objects.get(application=app, code="basic")
    basic.data = {**basic.data, "accidents": "yes", "accidents_severity": "larger",
                  "accidents_detail": "2024年5月厂区发生一起较大火灾事故，无人员伤亡，已整改并通过验收。"}
    basic.save()
    workflow.perform(application=app, name="submit", actor=Actor(user=applicant))
    bureau = User.objects.create_user(username="zz_bureau", password=portal.password, full_name="郑州市局 李审核")
    grant_role(user=bureau, role=Role.AUTHORITY, program=app.campaign.program, region=Region.objects.get(code="410100"))
    complete_sample_prereview(application=app, actor=Actor(user=bureau))
    workflow.perform(application=app, name="recommend", actor=Actor(user=bureau))
    secretariat = User.objects.create_user(username="hn_sec", password=portal.password, full_name="省质量奖办 陈审核")
    grant_role(user=secretariat, role=Role.SECRETARIAT, program=app.campaign.program)

    portal.sign_in(context, secretariat)
    page.goto(f"/review/eligibility/{app.pk}/")
    page.get_by_role("button", name="开始资格审核").click()
    row = page.locator('#checks tr[data-check="accidents"]')
    expect(row).to_have_attribute("data-status", "flag")
    expect(row).to_contain_text("待研判")
    expect(row).to_contain_text("较大事故")
    for radio in page.get_by_label("不存在该情形").all():
        radio.check()
    page.get_by_role("button", name="保存否决情形清单").click()
    expect(page.locator("#actions")).to_contain_text("待研判事项尚未处理")
    expect(page.get_by_role("button", name="受理", exact=True)).to_be_disabled()

    reason = "经核查应急管理部门的事故调查报告，该事故为较大事故而非重大责任事故，已整改验收，不影响受理。"
    row = page.locator('#checks tr[data-check="accidents"]')
    row.get_by_label("不影响受理").check()
    row.locator("textarea").fill(reason)
    row.get_by_role("button", name="保存研判").click()
    expect(page.locator(".alert-success")).to_contain_text("研判已保存")
    row = page.locator('#checks tr[data-check="accidents"]')
    expect(row).to_contain_text("秘书处研判：不影响受理")
    expect(row).to_contain_text(reason)
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已完成“受理”")
    app.refresh_from_db()
    assert app.state == State.ACCEPTED
    expect(page.locator('#checks tr[data-check="accidents"]')).to_contain_text(reason)  # on the record
    assert AuditEvent.objects.get(action="eligibility:flag", object_id=str(app.pk)).reason == reason
