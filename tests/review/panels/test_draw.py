"""Panel draws: size bounds, every kind of conflict excluded with its reason, the maximum load,
reproducibility from the seed, refusals that change nothing, group draws and replacements."""
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from applications.models import State
from qualityaward.accounts.services import Actor
from review.panels import services as ex
from review.panels.models import ExpertRelationship, Panel, PanelDraw, PanelMember, Recusal


@pytest.fixture
def accepted(world, drive):
    return drive(world.new_app(), State.ACCEPTED)


def _draw(world, apps, **kw):
    kw.setdefault("size", 3)
    kw.setdefault("reserves", 2)
    kw.setdefault("witness_name", "监督组 王某")
    return ex.draw_panel(actor=Actor(user=world.secretariat), campaign=world.campaign,
                         applications=apps if isinstance(apps, list) else [apps], stage=Panel.Stage.MATERIAL, **kw)


def _seated_profiles(draw):
    return draw.result["members"]


def test_a_draw_seats_leader_members_and_reserves_and_records_everything(world, accepted, pool,
                                                                        django_capture_on_commit_callbacks):
    experts = pool(8, specialties=["C"])
    with django_capture_on_commit_callbacks(execute=True):
        draw = _draw(world, accepted, seed="20260101")
    panel = Panel.objects.get(application=accepted, stage=Panel.Stage.MATERIAL)
    roles = sorted(panel.members.values_list("role", flat=True))
    assert roles == ["leader", "member", "member", "reserve", "reserve"]
    assert panel.members.get(role="leader").expert.expert_profile.pk == draw.result["leader"] == draw.result["members"][0]
    assert [p["id"] for p in draw.pool] == sorted(p.pk for p in experts)
    assert draw.seed == "20260101" and draw.witness_name == "监督组 王某" and draw.performed_by == world.secretariat
    assert ex.reproduce(draw) == draw.result["members"] + draw.result["reserves"]
    # the seated experts are told to sign the pledge
    seated = {p.user.email for p in experts if p.pk in draw.result["members"]}
    assert {m.to[0] for m in mail.outbox if "承诺书" in m.body} == seated


@pytest.mark.parametrize("size", [2, 8])
def test_sizes_outside_the_programs_bounds_are_refused(world, accepted, pool, size):
    pool(10)
    with pytest.raises(ValidationError, match="评审组人数应在 3—7 人之间"):
        _draw(world, accepted, size=size)
    assert not Panel.objects.exists() and not PanelDraw.objects.exists()


def test_every_conflict_is_excluded_with_its_reason(world, accepted, pool):
    org = world.org
    same_employer = pool(1, employer=org.name)[0]
    same_code = pool(1, employer="另一名称", employer_credit_code=org.credit_code)[0]
    by_name = pool(1)[0]
    ExpertRelationship.objects.create(expert=by_name, organization_name=org.name, kind="consulting")
    by_code = pool(1)[0]
    ExpertRelationship.objects.create(expert=by_code, organization_name="旧称", credit_code=org.credit_code,
                                      kind="shareholding")
    recused = pool(1)[0]
    Recusal.objects.create(application=accepted, user=recused.user, reason="曾任职")
    member = pool(1)[0]
    org.members.add(member.user)
    inactive = pool(1, is_active=False)[0]
    other_trade = pool(1, specialties=["A"])[0]
    fine = pool(4)
    draw = _draw(world, accepted, size=3, reserves=1)
    reasons = {e["id"]: "；".join(e["reasons"]) for e in draw.exclusions}
    assert "工作单位与申报单位相同" in reasons[same_employer.pk]
    assert "统一社会信用代码与申报单位相同" in reasons[same_code.pk]
    assert "咨询、辅导或培训服务" in reasons[by_name.pk]
    assert "持股或投资" in reasons[by_code.pk]
    assert "已回避该申报" in reasons[recused.pk]
    assert "申报组织成员" in reasons[member.pk]
    pooled = {p["id"] for p in draw.pool}
    assert inactive.pk not in pooled and other_trade.pk not in pooled  # never candidates
    assert set(draw.result["members"] + draw.result["reserves"]) == {p.pk for p in fine}


def test_experts_at_the_maximum_load_are_excluded(world, accepted, drive, pool):
    profile = world.campaign.program.profile
    profile.expert_max_panels = 1
    profile.save()
    pool(3)
    first = _draw(world, accepted, size=3, reserves=0)
    second_app = drive(world.new_app(name="第二家申报单位"), State.ACCEPTED)
    with pytest.raises(ValidationError, match="符合条件的专家只有 0 人"):
        _draw(world, second_app, size=3, reserves=0)
    fresh = pool(3)
    second = _draw(world, second_app, size=3, reserves=0)
    assert set(second.result["members"]) == {p.pk for p in fresh}
    assert all("达到每人上限 1 个" in "".join(e["reasons"]) for e in second.exclusions)
    assert {e["id"] for e in second.exclusions} == set(first.result["members"])


def test_same_major_is_preferred_to_same_section(world, accepted, pool):
    pool(6, specialties=["C"])
    major = pool(3, specialties=["33"])  # the sample application is 3311, in 大类 33
    draw = _draw(world, accepted, size=3, reserves=0)
    assert set(draw.result["members"]) == {p.pk for p in major}


def test_same_seed_same_pool_gives_the_same_panel_and_other_seeds_can_differ(world, accepted, pool):
    pool(10)
    first = _draw(world, accepted, seed="424242")
    result = first.result
    Panel.objects.filter(application=accepted).delete()
    first.delete()
    again = _draw(world, accepted, seed="424242")
    assert again.result == result
    outcomes = set()
    for seed in range(1, 15):
        Panel.objects.filter(application=accepted).delete()
        PanelDraw.objects.all().delete()
        outcomes.add(tuple(_draw(world, accepted, seed=str(seed)).result["members"]))
    assert len(outcomes) > 1


def test_too_few_eligible_experts_is_a_clear_refusal_that_changes_nothing(world, accepted, pool):
    pool(2)
    with pytest.raises(ValidationError) as info:
        _draw(world, accepted, size=3)
    assert "符合条件的专家只有 2 人" in info.value.messages[0] and "不足评审组所需的 3 人" in info.value.messages[0]
    assert not Panel.objects.exists() and not PanelDraw.objects.exists()


def test_a_draw_needs_a_witness_a_valid_seed_and_a_drawable_application(world, accepted, drive, pool):
    pool(5)
    with pytest.raises(ValidationError, match="监督人"):
        _draw(world, accepted, witness_name="")
    with pytest.raises(ValidationError, match="随机种子"):
        _draw(world, accepted, seed="abc")
    draft = world.new_app(name="草稿申报", filled=False)
    with pytest.raises(ValidationError, match="只有已受理"):
        _draw(world, draft)
    _draw(world, accepted)
    with pytest.raises(ValidationError, match="已组建材料评审评审组"):
        _draw(world, accepted)
    with pytest.raises(PermissionDenied):
        ex.draw_panel(actor=Actor(user=world.secretariat_other), campaign=world.campaign, applications=[accepted],
                      stage="material", size=3, witness_name="某")


def test_several_applications_are_drawn_together_only_when_the_program_draws_by_industry(world, accepted, drive, pool):
    other = drive(world.new_app(name="同行业另一家"), State.ACCEPTED)
    pool(6)
    with pytest.raises(ValidationError, match="请一次选择一项申报"):
        _draw(world, [accepted, other])
    profile = world.campaign.program.profile
    profile.panel_drawn_by_industry = True
    profile.save()
    draw = _draw(world, [accepted, other], size=3, reserves=0)
    for app in (accepted, other):
        seated = set(Panel.objects.get(application=app).members.values_list("expert__expert_profile", flat=True))
        assert seated == set(draw.result["members"])
    # one group counts once towards each expert's load
    loads = ex.campaign_loads(world.campaign)
    assert set(loads.values()) == {1}


def test_a_recused_member_is_replaced_by_the_first_reserve_then_at_random(world, accepted, pool):
    pool(7)
    draw = _draw(world, accepted, size=3, reserves=1, seed="7")
    panel = Panel.objects.get(application=accepted)
    leader = panel.members.get(role="leader").expert
    reserve = panel.members.get(role="reserve").expert
    with pytest.raises(ValidationError, match="未回避"):
        ex.draw_replacement(actor=Actor(user=world.secretariat), panel=panel, vacated=leader, witness_name="王某")
    Recusal.objects.create(application=accepted, user=leader, reason="专家申报利害关系：曾提供咨询")
    replacement = ex.draw_replacement(actor=Actor(user=world.secretariat), panel=panel, vacated=leader,
                                      witness_name="王某")
    assert replacement.kind == PanelDraw.Kind.REPLACEMENT and replacement.group == draw
    assert replacement.result["source"] == "reserve" and replacement.replaced_user == leader
    assert panel.members.get(expert=reserve).role == PanelMember.Role.MEMBER
    assert panel.members.filter(role="leader").count() == 1 and not panel.members.filter(expert=leader).exists()
    assert panel.members.filter(role__in=["leader", "member"]).count() == 3
    # no reserve left: one expert is drawn from the pool, never someone already on the panel
    member = panel.members.filter(role="member").first().expert
    Recusal.objects.create(application=accepted, user=member, reason="回避")
    second = ex.draw_replacement(actor=Actor(user=world.secretariat), panel=panel, vacated=member,
                                 witness_name="王某", seed="99")
    assert second.result["source"] == "random" and second.seed == "99"
    newcomer = second.result["members"][0]
    assert newcomer not in draw.result["members"] + draw.result["reserves"]
    assert panel.members.filter(role__in=["leader", "member"]).count() == 3


# --- the pages ---------------------------------------------------------------------------------------
def test_secretariat_draws_through_the_pages_and_prints_the_record(client, world, accepted, pool):
    pool(6)
    client.force_login(world.secretariat)
    page = client.get(reverse("review:panel_campaign", args=[world.campaign.pk]))
    assert page.status_code == 200 and accepted.applicant_name in page.content.decode()
    url = reverse("review:panel_draw", args=[world.campaign.pk])
    form = client.get(url, {"app": accepted.pk, "stage": "material"})
    assert form.status_code == 200 and "3—7 人" in form.content.decode()
    refused = client.post(url, {"app": accepted.pk, "stage": "material", "size": 9, "reserves": 1,
                                "witness_name": "王某"})
    assert refused.status_code == 400 and "评审组人数应在 3—7 人之间" in refused.content.decode()
    done = client.post(url, {"app": accepted.pk, "stage": "material", "size": 3, "reserves": 1, "seed": "123",
                             "witness_name": "王某"})
    draw = PanelDraw.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("review:draw_detail", args=[draw.pk])
    record = client.get(done["Location"]).content.decode()
    assert "123" in record and "王某" in record and "组长" in record and "结果一致" in record


def test_supervisors_see_draws_read_only_and_strangers_get_404(client, world, accepted, pool):
    pool(5)
    draw = _draw(world, accepted)
    campaign_url = reverse("review:panel_campaign", args=[world.campaign.pk])
    draw_url = reverse("review:draw_detail", args=[draw.pk])
    draw_form = reverse("review:panel_draw", args=[world.campaign.pk])
    client.force_login(world.supervisor)
    assert client.get(campaign_url).status_code == 200
    assert client.get(draw_url).status_code == 200
    assert "抽取专家" not in client.get(campaign_url).content.decode()
    assert client.post(draw_form, {"app": accepted.pk, "stage": "material", "size": 3, "reserves": 0,
                                   "witness_name": "x"}).status_code == 403
    panel = Panel.objects.get(application=accepted)
    leader = panel.members.get(role="leader").expert
    Recusal.objects.create(application=accepted, user=leader, reason="回避")
    replace_url = reverse("review:panel_replace", args=[panel.pk, leader.pk])
    assert client.post(replace_url, {"witness_name": "x"}).status_code == 403
    assert PanelDraw.objects.count() == 1
    for name in ["owner", "expert", "authority", "committee", "secretariat_other", "stranger"]:
        client.force_login(getattr(world, name))
        for url in (campaign_url, draw_url, replace_url):
            assert client.get(url).status_code == 404, (name, url)
        assert client.post(draw_form, {"app": accepted.pk}).status_code == 404, name
        assert client.post(replace_url, {"witness_name": "x"}).status_code == 404, name
    assert PanelDraw.objects.count() == 1 and panel.members.filter(expert=leader).exists()
    client.force_login(world.secretariat)
    assert "补充抽取" in client.get(replace_url).content.decode()
    assert client.post(replace_url, {"witness_name": "王某"}).status_code == 302
    assert PanelDraw.objects.filter(kind="replacement").count() == 1


def test_an_individual_applicants_employer_excludes_colleagues_and_the_industry_is_asked_for(world, drive, pool):
    from applications.models import Application
    from demo.content import fill_application
    from applications.services import create_application

    app = create_application(actor=Actor(user=world.stranger), campaign=world.campaign,
                             kind=Application.Kind.INDIVIDUAL, applicant_name="王个人", region=world.zhengzhou)
    fill_application(application=app, actor=Actor(user=world.stranger))
    drive(app, State.ACCEPTED)
    employer = app.sections.get(code="basic").data["employer"]
    colleague = pool(1, employer=employer)[0]
    pool(4)
    with pytest.raises(ValidationError, match="抽取行业"):
        _draw(world, app)  # the individual form has no industry: the secretariat names one
    draw = _draw(world, app, industry_code="C")
    reasons = {e["id"]: "；".join(e["reasons"]) for e in draw.exclusions}
    assert "工作单位与申报人的工作单位相同" in reasons[colleague.pk]
