"""Real-browser fixtures: Debian's Chromium driven by Playwright's sync API against ``live_server``.

* One Chromium for the browser tests of the session; a fresh context (cookies, localStorage) and page per test.
* ``portal``: the live server's data (fixtures loaded again for every test, since transactional
  tests flush the database) plus helpers that act as an applicant: sign in, create a draft.
* ``files``: generated PDFs (pypdf) and JPEGs (Pillow) in a temporary directory.
* A failing test saves a screenshot of each open page and names it in the failure message.

Chromium is ``/usr/bin/chromium`` (``make install`` installs Debian's package), or ``QA_CHROMIUM``.
Playwright's own browser download (``playwright install``) is not used.
"""
import io
import os
import re
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("QA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: default wait for any Playwright action or expectation (a CI machine with 2 cores is slow)
TIMEOUT_MS = int(os.environ.get("QA_BROWSER_TIMEOUT_MS", "15000"))
PASSWORD = "Zhiliang-2026!ok"


# --- the server ----------------------------------------------------------------------------------
@pytest.fixture(scope="session", autouse=True)
def _live_server_started(request):
    """Start pytest-django's ``live_server`` on the test database, with a MEDIA_URL it can live with.

    settings.MEDIA_URL is None on purpose (uploads are private, served only through views that
    check access). Django's live server wraps every request in a media-files handler that parses
    MEDIA_URL once, when the server thread starts, and fails on every request when it is None
    ("startswith first arg must be str ... not bytes"). An absolute URL on a host that never
    resolves makes that handler step aside, so nothing from MEDIA_ROOT is ever served directly.
    The override lasts only while the server starts; the rest of the session sees MEDIA_URL None.
    The test database is set up first, so that the server thread shares its (in-memory) connection.
    """
    from django.test.utils import override_settings

    request.getfixturevalue("django_db_setup")
    with override_settings(MEDIA_URL="http://media.invalid/"):
        request.getfixturevalue("live_server")


# --- the browser -------------------------------------------------------------------------------
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


class _Chromium:
    """One Chromium, started for the first browser test and stopped after the last one in a row.

    Playwright's sync API keeps an asyncio loop *running* in this thread from start to stop, and
    Django refuses ORM calls from a thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is
    set. So the variable is set exactly while Playwright runs: tests and the live server use the
    ORM synchronously. It must not outlive the browser tests: later tests would inherit it in their
    subprocesses (``manage.py check --deploy`` fails with async.E001), and a loop left running
    would break every later test that touches the database.
    """

    def __init__(self):
        self._manager = self.browser = None
        self._env_before = None

    def get(self):
        if self.browser is None:
            self._start()
        return self.browser

    def _start(self):
        if not Path(CHROMIUM).exists():
            pytest.fail(f"{CHROMIUM} not found: browser tests need Debian's chromium package "
                        "(`make install` as root, or `apt-get install chromium`; or set QA_CHROMIUM).",
                        pytrace=False)
        from playwright.sync_api import expect, sync_playwright

        expect.set_options(timeout=TIMEOUT_MS)
        self._env_before = os.environ.get(ASYNC_UNSAFE)
        os.environ[ASYNC_UNSAFE] = "true"
        self._manager = sync_playwright()
        try:
            self.browser = self._manager.start().chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except BaseException:
            self.stop()
            raise

    def stop(self):
        if self._manager is None:
            return
        try:
            if self.browser is not None:
                self.browser.close()
        finally:
            self._manager.__exit__(None, None, None)
            self._manager = self.browser = None
            if self._env_before is None:
                os.environ.pop(ASYNC_UNSAFE, None)
            else:
                os.environ[ASYNC_UNSAFE] = self._env_before


_chromium = _Chromium()


@pytest.fixture(scope="session")
def _chromium_session():
    yield _chromium
    _chromium.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if nextitem is None or "context" not in getattr(nextitem, "fixturenames", ()):
        _chromium.stop()  # the next test does not drive a browser (it is started again when one does)


@pytest.fixture
def context(_chromium_session, live_server, request, tmp_path):
    ctx = _chromium_session.get().new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                               viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    in_flight = set()
    ctx.on("request", lambda r: in_flight.add(r))
    ctx.on("requestfinished", lambda r: in_flight.discard(r))
    ctx.on("requestfailed", lambda r: in_flight.discard(r))
    request.node._qa_contexts = getattr(request.node, "_qa_contexts", []) + [ctx]
    request.node._qa_screenshots = tmp_path / "screenshots"
    yield ctx
    _quiesce(ctx, in_flight)
    ctx.close()


def _quiesce(ctx, in_flight, timeout=10.0):
    """Let the pages' last requests finish before the database is flushed under the server.

    A page may still be autosaving (a pending debounce, a retry) when a test ends; the live server
    shares the test's SQLite connection, and a save racing the flush fails with "table is locked".
    Further fetches are disabled, then the requests already on their way are waited for.
    """
    pages = [p for p in ctx.pages if not p.is_closed()]
    for pg in pages:
        try:
            pg.evaluate("() => { window.fetch = () => new Promise(() => {}); }")
        except Exception:  # a page in the middle of navigating: its requests are still tracked
            pass
    deadline = time.monotonic() + timeout
    while in_flight and pages and time.monotonic() < deadline:
        pages[0].wait_for_timeout(20)  # lets Playwright deliver the request events


def _prepare(page):
    """Record uncaught script errors and accept dialogs (the "leave this page?" prompt, confirm())."""
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    return page


@pytest.fixture
def page(context):
    return _prepare(context.new_page())


@pytest.fixture
def new_page(context):
    """Another tab in the same context (same user, same localStorage)."""
    return lambda: _prepare(context.new_page())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, screenshot every open page and add the paths to the failure message."""
    if call.excinfo is not None and call.when == "call":
        shots = []
        folder = getattr(item, "_qa_screenshots", None)
        for ctx in getattr(item, "_qa_contexts", []):
            for n, pg in enumerate(ctx.pages):
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', item.name)}-{n}.png"
                try:
                    pg.screenshot(path=str(path), full_page=True)
                    shots.append(f"{path} ({pg.url})")
                except Exception as exc:  # the page may be gone; the failure itself matters more
                    shots.append(f"(no screenshot of {pg.url}: {exc})")
        if shots:
            call.excinfo.value.add_note("screenshot(s): " + "; ".join(shots))
    yield


# --- data ----------------------------------------------------------------------------------------
class Portal:
    """What a journey needs besides the browser: the server's URL, seed data, accounts, drafts."""

    password = PASSWORD

    def __init__(self, url):
        self.url = url

    def applicant(self, username="applicant", *, organization=True):
        """An active applicant account (with an organization in 郑州 unless ``organization`` is false)."""
        from qualityaward.accounts.models import Organization, Region, Role, User
        from qualityaward.accounts.services import grant_role

        user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.cn",
                                        full_name="王质量")
        grant_role(user=user, role=Role.APPLICANT)
        if organization:
            org = Organization.objects.create(name="河南省浏览器测试装备有限公司", credit_code="91410100MA40QA001Q",
                                              region=Region.objects.get(code="410100"))
            org.members.add(user)
        return user

    def draft(self, user):
        """A blank organization draft on the current 河南省省长质量奖培育 campaign."""
        from applications.models import Application, Campaign
        from applications.services import create_application
        from qualityaward.accounts.services import Actor

        org = user.organizations.get()
        campaign = Campaign.objects.get(program__code="henan-cultivation", is_current=True)
        return create_application(actor=Actor(user=user), campaign=campaign, kind=Application.Kind.ORGANIZATION,
                                  applicant_name=org.name, region=org.region, organization=org)

    def sign_in(self, context, user):
        """Put a signed-in session cookie into the browser context (no login form, no throttling)."""
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": self.url}])

    def experts(self, n, *, region_code="410200", specialties=("C",)):
        """``n`` active experts in the pool (accounts with profiles), named 专家1…专家n, in 开封 unless told."""
        from qualityaward.accounts.models import Region, Role, User
        from qualityaward.accounts.services import grant_role
        from review.panels.models import ExpertProfile

        region = Region.objects.get(code=region_code)
        made = []
        for i in range(1, n + 1):
            user = User.objects.create_user(username=f"zj{i}", password=PASSWORD, full_name=f"专家{i}",
                                            email=f"zj{i}@example.cn")
            grant_role(user=user, role=Role.EXPERT)
            ExpertProfile.objects.create(user=user, name=f"专家{i}", phone=f"1390000000{i}", region=region,
                                         employer=f"第{i}研究院", specialties=list(specialties))
            made.append(user)
        return made

    @staticmethod
    def committee(code, members):
        """The ``Committee`` of tests/review/conftest.py (a program's secretariat, authority and committee
        members, and applications driven there through the workflow), on this server's data."""
        import importlib.util

        path = Path(__file__).parent.parent / "review" / "conftest.py"
        spec = importlib.util.spec_from_file_location("review_conftest_for_browser", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.Committee(module._shared.World(), code, members)

    @staticmethod
    def section(application, code):
        """The stored data and version of one section ({} and 0 before the first save)."""
        from applications.models import ApplicationSection

        row = ApplicationSection.objects.filter(application=application, code=code).first()
        return (row.data, row.version) if row else ({}, 0)


@pytest.fixture
def portal(live_server, transactional_db):
    """The live server with the shipped regions, scoring scheme and programs (reloaded per test)."""
    from django.core.management import call_command

    from applications.models import Program

    if not Program.objects.exists():  # transactional tests start from an empty database
        call_command("loaddata", "regions", "gbt19580", "programs", verbosity=0)
    return Portal(live_server.url)


# --- files to upload --------------------------------------------------------------------------------
class Files:
    def __init__(self, folder):
        self.folder = folder

    def pdf(self, name, pages=2):
        from pypdf import PdfWriter

        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(width=595, height=842)
        path = self.folder / name
        with open(path, "wb") as out:
            writer.write(out)
        return path

    def jpeg(self, name, width=800, height=800, color=(40, 90, 160)):
        from PIL import Image

        path = self.folder / name
        out = io.BytesIO()
        Image.new("RGB", (width, height), color).save(out, "JPEG", quality=85)
        path.write_bytes(out.getvalue())
        return path


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    return Files(folder)


def pytest_collection_modifyitems(config, items):
    """A journey is run once more when it fails: on a loaded machine a page can miss Playwright's timeouts
    although nothing is wrong. A real defect fails both runs (and the first failure is still reported in
    the summary as a rerun)."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))
