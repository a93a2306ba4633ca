"""The recommending authority's pre-review in a real browser, with the applicant in between:

the bureau marks a section as having a problem and returns the application naming it; the applicant
sees the reason on the application page and on that section, corrects it and resubmits; the bureau
sees what changed, consults the departments (one contact may read the application until the answer
is in), records the answers, registers its publicity, drafts and signs the initial opinion, uploads
the city government's opinion and recommends; the secretariat then runs the eligibility review on
it and accepts.
"""
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications import workflow
from applications.models import ApplicationReadGrant, State
from demo.content import fill_application
from qualityaward.accounts.models import Region, Role, User
from qualityaward.accounts.services import Actor, grant_role
from review.prereview.models import DepartmentOpinion, GovernmentOpinion, InitialOpinion

pytestmark = pytest.mark.browser

AGRICULTURE = ["发展改革部门", "工业和信息化部门", "生态环境部门", "应急管理部门", "税务部门", "农业农村部门"]
SAVED = re.compile(r"^已保存 \d{1,2}:\d{2}:\d{2}$")


def ok(page, text):
    expect(page.locator(".alert-success")).to_contain_text(text)


def test_bureau_returns_applicant_corrects_bureau_consults_signs_and_recommends(portal, context, page, files):
    applicant = portal.applicant()
    app = portal.draft(applicant)
    fill_application(application=app, actor=Actor(user=applicant))
    workflow.perform(application=app, name="submit", actor=Actor(user=applicant))
    bureau = User.objects.create_user(username="zz_bureau", password=portal.password, full_name="郑州市局 李审核")
    grant_role(user=bureau, role=Role.AUTHORITY, program=app.campaign.program, region=Region.objects.get(code="410100"))
    contact = User.objects.create_user(username="zz_sthj", password=portal.password, full_name="生态环境局 赵联络")

    # --- the bureau finds the application and returns it, naming 2.1 and why -------------------------------
    portal.sign_in(context, bureau)
    page.goto("/")
    page.get_by_role("link", name=re.compile("^初审推荐工作台")).click()
    expect(page.locator("#prereview-list")).to_contain_text(app.applicant_name)
    expect(page.locator("#prereview-list")).to_contain_text("剩 ")
    page.get_by_role("link", name=app.applicant_name).click()
    row = page.locator('#checklist tr[data-section="basic"]')
    row.get_by_label("有问题").check()
    row.locator("textarea").fill("组织类型应为农业（营业执照经营范围为粮食种植与初加工），请更正。")
    page.locator('#checklist tr[data-section="overview"]').get_by_label("无问题").check()
    page.get_by_role("button", name="保存核实清单").click()
    ok(page, "核实清单已保存")
    expect(page.locator("#id_return_basic")).to_be_checked()  # prefilled from the checklist
    expect(page.locator("#id_reason_basic")).to_have_value("组织类型应为农业（营业执照经营范围为粮食种植与初加工），请更正。")
    page.get_by_role("button", name="退回修改", exact=True).click()
    ok(page, "已退回申报人修改：2.1 基本情况")
    app.refresh_from_db()
    assert app.state == State.RETURNED and app.reopened_sections == ["basic"]

    # --- the applicant reads the reason, corrects that section and resubmits ---------------------------------
    portal.sign_in(context, applicant)
    page.goto(f"/applications/{app.pk}/")
    reasons = page.locator("#return-reasons")
    expect(reasons).to_contain_text("2.1 基本情况：组织类型应为农业")
    reasons.get_by_role("link", name="2.1 基本情况").click()
    expect(page.locator("#return-reason")).to_contain_text("组织类型应为农业")
    org_type = page.locator('#qa-section [data-path="org_type"]')
    # the section was saved before, so its status already reads 已保存: wait for this change's own save
    with page.expect_response(lambda r: r.request.method == "POST" and r.status == 200):
        org_type.select_option("agriculture")
        org_type.blur()
    expect(page.locator("#qa-status")).to_have_text(SAVED)
    page.goto(f"/applications/{app.pk}/form/overview/")
    # not reopened: 组织概述 (a narrative) is shown, with no editor
    expect(page.locator("#qa-section #f-text.qa-narrative")).to_be_visible()
    expect(page.locator("#qa-section .tiptap")).to_have_count(0)
    page.goto(f"/applications/{app.pk}/")
    page.get_by_role("button", name="修改后重新提交").click()
    expect(page.locator(".badge.state-submitted").first).to_be_visible()

    # --- the bureau sees what changed, consults the departments and records their answers --------------------
    portal.sign_in(context, bureau)
    page.goto(f"/review/prereview/{app.pk}/")
    expect(page.locator('#checklist tr[data-section="basic"]')).to_contain_text("本次修改")
    page.locator("#diff-link").click()
    changed = page.locator('section[data-section="basic"]')
    expect(changed).to_contain_text("组织类型")
    expect(changed.locator("del")).to_have_text("制造业")
    expect(changed.locator("ins")).to_have_text("农业")
    page.go_back()
    # the bureau verifies every section of the new submission (recommending with any 未核实 is refused)
    rows = page.locator("#checklist tr[data-section]")
    for i in range(rows.count()):
        rows.nth(i).get_by_label("无问题").check()
    page.get_by_role("button", name="保存核实清单").click()
    ok(page, "核实清单已保存")
    for department in AGRICULTURE:  # five for every organization + 农业农村 for an agricultural one
        box = page.locator(f'[data-department="{department}"]')
        if department == "生态环境部门":
            box.get_by_label("部门联系人账号（选填）").fill(contact.username)
        box.get_by_role("button", name=f"登记征求{department}意见").click()
        ok(page, f"已登记征求{department}意见")
    assert ApplicationReadGrant.objects.filter(user=contact, content_object=app).exists()
    letter = files.pdf("生态环境局复函.pdf", pages=1)
    for department in AGRICULTURE:
        box = page.locator(f'[data-department="{department}"]')
        box.get_by_label("无异议").check()
        if department == "生态环境部门":
            box.locator('input[name="letter"]').set_input_files(str(letter))
        box.get_by_role("button", name=f"登记{department}答复").click()
        ok(page, f"已登记{department}的答复：无异议")
    expect(page.locator('[data-department="生态环境部门"]')).to_contain_text("查阅授权已于")
    assert not ApplicationReadGrant.objects.filter(user=contact, content_object=app).exists()
    assert DepartmentOpinion.objects.get(application=app, department="生态环境部门").pages == 1

    # --- publicity, the initial opinion (drafted from the records, then signed), the government's opinion -------
    publicity = page.locator("#publicity")
    today = timezone.localdate()
    publicity.get_by_label("公示开始日期").fill((today - timedelta(days=7)).isoformat())
    publicity.get_by_label("公示结束日期").fill(today.isoformat())
    publicity.get_by_label("公示途径").fill("郑州市市场监督管理局门户网站")
    publicity.get_by_role("button", name="保存公示情况").click()
    ok(page, "公示情况已登记")
    page.get_by_role("button", name="按已登记情况补全空白部分").click()
    ok(page, "第1版初审意见草稿已保存")
    expect(page.locator("#id_consultation")).to_contain_text("农业农村部门")
    page.locator("#id_opinion").fill("经初审，该组织符合培育条件，同意推荐。")
    page.get_by_role("button", name="保存草稿").click()
    ok(page, "草稿已保存")
    page.get_by_label("登录密码（确认签署）").fill(portal.password)
    page.get_by_role("button", name="签署第1版初审意见").click()
    ok(page, "第1版初审意见已签署")
    signed = InitialOpinion.objects.get(application=app)
    expect(page.locator("#opinion")).to_contain_text(signed.text_sha256)
    assert signed.verify() and signed.submission.sequence == 2 and "同意推荐。" in signed.text
    expect(page.get_by_role("button", name=re.compile("^签署"))).to_have_count(0)

    scan = files.pdf("郑州市人民政府推荐意见.pdf", pages=1)
    page.locator('#government input[name="file"]').set_input_files(str(scan))
    page.get_by_role("button", name="上传市级人民政府推荐意见").click()
    ok(page, "市级人民政府推荐意见已上传")
    assert GovernmentOpinion.objects.filter(application=app).count() == 1

    # --- recommend ------------------------------------------------------------------------------------------------
    expect(page.locator("#recommend")).not_to_contain_text("✗")
    page.get_by_role("button", name="推荐上报秘书处").click()
    ok(page, "已推荐上报秘书处")
    expect(page.locator(".badge.state-recommended").first).to_be_visible()
    app.refresh_from_db()
    assert app.state == State.RECOMMENDED

    # --- the secretariat runs the eligibility review and accepts -------------------------------------------
    secretariat = User.objects.create_user(username="hn_sec", password=portal.password, full_name="省质量奖办 陈审核")
    grant_role(user=secretariat, role=Role.SECRETARIAT, program=app.campaign.program)
    portal.sign_in(context, secretariat)
    page.goto("/")
    page.get_by_role("link", name=app.applicant_name).first.click()
    page.get_by_role("link", name=re.compile("^资格审核工作台")).click()
    page.get_by_role("button", name="开始资格审核").click()
    expect(page.locator("#prereview-record")).to_contain_text("初审意见")
    expect(page.locator("body")).to_contain_text("正常运行年限")
    for radio in page.get_by_label("不存在该情形").all():
        radio.check()
    page.get_by_role("button", name="保存否决情形清单").click()
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator(".badge.state-accepted").first).to_be_visible()
    app.refresh_from_db()
    assert app.state == State.ACCEPTED
    assert page.js_errors == []
