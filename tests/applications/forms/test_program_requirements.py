"""Per program: what the form asks and what blocks acceptance, derived from the rule profile, each row
named after the article it comes from. Nothing stricter or looser than the document.

Programs: 000 henan-cultivation (河南省省长质量奖培育), 001 xixian (息县), 002 gongyi (巩义), 004 jinshui (金水).
"""
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.forms import services as fs
from applications.forms.services import missing_for_submission, save_section
from applications.forms.spec import form_for
from applications.models import Attachment, Campaign, RuleProfile
from demo.content import jpeg_bytes
from qualityaward.accounts.models import Region
from qualityaward.accounts.services import Actor
from review.eligibility import services as el
from review.eligibility.services import FAIL, FLAG, NA, PASS

REGIONS = {"henan-cultivation": "410100", "xixian": "411528", "gongyi": "410181", "jinshui": "410105"}


def app_of(world, program, *, filled=True):
    campaign = Campaign.objects.get(program__code=program, is_current=True)
    return world.new_app(campaign=campaign, region=Region.objects.get(code=REGIONS[program]), filled=filled)


def state(app, **stated):
    """Save 申报条件 with ``stated`` over what is there."""
    from applications.models import ApplicationSection

    row = ApplicationSection.objects.filter(application=app, code="conditions").first()
    data = {**(row.data if row else {}), **stated}
    result = save_section(application=app, code="conditions", data=data, base_version=row.version if row else 0,
                          actor=Actor(user=app.owner))
    assert not result.errors, result.errors
    return app


def keys(section):
    return [i.key for i in section.items] if section else []


# --- what the form asks ---------------------------------------------------------------------------------------
CONDITIONS_ASKED = [
    ("henan-cultivation", "三（一）1 我省行政区域、小巨人放宽；三（一）2 连续3年自评良好",
     ["in_territory", "specialized_level", "specialized_certificate", "self_assessment_good_years"]),
    ("xixian", "第十二条（一）（二）（四），第十三条（五），第十六条第二款",
     ["in_territory", "org_nature", "is_branch", "specialized_level", "specialized_certificate",
      "self_assessment_good_years"]),
    ("gongyi", "第四条 专精特新名额，第十三条（一）（二） 卓越绩效1年以上，第十四条（五）",
     ["in_territory", "org_nature", "specialized_level", "specialized_certificate", "excellence_since"]),
    ("jinshui", "第八条（一）（二） 体系运行3年以上，（三） 连续3年法定检验合格，（四） 无亏损",
     ["in_territory", "org_nature", "qms_since", "inspection_good_years"]),
]


@pytest.mark.parametrize("program, article, asked", CONDITIONS_ASKED, ids=[r[0] for r in CONDITIONS_ASKED])
def test_the_form_asks_the_documents_conditions(world, program, article, asked):
    spec = form_for(app_of(world, program, filled=False))
    assert keys(spec.section("conditions")) == asked


OPINIONS_ASKED = [
    ("xixian", "第十六条第二款：非分支机构无须上级组织意见", {"is_branch": "no", "org_nature": "enterprise"}, []),
    ("xixian", "第十六条第二款：分支机构须上级组织推荐意见", {"is_branch": "yes", "org_nature": "enterprise"},
     ["opinion_parent-org-opinion"]),
    ("xixian", "第十二条（四）：非营利性组织须业务主管（指导）部门或登记管理部门推荐",
     {"is_branch": "no", "org_nature": "non_profit"}, ["opinion_supervisor-recommendation"]),
    ("jinshui", "第八条（六）、第十四条：镇街道和主管部门意见，所有申报单位", {"org_nature": "enterprise"},
     ["opinion_town-opinion", "opinion_department-opinion"]),
    ("gongyi", "第十三条（五）：镇（街道）推荐由镇（街道）提供", {"org_nature": "enterprise"}, []),
    ("henan-cultivation", "三（三）：由市局初审推荐，无申报单位上传的意见", {}, []),
]


@pytest.mark.parametrize("program, article, stated, slots", OPINIONS_ASKED, ids=[r[1] for r in OPINIONS_ASKED])
def test_the_form_asks_only_the_opinions_that_apply(world, program, article, stated, slots):
    app = app_of(world, program)
    state(app, **stated)
    assert keys(form_for(app).section("opinions")) == slots
    Attachment.objects.filter(application=app, slot__in=slots).delete()
    missing = [item for _code, _title, item in missing_for_submission(app)]
    labels = [u.label for u in form_for(app).section("opinions").items] if slots else []
    # an applicable opinion keeps submission closed until uploaded; one that does not apply is not asked for
    assert [label for label in labels if any(item.startswith(label) for item in missing)] == labels
    assert len(missing) == len(labels)


UPLOAD_LIMITS = [
    # program, article, evidence pages, organization photos (min, max), manager photos (min, max)
    ("henan-cultivation", "附件1 填报说明：证实性材料不超过100页，组织照片3–5张，最高管理者照片1–2张", 100, (3, 5), (1, 2)),
    ("xixian", "文件未规定页数和照片", None, (0, 10), (0, 10)),
    ("gongyi", "文件未规定页数和照片", None, (0, 10), (0, 10)),
    ("jinshui", "文件未规定页数和照片", None, (0, 10), (0, 10)),
]


@pytest.mark.parametrize("program, article, pages, org_photos, manager_photos", UPLOAD_LIMITS,
                         ids=[r[0] for r in UPLOAD_LIMITS])
def test_upload_limits_come_from_the_profile(world, program, article, pages, org_photos, manager_photos):
    slots = {s.key: s for s in form_for(app_of(world, program, filled=False)).section("evidence").items}
    assert slots["evidence"].page_limit == pages
    assert (slots["org_photos"].min_files, slots["org_photos"].max_files) == org_photos
    assert (slots["manager_photos"].min_files, slots["manager_photos"].max_files) == manager_photos


def test_an_admin_edit_of_the_profile_reaches_the_slot(world):
    app = app_of(world, "henan-cultivation", filled=False)
    RuleProfile.objects.filter(program__code="henan-cultivation").update(org_photos_max=1, org_photos_min=1,
                                                                        evidence_page_limit_organization=60)
    fresh = type(app).objects.get(pk=app.pk)
    slots = {s.key: s for s in form_for(fresh).section("evidence").items}
    assert (slots["org_photos"].min_files, slots["org_photos"].max_files, slots["evidence"].page_limit) == (1, 1, 60)
    photo = SimpleUploadedFile("照片.jpg", jpeg_bytes(800, 800), "image/jpeg")
    fs.add_attachment(application=fresh, slot_key="org_photos", uploaded=photo, title="", actor=Actor(user=app.owner))
    with pytest.raises(Exception, match="最多 1 个文件"):
        fs.add_attachment(application=fresh, slot_key="org_photos", title="", actor=Actor(user=app.owner),
                          uploaded=SimpleUploadedFile("照片2.jpg", jpeg_bytes(800, 800), "image/jpeg"))


def test_a_xixian_enterprise_that_is_not_a_branch_submits_without_a_parent_opinion(world):
    """息县 第十六条第二款."""
    from applications import workflow
    from applications.models import State

    app = state(app_of(world, "xixian"), is_branch="no", org_nature="enterprise")
    workflow.perform(application=app, name="submit", actor=Actor(user=app.owner))
    app.refresh_from_db()
    assert app.state == State.SUBMITTED


def test_specialized_certificate_is_required_only_when_declared(world):
    """巩义 第四条: 专精特新 at any level, with its certificate as a checked upload."""
    app = state(app_of(world, "gongyi"), specialized_level="province")
    assert any("专精特新认定文件或证书" in item for _c, _t, item in missing_for_submission(app))
    app.refresh_from_db()
    assert (app.specialized_level, app.is_little_giant, app.is_specialized) == ("province", False, True)
    with pytest.raises(Exception, match="不是 PDF、JPG 或 PNG"):
        fs.add_attachment(application=app, slot_key="specialized_certificate", title="", actor=Actor(user=app.owner),
                          uploaded=SimpleUploadedFile("证书.pdf", b"not a certificate", "application/pdf"))
    fs.add_attachment(application=app, slot_key="specialized_certificate", title="", actor=Actor(user=app.owner),
                      uploaded=SimpleUploadedFile("证书.jpg", jpeg_bytes(), "image/jpeg"))
    assert missing_for_submission(app) == []
    state(app, specialized_level="none")
    app.refresh_from_db()
    assert (app.specialized_level, app.is_specialized) == ("", False)


# --- what blocks acceptance -----------------------------------------------------------------------------------
def profit(*values):
    return {"total_profit": dict(zip(("2023", "2024", "2025"), values))}


BLOCKS = [
    # program, article, what the form says, check, finding
    ("henan-cultivation", "三（二） 只排除重大责任事故：较大事故待研判",
     dict(basic={"accidents": "yes", "accidents_severity": "larger"}), "accidents", FLAG),
    ("henan-cultivation", "三（二） 重大责任事故", dict(basic={"accidents": "yes", "accidents_severity": "major"}),
     "accidents", FAIL),
    ("henan-cultivation", "三（二） 严重违法违规违纪：一般违法待研判",
     dict(basic={"violations": "yes", "violations_severity": "general"}), "violations", FLAG),
    ("henan-cultivation", "三（二） 严重违法违规违纪", dict(basic={"violations": "yes", "violations_severity": "serious"}),
     "violations", FAIL),
    ("henan-cultivation", "三（二） 严重亏损：未规定无亏损年数", dict(indicators=profit("-1", "-1", "-1")), "no_losses", NA),
    ("henan-cultivation", "三（一）2 连续3年自评良好（小巨人不放宽）",
     dict(conditions={"self_assessment_good_years": "2"}, is_little_giant=True), "self_assessment_good_years", FAIL),
    ("henan-cultivation", "三（一）2 连续3年自评良好", dict(conditions={"self_assessment_good_years": "3"}),
     "self_assessment_good_years", PASS),
    ("xixian", "第十三条（三） 责任事故：由秘书处研判",
     dict(basic={"accidents": "yes", "accidents_severity": "especially_major"}), "accidents", FLAG),
    ("xixian", "第十三条（八） 严重违法、违规、违纪", dict(basic={"violations": "yes", "violations_severity": "serious"}),
     "violations", FAIL),
    ("xixian", "第十三条（五） 企业亏损", dict(indicators=profit("10", "-3", "8")), "no_losses", FAIL),
    ("xixian", "第十三条（五） 非营利性组织不适用",
     dict(indicators=profit("10", "-3", "8"), conditions={"org_nature": "non_profit"}), "no_losses", NA),
    ("xixian", "第十二条（一） 在息县行政区域内依法设立", dict(conditions={"in_territory": "no"}), "territory", FAIL),
    ("xixian", "第十二条（一） 所在地区不在息县", dict(region_in_territory=False, region_name="郑州市"), "territory", FAIL),
    ("xixian", "第十二条（二） 连续3年自评良好", dict(conditions={"self_assessment_good_years": "2"}),
     "self_assessment_good_years", FAIL),
    ("xixian", "第十二条（二） 小巨人放宽至2年",
     dict(conditions={"self_assessment_good_years": "2"}, is_little_giant=True), "self_assessment_good_years", PASS),
    ("gongyi", "第十四条（八） 严重违法、违规、违纪行为被处理", dict(basic={"violations": "yes", "violations_severity": "serious"}),
     "violations", FAIL),
    ("gongyi", "第十四条（八） 一般违法待研判", dict(basic={"violations": "yes", "violations_severity": "general"}),
     "violations", FLAG),
    ("gongyi", "第十三条（二） 实施卓越绩效模式管理1年以上", dict(conditions={"excellence_since": "2026-03-31"}),
     "excellence_since", PASS),
    ("gongyi", "第十三条（二） 不满1年", dict(conditions={"excellence_since": "2026-04-01"}), "excellence_since", FAIL),
    ("gongyi", "第四条 专精特新（省级）附证书", dict(conditions={"specialized_level": "province"},
                                            files={"specialized_certificate": 1}), "specialized", PASS),
    ("gongyi", "第四条 专精特新未附证书", dict(conditions={"specialized_level": "province"}, files={}),
     "specialized", FAIL),
    ("jinshui", "第八条（三） 重大事故", dict(basic={"accidents": "yes", "accidents_severity": "major"}), "accidents",
     FAIL),
    ("jinshui", "第九条（三） 责任事故（按行业规定）：一般事故待研判",
     dict(basic={"accidents": "yes", "accidents_severity": "general"}), "accidents", FLAG),
    ("jinshui", "第九条（九） 违反法律、法规不良记录", dict(basic={"violations": "yes", "violations_severity": "general"}),
     "violations", FAIL),
    ("jinshui", "第八条（二） 质量管理体系有效运行3年以上", dict(conditions={"qms_since": "2025-01-01"}), "qms_since", FAIL),
    ("jinshui", "第八条（二） 运行满3年", dict(conditions={"qms_since": "2024-03-31"}), "qms_since", PASS),
    ("jinshui", "第八条（三） 产品连续3年法定检验合格", dict(conditions={"inspection_good_years": "2"}),
     "inspection_good_years", FAIL),
    ("jinshui", "第八条（三） 连续3年合格", dict(conditions={"inspection_good_years": "3"}), "inspection_good_years", PASS),
    ("jinshui", "第八条（四） 最近3年未发生亏损", dict(indicators=profit("-5", "10", "10")), "no_losses", FAIL),
]


@pytest.mark.parametrize("program, article, change, code, status", BLOCKS, ids=[f"{r[0]}:{r[1]}" for r in BLOCKS])
def test_what_blocks_acceptance(world, program, article, change, code, status):
    facts = el.facts_for(app_of(world, program))  # the profile's rules, a complete form that meets them
    assert {r.code: r.status for r in el.run_checks(facts)}[code] in (PASS, NA)
    change = dict(change)
    for key in ("basic", "conditions"):
        if key in change:
            change[key] = {**getattr(facts, key), **change[key]}
    result = {r.code: r for r in el.run_checks(replace(facts, **change))}[code]
    assert result.status == status, result.evidence
    if status == FLAG:
        assert "秘书处" in result.evidence


def test_every_check_of_a_complete_form_passes_or_does_not_apply(world):
    for program in REGIONS:
        results = el.run_checks(el.facts_for(app_of(world, program)))
        # (the bureau's pre-review record is checked once the authority has recommended; not here)
        assert {r.code: r.status for r in results
                if r.status not in (PASS, NA) and r.code != "prereview_record"} == {}, program


@pytest.mark.parametrize("level, status", [("little_giant", PASS), ("province", FAIL), ("none", FAIL)])
def test_the_cultivation_reduction_reads_little_giant_only(world, level, status):
    """000 三（一）1: 5 years, 专精特新“小巨人” 3 years; a province-level 专精特新 gets no reduction."""
    from applications.models import ApplicationSection

    app = state(app_of(world, "henan-cultivation"), specialized_level=level)
    row = ApplicationSection.objects.get(application=app, code="basic")
    row.data = {**row.data, "established_on": "2024-03-31"}  # 3 years at the 2027-03-31 deadline
    row.save()
    app.refresh_from_db()
    assert el.check_years_operating(el.facts_for(app)).status == status
