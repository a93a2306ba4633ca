"""The applicant previews the printable dossier from the form page: progress, page check, download."""
import pytest
from playwright.sync_api import expect

from demo.content import fill_application
from qualityaward.accounts.services import Actor

pytestmark = pytest.mark.browser


def test_applicant_generates_the_dossier_preview_and_downloads_it(portal, context, page):
    user = portal.applicant()
    app = portal.draft(user)
    fill_application(application=app, actor=Actor(user=user))
    portal.sign_in(context, user)
    page.goto(f"/applications/{app.pk}/form/")
    panel = page.locator("#dossier-panel")
    expect(panel).to_contain_text("推荐表不超过 200 页，证实性材料不超过 100 页")
    panel.get_by_role("button", name="生成预览并检查页数").click()
    expect(panel.locator("#dossier-status")).to_contain_text("页数符合要求", timeout=60000)
    expect(panel.locator("#dossier-status")).to_contain_text("上限 200 页")
    with page.expect_download() as info:
        panel.get_by_role("link", name="下载推荐材料（PDF）").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
