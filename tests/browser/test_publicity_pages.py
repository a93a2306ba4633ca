"""Public notices in a real browser: a bureau composes its notice, previews it and publishes it now;
anybody, without signing in and with JavaScript switched off, finds it on the board, reads its lines
and window, and opens the printable version."""
import re

import pytest
from playwright.sync_api import expect

from applications import workflow
from demo.content import fill_application
from publicity.notices.models import Notice
from qualityaward.accounts.models import Region, Role, User
from qualityaward.accounts.services import Actor, grant_role

pytestmark = pytest.mark.browser


def test_bureau_publishes_and_the_public_reads_without_javascript(portal, context, page, live_server,
                                                                  _chromium_session):
    import datetime as dt

    import chinese_calendar
    from django.utils import timezone

    from publicity.notices.models import CalendarYear

    try:  # near the end of a year the window needs the next one (entered as the secretariat would)
        chinese_calendar.is_workday(dt.date(timezone.localdate().year + 1, 1, 1))
    except NotImplementedError:
        CalendarYear.objects.create(year=timezone.localdate().year + 1, confirmed=True, source="测试")
    applicant = portal.applicant()
    app = portal.draft(applicant)
    fill_application(application=app, actor=Actor(user=applicant))
    workflow.perform(application=app, name="submit", actor=Actor(user=applicant))
    bureau = User.objects.create_user(username="zz_bureau", password=portal.password, full_name="郑州市局 公示员")
    grant_role(user=bureau, role=Role.AUTHORITY, program=app.campaign.program, region=Region.objects.get(code="410100"),
               unit_name="郑州市市场监督管理局")

    # --- the bureau composes, previews and publishes -------------------------------------------------------
    portal.sign_in(context, bureau)
    page.goto("/notices/manage/")
    page.get_by_role("link", name=re.compile("推荐单位公示")).click()
    expect(page.get_by_label(app.applicant_name, exact=False)).to_be_checked()
    page.get_by_label("公示时长（工作日）").fill("5")
    page.get_by_label("异议受理联系方式").fill("郑州市市场监督管理局质量发展处 0371-12345678")
    page.get_by_role("button", name="保存草稿并预览").click()
    expect(page.locator(".alert-success")).to_contain_text("公示草稿已保存")
    expect(page.get_by_text("（5个工作日）")).to_be_visible()
    page.get_by_label("现在发布").check()
    page.get_by_role("button", name="确定发布").click()
    expect(page.locator(".alert-success")).to_contain_text("已确定发布")
    notice = Notice.objects.get()
    page.reload()
    expect(page.locator("body")).to_contain_text("公示中")  # the job ran on commit
    assert Notice.objects.get().status == Notice.Status.OPEN

    # --- the public, signed out, JavaScript off ---------------------------------------------------------
    public = _chromium_session.get().new_context(base_url=live_server.url, locale="zh-CN",
                                                 timezone_id="Asia/Shanghai", java_script_enabled=False)
    try:
        anon = public.new_page()
        anon.goto("/notices/")
        expect(anon.locator("#program-henan-cultivation")).to_contain_text("正在公示")
        anon.get_by_role("link", name=notice.title).click()
        expect(anon.locator("h1")).to_have_text(notice.title)
        expect(anon.locator("table.items")).to_contain_text(app.applicant_name)
        expect(anon.locator("table.items")).to_contain_text("郑州市")
        expect(anon.locator("body")).to_contain_text(re.compile(r"公示期：\d{4}年\d{1,2}月\d{1,2}日 至 .*（5个工作日）"))
        expect(anon.locator("body")).to_contain_text("调休上班日计入")
        expect(anon.locator("body")).not_to_contain_text(applicant.email)
        expect(anon.locator("body")).not_to_contain_text("91410100MA40QA001Q")
        anon.get_by_role("link", name="打印版").click()
        expect(anon.locator("h1")).to_have_text(notice.title)
        expect(anon.locator(".sign")).to_contain_text("郑州市市场监督管理局")
        assert "/login" not in anon.url
    finally:
        public.close()
