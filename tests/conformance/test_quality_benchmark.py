"""全国质量标杆推荐（河南） (豫工信办科〔2020〕77号), walked through the services: the local 工信部门 recommends, the
province checks and recommends upward; no expert stages, no publicity."""
from django.urls import reverse

from applications import workflow
from applications.models import State
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
    step(app, "award", province, tier=program.profile.tiers.first())
    assert app.state == State.AWARDED
    assert "推荐上报" in program.profile.procedure_end


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
