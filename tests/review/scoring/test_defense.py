"""息县 陈述答辩 (profile ``has_defense``): 第十八条 “评审主要包括材料评审、陈述答辩、现场评审” — scheduled and held
between material and on-site review, with the panel's notes (only the material and on-site reviews are scored);
第二十一条 “评委会召开全体会议，组织候选单位（组织）集中进行现场展示和陈述答辩，并采取无记名投票” — recorded before
the ballot opens."""
import datetime as dt
import importlib.util
import pathlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from applications import workflow
from applications.documents.prints import held_stages
from applications.models import State
from procedure_support import score_stage
from qualityaward.accounts.services import Actor
from review.committee import services as committee
from review.scoring import defense

_spec = importlib.util.spec_from_file_location("scoring_setup", pathlib.Path(__file__).with_name("scoring_setup.py"))
S = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(S)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 19)


def _material_done(world):
    app = S.drive_xixian(world, name="息县答辩测试企业有限公司")
    score_stage(app)
    return app


def test_18_no_onsite_review_before_the_defense_is_held(world):
    app = _material_done(world)
    sec = Actor(user=world.secretariat_other)
    with pytest.raises(workflow.GuardFailed, match="陈述答辩尚未安排"):
        workflow.perform(application=app, name="start_onsite_review", actor=sec)
    defense.schedule_defense(application=app, actor=sec, kind=defense.PANEL, scheduled_on=DAY, place="县会议中心")
    with pytest.raises(workflow.GuardFailed, match="尚未登记举行情况"):
        workflow.perform(application=app, name="start_onsite_review", actor=sec)
    with pytest.raises(ValidationError, match="请填写陈述答辩记录"):
        defense.record_defense(application=app, actor=sec, kind=defense.PANEL, held_on=DAY, notes=" ")
    with pytest.raises(ValidationError, match="早于安排日期"):
        defense.record_defense(application=app, actor=sec, kind=defense.PANEL, held_on=DAY - dt.timedelta(days=2),
                               notes="陈述清楚。")
    defense.record_defense(application=app, actor=sec, kind=defense.PANEL, held_on=DAY, notes="陈述清楚，答辩到位。")
    app = workflow.perform(application=app, name="start_onsite_review", actor=sec)
    assert app.state == State.ONSITE_REVIEW
    # the defense belongs between the two reviews: nothing more is recorded once on-site review began
    with pytest.raises(PermissionDenied, match="材料评审后、现场评审前"):
        defense.schedule_defense(application=app, actor=sec, kind=defense.PANEL, scheduled_on=DAY)


def test_18_the_printed_decision_names_the_defense_once_it_was_held(world):
    app = _material_done(world)
    assert "陈述答辩" not in held_stages(app.campaign, [app])
    sec = Actor(user=world.secretariat_other)
    defense.schedule_defense(application=app, actor=sec, kind=defense.PANEL, scheduled_on=DAY)
    assert "陈述答辩" not in held_stages(app.campaign, [app])
    defense.record_defense(application=app, actor=sec, kind=defense.PANEL, held_on=DAY, notes="答辩清楚。")
    assert held_stages(app.campaign, [app])[-2:] == ["材料评审", "陈述答辩"]


def test_18_only_the_programs_secretariat_schedules_and_records(world):
    app = _material_done(world)
    for user in (world.secretariat, world.owner, world.expert):
        with pytest.raises(PermissionDenied):
            defense.schedule_defense(application=app, actor=Actor(user=user), kind=defense.PANEL, scheduled_on=DAY)
    assert defense.defense_of(app, defense.PANEL) is None


def test_the_cultivation_program_has_no_defense(world, drive):
    app = drive(world.new_app(), State.MATERIAL_REVIEW)
    assert not app.campaign.program.profile.has_defense
    with pytest.raises(PermissionDenied, match="未规定陈述答辩"):
        defense.schedule_defense(application=app, actor=Actor(user=world.secretariat), kind=defense.PANEL,
                                 scheduled_on=DAY)
    assert defense.missing(app, defense.PANEL) == ""


def test_21_the_ballot_opens_after_each_candidates_plenary_defense(committee_of):
    c = committee_of("xixian")
    first, second = c.finalist("息县候选甲公司"), c.finalist("息县候选乙公司")
    sec = Actor(user=c.secretariat)
    defense.Defense.objects.filter(application=second, kind=defense.PLENARY).delete()
    with pytest.raises(ValidationError, match="息县候选乙公司.*尚未安排"):
        committee.open_session(campaign=c.campaign, actor=sec, candidates=[(first, c.tiers[0]), (second, c.tiers[0])])
    second.refresh_from_db()
    assert second.state == State.FINALIST
    defense.schedule_defense(application=second, actor=sec, kind=defense.PLENARY, scheduled_on=DAY)
    defense.record_defense(application=second, actor=sec, kind=defense.PLENARY, held_on=DAY,
                           notes="现场展示质量成果，陈述答辩清楚。")
    session = committee.open_session(campaign=c.campaign, actor=sec,
                                     candidates=[(first, c.tiers[0]), (second, c.tiers[0])])
    assert session.candidates.count() == 2


def test_18_21_the_secretariat_records_on_the_defense_page(client, world):
    app = _material_done(world)
    url = reverse("review:defense", args=[app.pk])
    client.force_login(world.secretariat_other)
    assert url in client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    page = client.get(url).content.decode()
    assert "评审组陈述答辩（第十八条）" in page and "尚未安排" in page
    bad = client.post(reverse("review:defense_write", args=[app.pk, "panel", "schedule"]), {"scheduled_on": "明天"})
    assert bad.status_code == 400 and "格式不正确" in bad.content.decode()
    assert defense.defense_of(app, defense.PANEL) is None
    client.post(reverse("review:defense_write", args=[app.pk, "panel", "schedule"]),
                {"scheduled_on": "2026-11-19", "place": "县会议中心"})
    done = client.post(reverse("review:defense_write", args=[app.pk, "panel", "record"]),
                       {"held_on": "2026-11-19", "notes": "陈述清楚，答辩到位。"})
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "县会议中心" in page and "陈述清楚，答辩到位。" in page
    for user in (world.owner, world.authority):
        client.force_login(user)
        assert client.get(url).status_code in (403, 404)
