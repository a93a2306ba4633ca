"""The printable public notice (公示) in GB/T 9704 layout: its title, body, items (public fields only) and
window line, in that order; public once published, a proof for the secretariat before."""
import datetime as dt
import importlib.util
import pathlib

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import PublicityRule, State
from demo.content import VALID_CREDIT_CODE, VALID_ID_NUMBER
from publicity.notices.models import Notice, NoticeItem
from publicity.workdays import describe_window, end_of_day, window_last_day

from pdf_support import in_order, pdf_text

# The people-and-applications world lives in tests/applications/conftest.py; use its fixtures here.
_spec = importlib.util.spec_from_file_location(
    "applications_world", pathlib.Path(__file__).resolve().parents[2] / "applications" / "conftest.py")
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
seeded, world, drive = _world.seeded, _world.world, _world.drive

OPENS_ON = dt.date(2026, 9, 28)  # five working days across the National Day holiday






@pytest.fixture
def notice(world, drive):
    apps = [drive(world.new_app(name=n), State.ACCEPTED) for n in ("郑州乙公司", "郑州甲公司")]
    last_day = window_last_day(OPENS_ON, 5, PublicityRule.Unit.WORKING_DAYS)
    opens_at = dt.datetime.combine(OPENS_ON, dt.time(9), tzinfo=timezone.get_default_timezone())
    n = Notice.objects.create(
        campaign=world.campaign, kind=Notice.Kind.ACCEPTANCE, title="2026年度河南省省长质量奖培育受理名单公示",
        body="根据有关规定，经资格审核，现将受理名单予以公示。\n\n公示期间如有异议，请实名书面反映。",
        issuer="河南省质量强省战略工作领导小组办公室", contact="0371-69999999（办公室）", window_length=5,
        window_unit=PublicityRule.Unit.WORKING_DAYS, opens_at=opens_at, last_day=last_day,
        closes_at=end_of_day(last_day), status=Notice.Status.DRAFT)
    for position, app in enumerate(apps, start=1):  # lines are written before the notice opens (then frozen)
        NoticeItem.objects.create(notice=n, application=app, position=position, name=app.applicant_name,
                                  region_name=app.region.name, industry="", tier="")
    Notice.objects.filter(pk=n.pk).update(status=Notice.Status.OPEN, opened_at=opens_at)
    n.refresh_from_db()
    return n


def test_the_notice_pdf_prints_title_body_items_and_window_in_order(client, notice):
    response = client.get(reverse("publicity:notice_pdf", args=[notice.pk]))  # public: no login
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    window = describe_window(OPENS_ON, notice.last_day, 5, PublicityRule.Unit.WORKING_DAYS).replace(" ", "")
    assert notice.last_day >= dt.date(2026, 10, 8)  # the holiday is not counted
    in_order(text, [
        "河南省质量强省战略工作领导小组办公室", "2026年度河南省省长质量奖培育受理名单公示",
        "根据有关规定，经资格审核，现将受理名单予以公示。", "公示期间如有异议，请实名书面反映。",
        "公示名单（共2个", "序号", "名称", "所在地区", "1郑州乙公司郑州市", "2郑州甲公司郑州市",
        window, "法定节假日和周末不计", "异议受理联系方式：0371-69999999（办公室）",
        "河南省质量强省战略工作领导小组办公室", "2026年9月28日",
    ])
    assert "所属行业" not in text and "奖励等级" not in text  # columns nobody filled are left out


def test_the_notice_pdf_never_carries_id_numbers_contacts_or_scores(client, world, notice):
    from applications.models import ApplicationSection

    filled = " ".join(str(s.data) for s in ApplicationSection.objects.filter(application__notice_items__notice=notice))
    assert VALID_ID_NUMBER in filled or VALID_CREDIT_CODE in filled  # the forms do hold private data
    text = pdf_text(client.get(reverse("publicity:notice_pdf", args=[notice.pk])).content)
    for private in (VALID_ID_NUMBER, VALID_CREDIT_CODE, world.org.credit_code, "0371-65566860",
                    "quality@example.com", "身份证", "联系电话", "得分", "评分"):
        assert private not in text, private


def test_a_draft_notice_is_a_proof_for_its_secretariat_only(client, world, notice):
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.DRAFT, opened_at=None)
    url = reverse("publicity:notice_pdf", args=[notice.pk])
    assert client.get(url).status_code == 404
    for name in ("owner", "authority", "secretariat_other", "supervisor"):
        client.force_login(getattr(world, name))
        assert client.get(url).status_code == 404, name
    client.force_login(world.secretariat)
    response = client.get(url)
    assert response.status_code == 200 and "草稿" in pdf_text(response.content)
    assert client.get(reverse("publicity:notice_pdf", args=[99999])).status_code == 404


def test_the_body_keeps_the_gbt9704_grid_of_22_lines_of_28_characters(world):
    """Checked on the printed text: a full page of body text is 22 lines × 28 characters, and a paragraph's
    first line is indented by two characters."""
    import subprocess

    from publicity.notices.prints import notice_pdf

    now = timezone.now()
    n = Notice.objects.create(
        campaign=world.campaign, kind=Notice.Kind.WINNERS, title="版式测试", body="质" * (28 * 60 + 2),
        issuer="测试机关", window_length=5, opens_at=now, last_day=timezone.localdate() + dt.timedelta(days=7),
        closes_at=now + dt.timedelta(days=8), status=Notice.Status.OPEN)
    pdf = notice_pdf(n)
    pages = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
                           ).stdout.decode().split("\f")
    first = [line.count("质") for line in pages[0].splitlines() if "质" in line]
    full = [line.count("质") for line in pages[1].splitlines() if "质" in line]
    assert first[0] == 26 and set(first[1:]) == {28}
    assert full == [28] * 22
    assert "— 2 —" in pages[1] or "—2—" in pages[1].replace(" ", "")


def test_a_published_notice_is_rendered_once_and_a_draft_every_time(client, world, notice):
    from django.core.cache import cache

    from publicity.notices.prints import _cache_key, notice_context

    url = reverse("publicity:notice_pdf", args=[notice.pk])
    first = client.get(url).content
    key = _cache_key(notice_context(notice))
    assert cache.get(key) == first
    assert client.get(url).content == first
    NoticeItem.objects.filter(notice=notice, position=2).update(name="郑州更正公司")  # what it prints changed
    assert _cache_key(notice_context(notice)) != key
    assert "郑州更正公司" in pdf_text(client.get(url).content)
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.DRAFT, opened_at=None)
    cache.clear()
    client.force_login(world.secretariat)
    assert client.get(url).status_code == 200
    notice.refresh_from_db()
    assert cache.get(_cache_key(notice_context(notice))) is None  # a draft's proof is never kept
