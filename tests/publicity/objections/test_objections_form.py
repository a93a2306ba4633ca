"""The public objection form: real-name, during an open window only, uploads judged by content, rate-limited.
Every refusal says what to do in Chinese and stores nothing but the rate-limit counter."""
import datetime as dt
import pathlib

import pytest
from django.urls import reverse
from django.utils import timezone

from publicity.notices.models import Notice
from publicity.objections.models import Objection, ObjectionFile
from qualityaward.accounts.models import AuditEvent



def _load_support():
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("objection_support_form", pathlib.Path(__file__).with_name("objection_support.py"))
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _load_support()
seeded, world, xixian_app, xixian_notice = S.seeded, S.world, S.xixian_app, S.xixian_notice


def url(notice):
    return reverse("publicity:objection_new", args=[notice.pk])


def _files_on_disk(media_root):
    folder = pathlib.Path(media_root) / "objections"
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


@pytest.fixture
def disk(media_root):
    """The objection files on disk before the test (MEDIA_ROOT lives for the whole session)."""
    return media_root, _files_on_disk(media_root)


def nothing_stored(disk):
    assert Objection.objects.count() == 0
    assert ObjectionFile.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="objection:").exists()
    media_root, before = disk
    assert _files_on_disk(media_root) == before


def test_an_individual_files_an_objection_without_logging_in_and_gets_a_receipt(client, xixian_notice):
    page = client.get(url(xixian_notice))
    assert page.status_code == 200
    body = page.content.decode()
    assert "息县测试食品有限公司" in body and 'enctype="multipart/form-data"' in body
    assert "5 个工作日内审查" in body
    response = client.post(url(xixian_notice), S.individual_post(xixian_notice))
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.receipt_number == f"XX-YY{timezone.localdate().year}-0001"
    assert objection.objector_name == "张异议" and objection.application == xixian_notice.items.get().application
    assert sorted(objection.files.values_list("kind", flat=True)) == ["evidence", "evidence", "identity"]
    receipt = client.get(response["Location"])
    text = receipt.content.decode()
    assert objection.receipt_number in text and "异议已收到" in text
    assert "张异议" not in text and "13800138000" not in text  # the receipt repeats no personal data
    # the same objection sent again (a double click) keeps its receipt; another one gets the next number
    again = client.post(url(xixian_notice), S.individual_post(xixian_notice))
    assert again.status_code == 302 and Objection.objects.count() == 1
    assert objection.receipt_number in client.get(again["Location"]).content.decode()
    assert ObjectionFile.objects.count() == 3
    client.post(url(xixian_notice), S.individual_post(xixian_notice, grounds=S.GROUNDS + "另有补充事实。"))
    assert Objection.objects.order_by("pk").last().receipt_number.endswith("-0002")


def test_a_unit_files_with_its_sealed_letter(client, xixian_notice):
    response = client.post(url(xixian_notice), S.unit_post(xixian_notice))
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.objector_kind == "unit" and objection.contact_person == "李联络"
    assert sorted(objection.files.values_list("kind", flat=True)) == ["evidence", "sealed_letter"]


@pytest.mark.parametrize("overrides, message", [
    ({"person_name": ""}, "以个人名义提出异议须填写姓名"),
    ({"person_phone": ""}, "以个人名义提出异议须填写联系电话"),
    ({"person_address": ""}, "以个人名义提出异议须填写通讯地址"),
    ({"signature": ""}, "须填写签署姓名"),
    ({"signature": "李四"}, "签署姓名须与填写的姓名一致"),
    ({"person_phone": "电话123"}, "联系电话格式不正确"),
    ({"pledge": None}, "请阅读并勾选承诺"),
    ({"identity": None}, "请上传身份证明"),
    ({"evidence": None}, "请上传证明材料"),
    ({"grounds": "不同意"}, "异议事由过于简单"),
    ({"website": "http://spam.example"}, "提交未被接受"),
])
def test_missing_or_wrong_identity_is_refused_and_nothing_is_stored(client, xixian_notice, disk, overrides,
                                                                    message):
    response = client.post(url(xixian_notice), S.individual_post(xixian_notice, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    nothing_stored(disk)


def test_a_unit_without_its_sealed_letter_or_address_is_refused(client, xixian_notice, disk):
    response = client.post(url(xixian_notice), S.unit_post(xixian_notice, sealed_letter=None))
    assert response.status_code == 400 and "请上传加盖单位公章的异议书" in response.content.decode()
    response = client.post(url(xixian_notice), S.unit_post(xixian_notice, unit_address=""))
    assert "以单位名义提出异议须填写单位住所及通讯地址" in response.content.decode()
    nothing_stored(disk)


def test_forged_uploads_are_refused_by_content(client, xixian_notice, disk):
    response = client.post(url(xixian_notice), S.individual_post(
        xixian_notice, evidence=[S.pdf_upload(), S.forged_upload("处罚决定书.pdf")]))
    body = response.content.decode()
    assert response.status_code == 400
    assert "处罚决定书.pdf" in body and "可执行程序" in body and "异议尚未提交" in body
    response = client.post(url(xixian_notice), S.individual_post(xixian_notice, identity=S.forged_upload("身份证.jpg")))
    assert "身份证明" in response.content.decode()
    nothing_stored(disk)


def test_an_application_not_on_the_notice_is_refused(client, world, xixian_notice, xixian_app, disk):
    other = S.open_notice(world.xixian_campaign, [xixian_app], title="另一份公示")
    foreign_item = other.items.get().pk
    response = client.post(url(xixian_notice), S.individual_post(xixian_notice, item=str(foreign_item)))
    assert response.status_code == 400 and "所选项目不在本公示名单中" in response.content.decode()
    response = client.post(url(xixian_notice), S.individual_post(xixian_notice, item="abc"))
    assert response.status_code == 400
    nothing_stored(disk)


def test_outside_the_window_nothing_is_taken(client, world, xixian_notice, disk):
    now = timezone.now()

    def change(**fields):  # as the clock and the publicity job would (an open notice's window is frozen)
        Notice.objects.filter(pk=xixian_notice.pk).update(**fields)
        xixian_notice.refresh_from_db()

    # not yet open (the window starts tomorrow)
    change(opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=9))
    response = client.post(url(xixian_notice), S.individual_post(xixian_notice))
    assert response.status_code == 400 and "尚未发布" in response.content.decode()
    # closed at 24:00 yesterday, even if the closing job has not run yet
    change(opens_at=now - dt.timedelta(days=9), closes_at=now - dt.timedelta(minutes=5))
    page = client.get(url(xixian_notice)).content.decode()
    assert "公示期满后不再受理异议" in page and 'id="objection-form"' not in page
    response = client.post(url(xixian_notice), S.individual_post(xixian_notice))
    assert response.status_code == 400 and "公示期满后不再受理异议" in response.content.decode()
    change(status=Notice.Status.CLOSED)
    assert client.post(url(xixian_notice), S.individual_post(xixian_notice)).status_code == 400
    # a draft is not public at all
    change(status=Notice.Status.DRAFT)
    assert client.get(url(xixian_notice)).status_code == 404
    assert client.post(url(xixian_notice), S.individual_post(xixian_notice)).status_code == 404
    nothing_stored(disk)


def test_a_program_without_objections_takes_none(client, world, disk):
    app = world.new_app(campaign=world.benchmark_campaign, name="标杆测试企业")
    notice = S.open_notice(world.benchmark_campaign, [app])
    assert not world.benchmark.profile.objections_allowed
    assert "不设网上异议受理" in client.get(url(notice)).content.decode()
    response = client.post(url(notice), S.individual_post(notice))
    assert response.status_code == 400
    nothing_stored(disk)


def test_floods_are_refused_after_the_hourly_limit(client, xixian_notice, settings):
    settings.OBJECTIONS_PER_IP_PER_HOUR = 3
    for _ in range(2):
        assert client.post(url(xixian_notice), S.individual_post(xixian_notice, person_name="")).status_code == 400
    assert client.post(url(xixian_notice), S.individual_post(xixian_notice)).status_code == 302  # the third: taken
    response = client.post(url(xixian_notice), S.individual_post(xixian_notice, grounds=S.GROUNDS + "第四次。"))
    assert response.status_code == 429 and "1 小时内提交异议的次数已达上限" in response.content.decode()
    # a made-up X-Forwarded-For header does not open a new allowance
    spoofed = client.post(url(xixian_notice), S.individual_post(xixian_notice, grounds=S.GROUNDS + "伪造来源。"),
                          HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert spoofed.status_code == 429
    assert Objection.objects.count() == 1
    # another network is not affected
    other = client.post(url(xixian_notice), S.individual_post(xixian_notice, grounds=S.GROUNDS + "另一网络。"),
                        REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302 and Objection.objects.count() == 2


def test_a_forged_receipt_link_is_a_404(client):
    assert client.get(reverse("publicity:objection_receipt", args=["1:abc:def"])).status_code == 404
