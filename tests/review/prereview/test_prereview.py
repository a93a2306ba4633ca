"""The recommending authority's pre-review (seed 000 五 初审推荐意见): departments per 组织类型, returns
with a reason per section, version comparison, read grants for department contacts, the signed initial
opinion (immutable at model, database and view level), and the guards on "recommend"."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from applications import workflow
from applications.forms.services import editable_section_codes, save_section
from applications.models import Application, ApplicationReadGrant, ApplicationSection, Campaign, State
from applications.rules import can_view
from demo.content import fill_application, pdf_bytes
from applications.services import create_application
from qualityaward.accounts.models import AuditEvent, Role, User
from qualityaward.accounts.services import Actor, grant_role
from demo.review import complete_sample_prereview
from review.prereview import services as svc
from review.prereview.models import (DepartmentOpinion, GovernmentOpinion, InitialOpinion, ReturnRequest,
    SectionCheck, SignedOpinionImmutable)
from review.prereview.selectors import submission_diff, text_ops

PASSWORD = "pass-12345"  # tests/applications/conftest.py make_user
BASE = ["发展改革部门", "工业和信息化部门", "生态环境部门", "应急管理部门", "税务部门"]


# --- helpers -------------------------------------------------------------------------------------------
def bureau(world):
    return Actor(user=world.authority, ip="10.0.0.8")


def submitted(world, drive, **kwargs):
    return drive(world.new_app(**kwargs), State.SUBMITTED)


def set_org_type(app, org_type, actor):
    row = ApplicationSection.objects.get(application=app, code="basic")
    result = save_section(application=app, code="basic", data={**row.data, "org_type": org_type},
                          base_version=row.version, actor=actor)
    assert not result.errors


def individual_app(world, *, submit=True):
    person = User.objects.create_user(username="zhangsan", password=PASSWORD, full_name="张三")
    grant_role(user=person, role=Role.APPLICANT)
    app = create_application(actor=Actor(user=person), campaign=world.campaign, kind=Application.Kind.INDIVIDUAL,
                             applicant_name="张三", region=world.zhengzhou)
    fill_application(application=app, actor=Actor(user=person))
    if submit:
        workflow.perform(application=app, name="submit", actor=Actor(user=person))
    return app


def draft_and_sign(app, actor, **parts):
    draft = svc.save_opinion_draft(application=app, actor=actor, parts={**svc.suggested_parts(app), **parts})
    return svc.sign_opinion(application=app, actor=actor, opinion_id=draft.pk, password=PASSWORD)


def answer_all(app, actor):
    for row in svc.department_rows(app):
        op = row["opinion"] or svc.solicit_opinion(application=app, actor=actor, department=row["department"],
                                                   asked_on=timezone.localdate())
        svc.record_answer(application=app, actor=actor, opinion_id=op.pk, answer="no_objection", content="",
                          answered_on=timezone.localdate())


def verify_all(app, actor):
    svc.save_checklist(application=app, actor=actor, entries={s.code: ("ok", "") for s in svc.applicant_sections(app)})


def gov_upload(name="市政府推荐意见.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(1), "application/pdf")


# --- 3. the departments to consult, by kind and 组织类型 -----------------------------------------------------
@pytest.mark.parametrize("org_type, extra", [
    ("manufacturing", []),
    ("agriculture", ["农业农村部门"]),
    ("construction", ["住房和城乡建设部门", "交通运输部门", "水利部门"]),
    ("services", ["商务部门", "文化和旅游部门", "卫生健康部门"]),
])
def test_departments_follow_the_organization_type(world, org_type, extra):
    app = world.new_app(filled=False)
    save_section(application=app, code="basic", data={"org_type": org_type}, base_version=0,
                 actor=Actor(user=world.owner))
    assert [r.department for r in svc.required_department_rules(app)] == BASE + extra


def test_individuals_are_checked_by_police_and_discipline_inspection(world):
    app = individual_app(world)
    assert [r.department for r in svc.required_department_rules(app)] == ["公安部门", "纪检监察机关"]


def test_submitted_org_type_decides_and_a_change_on_resubmission_is_followed(world, drive):
    app = submitted(world, drive)
    assert [r.department for r in svc.required_department_rules(app)] == BASE
    opinion = svc.solicit_opinion(application=app, actor=bureau(world), department="税务部门",
                                  asked_on=timezone.localdate())
    svc.return_for_correction(application=app, actor=bureau(world), reasons={"basic": "组织类型应为服务业。"})
    set_org_type(app, "services", Actor(user=world.owner))
    workflow.perform(application=app, name="resubmit", actor=Actor(user=world.owner))
    rows = svc.department_rows(app)
    assert [r["department"] for r in rows if r["required"]] == BASE + ["商务部门", "文化和旅游部门", "卫生健康部门"]
    assert next(r for r in rows if r["department"] == "税务部门")["opinion"] == opinion


def test_a_department_outside_the_list_or_twice_is_refused(world, drive):
    app = submitted(world, drive)
    with pytest.raises(Exception, match="不在本申报须征求意见的部门之列"):
        svc.solicit_opinion(application=app, actor=bureau(world), department="公安部门", asked_on=timezone.localdate())
    svc.solicit_opinion(application=app, actor=bureau(world), department="税务部门", asked_on=timezone.localdate())
    with pytest.raises(Exception, match="不必重复登记"):
        svc.solicit_opinion(application=app, actor=bureau(world), department="税务部门", asked_on=timezone.localdate())
    with pytest.raises(Exception, match="不能晚于今天"):
        svc.solicit_opinion(application=app, actor=bureau(world), department="发展改革部门",
                            asked_on=timezone.localdate() + timedelta(days=1))
    assert DepartmentOpinion.objects.filter(application=app).count() == 1


# --- the read grant of a department contact ---------------------------------------------------------------------
def test_a_department_contact_reads_the_application_until_the_answer_is_recorded(world, drive, client):
    app = submitted(world, drive)
    contact = world.grantee
    assert not can_view(contact, app)
    opinion = svc.solicit_opinion(application=app, actor=bureau(world), department="生态环境部门",
                                  asked_on=timezone.localdate(), reader=contact)
    assert ApplicationReadGrant.objects.filter(user=contact, content_object=app).exists()
    assert can_view(User.objects.get(pk=contact.pk), app)
    client.force_login(contact)
    assert client.get(reverse("applications:detail", args=[app.pk])).status_code == 200

    letter = SimpleUploadedFile("复函.pdf", pdf_bytes(1), "application/pdf")
    svc.record_answer(application=app, actor=bureau(world), opinion_id=opinion.pk, answer="objection",
                      content="该企业 2025 年有一起环保行政处罚，已整改。", answered_on=timezone.localdate(), letter=letter)
    opinion.refresh_from_db()
    assert opinion.reader_revoked_at is not None and opinion.sha256 and opinion.pages == 1
    assert not ApplicationReadGrant.objects.filter(user=contact, content_object=app).exists()
    assert not can_view(User.objects.get(pk=contact.pk), app)
    assert client.get(reverse("applications:detail", args=[app.pk])).status_code == 404
    actions = list(AuditEvent.objects.filter(object_id=str(app.pk), action__startswith="grant:")
                   .values_list("action", flat=True))
    assert sorted(actions) == ["grant:read_application", "grant:revoke_read_application"]


def test_the_applicant_cannot_be_a_department_contact_and_a_bad_letter_is_refused(world, drive):
    app = submitted(world, drive)
    with pytest.raises(Exception, match="属于申报单位本身"):
        svc.solicit_opinion(application=app, actor=bureau(world), department="税务部门",
                            asked_on=timezone.localdate(), reader=world.colleague)
    op = svc.solicit_opinion(application=app, actor=bureau(world), department="税务部门", asked_on=timezone.localdate())
    fake = SimpleUploadedFile("复函.pdf", b"<html>not a pdf</html>", "application/pdf")
    with pytest.raises(Exception, match="复函"):
        svc.record_answer(application=app, actor=bureau(world), opinion_id=op.pk, answer="no_objection", content="",
                          answered_on=timezone.localdate(), letter=fake)
    with pytest.raises(Exception, match="有异议时"):
        svc.record_answer(application=app, actor=bureau(world), opinion_id=op.pk, answer="objection", content=" ",
                          answered_on=timezone.localdate())
    op.refresh_from_db()
    assert op.answer == "pending" and not op.file


# --- 2. returns with a reason per section; the applicant sees them; only those sections open ------------------
def test_return_names_sections_with_reasons_and_reopens_only_those(world, drive, client):
    app = submitted(world, drive)
    request = svc.return_for_correction(application=app, actor=bureau(world), reasons={
        "basic": "组织类型应为服务业，请核对营业执照。", "features": "“成效”部分缺少近三年数据。", "overview": "  "})
    app.refresh_from_db()
    assert app.state == State.RETURNED
    assert app.reopened_sections == ["basic", "features"]
    assert editable_section_codes(app) == ["basic", "features", "declaration"]  # the declaration is renewed too
    assert [(s.code, s.reason) for s in request.sections.all()] == [
        ("basic", "组织类型应为服务业，请核对营业执照。"), ("features", "“成效”部分缺少近三年数据。")]
    event = AuditEvent.objects.get(object_id=str(app.pk), action="transition:return_for_correction")
    assert "2.1 基本情况：组织类型应为服务业" in event.reason and event.data["sections"] == ["basic", "features"]

    # the applicant cannot touch another section
    with pytest.raises(Exception, match="不能修改"):
        row = ApplicationSection.objects.get(application=app, code="overview")
        save_section(application=app, code="overview", data=row.data, base_version=row.version,
                     actor=Actor(user=world.owner))

    # the include shows every reason on the application page and one on its section page
    page = render_to_string("review/prereview/_return_reasons.html", {"app": app})
    assert "组织类型应为服务业" in page and "缺少近三年数据" in page
    assert reverse("applications:section", args=[app.pk, "basic"]) in page
    from applications.forms.spec import form_for

    one = render_to_string("review/prereview/_return_reasons.html",
                           {"app": app, "section": form_for(app).section("features")})
    assert "缺少近三年数据" in one and "组织类型" not in one
    other = render_to_string("review/prereview/_return_reasons.html",
                             {"app": app, "section": form_for(app).section("overview")})
    assert "推荐单位" not in other

    # and through the portal: the applicant's view of the pre-review page
    client.force_login(world.owner)
    body = client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()
    assert "组织类型应为服务业" in body and "缺少近三年数据" in body

    # once resubmitted the reasons are history, not a to-do
    workflow.perform(application=app, name="resubmit", actor=Actor(user=world.owner))
    assert "推荐单位" not in render_to_string("review/prereview/_return_reasons.html", {"app": app})


def test_return_without_any_reason_is_refused_and_changes_nothing(world, drive, client):
    app = submitted(world, drive)
    with pytest.raises(Exception, match="至少选择一个"):
        svc.return_for_correction(application=app, actor=bureau(world), reasons={"basic": "", "overview": "  "})
    with pytest.raises(Exception, match="不存在"):
        svc.return_for_correction(application=app, actor=bureau(world), reasons={"nonsense": "x"})
    client.force_login(world.authority)
    response = client.post(reverse("review:prereview_return", args=[app.pk]), {"return_basic": "on"})
    assert response.status_code == 400 and "需要怎样修改" in response.content.decode()
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and not ReturnRequest.objects.exists()


def test_the_checklist_is_a_draft_per_submission_and_prefills_the_return(world, drive, client):
    app = submitted(world, drive)
    client.force_login(world.authority)
    url = reverse("review:prereview_checklist", args=[app.pk])
    response = client.post(url, {"verdict_basic": "problem", "note_basic": ""})
    assert response.status_code == 400 and "请写明存在的问题" in response.content.decode()
    assert not SectionCheck.objects.exists()
    response = client.post(url, {"verdict_basic": "problem", "note_basic": "员工总数与社保缴纳人数不符。",
                                 "verdict_overview": "ok", "verdict_features": "bogus"})
    assert response.status_code == 400  # an invalid choice is refused as a whole
    response = client.post(url, {"verdict_basic": "problem", "note_basic": "员工总数与社保缴纳人数不符。",
                                 "verdict_overview": "ok"})
    assert response.status_code == 302
    checks = dict(SectionCheck.objects.values_list("section", "verdict"))
    assert checks == {"basic": "problem", "overview": "ok"}
    page = client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()
    assert 'name="return_basic" id="id_return_basic" checked' in page
    assert "员工总数与社保缴纳人数不符。</textarea>" in page


# --- version comparison -----------------------------------------------------------------------------------------
def test_the_bureau_sees_what_changed_between_submitted_versions(world, drive, client):
    app = submitted(world, drive)
    client.force_login(world.authority)
    assert "只有一次提交" in client.get(reverse("review:prereview_diff", args=[app.pk])).content.decode()
    svc.return_for_correction(application=app, actor=bureau(world), reasons={
        "basic": "组织类型有误。", "features": "补充成效。"})
    owner = Actor(user=world.owner)
    set_org_type(app, "services", owner)
    row = ApplicationSection.objects.get(application=app, code="features")
    results = row.data["results"] + "新增：近三年顾客满意度由85%提升至92%。"
    save_section(application=app, code="features", data={**row.data, "results": results}, base_version=row.version,
                 actor=owner)
    workflow.perform(application=app, name="resubmit", actor=owner)

    diff = submission_diff(app)
    assert (diff["older"].sequence, diff["newer"].sequence) == (1, 2)
    by_code = {s.code: s for s in diff["sections"]}
    assert set(by_code) == {"basic", "features"}
    (org_type,) = by_code["basic"].changes
    assert (org_type.label, org_type.old, org_type.new) == ("组织类型", "制造业", "服务业")
    (text,) = by_code["features"].changes
    assert text.is_text and ("insert", "新增：近三年顾客满意度由85%提升至92%。") in text.ops
    assert "2.2 主要产品（服务）质量水平" in diff["unchanged"]

    body = client.get(reverse("review:prereview_diff", args=[app.pk])).content.decode()
    assert "制造业" in body and "服务业" in body and "近三年顾客满意度由85%提升至92%" in body
    workspace = client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()
    assert workspace.count("本次修改</span>") == 2
    # bad parameters are ignored, never a 500
    assert client.get(reverse("review:prereview_diff", args=[app.pk]), {"from": "x", "to": "99"}).status_code == 200


def test_text_ops_mark_changed_sentences_and_shorten_unchanged_text():
    old = "甲" * 300 + "。质量损失率下降。顾客满意。"
    new = "甲" * 300 + "。质量损失率明显下降。顾客满意。新增一句。"
    ops = text_ops(old, new)
    assert ("insert", "明显") in ops and ("insert", "新增一句。") in ops
    assert any(tag == "skip" for tag, _ in ops)
    assert not [t for t, _ in ops if t == "delete"]


# --- 5. the signed initial opinion ------------------------------------------------------------------------------
def test_signing_stores_text_hash_signer_and_freezes_the_row(world, drive):
    app = submitted(world, drive)
    actor = bureau(world)
    answer_all(app, actor)
    draft = svc.save_opinion_draft(application=app, actor=actor, parts=svc.suggested_parts(app))
    with pytest.raises(Exception, match="登录密码不正确"):
        svc.sign_opinion(application=app, actor=actor, opinion_id=draft.pk, password="wrong")
    signed = svc.sign_opinion(application=app, actor=actor, opinion_id=draft.pk, password=PASSWORD)
    assert signed.signed_by == world.authority and signed.signed_at and signed.submission.sequence == 1
    assert signed.text.startswith("一、材料核实情况\n") and "四、初审意见\n经初审，同意推荐" in signed.text
    assert signed.text_sha256 == InitialOpinion.digest(signed.text) and signed.verify()

    # model level
    signed.opinion = "不同意推荐。"
    with pytest.raises(SignedOpinionImmutable, match="已于 .* 签署，不能修改"):
        signed.save()
    with pytest.raises(SignedOpinionImmutable):
        InitialOpinion.objects.filter(pk=signed.pk).update(opinion="不同意推荐。")
    with pytest.raises(SignedOpinionImmutable):
        signed.delete()
    # database level: the trigger refuses a raw UPDATE
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE review_initialopinion SET opinion = %s WHERE id = %s", ["篡改", signed.pk])
    # and a signed row without its hash cannot even be inserted
    with pytest.raises(IntegrityError), transaction.atomic():
        InitialOpinion.objects.bulk_create([InitialOpinion(
            application=app, version=9, opinion="x", text="x", signed_at=timezone.now(), signed_by=world.authority,
            submission=signed.submission, created_by=world.authority)])
    # signing twice
    with pytest.raises(svc.AlreadySigned, match="不能修改或重复签署"):
        svc.sign_opinion(application=app, actor=actor, opinion_id=signed.pk, password=PASSWORD)
    fresh = InitialOpinion.objects.get(pk=signed.pk)
    assert fresh.opinion.startswith("经初审，同意推荐") and fresh.verify()


def test_a_correction_is_a_new_signed_version_that_supersedes_the_old(world, drive):
    app = submitted(world, drive)
    actor = bureau(world)
    answer_all(app, actor)
    first = draft_and_sign(app, actor)
    correction = svc.save_opinion_draft(application=app, actor=actor,
                                        parts={**{k: getattr(first, k) for k, _l in InitialOpinion.PARTS},
                                               "opinion": "经初审，同意推荐（更正：补充公示途径）。"})
    assert (correction.version, correction.supersedes) == (2, first)
    with pytest.raises(Exception, match="第1版初审意见已于"):
        svc.save_opinion_draft(application=app, actor=actor, parts={"opinion": "改"}, draft_id=first.pk)
    second = svc.sign_opinion(application=app, actor=actor, opinion_id=correction.pk, password=PASSWORD)
    assert svc.current_opinion(app) == second and second.supersedes == first
    assert InitialOpinion.objects.get(pk=first.pk).verify()
    assert list(AuditEvent.objects.filter(object_id=str(app.pk), action="prereview:sign")
                .order_by("pk").values_list("data__version", flat=True)) == [1, 2]


def test_editing_or_resigning_a_signed_opinion_is_refused_by_the_views(world, drive, client):
    app = submitted(world, drive)
    actor = bureau(world)
    answer_all(app, actor)
    signed = draft_and_sign(app, actor)
    client.force_login(world.authority)
    events = AuditEvent.objects.count()
    response = client.post(reverse("review:prereview_opinion", args=[app.pk]), {
        "draft_id": signed.pk, "verification": "改", "consultation": "改", "publicity": "改", "opinion": "不同意"})
    assert response.status_code == 409 and "不能修改或重复签署" in response.content.decode()
    response = client.post(reverse("review:prereview_sign", args=[app.pk]),
                           {"opinion_id": signed.pk, "password": PASSWORD})
    assert response.status_code == 409 and "不能修改或重复签署" in response.content.decode()
    assert AuditEvent.objects.count() == events
    assert InitialOpinion.objects.count() == 1 and InitialOpinion.objects.get().verify()


def test_signing_waits_for_every_department_answer(world, drive):
    app = submitted(world, drive)
    draft = svc.save_opinion_draft(application=app, actor=bureau(world), parts=svc.suggested_parts(app))
    with pytest.raises(Exception, match="以下部门尚未答复意见.*税务部门"):
        svc.sign_opinion(application=app, actor=bureau(world), opinion_id=draft.pk, password=PASSWORD)
    assert not InitialOpinion.objects.signed().exists()


# --- 6. guards on recommend ---------------------------------------------------------------------------------------
def test_000_5_3_recommend_needs_the_signed_opinion_government_opinion_answers_and_a_finished_publicity(world, drive, client):
    app = submitted(world, drive)
    actor = bureau(world)
    client.force_login(world.authority)
    url = reverse("review:prereview_recommend", args=[app.pk])

    def refused(match):
        response = client.post(url)
        assert response.status_code == 400, response.status_code
        assert match in response.content.decode()
        assert Application.objects.get(pk=app.pk).state == State.SUBMITTED

    # every section carries a verdict first: a bureau that verified nothing cannot recommend
    refused("部分未核实")
    sections = svc.applicant_sections(app)
    svc.save_checklist(application=app, actor=actor, entries={s.code: ("ok", "") for s in sections[:-1]})
    refused(f"仍有 1 个部分未核实（{sections[-1].number} {sections[-1].title}）")
    svc.save_checklist(application=app, actor=actor, entries={sections[-1].code: ("problem", "照片不清晰。")})
    refused("尚未签署初审意见")
    answer_all(app, actor)
    draft_and_sign(app, actor)
    refused("市级人民政府推荐意见")
    svc.upload_government_opinion(application=app, actor=actor, uploaded=gov_upload(), issued_on=timezone.localdate())
    # a department that must still answer (the profile gained one) blocks it too
    from applications.models import DepartmentOpinionRule

    DepartmentOpinionRule.objects.create(profile=world.cultivation.profile, applicant_kind="organization",
                                         department="市场监管部门", order=99)
    refused("以下部门尚未答复意见：市场监管部门")
    DepartmentOpinionRule.objects.filter(department="市场监管部门").delete()
    # 000 五（三）: 统一征求有关单位意见后向社会公示 — the publicity comes before the recommendation, and is over
    refused("推荐前须向社会公示")
    today = timezone.localdate()
    svc.save_publicity(application=app, actor=actor, starts_on=today, ends_on=today + timedelta(days=7),
                       channel="郑州市市场监督管理局门户网站")
    refused("公示期满后方可推荐")
    svc.save_publicity(application=app, actor=actor, starts_on=today - timedelta(days=10), ends_on=today,
                       channel="郑州市市场监督管理局门户网站")
    assert not AuditEvent.objects.filter(object_id=str(app.pk), action="transition:recommend").exists()
    response = client.post(url)
    assert response.status_code == 302
    assert Application.objects.get(pk=app.pk).state == State.RECOMMENDED


def test_an_opinion_signed_before_a_resubmission_no_longer_counts(world, drive):
    app = submitted(world, drive)
    actor = bureau(world)
    complete_sample_prereview(application=app, actor=actor)
    svc.return_for_correction(application=app, actor=actor, reasons={"overview": "请精简。"})
    workflow.perform(application=app, name="resubmit", actor=Actor(user=world.owner))
    with pytest.raises(workflow.GuardFailed, match="部分未核实"):  # the new submission is verified afresh
        svc.recommend(application=app, actor=actor)
    svc.save_checklist(application=app, actor=actor, entries={s.code: ("ok", "") for s in svc.applicant_sections(app)})
    with pytest.raises(workflow.GuardFailed, match="第1次提交的材料，申报人此后重新提交了第2次"):
        svc.recommend(application=app, actor=actor)
    draft_and_sign(app, actor)
    svc.recommend(application=app, actor=actor)
    assert app.state == State.RECOMMENDED


def test_individuals_need_police_and_discipline_answers(world):
    app = individual_app(world)
    actor = bureau(world)
    verify_all(app, actor)
    with pytest.raises(workflow.GuardFailed, match="尚未签署"):
        svc.recommend(application=app, actor=actor)
    complete_sample_prereview(application=app, actor=actor)
    assert sorted(DepartmentOpinion.objects.filter(application=app).values_list("department", flat=True)) == \
        sorted(["公安部门", "纪检监察机关"])
    svc.recommend(application=app, actor=actor)
    assert app.state == State.RECOMMENDED


def test_recommending_after_the_deadline_shows_the_date_and_writes_nothing(world, drive, client):
    app = submitted(world, drive)
    complete_sample_prereview(application=app, actor=bureau(world))
    now = timezone.now()
    Campaign.objects.filter(pk=world.campaign.pk).update(
        opens_at=now - timedelta(days=60), application_deadline=now - timedelta(days=30),
        recommendation_deadline=now - timedelta(days=1))
    deadline = timezone.localtime(now - timedelta(days=1))
    events = AuditEvent.objects.count()
    client.force_login(world.authority)
    response = client.post(reverse("review:prereview_recommend", args=[app.pk]))
    body = response.content.decode()
    assert response.status_code == 400
    assert f"本届推荐已于 {deadline:%Y年%m月%d日 %H:%M} 截止" in body
    assert Application.objects.get(pk=app.pk).state == State.SUBMITTED
    assert AuditEvent.objects.count() == events
    page = client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()
    assert "已截止" in page


def test_over_quota_is_refused_with_the_numbers(world):
    authority = world.authority_other_program
    grant_role(user=authority, role=Role.AUTHORITY, program=world.benchmark, region=world.zhengzhou)
    actor = Actor(user=authority)
    first, second = (world.new_app(campaign=world.benchmark_campaign, name=n) for n in ("甲公司", "乙公司"))
    for app in (first, second):
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
        complete_sample_prereview(application=app, actor=actor)
    assert not DepartmentOpinion.objects.exists() and not GovernmentOpinion.objects.exists()  # benchmark: neither
    svc.recommend(application=first, actor=actor)
    with pytest.raises(workflow.GuardFailed, match="本届最多推荐 1 个，您已推荐 1 个.*书面理由"):
        svc.recommend(application=second, actor=actor)
    second.refresh_from_db()
    assert second.state == State.SUBMITTED
    # 全国质量标杆 通知二 "原则上最多只推荐1个": a principle — with a written reason the recommender goes beyond it
    assert world.benchmark.profile.recommendation_quota_in_principle
    svc.recommend(application=second, actor=actor, quota_reason="两家企业分属不同行业，均为历年河南省质量标杆。")
    second.refresh_from_db()
    assert second.state == State.RECOMMENDED
    event = AuditEvent.objects.get(object_id=str(second.pk), action="transition:recommend")
    assert event.data["quota_reason"].startswith("两家企业分属不同行业")


def test_a_hard_quota_is_refused_even_with_a_reason(world):
    """Where the document's quota is not a principle the reason changes nothing."""
    from applications.models import RuleProfile

    RuleProfile.objects.filter(pk=world.benchmark.profile.pk).update(recommendation_quota_in_principle=False)
    authority = world.authority_other_program
    grant_role(user=authority, role=Role.AUTHORITY, program=world.benchmark, region=world.zhengzhou)
    actor = Actor(user=authority)
    first, second = (world.new_app(campaign=world.benchmark_campaign, name=n) for n in ("甲公司", "乙公司"))
    for app in (first, second):
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
        complete_sample_prereview(application=app, actor=actor)
    svc.recommend(application=first, actor=actor)
    with pytest.raises(workflow.GuardFailed, match="不能再推荐"):
        svc.recommend(application=second, actor=actor, quota_reason="理由")
    second.refresh_from_db()
    assert second.state == State.SUBMITTED


# --- 8. integrity: other regions, other states ------------------------------------------------------------------------
def test_another_regions_bureau_gets_404_and_the_attempt_is_audited(world, drive, client):
    app = submitted(world, drive)
    client.force_login(world.authority_other_city)
    for name, method in [("prereview_detail", "get"), ("prereview_diff", "get"), ("prereview_recommend", "post"),
                         ("prereview_sign", "post"), ("prereview_return", "post")]:
        response = getattr(client, method)(reverse(f"review:{name}", args=[app.pk]), {"opinion_id": 1})
        assert response.status_code == 404, name
        assert app.applicant_name not in response.content.decode()
    denied = AuditEvent.objects.filter(action="access:denied", object_id=str(app.pk), actor=world.authority_other_city)
    assert denied.count() == 5
    assert set(denied.values_list("data__view", flat=True)) == {
        "review:prereview_detail", "review:prereview_diff", "review:prereview_recommend", "review:prereview_sign",
        "review:prereview_return"}
    assert Application.objects.get(pk=app.pk).state == State.SUBMITTED
    # a missing application is a plain 404 with nothing to audit
    assert client.get(reverse("review:prereview_detail", args=[999999])).status_code == 404
    assert AuditEvent.objects.filter(action="access:denied").count() == 5


def test_the_bureau_cannot_act_once_it_has_recommended(world, drive, client):
    app = submitted(world, drive)
    complete_sample_prereview(application=app, actor=bureau(world))
    svc.recommend(application=app, actor=bureau(world))
    client.force_login(world.authority)
    response = client.post(reverse("review:prereview_publicity", args=[app.pk]), {"starts_on": "2026-11-01"})
    assert response.status_code == 403 and "不在推荐单位初审阶段" in response.content.decode()
    page = client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()
    assert ">保存核实清单</button>" not in page and "现行版本" in page


def test_files_are_for_the_bureau_the_secretariat_and_supervisors(world, drive, client):
    app = submitted(world, drive)
    complete_sample_prereview(application=app, actor=bureau(world))
    scan = GovernmentOpinion.objects.get(application=app)
    url = reverse("review:prereview_file", args=["government", scan.pk])
    for user, expected in [(world.authority, 200), (world.secretariat, 200), (world.supervisor, 200),
                           (world.owner, 403), (world.authority_other_city, 404), (world.stranger, 404)]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected, user
        if expected == 200:
            assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(world.authority)
    assert client.get(reverse("review:prereview_file", args=["nonsense", scan.pk])).status_code == 404
    assert client.get(reverse("review:prereview_file", args=["letter", 999999])).status_code == 404


# --- the workspace through its forms (server side) --------------------------------------------------------------
def test_the_whole_prereview_through_the_workspace_forms(world, drive, client):
    app = submitted(world, drive)
    client.force_login(world.authority)
    detail = reverse("review:prereview_detail", args=[app.pk])
    page = client.get(detail).content.decode()
    for department in BASE:
        assert f"登记征求{department}意见" in page
    today = timezone.localdate().isoformat()
    for department in BASE:
        response = client.post(reverse("review:prereview_solicit", args=[app.pk]),
                               {"department": department, "asked_on": today, "reader": ""})
        assert response.status_code == 302, response.content.decode()[:2000]
    bad = client.post(reverse("review:prereview_solicit", args=[app.pk]),
                      {"department": "税务部门", "asked_on": today, "reader": "nobody-here"})
    assert bad.status_code == 400 and "没有找到账号" in bad.content.decode()
    for op in DepartmentOpinion.objects.filter(application=app):
        response = client.post(reverse("review:prereview_answer", args=[app.pk]), {
            "opinion": op.pk, "answer": "no_objection", "content": "", "answered_on": today,
            "letter": SimpleUploadedFile("复函.jpg", b"\xff\xd8\xffnot really", "image/jpeg")})
        assert response.status_code == 400 and "复函" in response.content.decode()
        response = client.post(reverse("review:prereview_answer", args=[app.pk]), {
            "opinion": op.pk, "answer": "no_objection", "content": "", "answered_on": today})
        assert response.status_code == 302
    response = client.post(reverse("review:prereview_publicity", args=[app.pk]), {
        "starts_on": today, "ends_on": today, "channel": "郑州市市场监督管理局门户网站", "objections_received": "1",
        "objections_summary": "", "handling": ""})
    assert response.status_code == 400 and "处理情况" in response.content.decode()
    response = client.post(reverse("review:prereview_publicity", args=[app.pk]), {
        "starts_on": today, "ends_on": today, "channel": "郑州市市场监督管理局门户网站", "objections_received": "0"})
    assert response.status_code == 302
    response = client.post(reverse("review:prereview_opinion", args=[app.pk]), {"suggest": "1"})
    assert response.status_code == 302
    draft = svc.opinion_draft(app)
    assert "郑州市市场监督管理局门户网站" in draft.publicity and "税务部门" in draft.consultation
    response = client.post(reverse("review:prereview_sign", args=[app.pk]), {"opinion_id": draft.pk, "password": "no"})
    assert response.status_code == 400 and "登录密码不正确" in response.content.decode()
    response = client.post(reverse("review:prereview_sign", args=[app.pk]),
                           {"opinion_id": draft.pk, "password": PASSWORD})
    assert response.status_code == 302
    response = client.post(reverse("review:prereview_government", args=[app.pk]),
                           {"issued_on": today, "file": gov_upload()})
    assert response.status_code == 302
    response = client.post(reverse("review:prereview_recommend", args=[app.pk]))
    assert response.status_code == 400 and "部分未核实" in response.content.decode()
    response = client.post(reverse("review:prereview_checklist", args=[app.pk]),
                           {f"verdict_{s.code}": "ok" for s in svc.applicant_sections(app)})
    assert response.status_code == 302
    response = client.post(reverse("review:prereview_recommend", args=[app.pk]))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == State.RECOMMENDED
    page = client.get(detail).content.decode()
    assert "SHA-256" in page and svc.current_opinion(app).text_sha256 in page
    actions = set(AuditEvent.objects.filter(object_id=str(app.pk)).values_list("action", flat=True))
    assert {"prereview:solicit", "prereview:answer", "prereview:publicity", "prereview:opinion_draft", "prereview:sign",
            "prereview:government_opinion", "transition:recommend"} <= actions


def test_the_secretariat_reads_the_workspace_and_the_applicant_only_the_signed_opinion(world, drive, client):
    app = submitted(world, drive)
    complete_sample_prereview(application=app, actor=bureau(world))
    client.force_login(world.secretariat)
    page = client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()
    assert "税务部门" in page and "现行版本" in page and ">保存核实清单</button>" not in page and "签署第" not in page
    client.force_login(world.owner)
    page = client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()
    assert "经初审，同意推荐" in page and "data-department=" not in page and "核实清单" not in page


# --- 4. the bureau's publicity -------------------------------------------------------------------------------------
def test_publicity_length_counts_chinese_working_days_and_refuses_unknown_years(world, drive):
    from datetime import date

    from applications.models import PublicityRule

    app = submitted(world, drive)
    rule = PublicityRule.objects.get(profile=world.cultivation.profile, kind="authority")
    rule.min_length, rule.unit = 5, "working_days"
    rule.save()
    save = lambda start, end: svc.save_publicity(  # noqa: E731
        application=app, actor=bureau(world), starts_on=start, ends_on=end, channel="市局门户网站")
    # National Day 2026: 9-28 .. 10-08 is eleven calendar days but only four working days
    with pytest.raises(Exception, match="不少于 5个工作日.*只有 4个工作日"):
        save(date(2026, 9, 28), date(2026, 10, 8))
    assert save(date(2026, 9, 28), date(2026, 10, 9)).ends_on == date(2026, 10, 9)
    with pytest.raises(Exception, match="尚未收录 2026—2027 年的法定节假日安排"):
        save(date(2026, 11, 2), date(2027, 1, 8))
    rule.unit = "calendar_days"
    rule.min_length = 14
    rule.save()
    with pytest.raises(Exception, match="不少于 14个自然日"):
        save(date(2026, 11, 1), date(2026, 11, 13))
    with pytest.raises(Exception, match="结束日期不能早于开始日期"):
        save(date(2026, 11, 13), date(2026, 11, 1))
    with pytest.raises(Exception, match="收到异议 2 件，请写明处理情况"):
        svc.save_publicity(application=app, actor=bureau(world), starts_on=date(2026, 11, 1),
                           ends_on=date(2026, 11, 14), channel="市局门户网站", objections_received=2,
                           objections_summary="举报存在环保处罚")
    record = app.authority_publicity
    assert (record.starts_on, record.ends_on) == (date(2026, 9, 28), date(2026, 10, 9))


def test_the_suggested_opinion_never_doubles_punctuation(world, drive):
    """What the bureau typed ends with its own “。”; the composed opinion drops it before adding its own."""
    app = submitted(world, drive)
    actor = bureau(world)
    section = svc.applicant_sections(app)[0]
    svc.save_checklist(application=app, actor=actor, entries={section.code: ("problem", "数据与附件不一致。")})
    svc.save_publicity(application=app, actor=actor, starts_on=timezone.localdate() - timedelta(days=10),
                       ends_on=timezone.localdate(), channel="门户网站", objections_received=1,
                       objections_summary="反映排污问题。", handling="经核查不属实。")
    text = "".join(svc.suggested_parts(app).values())
    assert "数据与附件不一致。" in text and "反映排污问题。" in text and "经核查不属实。" in text
    for doubled in ("。；", "。。", "；。", "；；"):
        assert doubled not in text, doubled
