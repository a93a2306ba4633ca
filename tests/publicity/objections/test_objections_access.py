"""Who sees objections: the program's secretariat handles, supervisors read, nobody else learns of them.
The applicant sees the requests addressed to it and never who objected; other viewers of the
application (its bureau, experts, grantees) see nothing of the objection at all."""
import pathlib

import pytest
from django.urls import reverse

from publicity.objections.models import Objection, ObjectionFile


def _load_support():
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("objection_support_access", pathlib.Path(__file__).with_name("objection_support.py"))
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _load_support()
seeded, world, panel_app = S.seeded, S.world, S.panel_app

PEOPLE = ["owner", "colleague", "stranger", "authority", "authority_other_city", "authority_other_program",
          "secretariat", "secretariat_other", "supervisor", "committee", "expert", "recused_expert",
          "reserve_expert", "grantee", "recused_grantee", "admin"]
READERS = {"secretariat", "supervisor"}  # of the cultivation program's objections


@pytest.fixture
def objection(world, panel_app):
    notice = S.open_notice(world.campaign, [panel_app])
    return S.file_objection(notice)


@pytest.fixture
def answered(world, objection):
    from publicity.objections import services as svc
    from qualityaward.accounts.services import Actor

    req = svc.send_request(objection=objection, grounds="有人反映贵单位发生质量事故。", question="请说明。", reply_by=None,
                           actor=Actor(user=world.secretariat))
    svc.reply_to_request(request=req, text="情况说明。", files=[S.pdf_upload("说明.pdf")], actor=Actor(user=world.owner))
    return req


def test_the_objection_page_and_the_objectors_files_are_for_secretariat_and_supervisors(client, world, objection):
    urls = [reverse("publicity:objection_detail", args=[objection.pk])] + [
        reverse("publicity:objection_file", args=[f.pk]) for f in objection.files.all()]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the login page
    for name in PEOPLE:
        client.force_login(getattr(world, name))
        for url in urls:
            response = client.get(url)
            assert response.status_code == (200 if name in READERS else 404), (name, url)
            if name not in READERS:
                assert "张异议" not in response.content.decode()


def test_the_register_lists_only_the_users_programs(client, world, objection):
    url = reverse("publicity:objection_list")
    for name in PEOPLE:
        client.force_login(getattr(world, name))
        body = client.get(url).content.decode()
        assert (objection.receipt_number in body) == (name in READERS), name
        assert ("张异议" in body) == (name in READERS), name


def test_actions_secretariat_only_supervisors_403_others_404(client, world, objection):
    for action in ("objection_note", "objection_request", "objection_decide", "objection_backfill"):
        url = reverse(f"publicity:{action}", args=[objection.pk])
        for name in PEOPLE:
            if name == "secretariat":
                continue
            client.force_login(getattr(world, name))
            expected = 403 if name == "supervisor" else 404
            assert client.post(url, {"text": "x", "note": "x"}).status_code == expected, (action, name)
    objection.refresh_from_db()
    assert objection.status == Objection.Status.RECEIVED and not objection.notes.exists()


def test_export_is_for_the_secretariat_only(client, world, objection):
    url = reverse("publicity:objection_export")
    for name in PEOPLE:
        client.force_login(getattr(world, name))
        response = client.get(url)
        expected = 200 if name in ("secretariat", "secretariat_other") else 403
        assert response.status_code == expected, name


def test_the_applicant_sees_requests_never_the_objector_others_see_nothing(client, world, panel_app, objection,
                                                                         answered):
    page_url = reverse("applications:detail", args=[panel_app.pk])
    reply_file = ObjectionFile.objects.get(request=answered)
    for name in ("owner", "colleague"):
        client.force_login(getattr(world, name))
        body = client.get(page_url).content.decode()
        assert "有人反映贵单位发生质量事故" in body and "张异议" not in body and "13800138000" not in body
        assert client.get(reverse("publicity:objection_file", args=[reply_file.pk])).status_code == 200
        identity = objection.files.get(kind=ObjectionFile.Kind.IDENTITY)
        assert client.get(reverse("publicity:objection_file", args=[identity.pk])).status_code == 404
    for name in ("authority", "expert", "grantee", "supervisor", "secretariat"):
        client.force_login(getattr(world, name))
        body = client.get(page_url).content.decode()
        assert "公示异议：请说明的事项" not in body, name
        # the secretariat and supervisors see the objections to it, with a link to the register
        assert (objection.receipt_number in body) == (name in READERS), name
    client.force_login(world.owner)
    assert 'id="objections-to-application"' not in client.get(page_url).content.decode()
    for name in PEOPLE:
        if name in ("owner", "colleague") or name in READERS:
            continue
        client.force_login(getattr(world, name))
        assert client.get(reverse("publicity:objection_file", args=[reply_file.pk])).status_code == 404, name


def test_only_the_applicant_answers(client, world, objection):
    from publicity.objections import services as svc
    from qualityaward.accounts.services import Actor

    req = svc.send_request(objection=objection, grounds="事由。", question="请说明。", reply_by=None,
                           actor=Actor(user=world.secretariat))
    url = reverse("publicity:objection_reply", args=[req.pk])
    for name in PEOPLE:
        if name in ("owner", "colleague"):
            continue
        client.force_login(getattr(world, name))
        assert client.post(url, {"reply_text": "冒充答复"}).status_code == 404, name
    req.refresh_from_db()
    assert req.replied_at is None
    client.force_login(world.colleague)  # a member of the applying organization
    assert client.post(url, {"reply_text": "本单位答复"}).status_code == 302
    req.refresh_from_db()
    assert req.reply_text == "本单位答复"


def test_the_printable_written_answer_follows_the_objection_page(client, world, objection):
    from publicity.objections import services as svc
    from qualityaward.accounts.services import Actor

    url = reverse("publicity:objection_answer_print", args=[objection.pk])
    client.force_login(world.secretariat)
    assert client.get(url).status_code == 404  # no answer before the decision
    svc.decide(objection=objection, decision="unfounded", finding="不成立。", answer_text="经核实，异议不成立。",
               actor=Actor(user=world.secretariat))
    for name in PEOPLE:
        client.force_login(getattr(world, name))
        response = client.get(url)
        assert response.status_code == (200 if name in READERS else 404), name
        if name in READERS:
            body = response.content.decode()
            assert "张异议：" in body and "经核实，异议不成立。" in body and objection.receipt_number in body


def test_the_applicants_dashboard_lists_open_requests_without_the_objector(client, world, objection):
    from publicity.objections import services as svc
    from qualityaward.accounts.services import Actor

    client.force_login(world.owner)
    assert "公示异议：请您说明" not in client.get(reverse("dashboard")).content.decode()
    req = svc.send_request(objection=objection, grounds="有人反映贵单位发生质量事故。", question="请说明。", reply_by=None,
                           actor=Actor(user=world.secretariat))
    body = client.get(reverse("dashboard")).content.decode()
    assert "公示异议：请您说明" in body and f"/applications/{objection.application_id}/#objection-requests" in body
    assert "张异议" not in body and objection.receipt_number not in body
    client.force_login(world.stranger)
    assert "公示异议：请您说明" not in client.get(reverse("dashboard")).content.decode()
    svc.reply_to_request(request=req, text="说明。", files=[], actor=Actor(user=world.owner))
    client.force_login(world.owner)
    assert "公示异议：请您说明" not in client.get(reverse("dashboard")).content.decode()


def test_xixian_10_an_objection_against_what_one_stepped_aside_from_is_a_colleagues(client, world, objection):
    """息县 第十条, 巩义 第十八条: a member of the secretariat who stepped aside from the application neither finds
    the objection in the register nor opens it; a colleague of the secretariat does."""
    from conformance_support import make_user
    from qualityaward.accounts.models import Role
    from review.panels.models import Recusal

    Recusal.objects.create(application=objection.application, user=world.secretariat, kind="secretariat",
                           reason="曾任职")
    colleague = make_user("secretariat_b", (Role.SECRETARIAT, {"program": world.cultivation}))
    client.force_login(world.secretariat)
    body = client.get(reverse("publicity:objection_list")).content.decode()
    assert objection.receipt_number not in body and objection.application.applicant_name not in body
    assert client.get(reverse("publicity:objection_detail", args=[objection.pk])).status_code == 404
    assert len(_export_cells(client)) == 1  # the headers only
    client.force_login(colleague)
    assert any(objection.receipt_number in row for row in _export_cells(client))
    assert objection.receipt_number in client.get(reverse("publicity:objection_list")).content.decode()
    assert client.get(reverse("publicity:objection_detail", args=[objection.pk])).status_code == 200


def _export_cells(client):
    import io

    from openpyxl import load_workbook

    response = client.get(reverse("publicity:objection_export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [" ".join(str(v) for v in row if v is not None) for row in book.active.iter_rows(values_only=True)]
