"""Printing the pages a bureau or the secretariat puts on paper (static/css/print.css): with the print media, the
navigation, the buttons and the filter forms are gone and the page's content is there, under a page header; printed
to PDF by Chromium, the paper carries the content and none of the screen's furniture."""
import io

import pytest
from playwright.sync_api import expect

from applications import workflow
from applications.models import Campaign
from demo.content import fill_application
from qualityaward.accounts.models import Region, Role, User
from qualityaward.accounts.services import Actor, grant_role

pytestmark = pytest.mark.browser


def pdf_text(page):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))
    return "".join(p.extract_text() for p in reader.pages), len(reader.pages)


def assert_printed_without_furniture(page, title, headings=()):
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    assert page.locator("button:visible, .btn:visible, select:visible").count() == 0
    # no card is left on paper with its heading only (its buttons and links gone): it is not printed at all
    bare = page.evaluate("""() => [...document.querySelectorAll('main .card')].filter(c => c.offsetParent !== null)
        .filter(c => { const h = c.querySelector('.card-header');
                       return h && c.innerText.trim() === h.innerText.trim(); })
        .map(c => c.querySelector('.card-header').innerText.trim())""")
    assert bare == []
    expect(page.locator(".print-header")).to_be_visible()
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main h1")).to_contain_text(title)
    for name in headings:
        expect(page.locator("main").get_by_role("heading", name=name)).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.locator("nav.navbar")).to_be_visible()  # the screen keeps its navigation


def test_a_bureau_and_the_secretariat_print_their_pages_without_the_screen_s_furniture(portal, context, page):
    applicant = portal.applicant()
    app = portal.draft(applicant)
    fill_application(application=app, actor=Actor(user=applicant))
    workflow.perform(application=app, name="submit", actor=Actor(user=applicant))
    bureau = User.objects.create_user(username="zz_bureau", password=portal.password, full_name="郑州市局 初审员")
    grant_role(user=bureau, role=Role.AUTHORITY, program=app.campaign.program, region=Region.objects.get(code="410100"),
               unit_name="郑州市市场监督管理局")
    app.refresh_from_db()

    # the bureau prints the application's page and its pre-review record (000 五（三）: 初审、签署推荐意见)
    portal.sign_in(context, bureau)
    page.goto(f"/applications/{app.pk}/")
    assert_printed_without_furniture(page, app.applicant_name, headings=[])
    expect(page.locator("main").get_by_text(app.number).first).to_be_visible()
    page.emulate_media(media="print")
    text, pages = pdf_text(page)
    assert app.number in text and "工作台" not in text and "退出" not in text and "修改密码" not in text
    assert "http" not in text  # no address printed after a link
    assert pages >= 1
    page.goto(f"/review/prereview/{app.pk}/")
    assert_printed_without_furniture(page, app.applicant_name, headings=["初审办理记录", "推荐上报"])

    # the secretariat prints the ranking of its campaign: the campaign is named on paper, the filters are not
    secretariat = User.objects.create_user(username="sec", password=portal.password, full_name="秘书处 陈静")
    grant_role(user=secretariat, role=Role.SECRETARIAT, program=app.campaign.program)
    campaign = Campaign.objects.get(pk=app.campaign_id)
    context.clear_cookies()
    portal.sign_in(context, secretariat)
    page.goto(f"/review/scoring/ranking/?campaign={campaign.pk}")
    assert_printed_without_furniture(page, "评审排名")
    page.emulate_media(media="print")
    expect(page.locator("h1")).to_contain_text(f"{campaign.program.name}{campaign.name}")
    expect(page.locator("form[method=get]")).to_be_hidden()
