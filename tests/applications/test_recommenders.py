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
