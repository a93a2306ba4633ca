"""Shared setup of the scoring tests (loaded by each test module; not a conftest, so other review
test files keep their own). Re-exports the ``world`` fixtures of tests/applications/conftest.py."""
import importlib.util
import pathlib

import pytest

from applications import workflow
from review.eligibility.services import ABSENT, exclusion_items, record_exclusions
from demo.review import complete_sample_consultation, complete_sample_defense
from applications.models import RuleProfile, ScoringItem, State
from qualityaward.accounts.models import Role
from qualityaward.accounts.services import Actor
from review.scoring import services as svc
from review.panels.models import Panel, PanelMember


_spec = importlib.util.spec_from_file_location(
    "applications_conftest_for_scoring", pathlib.Path(__file__).parents[2] / "applications" / "conftest.py")
_shared = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_shared)
seeded, world, drive, panel_app = _shared.seeded, _shared.world, _shared.drive, _shared.panel_app
make_user = _shared.make_user


def items_of(app):
    return svc.scored_items(app.campaign.program.profile.scoring_scheme_id)


def new_experts(n, prefix="exp"):
    return [make_user(f"{prefix}{i}", (Role.EXPERT, {}), full_name=f"专家{prefix}{i}") for i in range(n)]


def seat_one(panel, expert, role=PanelMember.Role.MEMBER):
    """Seat ``expert`` and sign the pledge (no conflict), as an expert does before seeing anything."""
    from qualityaward.accounts.services import Actor
    from review.panels.services import accept_pledge

    member = PanelMember.objects.create(panel=panel, expert=expert, role=role)
    accept_pledge(panel=panel, actor=Actor(user=expert), conflict=False)
    return member


def seat(panel, leader, members=()):
    seat_one(panel, leader, PanelMember.Role.LEADER)
    for m in members:
        seat_one(panel, m)


def fill(panel, expert, percents, *, submit=True):
    """Fill (and submit) ``expert``'s sheet: ``percents`` is one percentage for every item, or a dict
    item code -> percentage (others 50)."""
    sheet = svc.sheet_for(panel=panel, expert=expert)
    data = {}
    for item in items_of(panel.application):
        pct = percents.get(item.code, 50) if isinstance(percents, dict) else percents
        data[str(item.pk)] = {"percent": str(pct), "strengths": f"{item.code} 方法系统", "opportunities": "展开不足"}
    sheet, errors = svc.save_sheet(sheet=sheet, data=data, base_version=sheet.version, actor=Actor(user=expert))
    assert errors == {}
    if submit:
        sheet = svc.submit_sheet(sheet=sheet, base_version=sheet.version, actor=Actor(user=expert))
    return sheet


def leader_access(panel):
    leader = panel.members.get(role=PanelMember.Role.LEADER).expert
    return svc.access_for(user=leader, panel=panel), Actor(user=leader)


def consensus_all(panel, percents, reason="经合议形成共识"):
    acc, actor = leader_access(panel)
    for item in items_of(panel.application):
        pct = percents.get(item.code, 50) if isinstance(percents, dict) else percents
        svc.record_panel_score(acc=acc, item=item, percent=str(pct), reason=reason, actor=actor)


def conclude(panel):
    acc, actor = leader_access(panel)
    return svc.conclude(acc=acc, actor=actor)


def set_rule(app, rule, min_experts=5):
    RuleProfile.objects.filter(pk=app.campaign.program.profile.pk).update(aggregation=rule,
                                                                       trimmed_mean_min_experts=min_experts)
    app.campaign.program.profile.refresh_from_db()


def drive_xixian(world, target=State.MATERIAL_REVIEW, name="息县测试企业有限公司"):
    """An application of the 息县 program (30 % + 70 %, finalists at 600) driven to ``target``."""
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county, name=name)
    sec = Actor(user=world.secretariat_other)
    # 息县 第十五、十七条: the applicant submits to the secretariat, no recommender in between
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    workflow.perform(application=app, name="start_eligibility_review", actor=sec)
    record_exclusions(application=app, actor=sec, answers={i.pk: (ABSENT, "") for i in exclusion_items(app)})
    complete_sample_consultation(application=app, actor=sec)  # 息县 第十七条: the departments answered
    workflow.perform(application=app, name="accept", actor=sec)
    names = {State.ACCEPTANCE_PUBLICITY: "open_acceptance_publicity", State.MATERIAL_REVIEW: "start_material_review",
             State.ONSITE_REVIEW: "start_onsite_review"}
    for stage in workflow.enabled_pipeline(app.campaign.program.profile)[1:]:
        if app.state == target:
            break
        if names[stage] == "start_onsite_review":  # 息县 第十八条: 陈述答辩 between material and on-site review
            complete_sample_defense(application=app, actor=sec, kind="panel")
        workflow.perform(application=app, name=names[stage], actor=sec)
        app.refresh_from_db()
    assert app.state == target
    return app


@pytest.fixture
def scored_panel(world, panel_app):
    """The panel application's material panel with the leader (world.expert) and two more members."""
    panel = Panel.objects.get(application=panel_app, stage=Panel.Stage.MATERIAL)
    a, b = new_experts(2, "member")  # usernames long enough not to occur by chance in a page
    seat_one(panel, a)
    seat_one(panel, b)
    panel.application = panel_app
    panel.a, panel.b = a, b
    return panel


def codes_except(*codes):
    """The codes of the scored items but ``codes``."""
    return [i.code for i in ScoringItem.objects.filter(points__gt=0, category__scheme__code="gbt19580-2012").exclude(code__in=codes)]


def item(code):
    return ScoringItem.objects.get(code=code, category__scheme__code="gbt19580-2012")
