"""Fixtures and helpers shared by the objection tests (each test module loads this file with ``load``).

The world of tests/applications/conftest.py is reused as it is; an objection needs a notice, which
these helpers create directly (the notice pages and their opening job belong to the notice module).
"""
import datetime as dt
import importlib.util
import pathlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import workflow
from demo.content import jpeg_bytes, pdf_bytes
from publicity.notices.models import Notice, NoticeItem
from publicity.workdays import window_closes_at
from qualityaward.accounts.services import Actor

HERE = pathlib.Path(__file__).resolve().parent
GROUNDS = "该单位近三年内发生过一般质量事故，被市场监管部门行政处罚，与申报材料所述不符。"


def load(path):
    spec = importlib.util.spec_from_file_location(f"objection_tests.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_apps = load(HERE.parents[1] / "applications" / "conftest.py")
seeded, world, drive, panel_app, make_user = _apps.seeded, _apps.world, _apps.drive, _apps.panel_app, _apps.make_user


def open_notice(campaign, applications, *, now=None, status=Notice.Status.OPEN, opens_at=None, closes_at=None,
                title=None):
    """A notice of ``applications`` whose window contains ``now`` (5 working days from yesterday)."""
    now = now or timezone.now()
    opens_at = opens_at or now - dt.timedelta(days=1)
    closes_at = closes_at or max(window_closes_at(timezone.localtime(opens_at).date(), 5, "working_days"),
                                 now + dt.timedelta(days=2))
    notice = Notice.objects.create(
        campaign=campaign, kind=Notice.Kind.ACCEPTANCE, title=title or f"{campaign.program.short_name}受理名单公示",
        issuer=campaign.program.organizer, contact="0376-1234567", window_length=5, opens_at=opens_at,
        last_day=timezone.localtime(closes_at).date() - dt.timedelta(days=1), closes_at=closes_at,
        status=Notice.Status.DRAFT)
    for position, app in enumerate(applications, start=1):  # lines are written before the notice opens
        NoticeItem.objects.create(notice=notice, application=app, position=position, name=app.applicant_name,
                                  region_name=app.region.name)
    Notice.objects.filter(pk=notice.pk).update(status=status)
    notice.refresh_from_db()
    return notice


@pytest.fixture
def xixian_app(world):
    """A submitted application on the 息县 program (objections answered in 5 working days, no backfill)."""
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county, name="息县测试食品有限公司")
    return workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))


@pytest.fixture
def xixian_notice(world, xixian_app):
    return open_notice(world.xixian_campaign, [xixian_app])


def pdf_upload(name="证明材料.pdf", pages=1):
    return SimpleUploadedFile(name, pdf_bytes(pages), content_type="application/pdf")


def jpeg_upload(name="身份证.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def forged_upload(name="证明材料.pdf"):
    """A Windows program renamed to .pdf, sent as application/pdf."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")


def individual_post(notice, **overrides):
    data = {
        "objector_kind": "individual", "item": str(notice.items.first().pk),
        "grounds": GROUNDS,
        "person_name": "张异议", "person_phone": "13800138000", "person_address": "信阳市息县谯楼街 1 号",
        "signature": "张异议", "email": "objector@example.cn", "pledge": "on",
        "identity": jpeg_upload(), "evidence": [pdf_upload("处罚决定书.pdf"), jpeg_upload("现场照片.jpg")],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def unit_post(notice, **overrides):
    data = {
        "objector_kind": "unit", "item": str(notice.items.first().pk),
        "grounds": "该单位申报材料中所列的主要产品市场占有率数据与行业协会统计明显不符，请核实。",
        "unit_name": "息县某某食品行业协会", "unit_address": "信阳市息县城关镇 8 号", "unit_phone": "0376-1234567",
        "contact_person": "李联络", "pledge": "on",
        "sealed_letter": pdf_upload("异议书（盖章）.pdf"), "evidence": [pdf_upload("统计数据.pdf")],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def file_objection(notice, *, item=None, now=None, email="objector@example.cn", name="张异议", grounds=GROUNDS):
    """An individual's objection received through the same service the public form uses."""
    from publicity.objections import services as svc

    objector = {"objector_kind": "individual", "objector_name": name, "phone": "13800138000",
                "address": "信阳市息县谯楼街 1 号", "signature": name, "contact_person": "", "email": email}
    return svc.submit_objection(notice=notice, item_id=(item or notice.items.first()).pk, objector=objector,
                                grounds=grounds, files={"identity": [jpeg_upload()], "evidence": [pdf_upload()]},
                                actor=Actor(ip="192.0.2.1"), now=now)
