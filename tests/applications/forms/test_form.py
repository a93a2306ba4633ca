"""The applicant's form: limits, autosave, conflicts, reopening after a return, uploads, completeness."""
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.forms import services as fs
from applications import workflow
from applications.forms.spec import benchmark_form, form_for, individual_form
from applications.models import Application, ApplicationSection, Attachment, State
from demo.content import jpeg_bytes, pdf_bytes, section_data
from qualityaward.accounts.services import Actor


def save(app, user, code, data, version=None):
    if version is None:
        row = ApplicationSection.objects.filter(application=app, code=code).first()
        version = row.version if row else 0
    return fs.save_section(application=app, code=code, data=data, base_version=version, actor=Actor(user=user))


# --- the forms follow the seeds ---------------------------------------------------------------------------
def test_organization_form_has_every_section_of_attachment_1(world):
    app = world.new_app(filled=False)
    spec = form_for(app)
    assert [s.number for s in spec.sections] == ["一", "2.1", "2.2", "2.4", "2.5", "三", "四", "附", "附", "声明"]
    assert [s.code for s in spec.sections][-3:] == ["evidence", "conditions", "declaration"]  # 申报条件, then 声明
    performance = spec.section("performance").items[0]
    assert len(performance.rows) == 19 and performance.years == ("2023", "2024", "2025")
    assert performance.extra_columns == (("rank", "国内行业排名"),)
    assert len(spec.section("self_assessment").items) == 23
    assert spec.section("self_assessment").total_max_chars == 50000
    basic = {f.key: f for f in spec.section("basic").items}
    assert [c for c, _ in basic["org_type"].choices] == ["agriculture", "manufacturing", "construction", "services"]
    assert basic["feature"].max_chars == 25


def test_local_programs_add_their_required_opinions(world):
    from applications.models import Campaign
    from qualityaward.accounts.models import Region

    gongyi = Campaign.objects.get(program__code="gongyi", is_current=True)
    jinshui = Campaign.objects.get(program__code="jinshui", is_current=True)
    app_jinshui = world.new_app(campaign=jinshui, region=Region.objects.get(code="410105"), filled=False)
    slots = [u.key for u in form_for(app_jinshui).section("opinions").items]
    assert slots == ["opinion_town-opinion", "opinion_department-opinion"]
    app_gongyi = world.new_app(campaign=gongyi, region=Region.objects.get(code="410181"), filled=False)
    assert form_for(app_gongyi).section("opinions") is None  # 002's town opinion is uploaded by the town


def test_individual_and_benchmark_forms():
    individual = individual_form()
    assert [s.title for s in individual.sections][:5] == ["个人基本情况", "本人照片", "主要成绩与突出贡献",
                                                           "研究、实践等成果发表情况及内容概要", "所在单位申报意见"]
    assert individual.section("achievements").total_max_chars == 6000
    limits = {f.key: f.max_chars for f in benchmark_form().section("summary").items}
    assert limits == {"name": 40, "abstract": 500, "profile": 500, "practice": 8000, "effect": 2000}


# --- saving --------------------------------------------------------------------------------------------
def test_a_valid_save_bumps_the_version_and_a_stale_one_is_a_conflict(world):
    app = world.new_app(filled=False)
    first = save(app, world.owner, "overview", {"text": "第一版"}, version=0)
    assert not first.errors and first.section.version == 1
    second = save(app, world.colleague, "overview", {"text": "同事的版本"}, version=1)
    assert second.section.version == 2
    with pytest.raises(fs.SectionConflict) as conflict:
        save(app, world.owner, "overview", {"text": "旧页面上的修改"}, version=1)
    assert conflict.value.current.data["text"] == "同事的版本"
    assert ApplicationSection.objects.get(application=app, code="overview").data["text"] == "同事的版本"


def test_over_limit_and_non_numbers_are_refused_and_nothing_saved(world):
    app = world.new_app(filled=False)
    save(app, world.owner, "overview", {"text": "已保存的概述"}, version=0)
    result = save(app, world.owner, "overview", {"text": "字" * 3001}, version=1)
    assert "限 3000 字" in result.errors["text"] and "组织概述" in result.errors["text"]
    assert ApplicationSection.objects.get(application=app, code="overview").data["text"] == "已保存的概述"

    grid = section_data(form_for(app).section("performance"))
    grid["indicators"]["total_assets"]["2024"] = "一千万"
    result = save(app, world.owner, "performance", grid, version=0)
    assert result.errors == {"indicators.total_assets.2024": "“资产总额（2024年）”须填写数字（如 1234.5），当前为“一千万”。"}
    assert not ApplicationSection.objects.filter(application=app, code="performance", version__gt=0).exists()


def test_section_totals_are_enforced(world):
    app = world.new_app(filled=False)
    data = {"background": "甲" * 1000, "content": "乙" * 1000, "results": "丙" * 1001}
    result = save(app, world.owner, "features", data, version=0)
    assert "合计限 3000 字，当前 3001 字" in result.errors["__all__"]


def test_invalid_identifiers_in_the_form_name_the_field(world):
    app = world.new_app(filled=False)
    data = section_data(form_for(app).section("basic"))
    data["credit_code"] = "91410100MA9FUX2Q6K"
    data["email"] = "not-an-email"
    result = save(app, world.owner, "basic", data, version=0)
    assert "社会信用代码编号" in result.errors["credit_code"] and "校验位" in result.errors["credit_code"]
    assert "电子邮箱" in result.errors["email"]


def test_yes_answers_need_a_description(world):
    app = world.new_app(filled=False)
    data = section_data(form_for(app).section("basic"))
    data["accidents"], data["accidents_detail"] = "yes", ""
    result = save(app, world.owner, "basic", data, version=0)
    assert not result.errors
    assert any("选择“有”时须说明" in m for m in result.missing)


def test_performance_consistency_warnings(world):
    app = world.new_app(filled=False)
    data = section_data(form_for(app).section("performance"))
    data["indicators"]["debt_ratio"]["2025"] = "120"
    result = save(app, world.owner, "performance", data, version=0)
    assert not result.errors
    assert any("资不抵债" in w for w in result.warnings)


# --- submission and reopening ---------------------------------------------------------------------------
def test_incomplete_forms_cannot_be_submitted_and_the_list_says_what_is_missing(world):
    app = world.new_app(filled=False)
    with pytest.raises(workflow.GuardFailed) as refused:
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    assert "一 组织概述：组织概述" in refused.value.message
    assert "组织照片（至少 3 个文件，已上传 0 个）" in refused.value.message


def test_submitted_forms_are_read_only_and_a_return_reopens_exactly_the_named_sections(world):
    app = world.new_app()
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    with pytest.raises(PermissionDenied):
        save(app, world.owner, "overview", {"text": "提交后修改"})
    workflow.perform(application=app, name="return_for_correction", actor=Actor(user=world.authority),
                     reason="组织概述过于简略", sections=["overview"])
    app.refresh_from_db()
    assert fs.editable_section_codes(app) == ["overview", "declaration"]  # the declaration speaks for the correction too
    with pytest.raises(PermissionDenied):
        save(app, world.owner, "basic", section_data(form_for(app).section("basic")))
    assert not save(app, world.owner, "overview", {"text": "补充后的组织概述"}).errors
    workflow.perform(application=app, name="resubmit", actor=Actor(user=world.owner))
    app.refresh_from_db()
    first, second = app.submissions.order_by("sequence")
    assert first.content["form"]["sections"]["overview"]["text"] != "补充后的组织概述"
    assert second.content["form"]["sections"]["overview"]["text"] == "补充后的组织概述"
    assert fs.editable_section_codes(app) == [] and app.reopened_sections == []


def test_returning_with_an_unknown_section_is_refused(world):
    app = world.new_app()
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    with pytest.raises(workflow.GuardFailed, match="不存在"):
        workflow.perform(application=app, name="return_for_correction", actor=Actor(user=world.authority),
                         reason="x", sections=["nonsense"])
    app.refresh_from_db()
    assert app.state == State.SUBMITTED


# --- uploads ---------------------------------------------------------------------------------------------------
def test_uploads_are_judged_by_content_and_limits(world):
    app = world.new_app(filled=False)
    actor = Actor(user=world.owner)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="可执行"):
        fs.add_attachment(application=app, slot_key="evidence", title="营业执照",
                          uploaded=SimpleUploadedFile("营业执照.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 200), actor=actor)
    with pytest.raises(ValidationError, match="标题"):
        fs.add_attachment(application=app, slot_key="evidence", title=" ",
                          uploaded=SimpleUploadedFile("a.pdf", pdf_bytes(1)), actor=actor)
    for n in range(5):
        fs.add_attachment(application=app, slot_key="org_photos", title="",
                          uploaded=SimpleUploadedFile(f"{n}.jpg", jpeg_bytes(800, 800)), actor=actor)
    with pytest.raises(ValidationError, match="最多 5 个文件"):
        fs.add_attachment(application=app, slot_key="org_photos", title="",
                          uploaded=SimpleUploadedFile("6.jpg", jpeg_bytes(800, 800)), actor=actor)
    fs.add_attachment(application=app, slot_key="evidence", title="荣誉证书汇编",
                      uploaded=SimpleUploadedFile("a.pdf", pdf_bytes(60)), actor=actor)
    with pytest.raises(ValidationError, match="超过 100 页"):
        fs.add_attachment(application=app, slot_key="evidence", title="检测报告",
                          uploaded=SimpleUploadedFile("b.pdf", pdf_bytes(41)), actor=actor)
    assert Attachment.objects.filter(application=app, slot="evidence").count() == 1
    assert Attachment.objects.filter(application=app, slot="org_photos").count() == 5


def test_attachments_can_be_reordered(world):
    app = world.new_app(filled=False)
    actor = Actor(user=world.owner)
    a = fs.add_attachment(application=app, slot_key="evidence", title="甲", uploaded=SimpleUploadedFile(
        "a.pdf", pdf_bytes(1)), actor=actor)
    b = fs.add_attachment(application=app, slot_key="evidence", title="乙", uploaded=SimpleUploadedFile(
        "b.pdf", pdf_bytes(2)), actor=actor)
    fs.move_attachment(attachment=b, direction="up", actor=actor)
    assert list(Attachment.objects.filter(application=app, slot="evidence").order_by("order")
                .values_list("title", flat=True)) == ["乙", "甲"]
    fs.remove_attachment(attachment=a, actor=actor)
    assert list(Attachment.objects.filter(application=app).values_list("title", flat=True)) == ["乙"]


# --- the views ----------------------------------------------------------------------------------------------------
def test_autosave_view_answers_each_case(client, world):
    app = world.new_app(filled=False)
    url = reverse("applications:section_save", args=[app.pk, "overview"])
    client.force_login(world.owner)

    def post(body):
        return client.post(url, data=json.dumps(body) if not isinstance(body, str) else body,
                           content_type="application/json")

    ok = post({"version": 0, "data": {"text": "概述"}})
    assert ok.status_code == 200 and ok.json()["version"] == 1
    conflict = post({"version": 0, "data": {"text": "旧页面"}})
    assert conflict.status_code == 409 and conflict.json()["data"] == {"text": "概述"}
    bad = post({"version": 1, "data": {"text": "字" * 3001}})
    assert bad.status_code == 400 and "限 3000 字" in bad.json()["errors"]["text"]
    assert post("{not json").status_code == 400
    assert post({"version": "x", "data": {}}).status_code == 400

    client.force_login(world.stranger)
    assert post({"version": 1, "data": {"text": "陌生人"}}).status_code == 404
    assert ApplicationSection.objects.get(application=app, code="overview").data["text"] == "概述"


def test_section_pages_render_every_section_and_escape_html(client, world):
    app = world.new_app()
    ApplicationSection.objects.filter(application=app, code="overview").update(
        data={"text": "<script>alert('x')</script>概述"})
    client.force_login(world.owner)
    for section in form_for(app).sections:
        response = client.get(reverse("applications:section", args=[app.pk, section.code]))
        assert response.status_code == 200, section.code
        assert section.title in response.content.decode()
    body = client.get(reverse("applications:section", args=[app.pk, "overview"])).content.decode()
    # 组织概述 is a narrative (richtext): the stored plain text is text in the editor's HTML, escaped in the page
    assert "<script>alert" not in body and "&amp;lt;script&amp;gt;alert" in body
    overview = client.get(reverse("applications:form", args=[app.pk])).content.decode()
    assert "已完成" in overview and "提交前还需完成" not in overview


def test_upload_view_shows_the_refusal_and_keeps_what_was_there(client, world):
    app = world.new_app(filled=False)
    client.force_login(world.owner)
    url = reverse("applications:attachment_upload", args=[app.pk, "manager_photos"])
    response = client.post(url, {"file": SimpleUploadedFile("boss.jpg", b"MZ\x90\x00" + b"\0" * 100)}, follow=True)
    assert "可执行" in response.content.decode() and "最高管理者照片" in response.content.decode()
    assert not Attachment.objects.filter(application=app).exists()
    ok = client.post(url, {"file": SimpleUploadedFile("boss.jpg", jpeg_bytes(800, 800))}, follow=True)
    assert ok.status_code == 200 and Attachment.objects.filter(application=app, slot="manager_photos").count() == 1
    attachment = Attachment.objects.get(application=app)
    download = client.get(reverse("applications:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    client.force_login(world.stranger)
    assert client.get(reverse("applications:attachment_download", args=[attachment.pk])).status_code == 404


def test_org_size_is_suggested_from_the_applicants_own_figures(world, client):
    app = world.new_app(filled=False)
    basic = section_data(form_for(app).section("basic"))
    basic.update({"industry": "3311", "employees": "350"})
    assert not save(app, world.owner, "basic", basic).errors
    assert fs.org_size_suggestion(app) is None  # revenue and assets not yet given
    grid = section_data(form_for(app).section("performance"))
    grid["indicators"]["main_revenue"]["2025"] = "1500"
    grid["indicators"]["other_revenue"]["2025"] = "600"
    result = save(app, world.owner, "performance", grid)
    # 工业: 中型 needs ≥300 employees and ≥2000 万元 revenue (1500 + 600 = 2100)
    assert result.suggestion["label"] == "中型" and result.suggestion["key"] == "medium"
    client.force_login(world.owner)
    page = client.get(reverse("applications:section", args=[app.pk, "basic"])).content.decode()
    assert "建议选择：<strong>中型</strong>" in page


def test_an_individual_starts_an_application_with_their_registration_filled_in(client, world):
    import datetime

    from applications.models import Application
    from qualityaward.accounts.models import IndividualProfile

    person = world.stranger
    person.full_name = "李娜"
    person.save()
    person.organizations.clear()
    IndividualProfile.objects.create(user=person, id_number="11010519491231002X", birth_date=datetime.date(1949, 12, 31),
                                     gender="female", employer="郑州某公司", region=world.zhengzhou)
    client.force_login(person)
    url = reverse("applications:create", args=[world.campaign.pk])
    page = client.get(url).content.decode()
    assert 'value="李娜"' in page and 'value="individual" selected' in page
    response = client.post(url, {"kind": "individual", "applicant_name": "李娜", "region": world.zhengzhou.pk})
    app = Application.objects.get(owner=person)
    assert response.status_code == 302 and app.kind == "individual" and app.organization is None
    assert form_for(app).code == "individual"
    basic = ApplicationSection.objects.get(application=app, code="basic").data
    assert basic == {"name": "李娜", "id_number": "11010519491231002X", "employer": "郑州某公司", "gender": "female"} | (
        {"email": person.email} if person.email else {})


def test_section_2_1_opens_with_what_registration_recorded_and_stays_editable(client, world):
    """The organization's name, credit code and contact come from registration; the applicant can change them."""
    world.org.contact_name, world.org.contact_mobile, world.org.contact_email = "王芳", "13800138000", "wf@example.com"
    world.org.save()
    client.force_login(world.owner)
    client.post(reverse("applications:create", args=[world.campaign.pk]),
                {"kind": "organization", "applicant_name": world.org.name, "region": world.zhengzhou.pk})
    app = Application.objects.get(owner=world.owner)
    basic = ApplicationSection.objects.get(application=app, code="basic")
    assert basic.data == {"org_name": world.org.name, "credit_code": world.org.credit_code, "contact_person": "王芳",
                          "contact_phone": "13800138000", "email": "wf@example.com"}
    page = client.get(reverse("applications:section", args=[app.pk, "basic"])).content.decode()
    assert world.org.credit_code in page and "王芳" in page
    result = fs.save_section(application=app, code="basic", data={**basic.data, "contact_person": "李强"},
                          base_version=basic.version, actor=Actor(user=world.owner))
    assert result.section.data["contact_person"] == "李强"


def test_a_refused_submission_opens_the_checklist_with_a_link_to_each_missing_section(client, world):
    app = world.new_app(filled=False)
    client.force_login(world.owner)
    response = client.post(reverse("applications:transition", args=[app.pk, "submit"]), follow=True)
    app.refresh_from_db()
    assert app.state == State.DRAFT
    assert response.redirect_chain[-1][0].endswith(reverse("applications:form", args=[app.pk]) + "#missing-list")
    body = response.content.decode()
    missing = fs.missing_for_submission(app)
    from applications.services import completeness_problems

    assert f"尚有 {len(completeness_problems(application=app))} 项未完成，暂不能提交" in body
    for code, title, _item in missing:
        assert f'href="{reverse("applications:section", args=[app.pk, code])}"' in body


def test_each_section_page_has_a_side_navigation_with_completion_and_budget(client, world):
    app = world.new_app()
    client.force_login(world.owner)
    body = client.get(reverse("applications:section", args=[app.pk, "overview"])).content.decode()
    nav = body[body.index('id="qa-side-nav"'):body.index("</nav>", body.index('id="qa-side-nav"'))]
    for section in form_for(app).sections:
        assert reverse("applications:section", args=[app.pk, section.code]) in nav
    assert nav.count("已完成") == len(form_for(app).sections)
    assert " / 50000 字" in nav and " / 3000 字" in nav  # 自评报告 and 特色总结 budgets (000 附件1)
