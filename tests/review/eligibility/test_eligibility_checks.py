"""The automatic eligibility checks, one by one, with their boundaries.

Most tests build ``Facts`` by hand (no database); a few read a real application through ``facts_for``
to prove the facts come from the form, the uploads and the rule profile.
"""
from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils import timezone

from review.eligibility import services as el
from applications import workflow
from review.eligibility.services import FAIL, FLAG, NA, PASS, Facts
from applications.forms.services import save_section
from applications.forms.spec import UploadSlot
from applications.models import Application, ApplicationSection, Attachment, Campaign, Program, State
from qualityaward.accounts.models import AuditEvent, Region, Role
from qualityaward.accounts.services import Actor, grant_role
from procedure_support import decide_after_publicity, score_stage
from demo.review import complete_sample_consultation, complete_sample_defense

DEADLINE = date(2027, 3, 31)  # the current campaigns' application deadline (fixtures)
ORG_BASIC = frozenset({"credit_code", "established_on", "accidents", "accidents_severity", "accidents_detail",
                       "violations", "violations_severity", "violations_detail"})


def org_facts(**kw):
    base = dict(kind=Application.Kind.ORGANIZATION, program_name="测试奖", deadline=DEADLINE,
                data_years=("2023", "2024", "2025"), basic_fields=ORG_BASIC,
                basic={"established_on": "2012-06-30", "accidents": "no", "violations": "no"},
                min_years_operating=5, min_years_little_giant=3)
    base.update(kw)
    return Facts(**base)


def years(**kw):
    return el.check_years_operating(org_facts(**kw))


# --- (a) years operating ----------------------------------------------------------------------------
def test_full_years_counts_the_anniversary_itself():
    assert el.full_years(date(2022, 3, 31), date(2027, 3, 31)) == 5
    assert el.full_years(date(2022, 4, 1), date(2027, 3, 31)) == 4
    assert el.full_years(date(2020, 2, 29), date(2025, 2, 28)) == 4  # a leap-day founding: 1 March is the day
    assert el.full_years(date(2020, 2, 29), date(2025, 3, 1)) == 5
    assert el.add_years(date(2020, 2, 29), 5) == date(2025, 3, 1)


def test_exactly_five_years_passes_and_one_day_short_fails():
    exact = years(basic={"established_on": "2022-03-31"})
    assert exact.status == PASS and "已满 5 年" in exact.evidence and "2027-03-31" in exact.evidence
    short = years(basic={"established_on": "2022-04-01"})
    assert short.status == FAIL
    assert "满 4 年" in short.evidence and "满 5 年之日为 2027-04-01" in short.evidence


def test_little_giant_needs_three_years_only():
    three = years(is_little_giant=True, basic={"established_on": "2024-03-31"})
    assert three.status == PASS and "小巨人" in three.evidence and "3 年以上" in three.evidence
    assert years(is_little_giant=True, basic={"established_on": "2024-04-01"}).status == FAIL
    # the same date without the 小巨人 status fails the general 5 years
    assert years(is_little_giant=False, basic={"established_on": "2024-03-31"}).status == FAIL


def test_little_giant_without_a_reduction_keeps_the_general_rule():
    result = years(is_little_giant=True, min_years_little_giant=None, basic={"established_on": "2024-03-31"})
    assert result.status == FAIL and "小巨人" not in result.evidence


@pytest.mark.parametrize("value", ["", "2023-02-30", "去年", None])
def test_missing_or_impossible_date_fails_and_says_what_to_do(value):
    result = years(basic={"established_on": value})
    assert result.status == FAIL and "补正" in result.evidence


def test_founded_after_the_deadline_fails():
    assert years(basic={"established_on": "2027-04-02"}).status == FAIL


def test_years_not_applicable_without_a_rule_or_for_individuals_or_without_the_field():
    assert years(min_years_operating=None, min_years_little_giant=None).status == NA
    assert years(kind=Application.Kind.INDIVIDUAL).status == NA
    assert years(basic_fields=frozenset()).status == NA  # e.g. the 质量标杆 material has no such field


# --- (b) losses -------------------------------------------------------------------------------------
def profit(*values):
    return {"total_profit": dict(zip(("2023", "2024", "2025"), values))}


def test_profit_in_every_year_passes():
    result = el.check_no_losses(org_facts(no_loss_years=3, indicators=profit("10", "0.5", "1,200")))
    assert result.status == PASS and "2025年 1,200 万元" in result.evidence


def test_a_loss_in_one_data_year_fails():
    result = el.check_no_losses(org_facts(no_loss_years=3, indicators=profit("100", "-3.5", "80")))
    assert result.status == FAIL and "2024年 -3.5 万元（亏损）" in result.evidence


def test_zero_profit_is_a_loss():
    assert el.check_no_losses(org_facts(no_loss_years=3, indicators=profit("100", "0", "80"))).status == FAIL


def test_only_the_last_no_loss_years_count():
    result = el.check_no_losses(org_facts(no_loss_years=2, indicators=profit("-100", "5", "8")))
    assert result.status == PASS and "2023" not in result.evidence


def test_an_empty_profit_cell_fails_as_not_verifiable():
    result = el.check_no_losses(org_facts(no_loss_years=3, indicators=profit("100", "", "80")))
    assert result.status == FAIL and "未填写" in result.evidence


def test_no_loss_rule_missing_or_no_grid_is_not_applicable():
    assert el.check_no_losses(org_facts(no_loss_years=None, indicators=profit("-1", "-1", "-1"))).status == NA
    assert el.check_no_losses(org_facts(no_loss_years=3, indicators=None)).status == NA


# --- (c) declared accidents and violations ------------------------------------------------------------
#: (profile's fail-from severity, declared severity, finding): only what the document excludes outright fails;
#: anything less is a flag the secretariat decides with a reason.
ACCIDENT_TABLE = [
    ("major", "general", FLAG), ("major", "larger", FLAG), ("major", "major", FAIL),  # 000 三（二） 重大责任事故
    ("major", "especially_major", FAIL), ("", "larger", FLAG), ("", "especially_major", FLAG),  # 息县 第十三条（三）
    ("major", "", FLAG),  # no severity given: a person looks at it
]


@pytest.mark.parametrize("fail_from, severity, status", ACCIDENT_TABLE)
def test_declared_accident_by_severity(fail_from, severity, status):
    facts = org_facts(accident_fail_severity=fail_from, basic={
        "accidents": "yes", "accidents_severity": severity, "accidents_detail": "2024年3月发生一起叉车伤人事故",
        "violations": "no"})
    accident = el.check_accidents(facts)
    assert accident.status == status and "2024年3月发生一起叉车伤人事故" in accident.evidence
    if status == FLAG:
        assert "请秘书处核实" in accident.evidence
    assert el.check_violations(facts).status == PASS


@pytest.mark.parametrize("fail_from, severity, status", [
    ("serious", "general", FLAG), ("serious", "serious", FAIL),  # 000 三（二）, 息县 第十三条（八）, 巩义 第十四条（八）
    ("general", "general", FAIL),  # 金水 第九条（九）: any 违反法律、法规不良记录
    ("", "serious", FLAG),
])
def test_declared_violation_by_severity(fail_from, severity, status):
    facts = org_facts(violation_fail_severity=fail_from, basic={
        "accidents": "no", "violations": "yes", "violations_severity": severity, "violations_detail": "环保处罚一次"})
    result = el.check_violations(facts)
    assert result.status == status and "环保处罚一次" in result.evidence


def test_unanswered_fails_and_a_form_without_the_question_is_not_applicable():
    facts = org_facts(basic={"accidents": "", "violations": "no"})
    assert el.check_accidents(facts).status == FAIL and "补正" in el.check_accidents(facts).evidence
    assert el.check_accidents(org_facts(basic_fields=frozenset())).status == NA


# --- (d) required opinions and uploads, (e) page limits ----------------------------------------------------
EVIDENCE = UploadSlot("evidence", "证实性材料", min_files=1, page_limit=100)
PHOTOS = UploadSlot("org_photos", "组织照片", min_files=3)
OPINION = UploadSlot("opinion_town-opinion", "镇/街道办事处意见", min_files=1)


def test_required_opinions_by_the_applicant_and_by_the_recommender():
    opinions = (("town-opinion", "镇/街道办事处意见", True), ("town-recommendation", "镇（街道）推荐意见", False))
    facts = org_facts(upload_slots=(OPINION,), required_opinions=opinions, files={})
    missing = el.check_required_opinions(facts)
    assert missing.status == FAIL and "镇/街道办事处意见：未上传" in missing.evidence
    assert "镇（街道）推荐意见由推荐单位提供" in missing.evidence
    present = el.check_required_opinions(replace(facts, files={"opinion_town-opinion": 1}))
    assert present.status == PASS
    only_recommender = el.check_required_opinions(org_facts(required_opinions=opinions[1:]))
    assert only_recommender.status == NA


def test_required_uploads_counts_each_slot():
    facts = org_facts(upload_slots=(EVIDENCE, PHOTOS, OPINION), files={"evidence": 1, "org_photos": 2})
    result = el.check_required_uploads(facts)
    assert result.status == FAIL and "组织照片" in result.evidence and "镇/街道" not in result.evidence
    assert el.check_required_uploads(replace(facts, files={"evidence": 1, "org_photos": 3})).status == PASS


def test_page_limit_boundary():
    facts = org_facts(upload_slots=(EVIDENCE,), pages={"evidence": 100})
    assert el.check_page_limits(facts).status == PASS
    over = el.check_page_limits(replace(facts, pages={"evidence": 101}))
    assert over.status == FAIL and "共 101 页，超过 100 页的上限" in over.evidence
    assert el.check_page_limits(org_facts(upload_slots=(PHOTOS,))).status == NA


# --- (f) revocation ban --------------------------------------------------------------------------------
def test_ban_running_and_expired_pure():
    rev = el.Revocation(number="XX2022-00003", campaign="息县县长质量奖 2022—2023届", revoked_on=date(2023, 1, 10))
    recorded_ban = replace(rev, recorded=True, ground="以欺骗、贿赂等不正当手段获奖", ban_until=date(2027, 4, 1))
    assert el.check_revocation_ban(org_facts(ban_years=5, revocations=(recorded_ban,))).status == FAIL
    no_ban = replace(rev, recorded=True, ground="获奖后发生重大质量、安全、环保等事故", ban_until=None)
    result = el.check_revocation_ban(org_facts(ban_years=5, revocations=(no_ban,)))
    assert result.status == PASS and "不设禁止申报期" in result.evidence
    running = el.check_revocation_ban(org_facts(ban_years=5, revocations=(rev,)))
    assert running.status == FAIL and "XX2022-00003" in running.evidence and "禁止期至 2028-01-10" in running.evidence
    over = el.check_revocation_ban(org_facts(ban_years=5, revocations=(replace(rev, revoked_on=date(2022, 3, 31)),)))
    assert over.status == PASS  # ban ended on 2027-03-31, the deadline itself
    assert el.check_revocation_ban(org_facts(ban_years=None, revocations=(rev,))).status == NA
    assert el.check_revocation_ban(org_facts(ban_years=5)).status == PASS


# --- the registry ------------------------------------------------------------------------------------------
def test_registered_checks_run_in_order_and_a_crash_is_reported_not_raised():
    def broken(facts):
        raise ZeroDivisionError

    checks = [el.Check("a", "甲", lambda f: el.CheckResult("a", "甲", PASS, "好")), el.Check("b", "乙", broken)]
    results = el.run_checks(org_facts(), checks)
    assert [(r.code, r.status) for r in results] == [("a", PASS), ("b", FAIL)]
    assert "人工核对" in results[1].evidence


def test_register_check_adds_and_replaces_by_code():
    before = list(el.CHECKS)
    try:
        el.register_check("government_opinion", "市级人民政府推荐意见", lambda f: el.CheckResult(
            "government_opinion", "市级人民政府推荐意见", NA, "测试"))
        el.register_check("government_opinion", "市级人民政府推荐意见（改）", lambda f: el.CheckResult(
            "government_opinion", "", PASS, "已上传"))
        assert el.registered_codes().count("government_opinion") == 1
        result = el.run_checks(org_facts())[-1]
        assert (result.code, result.label, result.status) == ("government_opinion", "市级人民政府推荐意见（改）", PASS)
    finally:
        el.CHECKS[:] = before


# --- facts from a real application ------------------------------------------------------------------------
def _set_basic(app, **values):
    row = ApplicationSection.objects.get(application=app, code="basic")
    row.data = {**row.data, **values}
    row.save()


def test_sample_application_passes_every_check_on_the_cultivation_program(world, drive):
    app = drive(world.new_app(), State.RECOMMENDED)  # submitted, pre-reviewed and recommended by the bureau
    facts = el.facts_for(app)
    assert facts.deadline == DEADLINE and facts.basic["established_on"] == "2012-06-30"
    statuses = {r.code: r.status for r in el.compute(app)}
    assert FAIL not in statuses.values(), statuses
    assert statuses["years_operating"] == PASS and statuses["no_losses"] == NA  # 000 has no no-loss rule


def test_established_on_is_a_form_field_saved_and_validated(world):
    app = world.new_app()
    row = ApplicationSection.objects.get(application=app, code="basic")
    result = save_section(application=app, code="basic", data={**row.data, "established_on": "2022-04-01"},
                          base_version=row.version, actor=Actor(user=world.owner))
    assert not result.errors
    assert el.check_years_operating(el.facts_for(app)).status == FAIL
    bad = save_section(application=app, code="basic", data={**row.data, "established_on": "2022/04/01"},
                       base_version=row.version + 1, actor=Actor(user=world.owner))
    assert "established_on" in bad.errors


def test_little_giant_flag_comes_from_the_application(world):
    app = world.new_app()
    _set_basic(app, established_on="2024-03-31")
    assert el.check_years_operating(el.facts_for(app)).status == FAIL
    Application.objects.filter(pk=app.pk).update(is_little_giant=True)
    app.refresh_from_db()
    assert el.check_years_operating(el.facts_for(app)).status == PASS


def test_missing_required_opinion_fails_for_jinshui(world):
    jinshui = Campaign.objects.get(program__code="jinshui", is_current=True)
    app = world.new_app(campaign=jinshui, region=Region.objects.get(code="410105"))
    assert el.check_required_opinions(el.facts_for(app)).status == PASS
    Attachment.objects.filter(application=app, slot="opinion_department-opinion").delete()
    result = el.check_required_opinions(el.facts_for(app))
    assert result.status == FAIL and "主管部门意见：未上传" in result.evidence


def test_evidence_over_the_page_limit_fails(world):
    app = world.new_app()
    used = sum(Attachment.objects.filter(application=app, slot="evidence").values_list("pages", flat=True))

    def add(pages):
        Attachment.objects.create(application=app, slot="evidence", title="补充材料", order=99, file="x.pdf",
                                  original_name="x.pdf", content_type="application/pdf", size=1, pages=pages,
                                  sha256="0" * 64)

    add(100 - used)
    assert el.check_page_limits(el.facts_for(app)).status == PASS
    add(1)
    result = el.check_page_limits(el.facts_for(app))
    assert result.status == FAIL and "共 101 页" in result.evidence


def test_loss_in_the_form_fails_on_xixian(world):
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county)
    assert el.check_no_losses(el.facts_for(app)).status == PASS
    row = ApplicationSection.objects.get(application=app, code="performance")
    grid = row.data["indicators"]
    grid["total_profit"]["2024"] = "-12"
    row.data = {**row.data, "indicators": grid}
    row.save()
    result = el.check_no_losses(el.facts_for(app))
    assert result.status == FAIL and "2024年 -12 万元（亏损）" in result.evidence


# --- the ban, with an earlier application revoked through the workflow -----------------------------------------
def bureau_prereview(app, authority):
    """The recommending authority's pre-review (signed opinion etc.), when the bureau side requires one."""
    try:
        from demo.review import complete_sample_prereview
    except ImportError:  # the bureau's pre-review is not installed
        return
    complete_sample_prereview(application=app, actor=Actor(user=authority))


def _award_and_revoke_on_a_past_campaign(world):
    """An application of world.org on xixian's 2022—2023届, driven to 已撤销 through the workflow."""
    past = Campaign.objects.get(program=world.xixian, name="2022—2023届")
    saved = (past.opens_at, past.application_deadline, past.recommendation_deadline)
    now = timezone.now()
    Campaign.objects.filter(pk=past.pk).update(opens_at=now - timedelta(days=1),
                                               application_deadline=now + timedelta(days=1),
                                               recommendation_deadline=now + timedelta(days=2))
    sec = world.secretariat_other
    app = world.new_app(campaign=past, region=world.xixian_county)
    tier = world.xixian.profile.tiers.order_by("order").first()
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))  # 息县 第十五条: to the secretariat
    workflow.perform(application=app, name="start_eligibility_review", actor=Actor(user=sec))
    el.record_exclusions(application=app, actor=Actor(user=sec),
                         answers={i.pk: (el.ABSENT, "") for i in el.exclusion_items(app)})
    complete_sample_consultation(application=app, actor=Actor(user=sec))  # 息县 第十七条
    for name in ["accept", "open_acceptance_publicity", "start_material_review", "start_onsite_review",
                 "declare_finalist", "send_to_committee", "propose"]:
        if name in ("start_onsite_review", "declare_finalist"):
            score_stage(app)  # 息县 第十九条: 600 分以上 from concluded scores
        if name in ("start_onsite_review", "send_to_committee"):  # 第十八条, 第二十一条: 陈述答辩
            complete_sample_defense(application=app, actor=Actor(user=sec),
                                    kind="panel" if name == "start_onsite_review" else "plenary")
        workflow.perform(application=app, name=name, actor=Actor(user=sec), tier=tier)
    decide_after_publicity(app, sec)  # 息县 第二十二条: 县政府常务会议审定
    workflow.perform(application=app, name="revoke", actor=Actor(user=sec), reason="查实申报材料弄虚作假")
    Campaign.objects.filter(pk=past.pk).update(opens_at=saved[0], application_deadline=saved[1],
                                               recommendation_deadline=saved[2])
    assert app.state == State.REVOKED
    return app


def test_revocation_ban_within_and_outside_ban_years(world):
    old = _award_and_revoke_on_a_past_campaign(world)
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county)
    revoked_on = timezone.localdate()
    result = el.check_revocation_ban(el.facts_for(app))
    assert result.status == FAIL, result.evidence
    assert old.number in result.evidence and f"禁止期至 {el.add_years(revoked_on, 5):%Y-%m-%d}" in result.evidence
    # the same revocation six years before this campaign's deadline: the 5-year ban is over
    AuditEvent.objects.filter(object_id=str(old.pk), action="transition:revoke").update(
        created_at=timezone.now().replace(year=2021, month=3, day=1))
    old.award.__class__.objects.filter(application=old).update(revoked_on=date(2021, 3, 1),
                                                               ban_until=date(2026, 3, 1))
    result = el.check_revocation_ban(el.facts_for(app))
    assert result.status == PASS and "届满" in result.evidence


def test_a_revocation_without_an_award_record_falls_back_to_the_profile_ban(world):
    old = _award_and_revoke_on_a_past_campaign(world)
    old.award.delete()
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county)
    result = el.check_revocation_ban(el.facts_for(app))
    assert result.status == FAIL and f"5 年内不得申报，禁止期至 {el.add_years(timezone.localdate(), 5):%Y-%m-%d}" \
        in result.evidence


def test_revocation_ban_follows_the_credit_code_and_stays_within_the_program(world):
    old = _award_and_revoke_on_a_past_campaign(world)
    # another registered organization whose form declares world.org's credit code
    from qualityaward.accounts.models import Organization

    twin = Organization.objects.create(name="河南省测试装备制造有限公司（新账号）", credit_code="91410100MA44TWIN0X",
                                       region=world.zhengzhou)
    twin.members.add(world.stranger)
    app = world.new_app(owner=world.stranger, organization=twin, campaign=world.xixian_campaign,
                        region=world.xixian_county)
    assert el.check_revocation_ban(el.facts_for(app)).status == PASS  # no link by registration or form
    _set_basic(app, credit_code=world.org.credit_code)
    assert el.check_revocation_ban(el.facts_for(app)).status == FAIL
    # an unrelated organization is not caught even though the sample forms share one credit code
    _set_basic(app, credit_code="91410100MA9FUX2Q6J")
    assert el.check_revocation_ban(el.facts_for(app)).status == PASS
    # a revocation in another program does not ban: gongyi's own ban applies to gongyi awards only
    gongyi = Campaign.objects.get(program=Program.objects.get(code="gongyi"), is_current=True)
    other = world.new_app(campaign=gongyi, region=Region.objects.get(code="410181"), filled=False)
    assert el.facts_for(other).revocations == ()
    assert old.campaign.program_id == world.xixian.pk
