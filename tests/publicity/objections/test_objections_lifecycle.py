"""An objection from receipt to decision, both ways: unfounded (the settlement blocker releases the
application) and upheld (the application is disqualified; 息县 does not backfill, a profile that does
shows the backfill due). The applicant is asked, answers with uploads and is told the outcome, never
who objected; the objector gets the written answer by e-mail once."""
import pathlib

import pytest
from django.core import mail
from django.urls import reverse

from applications.models import State
from publicity.objections.models import Objection, ObjectionFile
from publicity.notices.settlement import blocking_reasons
from qualityaward.accounts.models import AuditEvent


def _load_support():
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("objection_support_lifecycle",
                                   pathlib.Path(__file__).with_name("objection_support.py"))
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _load_support()
seeded, world, xixian_app, xixian_notice = S.seeded, S.world, S.xixian_app, S.xixian_notice


@pytest.fixture
def objection(xixian_notice):
    return S.file_objection(xixian_notice)


def detail(o):
    return reverse("publicity:objection_detail", args=[o.pk])


def ask_and_answer(client, world, o, commit):
    """The secretariat notes and asks; the applicant reads (without the objector) and answers with a file."""
    client.force_login(world.secretariat_other)  # 息县's secretariat
    register = client.get(reverse("publicity:objection_list")).content.decode()
    assert o.receipt_number in register and "张异议" in register and "剩 " in register
    assert client.post(reverse("publicity:objection_note", args=[o.pk]),
                       {"text": "已向县市场监管局核实处罚记录。"}).status_code == 302
    mail.outbox.clear()
    with commit(execute=True):
        response = client.post(reverse("publicity:objection_request", args=[o.pk]), {
            "grounds": "有人反映贵单位近三年内发生过一般质量事故并受到行政处罚。", "question": "请说明有关情况并提供证明材料。"})
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.status == Objection.Status.INVESTIGATING
    assert len(mail.outbox) == 1 and "owner@example.cn" in mail.outbox[0].to and "colleague@example.cn" in mail.outbox[0].to
    assert "张异议" not in mail.outbox[0].body

    client.force_login(world.owner)
    page = client.get(reverse("applications:detail", args=[o.application_id])).content.decode()
    assert "公示异议：请说明的事项" in page and "一般质量事故" in page
    assert "张异议" not in page and "13800138000" not in page and o.receipt_number not in page
    req = o.requests.get()
    mail.outbox.clear()
    with commit(execute=True):
        response = client.post(reverse("publicity:objection_reply", args=[req.pk]), {
            "reply_text": "处罚系 2019 年作出，已超过三年，附处罚决定书。", "files": [S.pdf_upload("处罚决定书.pdf")]})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["secretariat_xx@example.cn"]] and "申报单位已答复" in mail.outbox[0].subject
    req.refresh_from_db()
    assert req.replied_at and req.replied_by == world.owner
    reply_file = ObjectionFile.objects.get(request=req, kind=ObjectionFile.Kind.REPLY)
    assert client.get(reverse("publicity:objection_file", args=[reply_file.pk])).status_code == 200
    client.force_login(world.secretariat_other)
    assert "处罚系 2019 年作出" in client.get(detail(o)).content.decode()


def test_unfounded_the_application_continues_and_everyone_is_told(client, world, objection, xixian_notice,
                                                                  django_capture_on_commit_callbacks):
    app = objection.application
    assert blocking_reasons(notice=xixian_notice, application=app) == ["有 1 件异议尚未办结"]
    ask_and_answer(client, world, objection, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("publicity:objection_decide", args=[objection.pk]), {
            "decision": "unfounded", "finding": "处罚在三年以外，不属于否决情形。",
            "answer_text": "经核实，所反映的行政处罚发生在 2019 年，不在三年以内，异议不成立。", "confirm": "on"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UNFOUNDED and objection.decided_by == world.secretariat_other
    assert blocking_reasons(notice=xixian_notice, application=app) == []
    app.refresh_from_db()
    assert app.state == State.SUBMITTED
    subjects = {m.subject: m for m in mail.outbox}
    to_applicant = next(m for m in mail.outbox if "owner@example.cn" in m.to)
    assert "异议不成立" in to_applicant.body and "张异议" not in to_applicant.body
    to_objector = next(m for m in mail.outbox if m.to == ["objector@example.cn"])
    assert "不在三年以内" in to_objector.body and objection.receipt_number in to_objector.subject
    assert objection.answer_emailed_at is not None
    assert len(subjects) == 2
    # the objector's receipt page now shows the outcome and the written answer
    from django.core import signing

    token = signing.dumps(objection.pk, salt="publicity.objection-receipt")
    receipt = client.get(reverse("publicity:objection_receipt", args=[token])).content.decode()
    assert "异议不成立" in receipt and "不在三年以内" in receipt
    # the answer is sent once, however often the delivery runs
    from publicity.objections.tasks import deliver_answer

    deliver_answer(objection.pk)
    assert len([m for m in mail.outbox if m.to == ["objector@example.cn"]]) == 1
    # decided: nothing more may be added, by anyone
    response = client.post(reverse("publicity:objection_note", args=[objection.pk]), {"text": "补充"})
    assert response.status_code == 400 and "已于" in response.content.decode()
    client.force_login(world.owner)
    response = client.post(reverse("publicity:objection_reply", args=[objection.requests.get().pk]),
                           {"reply_text": "再补充一点"})
    assert objection.requests.get().reply_text.startswith("处罚系")


def test_upheld_disqualifies_without_backfill_in_xixian(client, world, objection, xixian_notice,
                                                       django_capture_on_commit_callbacks):
    app = objection.application
    client.force_login(world.secretariat_other)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("publicity:objection_decide", args=[objection.pk]), {
            "decision": "upheld", "finding": "经核实，该单位 2025 年发生一般质量事故并受到行政处罚，属于第十三条规定的情形。",
            "answer_text": "经调查，您反映的情况属实，异议成立，已取消该单位的申报资格。", "confirm": "on"})
    assert response.status_code == 302
    app.refresh_from_db()
    objection.refresh_from_db()
    assert app.state == State.DISQUALIFIED
    event = AuditEvent.objects.get(action="transition:disqualify", object_id=str(app.pk))
    assert objection.receipt_number in event.reason and event.actor == world.secretariat_other
    assert objection.backfill_due is False  # 息县：经公示未通过的，取消获奖资格，不进行递补
    assert blocking_reasons(notice=xixian_notice, application=app) == ["有 1 件异议经调查成立"]
    page = client.get(detail(objection)).content.decode()
    assert "异议成立" in page and 'id="backfill-due"' not in page and "登记递补办理情况" not in page
    assert any("异议成立" in m.body for m in mail.outbox if "owner@example.cn" in m.to)


def test_inadmissible_releases_the_application_too(client, world, objection, xixian_notice):
    client.force_login(world.secretariat_other)
    response = client.post(reverse("publicity:objection_decide", args=[objection.pk]), {
        "decision": "inadmissible", "finding": "所附身份证明无法辨认，经电话联系无法核实异议人身份。",
        "answer_text": "因无法核实您的身份，依照规定对该异议不予受理。", "confirm": "on"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.INADMISSIBLE
    assert blocking_reasons(notice=xixian_notice, application=objection.application) == []
    objection.application.refresh_from_db()
    assert objection.application.state == State.SUBMITTED
    history = client.get(detail(objection)).content.decode()
    assert "收到异议" in history and "作出结论并书面答复" in history


def test_a_program_that_backfills_shows_the_backfill_due(client, world, objection):
    profile = world.xixian.profile
    profile.backfill_after_disqualification = True
    profile.save()
    client.force_login(world.secretariat_other)
    client.post(reverse("publicity:objection_decide", args=[objection.pk]), {
        "decision": "upheld", "finding": "属实。", "answer_text": "异议成立。", "confirm": "on"})
    objection.refresh_from_db()
    assert objection.backfill_due
    page = client.get(detail(objection)).content.decode()
    assert 'id="backfill-due"' in page
    register = client.get(reverse("publicity:objection_list") + "?status=backfill").content.decode()
    assert objection.receipt_number in register and "待递补" in register
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "待递补 1" in dashboard
    assert client.post(reverse("publicity:objection_backfill", args=[objection.pk]),
                       {"note": "按得分排序由第 6 名递补，已报评委会。"}).status_code == 302
    objection.refresh_from_db()
    assert objection.backfill_done_at and "第 6 名" in objection.backfill_note


def test_bad_decisions_and_requests_change_nothing(client, world, objection):
    client.force_login(world.secretariat_other)
    url = reverse("publicity:objection_decide", args=[objection.pk])
    response = client.post(url, {"decision": "upheld", "finding": "属实。", "confirm": "on"})
    assert response.status_code == 400 and "请填写给异议人的书面答复" in response.content.decode()
    response = client.post(url, {"decision": "upheld", "finding": "属实。", "answer_text": "成立。"})
    assert response.status_code == 400 and "请勾选确认" in response.content.decode()
    response = client.post(reverse("publicity:objection_request", args=[objection.pk]), {
        "grounds": "张异议反映贵单位发生质量事故。", "question": "请说明。"})
    assert response.status_code == 400 and "含有异议人的名称" in response.content.decode()
    response = client.post(reverse("publicity:objection_request", args=[objection.pk]), {
        "grounds": "有人（电话 13800138000）反映贵单位发生质量事故。", "question": "请说明。"})
    assert response.status_code == 400 and "联系方式" in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == Objection.Status.RECEIVED and not objection.requests.exists()
    objection.application.refresh_from_db()
    assert objection.application.state == State.SUBMITTED


def test_supervisors_read_everything_and_change_nothing(client, world, objection):
    client.force_login(world.supervisor)
    page = client.get(detail(objection)).content.decode()
    assert "张异议" in page and "13800138000" in page and "监督组身份查阅" in page
    assert "作出结论" not in page and "保存调查记录" not in page
    identity = objection.files.get(kind=ObjectionFile.Kind.IDENTITY)
    assert client.get(reverse("publicity:objection_file", args=[identity.pk])).status_code == 200
    for name, data in [("objection_note", {"text": "监督意见"}),
                       ("objection_request", {"grounds": "事由", "question": "请说明"}),
                       ("objection_decide", {"decision": "upheld", "finding": "x", "answer_text": "y", "confirm": "on"}),
                       ("objection_backfill", {"note": "x"})]:
        assert client.post(reverse(f"publicity:{name}", args=[objection.pk]), data).status_code == 403, name
    assert client.get(reverse("publicity:objection_export")).status_code == 403
    objection.refresh_from_db()
    assert objection.status == Objection.Status.RECEIVED and not objection.notes.exists()
    assert not objection.requests.exists()
