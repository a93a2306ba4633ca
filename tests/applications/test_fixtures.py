"""The shipped fixtures (regions, the GB/T 19580-2012 scoring scheme, the five programs) load, reload
without duplicating or changing anything, pass model validation, and carry the seeds' numbers."""
import json
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Q

from applications import workflow
from applications.models import (AwardTier, Campaign, DepartmentOpinionRule, ExclusionItem, Program, PublicityRule,
                                 RequiredOpinion, RuleProfile, ScoringBand, ScoringItem, ScoringScheme, State)
from qualityaward.accounts.models import Region

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures"
FIXTURE_FILES = [FIXTURE_DIR / f"{name}.json" for name in ("regions", "gbt19580", "programs")]
SHANGHAI = ZoneInfo("Asia/Shanghai")
PROGRAM_CODES = ["henan-cultivation", "xixian", "gongyi", "quality-benchmark", "jinshui"]

pytestmark = pytest.mark.django_db


def load():
    call_command("loaddata", *(str(path) for path in FIXTURE_FILES), verbosity=0)


def fixture_entries():
    return [entry for path in FIXTURE_FILES for entry in json.loads(path.read_text(encoding="utf-8"))]


def fixture_models():
    return sorted({apps.get_model(entry["model"]) for entry in fixture_entries()}, key=lambda m: m._meta.label)


def snapshot():
    """Every row of every fixture model, serialized field by field, in pk order."""
    return {
        model._meta.label: serializers.serialize("python", model.objects.order_by("pk"))
        for model in fixture_models()
    }


def departments(profile, applicant_kind, org_type=""):
    """The departments whose opinion is solicited: rows for the kind with a blank org_type apply to all."""
    rules = profile.department_rules.filter(applicant_kind=applicant_kind)
    rules = rules.filter(Q(org_type="") | Q(org_type=org_type)) if org_type else rules.filter(org_type="")
    return list(rules.order_by("order").values_list("department", flat=True))


@pytest.fixture
def loaded():
    load()


# --- loading ----------------------------------------------------------------------------------


def test_every_fixture_entry_has_a_fixed_unique_integer_pk():
    seen = set()
    for entry in fixture_entries():
        assert isinstance(entry.get("pk"), int), entry
        key = (entry["model"], entry["pk"])
        assert key not in seen, f"duplicate pk {key}"
        seen.add(key)


def test_second_load_changes_nothing(loaded):
    first = snapshot()
    counts = {model._meta.label: model.objects.count() for model in fixture_models()}
    expected_counts = {}
    for entry in fixture_entries():
        label = apps.get_model(entry["model"])._meta.label
        expected_counts[label] = expected_counts.get(label, 0) + 1
    assert counts == expected_counts

    load()

    assert {model._meta.label: model.objects.count() for model in fixture_models()} == counts
    assert snapshot() == first
    # a few values, read again after the reload
    assert Region.objects.get(code="410105").parent.code == "410100"
    assert RuleProfile.objects.get(program__code="xixian").finalist_threshold == Decimal("600")
    assert Campaign.objects.get(program__code="jinshui", is_current=True).application_deadline == datetime(
        2027, 3, 31, 23, 59, 59, tzinfo=SHANGHAI)
    assert Campaign.objects.filter(is_current=True).count() == 5


def test_every_shipped_object_passes_full_clean(loaded):
    checked = 0
    for model in fixture_models():
        for obj in model.objects.all():
            obj.full_clean()
            checked += 1
    assert checked == len(fixture_entries())
    # the ones named in the brief, explicitly
    for model, expected in ((RuleProfile, 5), (AwardTier, 6), (Campaign, 10), (ScoringScheme, 1)):
        objs = list(model.objects.all())
        assert len(objs) == expected
        for obj in objs:
            obj.full_clean()


# --- regions ------------------------------------------------------------------------------------


def test_regions(loaded):
    henan = Region.objects.get(code="410000")
    assert henan.level == Region.Level.PROVINCE and henan.parent is None
    cities = henan.children.filter(level=Region.Level.CITY)
    assert cities.count() == 19  # 17 省辖市 + 济源示范区 + 航空港区
    assert set(cities.values_list("code", flat=True)) >= {"410100", "411500", "411700", "419001", "HKGQ"}
    hkgq = Region.objects.get(code="HKGQ")
    assert hkgq.name == "郑州航空港经济综合实验区" and "内部代码" in hkgq.note
    # the programs' own counties, and the 10 省直管县（市） 全国质量标杆 addresses (通知抬头), each under its city
    assert {(r.code, r.name, r.parent.code) for r in Region.objects.filter(level=Region.Level.COUNTY)} == {
        ("410105", "金水区", "410100"), ("410181", "巩义市", "410100"), ("411528", "息县", "411500"),
        ("410225", "兰考县", "410200"), ("410482", "汝州市", "410400"), ("410526", "滑县", "410500"),
        ("410783", "长垣市", "410700"), ("411381", "邓州市", "411300"), ("411481", "永城市", "411400"),
        ("411525", "固始县", "411500"), ("411628", "鹿邑县", "411600"), ("411729", "新蔡县", "411700")}
    assert Region.objects.filter(note__contains="省直管县（市）").count() == 10
    for region in Region.objects.exclude(code="HKGQ"):
        assert region.pk == int(region.code)


# --- GB/T 19580 -------------------------------------------------------------------------------------


def test_scoring_scheme_matches_gbt19580_2012(loaded):
    scheme = ScoringScheme.objects.get(code="gbt19580-2012")
    categories = list(scheme.categories.order_by("order"))
    assert [c.code for c in categories] == ["4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7"]
    assert sum(c.points for c in categories) == 1000 == scheme.total_points
    scored = ScoringItem.objects.filter(category__scheme=scheme, points__gt=0)
    assert scored.count() == 23
    assert sum(scored.filter(kind=ScoringItem.Kind.PROCESS).values_list("points", flat=True)) == 600
    assert sum(scored.filter(kind=ScoringItem.Kind.RESULTS).values_list("points", flat=True)) == 400
    for category in categories:
        items = list(category.items.order_by("order"))
        assert items[0].code == f"{category.code}.1" and items[0].points == 0, category
        assert [i.code for i in items] == [f"{category.code}.{n}" for n in range(1, len(items) + 1)]
        assert sum(i.points for i in items) == category.points, category
        assert {i.kind for i in items} == {"results" if category.code == "4.7" else "process"}
    assert [(i.code, i.points) for i in ScoringItem.objects.filter(category__code="4.4", points__gt=0)] == [
        ("4.4.2", 60), ("4.4.3", 15), ("4.4.4", 20), ("4.4.5", 15), ("4.4.6", 10), ("4.4.7", 10)]
    assert ScoringItem.objects.get(code="4.1.2").name == "高层领导的作用"


def test_scoring_bands_tile_0_to_100_in_5_percent_steps(loaded):
    bands = list(ScoringBand.objects.filter(scheme__code="gbt19580-2012").order_by("low"))
    assert [(b.low, b.high) for b in bands] == [(0, 5), (10, 25), (30, 45), (50, 65), (70, 85), (90, 100)]
    for band in bands:
        for text in (band.process_descriptor, band.results_descriptor):
            assert len(text) > 20 and any("\u4e00" <= ch <= "\u9fff" for ch in text)
            assert not any("a" <= ch.lower() <= "z" for ch in text), text


# --- programs ---------------------------------------------------------------------------------------


def test_five_programs_with_profiles_and_prefixes(loaded):
    programs = {p.code: p for p in Program.objects.select_related("profile", "seat_region")}
    assert sorted(programs) == sorted(PROGRAM_CODES)
    assert {code: (p.number_prefix, p.seat_region.code) for code, p in programs.items()} == {
        "henan-cultivation": ("PY", "410000"), "xixian": ("XX", "411528"), "gongyi": ("GY", "410181"),
        "quality-benchmark": ("BG", "410000"), "jinshui": ("JS", "410105")}
    assert programs["henan-cultivation"].issuer == "河南省质量强省战略工作领导小组办公室印制"
    assert all(p.profile.scoring_scheme.code == "gbt19580-2012" for p in programs.values())


def test_each_program_has_exactly_one_current_campaign(loaded):
    for code in PROGRAM_CODES:
        program = Program.objects.get(code=code)
        current = Campaign.objects.filter(program=program, is_current=True)
        assert current.count() == 1, code
        campaign = current.get()
        assert campaign.year == 2026
        assert campaign.data_years == [2023, 2024, 2025]
        assert len(campaign.data_years) == program.profile.data_years
        assert campaign.opens_at == datetime(2026, 9, 1, tzinfo=SHANGHAI)
        assert campaign.recommendation_deadline == datetime(2027, 4, 30, 23, 59, 59, tzinfo=SHANGHAI)
        assert campaign.review_deadline == datetime(2027, 9, 30, 23, 59, 59, tzinfo=SHANGHAI)
        assert program.campaigns.filter(is_current=False).count() == 1, code


def test_historical_campaigns_keep_the_seed_deadlines(loaded):
    cultivation = Campaign.objects.get(program__code="henan-cultivation", year=2024)
    assert not cultivation.is_current
    assert cultivation.recommendation_deadline.astimezone(SHANGHAI).date().isoformat() == "2024-11-20"
    assert cultivation.data_years == [2021, 2022, 2023]  # the years printed in the 2024 form
    benchmark = Campaign.objects.get(program__code="quality-benchmark", year=2020)
    assert benchmark.recommendation_deadline == datetime(2020, 6, 26, 17, 30, tzinfo=SHANGHAI)
    assert benchmark.notice_reference == "豫工信办科〔2020〕77号"


def test_the_applicants_deadline_comes_before_the_bureaus_in_every_campaign(loaded):
    """000 五（三）: the date in the notice (2024-11-20) is the bureaus'; applicants hand in before it."""
    for campaign in Campaign.objects.all():
        assert campaign.application_deadline < campaign.recommendation_deadline, campaign
    cultivation = Campaign.objects.get(program__code="henan-cultivation", year=2024)
    assert cultivation.application_deadline.astimezone(SHANGHAI).date().isoformat() == "2024-10-31"


def test_contacts_come_from_the_documents_that_print_them(loaded):
    cultivation = Program.objects.get(code="henan-cultivation")  # 000: 联系人、联系电话、电子邮箱
    assert (cultivation.contact_person, cultivation.contact_phone, cultivation.contact_email) == (
        "尹作飞 付鑫", "0371-65566860 65569028", "hnsszzljsb@163.com")
    benchmark = Program.objects.get(code="quality-benchmark")  # 003: 联系人、电话、邮箱、地址、邮编
    assert (benchmark.contact_person, benchmark.contact_phone, benchmark.contact_postcode) == (
        "路正红", "0371-65509943", "450018")
    assert benchmark.contact_address == "郑州市郑东新区熊儿河路93号盐业大厦科技处"
    for code in ("xixian", "gongyi", "jinshui"):  # only the secretariat's seat; the rest is the secretariat's to fill
        program = Program.objects.get(code=code)
        assert program.contact_office and not program.contact_phone and "所在单位" in program.contact_source


def test_stage_flags_shape_the_pipeline(loaded):
    def pipeline(code):
        return workflow.enabled_pipeline(RuleProfile.objects.get(program__code=code))

    assert pipeline("henan-cultivation") == [State.ACCEPTED, State.ACCEPTANCE_PUBLICITY, State.MATERIAL_REVIEW,
                                             State.FINALIST, State.PROPOSED, State.AWARDED]
    assert pipeline("quality-benchmark") == [State.ACCEPTED, State.AWARDED]
    assert pipeline("xixian") == [State.ACCEPTED, State.ACCEPTANCE_PUBLICITY, State.MATERIAL_REVIEW,
                                  State.ONSITE_REVIEW, State.FINALIST, State.COMMITTEE, State.PROPOSED,
                                  State.GOVERNMENT_DECISION, State.AWARDED]
    # 金水 第十六条: 评委会确定正式候选名单, then 区政府常务会议研究批准
    assert pipeline("jinshui")[-3:] == [State.CANDIDATE_CONFIRMATION, State.GOVERNMENT_DECISION, State.AWARDED]
    assert State.ACCEPTANCE_PUBLICITY not in pipeline("gongyi")
    assert State.ACCEPTANCE_PUBLICITY not in pipeline("jinshui")


def test_rule_profile_numbers_from_the_seeds(loaded):
    xixian = RuleProfile.objects.get(program__code="xixian")
    assert (xixian.panel_size_min, xixian.panel_size_max) == (3, 7)
    assert (xixian.material_weight, xixian.onsite_weight) == (Decimal("30"), Decimal("70"))
    assert xixian.vote_threshold == Fraction(2, 3)
    assert xixian.finalist_threshold == Decimal("600")
    assert xixian.has_defense and xixian.objection_answer_working_days == 5
    assert (xixian.cycle_years, xixian.min_years_operating, xixian.self_assessment_years_little_giant) == (2, 3, 2)
    assert (xixian.ban_years, xixian.revocation_window_years) == (5, 3)

    cultivation = RuleProfile.objects.get(program__code="henan-cultivation")
    assert cultivation.allows_individuals and cultivation.outcome == RuleProfile.Outcome.CULTIVATION
    assert (cultivation.min_years_operating, cultivation.min_years_little_giant) == (5, 3)
    assert cultivation.requires_government_opinion

    benchmark = RuleProfile.objects.get(program__code="quality-benchmark")
    assert benchmark.recommendation_quota == 1
    assert benchmark.recommender == RuleProfile.Recommender.CITY_INDUSTRY_DEPT
    assert benchmark.enabled_stages() == set()

    gongyi = RuleProfile.objects.get(program__code="gongyi")
    assert (gongyi.panel_size_min, gongyi.panel_size_max, gongyi.validity_years, gongyi.ban_years) == (3, 5, 4, 4)
    assert gongyi.repeat_prize_rule == RuleProfile.RepeatPrize.TITLE_ONLY_AFTER_EXPIRY

    jinshui = RuleProfile.objects.get(program__code="jinshui")
    assert (jinshui.panel_size_min, jinshui.panel_size_max, jinshui.panel_drawn_by_industry) == (5, 7, True)


def test_award_tiers(loaded):
    def tiers(code):
        return [(t.name, t.quota, t.reserved_quota, t.quota_period, t.prize_amount)
                for t in AwardTier.objects.filter(profile__program__code=code).order_by("order")]

    assert tiers("xixian") == [("县长质量奖", 2, 0, "届", Decimal("200000")),
                               ("县长质量奖提名奖", 3, 0, "届", Decimal("50000"))]
    assert tiers("gongyi") == [("市长质量奖", 5, 2, "届", Decimal("100000"))]
    assert AwardTier.objects.get(profile__program__code="gongyi").reserved_for == "专精特新企业"
    assert tiers("jinshui") == [("区长质量奖", 3, 0, "年", Decimal("500000"))]
    assert tiers("henan-cultivation") == [("培育库入库", None, 0, "届", None)]
    assert tiers("quality-benchmark") == [("推荐全国质量标杆", None, 0, "届", None)]


def test_publicity_rules(loaded):
    def rules(code):
        return {r.kind: (r.min_length, r.unit) for r in PublicityRule.objects.filter(profile__program__code=code)}

    wd = PublicityRule.Unit.WORKING_DAYS
    assert rules("xixian") == {"internal": (5, wd), "acceptance": (5, wd), "winners": (5, wd)}
    assert rules("gongyi") == {"internal": (5, wd), "candidates": (5, wd)}
    assert rules("jinshui") == {"winners": (14, PublicityRule.Unit.CALENDAR_DAYS)}
    assert rules("quality-benchmark") == {}
    cultivation = rules("henan-cultivation")
    assert set(cultivation) == {"internal", "authority", "acceptance", "database"}
    assert all(length is None for length, _ in cultivation.values())
    # a window the seed leaves open says so
    assert all(r.note for r in PublicityRule.objects.filter(min_length__isnull=True))


def test_exclusion_lists_copy_the_seed_articles(loaded):
    def texts(code):
        return list(ExclusionItem.objects.filter(profile__program__code=code).order_by("order")
                    .values_list("text", flat=True))

    assert len(texts("xixian")) == 8 and len(texts("gongyi")) == 8 and len(texts("jinshui")) == 9
    assert len(texts("henan-cultivation")) == 5 and len(texts("quality-benchmark")) == 1
    assert texts("jinshui")[6] == "有偷税漏税行为的"
    assert texts("xixian")[5] == "参加各级政府质量奖评选活动存在弄虚作假等违规行为"
    assert texts("gongyi")[6] == "参加市长质量奖评定活动存在弄虚作假等违规行为"
    assert any("严重亏损" in t for t in texts("henan-cultivation"))


def test_cultivation_department_opinions(loaded):
    profile = RuleProfile.objects.get(program__code="henan-cultivation")
    common = ["发展改革部门", "工业和信息化部门", "生态环境部门", "应急管理部门", "税务部门"]
    assert departments(profile, "organization", "manufacturing") == common
    assert departments(profile, "organization", "services") == common + ["商务部门", "文化和旅游部门", "卫生健康部门"]
    assert departments(profile, "organization", "agriculture") == common + ["农业农村部门"]
    assert departments(profile, "organization", "construction") == common + ["住房和城乡建设部门", "交通运输部门",
                                                                             "水利部门"]
    assert departments(profile, "individual") == ["公安部门", "纪检监察机关"]
    # no other program solicits department opinions this way
    assert DepartmentOpinionRule.objects.exclude(profile=profile).count() == 0


def test_required_opinions(loaded):
    def codes(code):
        return list(RequiredOpinion.objects.filter(profile__program__code=code).order_by("order")
                    .values_list("code", flat=True))

    assert codes("gongyi") == ["town-recommendation"]
    assert codes("jinshui") == ["town-opinion", "department-opinion"]
    assert codes("xixian") == ["parent-org-opinion", "supervisor-recommendation"]
    assert codes("henan-cultivation") == [] and codes("quality-benchmark") == []
    # 息县 第十六条第二款: only a branch brings its parent's opinion; 第十二条（四）: a non-profit its supervisor's
    conditional = dict(RequiredOpinion.objects.filter(profile__program__code="xixian").values_list("code", "applies_to"))
    assert conditional == {"parent-org-opinion": "branch", "supervisor-recommendation": "non_profit"}
    assert not RequiredOpinion.objects.exclude(profile__program__code="xixian").exclude(applies_to="").exists()


def test_only_the_cultivation_document_sets_upload_limits(loaded):
    """000 填报说明 sets the page caps and photo counts; 息县, 巩义, 金水 and 003 set none (NOTES.md)."""
    from applications.models import RuleProfile

    limits = ["evidence_page_limit_organization", "org_photos_min", "org_photos_max", "manager_photos_min",
              "manager_photos_max", "work_photos_min", "work_photos_max"]
    rows = {p.program.code: [getattr(p, f) for f in limits] for p in RuleProfile.objects.select_related("program")}
    assert rows.pop("henan-cultivation") == [100, 3, 5, 1, 2, 2, 3]
    assert all(values == [None] * len(limits) for values in rows.values())


def test_gongyi_towns_are_regions_under_gongyi(loaded):
    """巩义 第十七条（二）: applicants submit to their own 镇（街道）, so each is a region of its own."""
    towns = Region.objects.filter(level=Region.Level.TOWN)
    assert towns.count() == 20 and set(towns.values_list("parent__code", flat=True)) == {"410181"}
    assert {"米河镇", "竹林镇", "新华路街道"} <= set(towns.values_list("name", flat=True))


def test_recommender_step_and_secretariat_choices_follow_the_documents(loaded):
    """息县 第十五、十七条 and 金水 第十四、十五条: applicants submit to the secretariat; 000, 巩义 and 003 have a
    recommender. Values a document leaves open are the secretariat's choice (金水: no pass mark, no weighting)."""
    steps = dict(RuleProfile.objects.values_list("program__code", "has_recommender_step"))
    assert steps == {"henan-cultivation": True, "xixian": False, "gongyi": True, "quality-benchmark": True,
                     "jinshui": False}
    jinshui = RuleProfile.objects.get(program__code="jinshui")
    assert {"vote_threshold", "weights"} <= jinshui.secretariat_choice_set
    assert "vote_threshold" not in RuleProfile.objects.get(program__code="xixian").secretariat_choice_set  # 第二十一条
    jinshui.recommendation_quota = 1
    jinshui.secretariat_choices = "weights,quorum"
    with pytest.raises(ValidationError) as info:
        jinshui.full_clean()
    assert {"has_recommender_step", "secretariat_choices"} <= set(info.value.message_dict)


def test_xixian_17_and_gongyi_17_3_the_secretariat_consults_departments_before_eligibility(loaded):
    """息县 第十七条 “在征求县直有关部门意见的基础上，进行资格审查”, 巩义 第十七条（三）“组织有关部门对申报组织进行资格
    审查”; 000, 003 and 金水 give the secretariat no such step (000's consultation is the bureau's, 五 初审推荐意见)."""
    consults = dict(RuleProfile.objects.values_list("program__code", "secretariat_consults_departments"))
    assert consults == {"henan-cultivation": False, "xixian": True, "gongyi": True, "quality-benchmark": False,
                        "jinshui": False}


def test_revocation_rules_follow_each_documents_articles(loaded):
    """息县 第三十三条 (fraud: 收回证书、奖牌和奖金, 5 年不得申报) and 第三十四条 (3 年内的事故和严重违法违规: 收回证书、奖牌);
    巩义 第二十五条 (every ground: 收回证书和奖杯、追缴奖金, 向社会公示; （二） only within the validity); 金水 第二十三条
    (fraud: 收回奖牌（奖杯）、证书，追缴奖金，予以曝光) and 第二十四条 (警告、通报); 000 and 003 say nothing."""
    from django.core.exceptions import ValidationError

    p = {r.program.code: r for r in RuleProfile.objects.select_related("program")}
    every = {"fraud", "incident", "violation"}
    assert p["xixian"].grounds("revocation_window_grounds") == {"incident", "violation"}
    assert p["xixian"].grounds("recovers_certificate_grounds") == p["xixian"].grounds("recovers_trophy_grounds") == every
    assert p["xixian"].grounds("recovers_prize_grounds") == {"fraud"}
    assert p["xixian"].grounds("revocation_notice_grounds") == every and not p["xixian"].sanction_kind_set
    assert p["gongyi"].grounds("revocation_window_grounds") == {"incident"}
    assert p["gongyi"].grounds("recovers_prize_grounds") == every and p["gongyi"].trophy_label == "奖杯"
    assert p["jinshui"].grounds("recovers_prize_grounds") == p["jinshui"].grounds("revocation_notice_grounds") == {"fraud"}
    assert p["jinshui"].sanction_kind_set == {"warning", "circular"}
    for code in ("henan-cultivation", "quality-benchmark"):
        assert not any(p[code].grounds(f) for f in RuleProfile.GROUND_FIELDS) and not p[code].sanction_kind_set
    bad = p["xixian"]
    bad.recovers_prize_grounds, bad.sanction_kinds = "fraud,bribe", "fine"
    with pytest.raises(ValidationError) as err:
        bad.full_clean()
    assert "不认识的撤销情形：bribe" in str(err.value) and "不认识的处理：fine" in str(err.value)


def test_only_003_lists_recommenders_a_candidate_list_a_filing_and_a_commitment(loaded):
    """全国质量标杆 通知抬头、二（四）、三 and 附件3; the other four documents have none of these, so their profiles
    leave them off (empty) and their region hierarchy is unchanged."""
    from applications.models import RecommendingUnit

    values = {p.program.code: (p.other_unit_filing_to, p.candidate_pool_rule, p.applicant_commitment)
              for p in RuleProfile.objects.select_related("program")}
    assert values.pop("quality-benchmark") == (
        "当地工信部门、省工业和信息化厅", "required", "承诺被遴选为全国质量标杆后，积极参与相关的分享交流活动")
    assert set(values.values()) == {("", "", "")}
    counts = {kind: RecommendingUnit.objects.filter(profile__program__code="quality-benchmark", kind=kind).count()
              for kind in ("local", "other")}
    assert counts == {"local": 29, "other": 12}
    assert RecommendingUnit.objects.count() == 41
