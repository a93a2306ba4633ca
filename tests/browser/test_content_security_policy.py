"""Every role's main pages under the Content-Security-Policy: the browser reports no violation (no inline
script, handler or style is blocked), and the parts that need script still work: autosave on a section
page, and htmx on the form page (the dossier preview swaps its status without leaving the page)."""
import io
import re

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from applications.models import Application
from publicity.notices.models import Notice
from publicity.objections.models import Objection
from qualityaward.accounts.models import User

pytestmark = pytest.mark.browser

#: collects the page's CSP violations (the event fires on the document; it is registered before any script runs)
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at "
                              + (e.sourceFile || location.pathname) + ":" + e.lineNumber);
});
"""
#: links on a dashboard that download a file or change something: not visited
NOT_A_PAGE = re.compile(r"(download|export|\.pdf|\.xlsx|/word/|/files/|logout|/admin/logout)")
LINKS_PER_DASHBOARD = 10


@pytest.fixture
def demo(portal):
    call_command("load_demo", stdout=io.StringIO(), documents="later")
    return portal


@pytest.fixture
def watched(context, page):
    """The page, with every CSP violation it reports (events and console messages) gathered in ``page.csp``."""
    context.add_init_script(COLLECT_VIOLATIONS)
    page.csp = []
    page.on("console", lambda msg: page.csp.append(msg.text) if "Content Security Policy" in msg.text else None)
    return page


def visit(page, path):
    response = page.goto(path)
    assert response.status == 200, f"{path}: HTTP {response.status}"
    page.wait_for_load_state("load")
    page.wait_for_timeout(150)  # late violations (scripts run after load, htmx swaps) are reported too
    page.csp.extend(page.evaluate("window.__cspViolations"))
    assert page.csp == [], f"CSP violations on {path}: {page.csp}"
    assert page.js_errors == [], f"script errors on {path}: {page.js_errors}"
    csp = response.header_value("content-security-policy")
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, csp


def dashboard_links(page):
    hrefs = page.eval_on_selector_all("main a[href^='/']", "els => els.map(a => a.getAttribute('href'))")
    seen = []
    for href in hrefs:
        if not NOT_A_PAGE.search(href) and href.split("#")[0] not in seen:
            seen.append(href.split("#")[0])
    return seen[:LINKS_PER_DASHBOARD]


#: screenshots of every role's main pages at 1366×768 (the smallest screen a bureau works on), kept as artifacts
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def keep_screenshot(page, username, path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "dashboard"
    page.screenshot(path=str(SCREENSHOTS / f"{username}--{name}.png"))


def sign_in_as(portal, context, username):
    context.clear_cookies()
    portal.sign_in(context, User.objects.get(username=username))


def test_every_roles_main_pages_report_no_violation(demo, context, watched):
    page = watched
    draft = Application.objects.filter(organization__members__username="applicant", state="draft",
                                       campaign__program__code="henan-cultivation").first()
    submitted = Application.objects.filter(state="submitted", campaign__program__code="henan-cultivation",
                                           kind="organization").first()
    notice = Notice.objects.filter(status=Notice.Status.OPEN).first()
    objection = Objection.objects.first()
    admin = User.objects.get(username="admin")

    # the public: the notice board, an open notice, its objection form and the printable notice
    for path in ("/notices/", f"/notices/{notice.pk}/", f"/notices/{notice.pk}/objection/",
                 f"/notices/{notice.pk}/print/", "/accounts/login/", "/accounts/register/organization/"):
        visit(page, path)

    pages = {
        "applicant": ["/applications/", f"/applications/{draft.pk}/", f"/applications/{draft.pk}/form/",
                      f"/applications/{draft.pk}/form/overview/"],
        "bureau_zz": [f"/applications/{submitted.pk}/", f"/review/prereview/{submitted.pk}/"],
        "secretariat": ["/notices/objections/", f"/notices/objections/{objection.pk}/", "/admin/"],
        "expert": [], "supervisor": ["/applications/"], "committee": [],
        "admin": ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{admin.pk}/change/",
                  "/admin/applications/ruleprofile/"],
    }
    page.set_viewport_size({"width": 1366, "height": 768})
    for username, paths in pages.items():
        sign_in_as(demo, context, username)
        visit(page, "/")
        keep_screenshot(page, username, "/")
        for path in dict.fromkeys(paths + dashboard_links(page)):
            visit(page, path)
            keep_screenshot(page, username, path)


def test_autosave_and_htmx_work_under_the_policy(demo, context, watched):
    page = watched
    draft = Application.objects.filter(organization__members__username="applicant", state="draft",
                                       campaign__program__code="henan-cultivation").first()
    sign_in_as(demo, context, "applicant")

    visit(page, f"/applications/{draft.pk}/form/overview/")
    # 组织概述 is a narrative: typed in the editor (served by the portal, no inline style), saved as its HTML
    editor = page.locator('#qa-section [data-field="text"] .tiptap[contenteditable=true]')
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("在严格的内容安全策略下自动保存。")
    expect(page.locator("#qa-status")).to_have_text(re.compile(r"^已保存 \d{1,2}:\d{2}:\d{2}$"))
    assert demo.section(draft, "overview")[0]["text"] == "<p>在严格的内容安全策略下自动保存。</p>"

    form_page = f"/applications/{draft.pk}/form/"
    visit(page, form_page)
    status = page.locator("#dossier-panel #dossier-status")
    expect(status).to_contain_text("尚未生成")
    page.evaluate("window.__samePage = true")
    page.locator("#dossier-panel").get_by_role("button", name="生成预览并检查页数").click()
    expect(status).not_to_contain_text("尚未生成", timeout=60000)
    expect(status).to_contain_text(re.compile("页数|生成"), timeout=60000)
    assert page.evaluate("window.__samePage === true")  # swapped in place by htmx, not a new page
    page.wait_for_timeout(300)
    assert page.evaluate("window.__cspViolations") == [] and page.csp == [] and page.js_errors == []
