"""The secretariat consults the departments before its eligibility review where the document says so (息县 第十七条
“在征求县直有关部门意见的基础上，进行资格审查”; 巩义 第十七条（三）“组织有关部门对申报组织进行资格审查”): it records
whom it asked and when, each answer with its letter, and accepts only when every department asked has answered."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import workflow
from applications.models import State
from demo.content import pdf_bytes
from qualityaward.accounts.services import Actor
from review.eligibility.services import ABSENT, exclusion_items, record_exclusions
from review.prereview import services as pre

ASKED = dt.date(2026, 11, 16)
ANSWERED = dt.date(2026, 11, 18)


def _in_review(world, *, campaign=None, region=None):
    app = world.new_app(campaign=campaign or world.xixian_campaign, region=region or world.xixian_county)
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    workflow.perform(application=app, name="start_eligibility_review", actor=Actor(user=world.secretariat_other))
    record_exclusions(application=app, actor=Actor(user=world.secretariat_other),
                      answers={item.pk: (ABSENT, "") for item in exclusion_items(app)})
    app.refresh_from_db()
    return app


def _accept(app, user):
    return workflow.perform(application=app, name="accept", actor=Actor(user=user))


def test_xixian_17_no_acceptance_before_the_departments_are_consulted(world):
    sec = world.secretariat_other
    app = _in_review(world)
    with pytest.raises(workflow.GuardFailed) as info:
        _accept(app, sec)
    assert "尚未征求有关部门意见" in info.value.message
    app.refresh_from_db()
    assert app.state == State.ELIGIBILITY_REVIEW


def test_xixian_17_every_department_asked_must_answer_before_acceptance(world):
    sec = Actor(user=world.secretariat_other)
    app = _in_review(world)
    env = pre.solicit_opinion(application=app, actor=sec, department="县生态环境分局", asked_on=ASKED,
                              by=pre.SECRETARIAT)
    safety = pre.solicit_opinion(application=app, actor=sec, department="县应急管理局", asked_on=ASKED,
                                 by=pre.SECRETARIAT)
    pre.record_answer(application=app, actor=sec, opinion_id=env.pk, answer="no_objection", content="",
                      answered_on=ANSWERED, by=pre.SECRETARIAT,
                      letter=SimpleUploadedFile("复函.pdf", pdf_bytes(1), "application/pdf"))
    with pytest.raises(workflow.GuardFailed) as info:
        _accept(app, world.secretariat_other)
    assert "县应急管理局" in info.value.message and "县生态环境分局" not in info.value.message
    pre.record_answer(application=app, actor=sec, opinion_id=safety.pk, answer="objection",
                      content="该单位2025年有一起一般事故，已整改。", answered_on=ANSWERED, by=pre.SECRETARIAT)
    app = _accept(app, world.secretariat_other)
    assert app.state == State.ACCEPTED
    env.refresh_from_db()
    assert env.consulted_by == "secretariat" and len(env.sha256) == 64


def test_xixian_17_the_secretariat_names_the_department_and_asks_it_once(world):
    sec = Actor(user=world.secretariat_other)
    app = _in_review(world)
    with pytest.raises(ValidationError, match="请填写征求意见的部门名称"):
        pre.solicit_opinion(application=app, actor=sec, department="  ", asked_on=ASKED, by=pre.SECRETARIAT)
    pre.solicit_opinion(application=app, actor=sec, department="县税务局", asked_on=ASKED, by=pre.SECRETARIAT)
    with pytest.raises(ValidationError, match="不必重复登记"):
        pre.solicit_opinion(application=app, actor=sec, department="县税务局", asked_on=ASKED, by=pre.SECRETARIAT)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        pre.solicit_opinion(application=app, actor=sec, department="县人社局", asked_on=dt.date(2026, 12, 1),
                            by=pre.SECRETARIAT)
    assert [o.department for o in pre.secretariat_opinions(app)] == ["县税务局"]


def test_xixian_17_only_the_programs_secretariat_consults(world):
    app = _in_review(world)
    for user in (world.secretariat, world.owner, world.authority):
        with pytest.raises(PermissionDenied):
            pre.solicit_opinion(application=app, actor=Actor(user=user), department="县税务局", asked_on=ASKED,
                                by=pre.SECRETARIAT)
    assert pre.secretariat_opinions(app) == []


def test_cultivation_the_document_has_no_secretariat_consultation(world):
    """000 has the bureau's consultation (五 初审推荐意见), not the secretariat's: nothing to record, no guard."""
    assert not world.campaign.program.profile.secretariat_consults_departments
    app = world.new_app()
    with pytest.raises(PermissionDenied, match="文件未规定秘书处"):
        pre.solicit_opinion(application=app, actor=Actor(user=world.secretariat), department="某局", asked_on=ASKED,
                            by=pre.SECRETARIAT)
    assert pre.secretariat_consultation_problems(app) == []


def test_xixian_17_the_eligibility_page_shows_and_records_the_consultation(world, client):
    app = _in_review(world)
    client.force_login(world.secretariat_other)
    url = reverse("review:eligibility_detail", args=[app.pk])
    page = client.get(url).content.decode()
    assert "秘书处征求有关部门意见" in page and "尚未征求有关部门意见" in page
    bad = client.post(reverse("review:eligibility_consult_solicit", args=[app.pk]),
                      {"consult-department": "", "consult-asked_on": "2026-11-16"})
    assert bad.status_code == 400 and "请填写征求意见的部门名称" in bad.content.decode()
    assert pre.secretariat_opinions(app) == []
    done = client.post(reverse("review:eligibility_consult_solicit", args=[app.pk]),
                       {"consult-department": "县市场监督管理局", "consult-asked_on": "2026-11-16"})
    assert done.status_code == 302
    opinion = pre.secretariat_opinions(app)[0]
    early = client.post(reverse("review:eligibility_consult_answer", args=[app.pk]),
                        {"opinion": opinion.pk, "answer": "no_objection", "answered_on": "2026-11-10"})
    assert early.status_code == 400 and "不能早于征求日期" in early.content.decode()
    client.post(reverse("review:eligibility_consult_answer", args=[app.pk]),
                {"opinion": opinion.pk, "answer": "no_objection", "answered_on": "2026-11-18"})
    page = client.get(url).content.decode()
    assert "县市场监督管理局" in page and "无异议" in page and "尚未征求有关部门意见" not in page
    decided = client.post(reverse("review:eligibility_decide", args=[app.pk, "accept"]), {"reason": ""})
    assert decided.status_code == 302
    app.refresh_from_db()
    assert app.state == State.ACCEPTED
    page = client.get(url).content.decode()
    assert "县市场监督管理局" in page and "登记征求" not in page  # shown, no longer editable
