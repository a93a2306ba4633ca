"""Who recommends an application (applications/recommenders.py): where a program lists its local recommending
units (全国质量标杆 通知抬头), a listed 省直管县（市） under a listed city recommends on its own — access (predicate and
queryset alike), the bureau's list and the quota follow; elsewhere the region hierarchy is unchanged."""
import pytest

from applications import recommenders, rules, workflow
from applications.models import RecommendingUnit, State
from applications.selectors import applications_for_user
from conformance_support import make_user, new_application
from demo.review import complete_sample_prereview
from qualityaward.accounts.models import Region, Role
from qualityaward.accounts.services import Actor
from review.prereview.selectors import quota_usage

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench(world):
    gongyi = Region.objects.get(code="410181")
    town = Region.objects.filter(parent=gongyi).first()  # one of 巩义's towns: still 巩义's, not 郑州's
    zz = make_user("rc_zz", (Role.AUTHORITY, {"program": world.benchmark, "region": world.zhengzhou}))
    gy = make_user("rc_gy", (Role.AUTHORITY, {"program": world.benchmark, "region": gongyi}))
    zz_app = world.new_app(campaign=world.benchmark_campaign, name="郑州本地公司")
    gy_app = new_application(world, world.benchmark_campaign, gongyi, "巩义某机械有限公司", "GYRC0001")
    town_app = new_application(world, world.benchmark_campaign, town, "巩义镇上某公司", "GYRC0002")
    for app in (zz_app, gy_app, town_app):
        workflow.perform(application=app, name="submit", actor=Actor(user=app.owner))
    return type("Bench", (), {"zz": zz, "gy": gy, "zz_app": zz_app, "gy_app": gy_app, "town_app": town_app,
                              "gongyi": gongyi})


def test_the_nearest_listed_region_recommends(world, bench):
    assert recommenders.recommender_region_id(bench.zz_app) == world.zhengzhou.pk
    assert recommenders.recommender_region_id(bench.gy_app) == bench.gongyi.pk
    assert recommenders.recommender_region_id(bench.town_app) == bench.gongyi.pk
    # a program without listed units: none (the region hierarchy applies)
    assert recommenders.recommender_region_id(world.new_app()) is None


def test_access_by_predicate_and_by_queryset_agree(world, bench):
    for user, mine in ((bench.zz, {bench.zz_app}), (bench.gy, {bench.gy_app, bench.town_app})):
        listed = set(applications_for_user(user=user).filter(campaign=world.benchmark_campaign))
        assert listed == mine, user
        for app in (bench.zz_app, bench.gy_app, bench.town_app):
            assert rules.can_view(user, app) == (app in mine), (user, app)


def test_the_city_still_covers_its_counties_where_the_program_lists_no_units(world):
    """000 keeps the region hierarchy: 郑州's bureau sees an applicant from 巩义."""
    gongyi = Region.objects.get(code="410181")
    app = new_application(world, world.campaign, gongyi, "巩义培育申报公司", "GYRC0003")
    workflow.perform(application=app, name="submit", actor=Actor(user=app.owner))
    assert rules.can_view(world.authority, app)
    assert applications_for_user(user=world.authority).filter(pk=app.pk).exists()


def test_each_listed_recommender_counts_its_own_quota(world, bench):
    complete_sample_prereview(application=bench.zz_app, actor=Actor(user=bench.zz))
    workflow.perform(application=bench.zz_app, name="recommend", actor=Actor(user=bench.zz))
    assert quota_usage(bench.gy_app) == (0, 1)  # 郑州's recommendation is not 巩义's
    complete_sample_prereview(application=bench.gy_app, actor=Actor(user=bench.gy))
    workflow.perform(application=bench.gy_app, name="recommend", actor=Actor(user=bench.gy))
    assert quota_usage(bench.town_app) == (1, 1)
    complete_sample_prereview(application=bench.town_app, actor=Actor(user=bench.gy))
    with pytest.raises(workflow.GuardFailed) as refusal:
        workflow.perform(application=bench.town_app, name="recommend", actor=Actor(user=bench.gy))
    assert "原则上每个推荐单位本届最多推荐 1 个，您已推荐 1 个" in refusal.value.message
    bench.town_app.refresh_from_db()
    assert bench.town_app.state == State.SUBMITTED


def test_a_county_listed_under_its_city_is_left_out_of_the_citys_area(world):
    gongyi = Region.objects.get(code="410181")
    listed = recommenders.listed_region_ids(world.benchmark.pk)
    area = set(Region.objects.filter(pk__in=recommenders.area_regions(world.zhengzhou.pk, listed))
               .values_list("pk", flat=True))
    assert world.zhengzhou.pk in area and gongyi.pk not in area
    assert not area & set(Region.objects.filter(parent=gongyi).values_list("pk", flat=True))
    assert Region.objects.get(code="410105").pk in area  # 金水区 is 郑州's


def test_the_route_question_lists_the_other_units_of_attachment_3(world):
    choices = recommenders.route_choices(world.benchmark.profile)
    assert choices[0] == ("local", "通过所在地推荐单位申报")
    assert len(choices) == 13 and choices[-1][1] == "通过其他推荐单位申报：中国质量协会"
    assert recommenders.route_choices(world.cultivation.profile) == ()
    assert recommenders.filing_targets(world.benchmark.profile) == ["当地工信部门", "省工业和信息化厅"]
    assert RecommendingUnit.objects.filter(kind="local", region__isnull=True).count() == 0


# --- the other units' own accounts (通知三 企业还可以通过其他推荐单位（附件3）申报) ------------------------------------------
def _routed(world, name, code, unit, region=None):
    from applications.forms import services as fs
    from applications.models import ApplicationSection

    app = new_application(world, world.benchmark_campaign, region or world.zhengzhou, name, code)
    row = ApplicationSection.objects.filter(application=app, code="route").first()
    result = fs.save_section(application=app, code="route", data={"route": f"unit-{unit.pk}"},
                             base_version=row.version if row else 0, actor=Actor(user=app.owner))
    assert not result.errors, result.errors
    return app


@pytest.fixture
def units(world, bench):
    cmif, steel = (RecommendingUnit.objects.get(profile__program=world.benchmark, kind="other", name=n)
                   for n in ("中国机械工业联合会", "中国钢铁工业协会"))
    cmif_user = make_user("rc_cmif", (Role.AUTHORITY, {"recommending_unit": cmif}))
    steel_user = make_user("rc_steel", (Role.AUTHORITY, {"recommending_unit": steel}))
    zz_routed = _routed(world, "郑州经机械联合会申报公司", "RCUN0001", cmif)
    gy_routed = _routed(world, "巩义经机械联合会申报公司", "RCUN0002", cmif, region=bench.gongyi)
    draft = _routed(world, "尚未提交的协会申报", "RCUN0003", cmif)
    for app in (zz_routed, gy_routed):
        workflow.perform(application=app, name="submit", actor=Actor(user=app.owner))
    return type("Units", (), {"cmif": cmif, "steel": steel, "cmif_user": cmif_user, "steel_user": steel_user,
                              "zz_routed": zz_routed, "gy_routed": gy_routed, "draft": draft})


def test_an_other_units_account_reaches_exactly_the_applications_routed_through_it(world, bench, units):
    """Predicate and queryset agree: the unit sees its routed applications from any region (never a draft), the
    local department keeps its own and reads the routed ones only as the filing it receives."""
    everyone = (bench.zz_app, bench.gy_app, bench.town_app, units.zz_routed, units.gy_routed, units.draft)
    expected = {
        units.cmif_user: {units.zz_routed: ["authority"], units.gy_routed: ["authority"]},
        units.steel_user: {},
        bench.zz: {bench.zz_app: ["authority"], units.zz_routed: ["filing"]},
        bench.gy: {bench.gy_app: ["authority"], bench.town_app: ["authority"], units.gy_routed: ["filing"]},
    }
    for user, held in expected.items():
        user = type(user).objects.get(pk=user.pk)
        listed = set(applications_for_user(user=user).filter(campaign=world.benchmark_campaign))
        assert listed == set(held), user
        for app in everyone:
            assert rules.can_view(user, app) == (app in held), (user, app)
            assert rules.relationships_held(user, app) == held.get(app, []), (user, app)
            assert rules.is_region_authority(user, app) == (held.get(app) == ["authority"]), (user, app)
        authority_list = set(applications_for_user(user=user).filter(rules.relationship_q("authority", user)))
        assert authority_list == {a for a, names in held.items() if names == ["authority"]}, user


def test_a_route_is_the_units_only_when_it_names_the_unit_exactly(world, units):
    from applications.models import ApplicationSection

    row = ApplicationSection.objects.get(application=units.zz_routed, code="route")
    row.data = {**row.data, "route": f"unit-0{units.cmif.pk}"}
    row.save()
    assert recommenders.other_unit_of(units.zz_routed) is None
    assert not rules.can_view(units.cmif_user, units.zz_routed)
    assert not applications_for_user(user=units.cmif_user).filter(pk=units.zz_routed.pk).exists()


def test_each_other_unit_counts_its_own_recommendations(world, bench, units):
    """通知三 原则上最多只推荐1个 per recommender: the unit's recommendations count for the unit, not for the local
    departments of its applicants, and not for another unit."""
    complete_sample_prereview(application=units.zz_routed, actor=Actor(user=units.cmif_user))
    workflow.perform(application=units.zz_routed, name="recommend", actor=Actor(user=units.cmif_user))
    assert quota_usage(units.gy_routed) == (1, 1)
    assert quota_usage(bench.zz_app) == (0, 1) and quota_usage(bench.gy_app) == (0, 1)
    steel_app = _routed(world, "郑州经钢协申报公司", "RCUN0004", units.steel)
    assert quota_usage(steel_app) == (0, 1)
    complete_sample_prereview(application=units.gy_routed, actor=Actor(user=units.cmif_user))
    with pytest.raises(workflow.GuardFailed) as refusal:
        workflow.perform(application=units.gy_routed, name="recommend", actor=Actor(user=units.cmif_user))
    assert "您已推荐 1 个" in refusal.value.message
    workflow.perform(application=units.gy_routed, name="recommend", actor=Actor(user=units.cmif_user),
                     quota_reason="两家分属不同行业。")


def test_the_local_department_is_refused_the_units_steps_with_the_reason(world, bench, units):
    for name in ("recommend", "return_for_correction"):
        with pytest.raises(workflow.NotPermitted) as refusal:
            workflow.perform(application=units.zz_routed, name=name, actor=Actor(user=bench.zz), reason="补正")
        assert "通过其他推荐单位（中国机械工业联合会）申报，由该单位初审并签署推荐意见；当地推荐单位只接收报备" in \
            refusal.value.message
    units.zz_routed.refresh_from_db()
    assert units.zz_routed.state == State.SUBMITTED
