"""The supervision group (监督组): 息县 第九条 (it supervises the whole review) and 第二十五条 (anyone may report
to it; it reports on its supervision to the committee and the secretariat).

The public form is real-name like an objection and takes evidence judged by content; a refusal says what to
do in Chinese and stores nothing. Only the program's supervisors read the reports and record findings (audited);
the campaign report goes to the committee and the secretariat, by e-mail and on the campaign's page."""
import datetime as dt
import pathlib

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from demo.content import jpeg_bytes, pdf_bytes
from publicity.supervision.models import CampaignSupervisionReport, SupervisionReport, SupervisionReportFile
from qualityaward.accounts.models import AuditEvent, Role

from conformance_support import make_user

CONTENT = "评审组某专家在现场评审前收受申报单位礼品，并泄露评审打分情况，有聊天记录为证。"


@pytest.fixture
def people(world):
    world.supervisor_xx = make_user("supervisor_xx", (Role.SUPERVISOR, {"program": world.xixian}),
                                    full_name="赵监督")
    world.supervisor_py = make_user("supervisor_py", (Role.SUPERVISOR, {"program": world.cultivation}))
    world.committee_xx = make_user("committee_xx", (Role.COMMITTEE, {"program": world.xixian}))
    return world


def url(program):
    return reverse("supervision:report_new", args=[program.code])


def pdf(name="聊天记录.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(1), content_type="application/pdf")


def forged(name="聊天记录.pdf"):
    """A Windows program renamed to .pdf, sent as application/pdf."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")


def individual_post(campaign, **overrides):
    data = {"objector_kind": "individual", "campaign": str(campaign.pk), "subject": "材料评审专家组",
            "content": CONTENT, "person_name": "王举报", "person_phone": "13900139000",
            "person_address": "信阳市息县谯楼街 2 号", "signature": "王举报", "email": "reporter@example.cn",
            "pledge": "on", "evidence": [pdf(), SimpleUploadedFile("照片.jpg", jpeg_bytes(), content_type="image/jpeg")]}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _files_on_disk(media_root):
    folder = pathlib.Path(media_root) / "supervision"
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def nothing_stored(media_root, before):
    assert SupervisionReport.objects.count() == 0 and SupervisionReportFile.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="supervision:").exists()
    assert _files_on_disk(media_root) == before


def file_report(client, world, **overrides):
    response = client.post(url(world.xixian), individual_post(world.xixian_campaign, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return SupervisionReport.objects.order_by("pk").last(), response


# --- 第二十五条: anyone may report, by real name ------------------------------------------------------------------
def test_article_25_anyone_reports_without_an_account_and_gets_a_receipt(client, people,
                                                                         django_capture_on_commit_callbacks):
    page = client.get(url(people.xixian))
    body = page.content.decode()
    assert page.status_code == 200 and "任何单位和个人" in body and "纪检监察人员" in body
    assert 'enctype="multipart/form-data"' in body and people.xixian_campaign.name in body
    with django_capture_on_commit_callbacks(execute=True):
        report, response = file_report(client, people)
    assert report.receipt_number == f"XX-JB{timezone.localdate().year}-0001"
    assert report.reporter is None and report.reporter_name == "王举报" and report.campaign == people.xixian_campaign
    assert report.files.count() == 2
    receipt = client.get(response["Location"]).content.decode()
    assert report.receipt_number in receipt and "已收到，待办理" in receipt
    assert "王举报" not in receipt and "13900139000" not in receipt  # the receipt repeats no personal data
    # the program's supervisors (and those of every program) are told; the secretariat is not (a report may
    # be about it)
    assert [m.to for m in mail.outbox] == [["supervisor@example.cn", "supervisor_xx@example.cn"]]
    assert report.receipt_number in mail.outbox[0].subject
    # a double click keeps the first receipt
    client.post(url(people.xixian), individual_post(people.xixian_campaign))
    assert SupervisionReport.objects.count() == 1


def test_article_25_a_signed_in_reporter_sees_its_reports_status(client, people):
    client.force_login(people.owner)
    page = client.get(url(people.xixian)).content.decode()
    assert 'value="owner"' in page  # the name is filled in from the account
    report, _ = file_report(client, people)
    assert report.reporter == people.owner
    mine = client.get(reverse("supervision:mine")).content.decode()
    assert report.receipt_number in mine and "已收到，待办理" in mine
    from publicity.supervision import services as svc
    from qualityaward.accounts.services import Actor

    svc.record_finding(report=report, finding="经核查，该专家已回避。", conclusion="partly",
                       handled_on=timezone.localdate(), actor=Actor(user=people.supervisor_xx))
    mine = client.get(reverse("supervision:mine")).content.decode()
    assert "已办结" in mine and "经核查" not in mine  # the status, not the group's working notes
    assert "我的举报" in client.get(reverse("dashboard")).content.decode()
    # another account sees none of it
    client.force_login(people.stranger)
    assert report.receipt_number not in client.get(reverse("supervision:mine")).content.decode()


def test_a_unit_reports_with_its_name_address_and_phone(client, people):
    data = individual_post(people.xixian_campaign, objector_kind="unit", person_name="", person_phone="",
                           person_address="", signature="", unit_name="息县某某行业协会",
                           unit_address="信阳市息县城关镇 8 号", unit_phone="0376-1234567", contact_person="李联络",
                           evidence=None)
    response = client.post(url(people.xixian), data)
    assert response.status_code == 302
    report = SupervisionReport.objects.get()
    assert report.reporter_kind == "unit" and report.contact_person == "李联络" and report.files.count() == 0


@pytest.mark.parametrize("overrides, message", [
    ({"person_name": "", "signature": ""}, "以个人名义提出举报须填写姓名（实名提出，匿名举报不予受理）"),
    ({"person_phone": "电话"}, "联系电话格式不正确"),
    ({"signature": "李四"}, "签署姓名须与填写的姓名一致"),
    ({"content": "有问题"}, "举报内容过于简单"),
    ({"subject": ""}, "请填写举报对象"),
    ({"pledge": None}, "请阅读并勾选承诺后再提交"),
    ({"evidence": forged()}, "证明材料"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(client, people, media_root, overrides, message):
    before = _files_on_disk(media_root)
    response = client.post(url(people.xixian), individual_post(people.xixian_campaign, **overrides))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "举报尚未提交" in body
    nothing_stored(media_root, before)
    assert mail.outbox == []


def test_a_campaign_whose_review_has_ended_takes_no_report(client, people, media_root):
    """息县 第九条: the supervision group dissolves when the review is over."""
    campaign = people.xixian_campaign
    type(campaign).objects.filter(pk=campaign.pk).update(review_deadline=timezone.now() - dt.timedelta(days=1))
    before = _files_on_disk(media_root)
    response = client.post(url(people.xixian), individual_post(campaign))
    assert response.status_code == 400 and "监督组已随评审结束解散" in response.content.decode()
    nothing_stored(media_root, before)
    assert "监督组已随评审结束解散" in client.get(url(people.xixian)).content.decode()


@pytest.mark.parametrize("code, words", [("henan-cultivation", "未设监督组"), ("gongyi", "第十条（七）"),
                                         ("jinshui", "第二十六条"), ("quality-benchmark", "未设监督组")])
def test_programs_whose_document_has_no_report_to_a_supervision_group_say_where_to_turn(client, people, code, words,
                                                                                         media_root):
    from applications.models import Program

    program = Program.objects.get(code=code)
    page = client.get(url(program)).content.decode()
    assert "不设网上向监督组举报" in page and words in page and 'id="report-form"' not in page
    campaign = program.campaigns.get(is_current=True)
    before = _files_on_disk(media_root)
    assert client.post(url(program), individual_post(campaign)).status_code == 400
    nothing_stored(media_root, before)


def test_the_public_form_is_rate_limited_per_network_address(client, people, settings):
    settings.OBJECTIONS_PER_IP_PER_HOUR = 1
    file_report(client, people)
    response = client.post(url(people.xixian), individual_post(people.xixian_campaign, content=CONTENT + "补充。"))
    assert response.status_code == 429 and "次数已达上限" in response.content.decode()
    assert SupervisionReport.objects.count() == 1


# --- the supervision group's register ---------------------------------------------------------------------------
def test_only_the_programs_supervisors_read_reports_others_get_404(client, people):
    report, _ = file_report(client, people)
    evidence = report.files.first()
    detail = reverse("supervision:report_detail", args=[report.pk])
    for user in (people.supervisor_xx, people.supervisor):  # 息县's, and a supervisor of every program
        client.force_login(user)
        assert client.get(detail).status_code == 200
        assert report.receipt_number in client.get(reverse("supervision:report_list")).content.decode()
        assert client.get(reverse("supervision:report_file", args=[evidence.pk])).status_code == 200
    for user in (people.supervisor_py, people.secretariat_other, people.committee_xx, people.owner, people.admin):
        client.force_login(user)
        assert client.get(detail).status_code == 404, user
        assert client.get(reverse("supervision:report_file", args=[evidence.pk])).status_code == 404, user
        assert report.receipt_number not in client.get(reverse("supervision:report_list")).content.decode()
        response = client.post(reverse("supervision:report_finding", args=[report.pk]),
                               {"finding": "越权办理。", "conclusion": "unfounded",
                                "handled_on": timezone.localdate().isoformat(), "confirm": "on"})
        assert response.status_code == 404
    report.refresh_from_db()
    assert report.is_open


def test_the_supervisors_dashboard_shows_the_reports_waiting(client, people):
    report, _ = file_report(client, people)
    client.force_login(people.supervisor_xx)
    body = client.get(reverse("dashboard")).content.decode()
    assert "监督组：待办理的举报" in body and report.receipt_number in body and "材料评审专家组" in body
    client.force_login(people.supervisor_py)
    assert report.receipt_number not in client.get(reverse("dashboard")).content.decode()


def test_findings_are_recorded_once_and_audited(client, people):
    report, _ = file_report(client, people)
    client.force_login(people.supervisor_xx)
    finding = reverse("supervision:report_finding", args=[report.pk])
    today = timezone.localdate()
    # bad input: a date in the future, no conclusion; nothing changes
    bad = client.post(finding, {"finding": "已核实。", "conclusion": "confirmed",
                                "handled_on": (today + dt.timedelta(days=1)).isoformat(), "confirm": "on"})
    assert bad.status_code == 400 and "办结日期不能晚于今天" in bad.content.decode()
    assert client.post(finding, {"finding": "已核实。", "handled_on": today.isoformat(),
                                 "confirm": "on"}).status_code == 400
    report.refresh_from_db()
    assert report.is_open and not AuditEvent.objects.filter(action="supervision:finding").exists()
    ok = client.post(finding, {"finding": "经调取聊天记录核实，情况属实，已建议纪检监察机关处理。", "conclusion": "referred",
                               "handled_on": today.isoformat(), "confirm": "on"})
    assert ok.status_code == 302
    report.refresh_from_db()
    assert report.status == "handled" and report.conclusion == "referred" and report.handled_by == people.supervisor_xx
    event = AuditEvent.objects.get(action="supervision:finding")
    assert event.actor == people.supervisor_xx and event.object_id == str(report.pk)
    assert event.data["conclusion"] == "referred" and event.to_state == "handled"
    page = client.get(reverse("supervision:report_detail", args=[report.pk])).content.decode()
    assert "已建议有权机关处理" in page and "记录办理情况并办结" in page and "收到举报" in page
    again = client.post(finding, {"finding": "改写。", "conclusion": "unfounded", "handled_on": today.isoformat(),
                                  "confirm": "on"})
    assert again.status_code == 400 and "不能再更改" in again.content.decode()
    report.refresh_from_db()
    assert report.conclusion == "referred"


# --- 第二十五条: the supervision group reports to the committee and the secretariat -------------------------------
def test_article_25_the_campaign_report_reaches_the_committee_and_the_secretariat(
        client, people, django_capture_on_commit_callbacks):
    campaign = people.xixian_campaign
    page = reverse("supervision:campaign", args=[campaign.pk])
    client.force_login(people.supervisor_xx)
    assert "撰写并报送监督情况报告" in client.get(page).content.decode()
    mail.outbox.clear()
    # a forged document is refused and nothing is sent
    bad = client.post(reverse("supervision:campaign_report_new", args=[campaign.pk]),
                      {"title": "监督情况报告", "text": "全程监督了材料评审。", "document": forged("报告.pdf")})
    assert bad.status_code == 400 and "报告尚未报送" in bad.content.decode()
    assert not CampaignSupervisionReport.objects.exists() and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(reverse("supervision:campaign_report_new", args=[campaign.pk]),
                         {"title": "2026年度评审监督情况报告", "text": "监督组全程监督了材料评审和现场评审，未发现违规情形。",
                          "document": pdf("监督情况报告.pdf")})
    assert ok.status_code == 302
    report = CampaignSupervisionReport.objects.get()
    assert report.document.original_name.endswith(".pdf")
    assert AuditEvent.objects.filter(action="supervision:report", actor=people.supervisor_xx).exists()
    (message,) = mail.outbox
    assert sorted(message.to) == ["committee_xx@example.cn", "secretariat_xx@example.cn"]
    assert "监督情况报告" in message.subject
    for user in (people.committee_xx, people.secretariat_other):
        client.force_login(user)
        body = client.get(page).content.decode()
        assert "未发现违规情形" in body and "撰写并报送" not in body
        assert "2026年度评审监督情况报告" in client.get(reverse("dashboard")).content.decode()
        assert client.get(reverse("supervision:campaign_report_file", args=[report.document.pk])).status_code == 200
        # they read; only the supervision group writes
        assert client.post(reverse("supervision:campaign_report_new", args=[campaign.pk]),
                           {"title": "冒名报告", "text": "不应保存。"}).status_code == 403
    assert CampaignSupervisionReport.objects.count() == 1
    people.committee_xx.is_active = False  # a member whose account is disabled reads nothing more
    people.committee_xx.save()
    client.force_login(people.committee_xx)
    assert client.get(page).status_code in (302, 404)


def test_applicants_and_other_programs_cannot_read_the_campaign_report(client, people):
    from publicity.supervision import services as svc
    from qualityaward.accounts.services import Actor

    report = svc.send_campaign_report(campaign=people.xixian_campaign, title="监督情况报告", text="未发现违规情形。",
                                      document=pdf(), actor=Actor(user=people.supervisor_xx))
    for user in (people.owner, people.secretariat, people.committee, people.supervisor_py, people.expert):
        client.force_login(user)
        assert client.get(reverse("supervision:campaign", args=[people.xixian_campaign.pk])).status_code == 404
        assert client.get(reverse("supervision:campaign_report_file",
                                  args=[report.document.pk])).status_code == 404
        assert "未发现违规情形" not in client.get(reverse("dashboard")).content.decode()


def test_each_programs_page_says_how_it_is_supervised(client, people):
    from applications.models import Program

    xixian = client.get(reverse("applications:program_detail", args=["xixian"])).content.decode()
    assert "纪检监察人员" in xixian and url(people.xixian) in xixian
    for program in Program.objects.exclude(code="xixian"):
        page = client.get(reverse("applications:program_detail", args=[program.code])).content.decode()
        assert program.profile.supervision_note in page and url(program) not in page
