"""全国质量标杆推荐（河南） (豫工信办科〔2020〕77号), walked through the services: the local 工信部门 recommends, the
province checks and recommends upward; no expert stages, no publicity."""
import pytest
from django.urls import reverse

from applications import workflow
from applications.models import GeneratedDocument, State
from conformance_support import make_user, refused, step, tick_exclusions, who_may
from demo.review import complete_sample_prereview
from qualityaward.accounts.models import Role
from qualityaward.accounts.services import Actor


def test_2_3_the_local_industry_department_recommends_and_the_province_recommends_upward(world, client):
    """通知二、三: 各省辖市…工信部门初审后签署推荐意见报省工业和信息化厅; the province's recommendation ends the
    procedure here (the national body selects)."""
    program = world.benchmark
    zz_industry = make_user("bg_zz", (Role.AUTHORITY, {"program": program, "region": world.zhengzhou}))
    kf_industry = make_user("bg_kf", (Role.AUTHORITY, {"program": program, "region": world.kaifeng}))
    province = make_user("bg_sec", (Role.SECRETARIAT, {"program": program}))
    app = world.new_app(campaign=world.benchmark_campaign)
    step(app, "submit", world.owner)
    assert who_may(app, "recommend", [zz_industry, kf_industry, province, world.authority]) == {"bg_zz"}
    client.force_login(kf_industry)
    assert client.get(reverse("applications:detail", args=[app.pk])).status_code == 404
    complete_sample_prereview(application=app, actor=Actor(user=zz_industry))
    step(app, "recommend", zz_industry)
    step(app, "start_eligibility_review", province)
    tick_exclusions(app, province)
    step(app, "accept", province)
    for stage in ("open_acceptance_publicity", "start_material_review", "propose"):
        assert refused(app, stage, province, tier=program.profile.tiers.first()) is workflow.InvalidTransition
    client.force_login(province)
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "推荐参加全国遴选" in page and "不予推荐" in page and ">授奖<" not in page
    step(app, "award", province, tier=program.profile.tiers.first())
    assert app.state == State.AWARDED
    assert app.get_state_display() == "已推荐参加全国遴选"
    assert "推荐上报" in program.profile.procedure_end
    # the national body selects; the province hands out no certificate
    assert not app.documents.filter(kind=GeneratedDocument.Kind.CERTIFICATE).exists()
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "已推荐参加全国遴选" in page and "获奖证书" not in page and "已授奖" not in page
    # no expert stages, so no review report or ranking to link to; and the notice provides for no revocation
    assert "评审报告" not in page and "本届评审排名" not in page and "撤销奖励" not in page


def test_2_in_principle_at_most_one_per_recommender(world):
    """通知二: 原则上最多只推荐1个 — a second recommendation is refused until the recommender writes why."""
    from review.prereview import services as prereview

    program = world.benchmark
    zz_industry = make_user("bg_zz2", (Role.AUTHORITY, {"program": program, "region": world.zhengzhou}))
    first, second = (world.new_app(campaign=world.benchmark_campaign, name=n) for n in ("标杆甲公司", "标杆乙公司"))
    for app in (first, second):
        step(app, "submit", world.owner)
        complete_sample_prereview(application=app, actor=Actor(user=zz_industry))
    prereview.recommend(application=first, actor=Actor(user=zz_industry))
    assert refused(second, "recommend", zz_industry) is workflow.GuardFailed
    prereview.recommend(application=second, actor=Actor(user=zz_industry), quota_reason="两家分属不同行业，均为历年河南省质量标杆。")
    second.refresh_from_db()
    assert second.state == State.RECOMMENDED


# --- recommenders (通知抬头、三; 附件3) -----------------------------------------------------------------------
def _route(app, owner, route, **filings):
    from applications.forms import services as fs
    from applications.models import ApplicationSection

    row = ApplicationSection.objects.filter(application=app, code="route").first()
    result = fs.save_section(application=app, code="route", data={"route": route, **filings},
                             base_version=row.version if row else 0, actor=Actor(user=owner))
    assert not result.errors, result.errors
    return result


def _other_unit(program, name):
    from applications.models import RecommendingUnit

    return RecommendingUnit.objects.get(profile__program=program, kind="other", name=name)


def test_header_3_every_local_department_the_notice_addresses_recommends_and_attachment_3_lists_the_others(world):
    """通知抬头: 各省辖市、济源示范区、省直管县（市）工业和信息化主管部门，郑州航空港经济综合实验区经济发展局; 附件3: the 12
    other recommending units."""
    from applications.models import RecommendingUnit

    units = RecommendingUnit.objects.filter(profile__program=world.benchmark)
    local = {u.region.name for u in units.filter(kind="local")}
    assert len(local) == 17 + 1 + 1 + 10
    assert {"郑州市", "驻马店市", "济源示范区", "郑州航空港经济综合实验区"} <= local
    assert {"巩义市", "兰考县", "汝州市", "滑县", "长垣市", "邓州市", "永城市", "固始县", "鹿邑县", "新蔡县"} <= local
    assert "郑州航空港经济综合实验区经济发展局" in set(units.values_list("name", flat=True))
    others = list(units.filter(kind="other").order_by("order").values_list("name", flat=True))
    assert len(others) == 12 and others[0] == "中国机械工业联合会" and others[-1] == "中国质量协会"
    # the other programs list none: their region hierarchy is unchanged
    assert not RecommendingUnit.objects.exclude(profile__program=world.benchmark).exists()


def test_header_3_gongyi_recommends_on_its_own_and_is_not_in_zhengzhous_quota(world, client):
    """通知抬头 addresses 省直管县（市） directly: 巩义市's department sees and recommends its applicants, 郑州市's
    does not, and each has its own 原则上 1 (通知三)."""
    from conformance_support import new_application
    from qualityaward.accounts.models import Region
    from review.prereview import services as prereview

    program = world.benchmark
    gongyi = Region.objects.get(code="410181")
    zz_industry = make_user("bq_zz", (Role.AUTHORITY, {"program": program, "region": world.zhengzhou}))
    gy_industry = make_user("bq_gy", (Role.AUTHORITY, {"program": program, "region": gongyi}))
    zz_app = world.new_app(campaign=world.benchmark_campaign, name="郑州标杆公司")
    gy_app = new_application(world, world.benchmark_campaign, gongyi, "巩义标杆机械有限公司", "GYBG0001")
    for app in (zz_app, gy_app):
        step(app, "submit", app.owner)
    assert who_may(gy_app, "recommend", [zz_industry, gy_industry]) == {"bq_gy"}
    client.force_login(zz_industry)
    assert client.get(reverse("applications:detail", args=[gy_app.pk])).status_code == 404
    for app, bureau in ((zz_app, zz_industry), (gy_app, gy_industry)):
        complete_sample_prereview(application=app, actor=Actor(user=bureau))
        prereview.recommend(application=app, actor=Actor(user=bureau))  # each its first: no reason asked
        app.refresh_from_db()
        assert app.state == State.RECOMMENDED


def test_3_an_applicant_may_go_through_an_attachment_3_unit_and_should_file_with_the_local_department_and_province(
        world, client):
    """通知三: 企业还可以通过其他推荐单位（附件3）申报；通过其他推荐单位申报的应向当地工信部门、省工业和信息化厅报备. The
    filing is recorded on the application (to whom, when, which document); without it the applicant is warned and
    the secretariat decides at eligibility — the notice sets no consequence, so submission stays open. Such an
    application is not the local department's: the unit's own account pre-reviews and recommends it (see
    ``test_3_the_attachment_3_units_own_account_recommends_…``); neither the local quota nor the 历年质量标杆 list
    applies."""
    from applications.recommenders import filing_summary
    from review.eligibility.services import FLAG, PASS, facts_for
    from review.prereview import services as prereview

    program = world.benchmark
    unit = _other_unit(program, "中国机械工业联合会")
    zz_industry = make_user("bf_zz", (Role.AUTHORITY, {"program": program, "region": world.zhengzhou}))
    association = make_user("bf_cmif", (Role.AUTHORITY, {"recommending_unit": unit}))
    app = world.new_app(campaign=world.benchmark_campaign, name="通过行业协会申报的公司")
    result = _route(app, world.owner, f"unit-{unit.pk}")
    assert any("应向当地工信部门、省工业和信息化厅报备" in w for w in result.warnings)
    step(app, "submit", world.owner)  # not refused for the missing filing
    ok, message = filing_summary(app)
    assert not ok and "尚未登记向当地工信部门、省工业和信息化厅报备" in message
    assert prereview.check_other_unit_filing(facts_for(app)).status == FLAG
    client.force_login(world.owner)
    assert "尚未登记向当地工信部门" in client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    client.force_login(zz_industry)  # the local department it files with sees it, marked as not stopping anything
    body = client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()
    assert "报备（不影响推荐）：通过其他推荐单位（中国机械工业联合会）申报，尚未登记" in body

    step(app, "return_for_correction", association, reason="请登记报备", sections=["route"])
    _route(app, world.owner, f"unit-{unit.pk}", filed_to_1="郑州市工业和信息化局", filed_on_1="2026-11-10",
           filed_doc_1="关于通过中国机械工业联合会申报的报备函", filed_on_2="2026-11-11", filed_doc_2="报备函")
    step(app, "resubmit", world.owner)
    ok, message = filing_summary(app)
    assert ok and "2026-11-10 向郑州市工业和信息化局报备（关于通过中国机械工业联合会申报的报备函）" in message
    assert prereview.check_other_unit_filing(facts_for(app)).status == PASS

    # not the local department's quota, and not checked against the list (no entry for this company)
    from review.prereview.models import CandidatePoolEntry

    first = world.new_app(campaign=world.benchmark_campaign, name="本地推荐的公司")
    step(first, "submit", world.owner)
    complete_sample_prereview(application=first, actor=Actor(user=zz_industry))
    prereview.recommend(application=first, actor=Actor(user=zz_industry))
    complete_sample_prereview(application=app, actor=Actor(user=association))
    CandidatePoolEntry.objects.filter(credit_code=world.org.credit_code).delete()
    prereview.recommend(application=app, actor=Actor(user=association))  # no quota reason, not on the list
    app.refresh_from_db()
    assert app.state == State.RECOMMENDED


def test_3_the_attachment_3_units_own_account_recommends_and_the_local_department_only_receives_the_filing(
        world, client):
    """通知三: 企业还可以通过其他推荐单位（附件3）申报 — that unit 对申报材料进行初审后，签署推荐意见: a 推荐单位 account
    granted for the unit sees exactly the applications routed through it, pre-reviews, signs and recommends them; the
    local 工信部门 (通过其他推荐单位申报的应向当地工信部门报备) reads the application and its filing but is refused every
    step, and does not list it as its work; another 附件3 unit sees nothing of it."""
    from applications.models import Application
    from review.prereview import services as prereview

    program = world.benchmark
    unit = _other_unit(program, "中国机械工业联合会")
    association = make_user("bu_cmif", (Role.AUTHORITY, {"recommending_unit": unit}))
    steel = make_user("bu_steel", (Role.AUTHORITY, {"recommending_unit": _other_unit(program, "中国钢铁工业协会")}))
    zz_industry = make_user("bu_zz", (Role.AUTHORITY, {"program": program, "region": world.zhengzhou}))
    province = make_user("bu_sec", (Role.SECRETARIAT, {"program": program}))
    app = world.new_app(campaign=world.benchmark_campaign, name="经机械工业联合会申报的公司")
    _route(app, world.owner, f"unit-{unit.pk}", filed_to_1="郑州市工业和信息化局", filed_on_1="2026-11-10",
           filed_on_2="2026-11-11")
    local = world.new_app(campaign=world.benchmark_campaign, name="经郑州市工信局申报的公司")
    for a in (app, local):
        step(a, "submit", world.owner)
    assert who_may(app, "recommend", [association, steel, zz_industry, province]) == {"bu_cmif"}
    assert who_may(app, "return_for_correction", [association, steel, zz_industry]) == {"bu_cmif"}
    assert who_may(local, "recommend", [association, steel, zz_industry]) == {"bu_zz"}

    # the unit's account: its list holds exactly its applications, the workspace is its own
    client.force_login(association)
    body = client.get(reverse("review:prereview_list")).content.decode()
    assert app.applicant_name in body and local.applicant_name not in body
    assert client.get(reverse("applications:detail", args=[local.pk])).status_code == 404
    assert "推荐上报秘书处" in client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()

    # another 附件3 unit: a stranger to it
    client.force_login(steel)
    assert client.get(reverse("applications:detail", args=[app.pk])).status_code == 404
    assert client.get(reverse("review:prereview_detail", args=[app.pk])).status_code == 404

    # the local department: reads the filing, lists it not as its work, and is refused with the reason
    client.force_login(zz_industry)
    body = client.get(reverse("review:prereview_list")).content.decode()
    assert local.applicant_name in body and app.applicant_name not in body
    assert "2026-11-10 向郑州市工业和信息化局报备" in client.get(
        reverse("applications:detail", args=[app.pk])).content.decode()
    body = client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()
    assert "由该单位初审并签署推荐意见；当地推荐单位只接收报备" in body
    assert "报备（不影响推荐）：通过其他推荐单位（中国机械工业联合会）申报：2026-11-10" in body
    assert "推荐上报秘书处" not in body
    response = client.post(reverse("review:prereview_recommend", args=[app.pk]))
    assert response.status_code == 403
    with pytest.raises(workflow.NotPermitted) as refusal:
        workflow.perform(application=app, name="recommend", actor=Actor(user=zz_industry))
    assert "通过其他推荐单位（中国机械工业联合会）申报，由该单位初审并签署推荐意见" in refusal.value.message
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied) as refusal:
        complete_sample_prereview(application=app, actor=Actor(user=zz_industry))
    assert "当地推荐单位只接收报备" in str(refusal.value)

    # the unit signs its opinion and recommends through its own workspace
    complete_sample_prereview(application=app, actor=Actor(user=association))
    client.force_login(association)
    response = client.post(reverse("review:prereview_recommend", args=[app.pk]))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == State.RECOMMENDED
    assert prereview.current_opinion(app).signed_by == association
    assert Application.objects.get(pk=local.pk).state == State.SUBMITTED


def test_3_in_principle_at_most_one_per_attachment_3_unit_too(world):
    """通知三 原则上最多只推荐1个 binds each recommending unit: a 附件3 unit's second recommendation asks for the written
    reason; it is neither counted by nor counts against the local department, nor another 附件3 unit."""
    from review.prereview import services as prereview
    from review.prereview.selectors import quota_usage

    program = world.benchmark
    unit, steel_unit = _other_unit(program, "中国机械工业联合会"), _other_unit(program, "中国钢铁工业协会")
    association = make_user("bv_cmif", (Role.AUTHORITY, {"recommending_unit": unit}))
    steel = make_user("bv_steel", (Role.AUTHORITY, {"recommending_unit": steel_unit}))
    zz_industry = make_user("bv_zz", (Role.AUTHORITY, {"program": program, "region": world.zhengzhou}))
    first, second, third, local = (world.new_app(campaign=world.benchmark_campaign, name=n)
                                   for n in ("协会甲公司", "协会乙公司", "钢协丙公司", "本地丁公司"))
    for app, route in ((first, unit), (second, unit), (third, steel_unit)):
        _route(app, world.owner, f"unit-{route.pk}")
    for app in (first, second, third, local):
        step(app, "submit", world.owner)
    for app, recommender in ((first, association), (second, association), (third, steel), (local, zz_industry)):
        complete_sample_prereview(application=app, actor=Actor(user=recommender))
    prereview.recommend(application=first, actor=Actor(user=association))
    assert quota_usage(second) == (1, 1)
    assert quota_usage(third) == (0, 1) and quota_usage(local) == (0, 1)
    with pytest.raises(workflow.GuardFailed) as refusal:
        prereview.recommend(application=second, actor=Actor(user=association))
    assert "原则上每个推荐单位本届最多推荐 1 个，您已推荐 1 个" in refusal.value.message
    for app, recommender in ((third, steel), (local, zz_industry)):
        prereview.recommend(application=app, actor=Actor(user=recommender))  # each its first: no reason asked
    prereview.recommend(application=second, actor=Actor(user=association), quota_reason="两家分属不同行业。")
    for app in (second, third, local):
        app.refresh_from_db()
        assert app.state == State.RECOMMENDED


# --- the 历年河南省质量标杆 list (通知三) ----------------------------------------------------------------------
def test_3_the_local_department_selects_from_the_list_of_past_henan_quality_benchmarks(world, client):
    """通知三: 各地工信部门“在历年河南省质量标杆（含2020年向省工业和信息化厅推荐的质量标杆）中筛选和推荐上报” —
    the notice says it without 原则上, so a company not on the secretariat's list is refused; once listed, it is
    recommended. The list is the province secretariat's (页面 and import), nobody else's."""
    from review.prereview import pool
    from review.prereview import services as prereview
    from review.prereview.models import CandidatePoolEntry

    program = world.benchmark
    province = make_user("bp_sec", (Role.SECRETARIAT, {"program": program}))
    zz_industry = make_user("bp_zz", (Role.AUTHORITY, {"program": program, "region": world.zhengzhou}))
    app = world.new_app(campaign=world.benchmark_campaign)
    step(app, "submit", world.owner)
    complete_sample_prereview(application=app, actor=Actor(user=zz_industry))
    CandidatePoolEntry.objects.filter(program=program).delete()
    with pytest.raises(workflow.GuardFailed) as refusal:
        prereview.recommend(application=app, actor=Actor(user=zz_industry), pool_reason="确有推广价值")
    assert "不在历年河南省质量标杆" in refusal.value.message and "联系秘书处" in refusal.value.message
    assert any(label == "推荐对象名单" and not ok for label, ok, _m in prereview.readiness(app))

    client.force_login(zz_industry)  # the bureau neither sees nor keeps the list
    assert client.get(reverse("review:pool_list", args=[program.code])).status_code == 404
    client.force_login(province)
    response = client.post(reverse("review:pool_list", args=[program.code]), {
        "entry-name": world.org.name, "entry-credit_code": world.org.credit_code, "entry-year": "2026",
        "entry-title": "实施六西格玛设计的经验", "entry-status": "recommended"})
    assert response.status_code == 302
    assert pool.pool_status(app)[0] is True
    prereview.recommend(application=app, actor=Actor(user=zz_industry))
    app.refresh_from_db()
    assert app.state == State.RECOMMENDED


# --- the commitment (通知二（四）) --------------------------------------------------------------------------
def test_2_4_the_applicant_commits_to_share_its_experience_and_the_word_copy_prints_it(world):
    """通知二（四）: 承诺被遴选为全国质量标杆后，积极参与相关的分享交流活动 — a required declaration of the form,
    printed in the Word copy like the other declarations; the other programs do not ask it."""
    from io import BytesIO

    import docx

    from applications.documents.docx import build_docx
    from applications.forms import services as fs
    from applications.forms.spec import form_for
    from applications.models import ApplicationSection

    app = world.new_app(campaign=world.benchmark_campaign)
    declaration = form_for(app).section("declaration")
    commitment = next(f for f in declaration.items if f.key == "commitment")
    assert commitment.required and commitment.choices[0][1] == "本单位承诺被遴选为全国质量标杆后，积极参与相关的分享交流活动"
    row = ApplicationSection.objects.get(application=app, code="declaration")
    fs.save_section(application=app, code="declaration", data={**row.data, "commitment": ""},
                    base_version=row.version, actor=Actor(user=world.owner))
    assert refused(app, "submit", world.owner) is workflow.GuardFailed
    row.refresh_from_db()
    fs.save_section(application=app, code="declaration", data={**row.data, "commitment": "confirmed"},
                    base_version=row.version, actor=Actor(user=world.owner))
    text = "\n".join(p.text for p in docx.Document(BytesIO(build_docx(application=app))).paragraphs) + "\n".join(
        c.text for t in docx.Document(BytesIO(build_docx(application=app))).tables for r in t.rows for c in r.cells)
    assert "积极参与相关的分享交流活动" in text
    step(app, "submit", world.owner)
    other = world.new_app()
    assert not any(f.key == "commitment" for f in form_for(other).section("declaration").items)
