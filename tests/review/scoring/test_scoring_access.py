"""Who reaches the scoring screens: every URL of tests/applications/access_entries_scoring.py, person by
person. Strangers, recused and reserve experts, and experts outside the panel get 404; the application's
other viewers 403; the supervisor reads and changes nothing."""
import importlib.util
import pathlib

import pytest
from django.urls import reverse

from applications.models import Application
from qualityaward.accounts.models import AuditEvent
from review.panels.models import Panel, PanelMember
from review.scoring.models import ItemScore, PanelItemScore, ScoreSheet, StageResult

_spec = importlib.util.spec_from_file_location("scoring_setup", pathlib.Path(__file__).with_name("scoring_setup.py"))
S = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(S)
seeded, world, drive, panel_app = S.seeded, S.world, S.drive, S.panel_app
_entries = importlib.util.spec_from_file_location(
    "access_entries_scoring", pathlib.Path(__file__).parents[2] / "applications" / "access_entries_scoring.py")
E = importlib.util.module_from_spec(_entries)
_entries.loader.exec_module(E)

pytestmark = pytest.mark.django_db
PEOPLE = ["owner", "colleague", "stranger", "authority", "authority_other_city", "authority_other_program",
          "secretariat", "secretariat_other", "supervisor", "committee", "expert", "recused_expert",
          "reserve_expert", "grantee", "recused_grantee", "admin"]
VIEWERS = {"owner", "colleague", "authority", "secretariat", "supervisor", "expert", "grantee"}
#: URL -> who gets 200 on GET (the application's other viewers get 403; everyone else 404)
GETS = {
    "review:scoring_panel": {"expert", "secretariat", "supervisor"},
    "review:scoring_sheet": {"expert"},
    "review:scoring_sheet_pdf": {"expert"},
    "review:scoring_report": {"secretariat", "supervisor"},  # the owner once released (test_composite.py)
}
POSTS = ["review:scoring_report_release", "review:scoring_submit", "review:scoring_consensus",
         "review:scoring_correct", "review:scoring_conclude", "review:scoring_onsite"]


def _expected_get(url_name, name):
    if name in GETS[url_name]:
        return 200
    if name == "expert" and url_name == "review:scoring_report":
        return 404  # an expert's only relationship is the seat: the report is not theirs
    return 403 if name in VIEWERS else 404


@pytest.mark.parametrize("url_name", sorted(GETS))
def test_scoring_pages(client, world, panel_app, url_name):
    entry = E.ENTRIES[url_name]
    url = reverse(url_name, args=entry["args"](world, panel_app))
    assert client.get(url).status_code == 302
    for name in PEOPLE:
        client.force_login(getattr(world, name))
        response = client.get(url)
        expected = _expected_get(url_name, name)
        assert response.status_code == expected, (url_name, name, response.status_code)
        if expected == 404:
            assert panel_app.applicant_name not in response.content.decode()


def _snapshot(app):
    return (Application.objects.get(pk=app.pk).state, ScoreSheet.objects.count(), ItemScore.objects.count(),
            PanelItemScore.objects.count(), StageResult.objects.count())


@pytest.mark.parametrize("url_name", POSTS)
def test_scoring_posts_by_anyone_but_the_leader_change_nothing(client, world, panel_app, url_name):
    url = reverse(url_name, args=E.ENTRIES[url_name]["args"](world, panel_app))
    before = _snapshot(panel_app)
    assert client.post(url).status_code == 302
    for name in PEOPLE:
        if name in ("expert", "secretariat") and url_name == "review:scoring_report_release":
            continue  # the secretariat releases (tests/review/scoring/test_composite.py); the expert: see below
        if name == "expert" and url_name != "review:scoring_report_release":
            continue  # the leader's own actions: tests/review/scoring/test_consolidation.py
        client.force_login(getattr(world, name))
        response = client.post(url, {"reason": "测试", "percent": "50", "item": "1"})
        expected = 403 if name in VIEWERS else 404
        assert response.status_code == expected, (url_name, name, response.status_code)
    assert _snapshot(panel_app) == before


def test_an_expert_seated_only_on_another_panel_gets_404(client, world, panel_app):
    other = S.new_experts(1, "onsite")[0]
    onsite = Panel.objects.create(application=panel_app, stage=Panel.Stage.ONSITE)
    S.seat_one(onsite, other, PanelMember.Role.LEADER)
    client.force_login(other)
    for name in ("review:scoring_panel", "review:scoring_sheet", "review:scoring_sheet_pdf"):
        assert client.get(reverse(name, args=[panel_app.pk, "material"])).status_code == 404, name
    assert client.get(reverse("review:scoring_panel", args=[panel_app.pk, "onsite"])).status_code == 200
    assert client.get(reverse("review:scoring_panel", args=[panel_app.pk, "nonsense"])).status_code == 404


@pytest.mark.parametrize("url_name", ["review:ranking_xlsx", "review:score_matrix_xlsx", "review:ranking_declare"])
def test_campaign_pages_are_the_staffs(client, world, panel_app, url_name):
    url = reverse(url_name, args=[panel_app.campaign_id])
    post = url_name == "review:ranking_declare"
    for name in PEOPLE:
        client.force_login(getattr(world, name))
        response = client.post(url, {"applications": [panel_app.pk], "decision": "finalist"}) if post \
            else client.get(url)
        if name == "secretariat":
            expected = 302 if post else 200
        elif name == "supervisor":
            expected = 403 if post else 200
        else:
            expected = 404
        assert response.status_code == expected, (url_name, name, response.status_code)
    panel_app.refresh_from_db()
    assert panel_app.state != "finalist" or AuditEvent.objects.filter(
        action="transition:declare_finalist", actor=world.secretariat).exists()
