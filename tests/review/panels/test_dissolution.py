"""息县 第九条 “当次评审结束后，评审组和监督组自动解散”: an expert reads what the panel scored only until the
campaign's decision (every application of the campaign that had a panel has its outcome,
``review.panels.rules.campaign_decided``); afterwards the application, the score sheets and the panel pages
answer 404, the expert's lists no longer offer them and say why. Scoring itself closed when the stage concluded."""
import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from applications import workflow
from applications.models import State
from applications.rules import can_view
from applications.selectors import applications_for_user
from demo.review import complete_sample_scoring
from qualityaward.accounts.models import Role
from qualityaward.accounts.services import Actor
from review.panels.models import Panel, PanelMember
from review.panels.rules import DISSOLVED, campaign_decided
from review.panels.services import accept_pledge
from review.scoring import services as sc

from conformance_support import make_user


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def _expert_pages(app):
    panel = app.panels.get(stage=Panel.Stage.MATERIAL)
    return [reverse("applications:detail", args=[app.pk]), reverse("applications:form", args=[app.pk]),
            reverse("review:scoring_panel", args=[app.pk, "material"]),
            reverse("review:scoring_sheet", args=[app.pk, "material"]),
            reverse("review:pledge", args=[panel.pk])]


def _sees(user, app):
    user = _fresh(user)
    return can_view(user, app), applications_for_user(user=user).filter(pk=app.pk).exists()


def test_xixian_9_the_panel_keeps_reading_until_the_decision_then_dissolves(client, world, panel_app, drive):
    expert = world.expert
    client.force_login(expert)
    for url in _expert_pages(panel_app):
        assert client.get(url).status_code == 200, url
    complete_sample_scoring(application=panel_app, percent=85)  # the leader concludes the material review
    drive(panel_app, State.FINALIST)
    # the stage has concluded: scoring stays closed, reading stays open (the campaign is not decided)
    panel = Panel.objects.get(application=panel_app, stage=Panel.Stage.MATERIAL)
    sheet = sc.sheet_for(panel=panel, expert=expert)
    with pytest.raises(PermissionDenied, match="评分记录不能再修改"):
        sc.save_sheet(sheet=sheet, data={}, base_version=sheet.version, actor=Actor(user=expert))
    assert not campaign_decided(panel_app.campaign_id)
    assert _sees(expert, panel_app) == (True, True)
    assert client.get(_expert_pages(panel_app)[3]).status_code == 200

    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=False):
        drive(panel_app, State.AWARDED)  # the campaign's decision: its only reviewed application has its outcome
        assert campaign_decided(panel_app.campaign_id)
        assert _sees(expert, panel_app) == (False, False)
        client.force_login(expert)  # a month on: a new session
        for url in _expert_pages(panel_app):
            response = client.get(url)
            assert response.status_code == 404, url
            assert panel_app.applicant_name not in response.content.decode(), url
        # where the expert looks for it: the tasks page and the dashboard say the batch is closed
        tasks = client.get(reverse("review:my_panels")).content.decode()
        assert DISSOLVED in tasks
        assert f'href="{reverse("applications:detail", args=[panel_app.pk])}"' not in tasks
        dashboard = client.get(reverse("dashboard")).content.decode()
        assert DISSOLVED in dashboard and panel_app.applicant_name not in dashboard
        # the offices' and the applicant's access is not the panel's: unchanged
        for user in (world.secretariat, world.owner, world.supervisor):
            assert _sees(user, panel_app) == (True, True)


def test_xixian_9_the_panel_stays_while_another_reviewed_application_waits(world, panel_app, drive):
    other_expert = make_user("expert_b", (Role.EXPERT, {}))
    other = drive(world.new_app(name="同批次另一家申报"), State.MATERIAL_REVIEW)
    other_panel = Panel.objects.create(application=other, stage=Panel.Stage.MATERIAL)
    PanelMember.objects.create(panel=other_panel, expert=other_expert, role=PanelMember.Role.LEADER)
    accept_pledge(panel=other_panel, actor=Actor(user=other_expert), conflict=False)
    complete_sample_scoring(application=panel_app, percent=85)
    drive(panel_app, State.AWARDED)
    # one application still under review: the campaign is not decided, both panels read on
    assert not campaign_decided(panel_app.campaign_id)
    assert _sees(world.expert, panel_app) == (True, True)
    assert _sees(other_expert, other) == (True, True)
    workflow.perform(application=other, name="withdraw", actor=Actor(user=world.owner))
    assert campaign_decided(panel_app.campaign_id)
    assert _sees(world.expert, panel_app) == (False, False)
    assert _sees(other_expert, other) == (False, False)


def test_xixian_9_the_dissolved_panels_expert_is_told_why_on_the_404(client, world, panel_app, drive):
    """息县 第九条: an old link of a dissolved panel's expert still answers 404 (the material is closed as to
    anyone), but the page says the batch has been decided and leads to the expert's tasks; a stranger, the
    recused expert and an unknown application get the plain 404."""
    complete_sample_scoring(application=panel_app, percent=85)
    drive(panel_app, State.FINALIST)
    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=False):
        drive(panel_app, State.AWARDED)
        client.force_login(world.expert)
        for url in _expert_pages(panel_app):
            response = client.get(url)
            body = response.content.decode()
            assert response.status_code == 404, url
            assert DISSOLVED in body and reverse("review:my_panels") in body, url
            assert panel_app.applicant_name not in body, url
        missing = client.get(reverse("applications:detail", args=[panel_app.pk + 1000]))
        assert missing.status_code == 404 and DISSOLVED not in missing.content.decode()
        for user in (world.stranger, world.recused_expert, world.reserve_expert):
            client.force_login(user)
            for url in _expert_pages(panel_app):
                response = client.get(url)
                assert response.status_code == 404, (user, url)
                assert DISSOLVED not in response.content.decode(), (user, url)
