"""The autosave status shows Beijing time, also on a computer set to another time zone: the page's first
render (server) and every later save (browser script) agree."""
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import ApplicationSection

pytestmark = pytest.mark.browser


def test_the_autosave_time_is_beijing_time_on_a_computer_in_london(_chromium_session, live_server, portal):
    user = portal.applicant()
    app = portal.draft(user)
    ctx = _chromium_session.get().new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Europe/London")
    try:
        portal.sign_in(ctx, user)
        page = ctx.new_page()
        page.goto(f"/applications/{app.pk}/form/basic/")
        field = page.locator('#qa-section [data-path="legal_rep"]')
        with page.expect_response(lambda r: r.request.method == "POST" and r.status == 200):
            field.fill("张三")
            field.blur()
        expect(page.locator("#qa-status")).to_have_text(re.compile(r"^已保存 \d{2}:\d{2}:\d{2}$"))
        saved = timezone.localtime(ApplicationSection.objects.get(application=app, code="basic").updated_at)
        shown = page.locator("#qa-status").inner_text().split()[-1]
        assert shown == f"{saved:%H:%M:%S}", (shown, saved)  # Beijing, not London (8 hours apart)
    finally:
        ctx.close()
