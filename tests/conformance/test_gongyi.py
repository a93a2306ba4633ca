"""巩义市市长质量奖 (巩政文〔2023〕21号《巩义市市长质量奖管理办法》), walked through the services: the town (street)
recommends its own applicants, the secretariat reviews, material review can end the road."""
from django.urls import reverse

from applications import workflow
from applications.models import Campaign, Program, State
from conformance_support import (
    consult_departments, make_user, new_application, refused, step, tick_exclusions, who_may,
)
from demo.review import complete_sample_prereview
from qualityaward.accounts.models import Region, Role
from qualityaward.accounts.services import Actor


def _setup(world):
    program = Program.objects.get(code="gongyi")
    campaign = Campaign.objects.get(program=program, is_current=True)
    mihe, zhulin = Region.objects.get(code="410181100"), Region.objects.get(code="410181103")
    return {
        "program": program, "campaign": campaign, "mihe": mihe, "zhulin": zhulin,
        "mihe_town": make_user("gy_mihe", (Role.AUTHORITY, {"program": program, "region": mihe})),
        "zhulin_town": make_user("gy_zhulin", (Role.AUTHORITY, {"program": program, "region": zhulin})),
        "sec": make_user("gy_sec", (Role.SECRETARIAT, {"program": program})),
        # 郑州's bureau for the provincial program has no part in 巩义's award
        "zz_bureau": world.authority,
    }


def test_17_2_each_town_recommends_only_its_own_applicants(world, client):
    """第十七条（二）: 申报组织…向所属镇（街道）提交，镇（街道）初审后推荐 — each town is its own region."""
    g = _setup(world)
    assert g["program"].profile.has_recommender_step
    assert g["mihe"].parent.code == "410181" and g["mihe"].level == Region.Level.TOWN
    app = new_application(world, g["campaign"], g["mihe"], "巩义米河测试铝业有限公司", "GYMH0001")
    step(app, "submit", app.owner)
    people = [g["mihe_town"], g["zhulin_town"], g["sec"], g["zz_bureau"]]
    assert who_may(app, "recommend", people) == {"gy_mihe"}
    assert who_may(app, "return_for_correction", people) == {"gy_mihe"}
    assert who_may(app, "start_eligibility_review", people) == set()
    client.force_login(g["zhulin_town"])
    assert client.get(reverse("applications:detail", args=[app.pk])).status_code == 404
    client.force_login(g["mihe_town"])
    assert client.get(reverse("applications:detail", args=[app.pk])).status_code == 200
    assert refused(app, "recommend", g["zhulin_town"]) is workflow.NotPermitted
    complete_sample_prereview(application=app, actor=Actor(user=g["mihe_town"]))
    step(app, "recommend", g["mihe_town"])
    assert app.state == State.RECOMMENDED


def test_17_3_to_5_the_secretariat_reviews_and_material_review_can_end_it(world):
    """第十七条（三）秘书处资格审查; （四）材料评审; （五）通过材料评审的进入现场评审，未通过的在材料评审止步."""
    g = _setup(world)
    app = new_application(world, g["campaign"], g["zhulin"], "巩义竹林测试耐材有限公司", "GYKL0001")
    step(app, "submit", app.owner)
    complete_sample_prereview(application=app, actor=Actor(user=g["zhulin_town"]))
    step(app, "recommend", g["zhulin_town"])
    assert who_may(app, "start_eligibility_review", [g["sec"], g["zhulin_town"]]) == {"gy_sec"}
    step(app, "start_eligibility_review", g["sec"])
    tick_exclusions(app, g["sec"])
    # 第十七条（三）: 组织有关部门对申报组织进行资格审查 — the secretariat records whom it asked and their answers
    assert refused(app, "accept", g["sec"]) is workflow.GuardFailed
    assert refused(app, "accept", g["zhulin_town"]) is workflow.NotPermitted
    consult_departments(app, g["sec"])
    step(app, "accept", g["sec"])
    profile = g["program"].profile
    assert not profile.has_acceptance_publicity and profile.material_review_eliminates
    step(app, "start_material_review", g["sec"])
    assert app.state == State.MATERIAL_REVIEW
    step(app, "declare_not_finalist", g["sec"], reason="材料评审未通过（第十七条（五））")
    assert app.state == State.NOT_FINALIST
