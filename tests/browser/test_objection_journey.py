"""A member of the public objects to an open notice in a real browser, without an account: chooses
the application from the notice, fills the real-name form, uploads an identity document and evidence,
and gets a receipt number; the program's secretariat finds the objection in its register."""
import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications import workflow
from applications.models import Campaign
from demo.content import fill_application
from applications.services import create_application
from publicity.notices.models import Notice, NoticeItem
from publicity.objections.models import Objection
from qualityaward.accounts.models import Region, Role, User
from qualityaward.accounts.services import Actor, grant_role

pytestmark = pytest.mark.browser


def test_public_objection_with_uploads_then_the_secretariat_sees_it(portal, context, page, files):
    applicant = portal.applicant()
    org = applicant.organizations.get()
    campaign = Campaign.objects.get(program__code="xixian", is_current=True)
    app = create_application(actor=Actor(user=applicant), campaign=campaign, kind="organization",
                             applicant_name=org.name, region=Region.objects.get(code="411528"), organization=org)
    fill_application(application=app, actor=Actor(user=applicant))
    workflow.perform(application=app, name="submit", actor=Actor(user=applicant))
    now = timezone.now()
    notice = Notice.objects.create(
        campaign=campaign, kind=Notice.Kind.ACCEPTANCE, title="息县县长质量奖受理名单公示", issuer="息县县长质量奖评审委员会秘书处",
        window_length=5, opens_at=now - dt.timedelta(days=1), last_day=(now + dt.timedelta(days=5)).date(),
        closes_at=now + dt.timedelta(days=6), status=Notice.Status.DRAFT)
    NoticeItem.objects.create(notice=notice, application=app, position=1, name=app.applicant_name, region_name="息县")
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.OPEN, opened_at=now)
    secretariat = User.objects.create_user(username="xx_secretariat", password=portal.password, full_name="息县秘书处 周办理",
                                           email="xx@example.cn")
    grant_role(user=secretariat, role=Role.SECRETARIAT, program=campaign.program)

    # --- the public, not signed in ----------------------------------------------------------------------
    page.goto(f"/notices/{notice.pk}/")
    page.get_by_role("link", name="对本公示提出异议").click()
    expect(page.get_by_role("heading", name="对公示提出异议")).to_be_visible()
    page.get_by_label("对哪一项公示内容提出异议").select_option(label=f"1. {app.applicant_name}（息县）")
    page.get_by_label("异议事由").fill("该单位 2025 年发生一般质量事故并被县市场监管局行政处罚，申报材料中未如实填报。")
    page.locator("#id_evidence").set_input_files([files.pdf("处罚决定书.pdf"), files.jpeg("现场照片.jpg")])
    page.get_by_label("个人", exact=True).check()
    page.get_by_label("姓名", exact=True).fill("张异议")
    page.locator("#id_person_phone").fill("13800138000")
    page.get_by_label("通讯地址", exact=True).fill("信阳市息县谯楼街 1 号")
    page.locator("#id_identity").set_input_files(files.jpeg("身份证.jpg"))
    page.get_by_label("签署（请再次输入本人姓名）").fill("张异议")
    page.get_by_label("本人（本单位）承诺").check()
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".alert-success")).to_contain_text("异议已收到")
    number = page.locator("#receipt-number")
    expect(number).to_have_text(re.compile(r"^XX-YY\d{4}-0001$"))
    receipt = number.inner_text()
    expect(page.locator("#objection-receipt")).not_to_contain_text("13800138000")
    objection = Objection.objects.get(receipt_number=receipt)
    assert objection.files.count() == 3 and objection.objector_name == "张异议"

    # --- the secretariat finds it in the register ------------------------------------------------------
    portal.sign_in(context, secretariat)
    page.goto("/")
    expect(page.locator('section[data-role="secretariat"]').filter(has_text="公示异议")).to_contain_text(receipt)
    page.get_by_role("link", name=re.compile("^异议登记簿")).click()
    expect(page.locator("#objection-register")).to_contain_text(receipt)
    expect(page.locator("#objection-register")).to_contain_text("张异议")
    page.get_by_role("link", name=receipt).click()
    expect(page.locator("#objector")).to_contain_text("13800138000")
    expect(page.locator("#deadline")).to_contain_text("个工作日")
