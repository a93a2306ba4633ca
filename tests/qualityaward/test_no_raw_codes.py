"""No page shows a raw code: on the demo (every program at every stage), each role's pages reachable from its
dashboard are rendered and their visible text is searched for what a Chinese user must never read — event
codes such as ``form:save`` or ``transition:submit``, and snake_case state or field codes such as
``acceptance_publicity``. Every event and state has its Chinese label (applications/history.py)."""
import io
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlparse

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from qualityaward.accounts.models import User

FIXTURES = [str(Path(settings.BASE_DIR) / "fixtures" / f"{name}.json") for name in ("regions", "gbt19580", "programs")]

pytestmark = pytest.mark.django_db

ROLES = ("applicant", "applicant2", "bureau_zz", "secretariat", "expert", "supervisor", "committee", "admin")
PAGES_PER_ROLE = 120
#: links that download a file, change something or leave the portal's own pages
NOT_A_PAGE = re.compile(r"(download|export|\.pdf|\.xlsx|\.docx|/word/|/files?/|logout|/admin/.+|/static/|/media/"
                        r"|sheet\.pdf|\.zip|/file/)")
EVENT_CODE = re.compile(r"\b[a-z]+:[a-z_]+\b")
SNAKE_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
#: addresses and e-mail addresses are data, not codes
NOT_TEXT = re.compile(r"\S+@\S+|https?://\S+|/[\w/.\-?=&]+")


class VisibleText(HTMLParser):
    """The text a reader sees: no script, style or template content, no attribute values."""

    HIDDEN = {"script", "style", "template", "title"}

    def __init__(self):
        super().__init__()
        self.depth, self.parts, self.links = 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def _crawl(client, start="/"):
    seen, queue, pages = set(), [start], {}
    while queue and len(pages) < PAGES_PER_ROLE:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        pages[url] = " ".join(parser.parts)
        for href in parser.links:
            href = urldefrag(href)[0]
            parts = urlparse(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or NOT_A_PAGE.search(parts.path):
                continue
            if href not in seen:
                queue.append(href)
    return pages


def test_no_page_of_any_role_shows_an_event_or_state_code():
    call_command("loaddata", *FIXTURES, verbosity=0)
    call_command("load_demo", "--documents", "later", stdout=io.StringIO())
    found, crawled = {}, {}
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        pages = _crawl(client)
        crawled[username] = len(pages)
        for url, text in pages.items():
            text = NOT_TEXT.sub(" ", text)
            codes = set(EVENT_CODE.findall(text)) | set(SNAKE_CODE.findall(text))
            if codes:
                found[f"{username} {url}"] = sorted(codes)
    assert not found, found
    assert crawled["secretariat"] >= 30 and crawled["applicant"] >= 10, crawled  # the crawl did reach the pages


def test_the_scanner_finds_the_codes_it_is_for():
    parser = VisibleText()
    parser.feed("<p>2026-11-20 张伟 · form:save（→ submitted）</p><script>var a_b = 'x:y';</script>"
                "<p>(accepted → acceptance_publicity) 联系 wang_fang@example.com</p>")
    text = NOT_TEXT.sub(" ", " ".join(parser.parts))
    assert set(EVENT_CODE.findall(text)) == {"form:save"}
    assert set(SNAKE_CODE.findall(text)) == {"acceptance_publicity"}
