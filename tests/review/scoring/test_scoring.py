"""The expert's score sheet: 5 % steps and bounds, drafts with conflict detection, freezing on
submission (service, view and database), peers' scores hidden until one's own submission."""
import importlib.util
import pathlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse

from applications import workflow
from qualityaward.accounts.models import AuditEvent
from qualityaward.accounts.services import Actor
from review.scoring import services as svc
from review.scoring.models import ItemScore, ScoreSheet, SheetFrozen

_spec = importlib.util.spec_from_file_location("scoring_setup", pathlib.Path(__file__).with_name("scoring_setup.py"))
S = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(S)
seeded, world, drive, panel_app, scored_panel = S.seeded, S.world, S.drive, S.panel_app, S.scored_panel

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw,expected", [("0", 0), ("5", 5), ("45", 45), ("100", 100), (" 60% ", 60), ("", None),
                                          ("55.0", 55)])
def test_percentages_are_accepted_in_five_percent_steps(raw, expected):
    assert svc.parse_percent(raw) == expected


@pytest.mark.parametrize("raw", ["7", "101", "-5", "105", "abc", "47.5", "NaN", "1e3"])
def test_other_percentages_are_refused_with_a_message(raw):
    with pytest.raises(ValidationError) as exc:
        svc.parse_percent(raw)
    assert "5 的整数倍" in exc.value.messages[0]


def test_the_database_refuses_scores_off_the_five_percent_grid(world, scored_panel):
    sheet = svc.sheet_for(panel=scored_panel, expert=world.expert)
    score = sheet.scores.first()
    for bad in (7, 105):
        with pytest.raises(IntegrityError), transaction.atomic():
            ItemScore.objects.filter(pk=score.pk).update(percent=bad)
    ItemScore.objects.filter(pk=score.pk).update(percent=95)


def test_a_sheet_has_one_row_per_scored_item(world, scored_panel):
    sheet = svc.sheet_for(panel=scored_panel, expert=world.expert)
    codes = list(sheet.scores.order_by("item__category__order", "item__order").values_list("item__code", flat=True))
    assert len(codes) == 23 and codes[0] == "4.1.2" and codes[-1] == "4.7.7"
    assert "4.1.1" not in codes  # summaries carry no points


def test_drafts_save_with_versions_and_a_stale_save_is_a_conflict(world, scored_panel):
    sheet = svc.sheet_for(panel=scored_panel, expert=world.expert)
    first = sheet.scores.select_related("item").first()
    actor = Actor(user=world.expert)
    saved, errors = svc.save_sheet(sheet=sheet, data={str(first.item_id): {"percent": "45", "strengths": "有系统方法"}},
                                   base_version=0, actor=actor)
    assert errors == {} and saved.version == 1
    with pytest.raises(svc.SheetConflict) as exc:  # a second tab still on version 0
        svc.save_sheet(sheet=sheet, data={str(first.item_id): {"percent": "80"}}, base_version=0, actor=actor)
    assert exc.value.current.version == 1
    first.refresh_from_db()
    assert (first.percent, first.strengths) == (45, "有系统方法")


def test_bad_input_writes_nothing_and_names_the_item(world, scored_panel):
    sheet = svc.sheet_for(panel=scored_panel, expert=world.expert)
    a, b = list(sheet.scores.all()[:2])
    saved, errors = svc.save_sheet(sheet=sheet, data={str(a.item_id): {"percent": "40"},
                                                      str(b.item_id): {"percent": "43"}},
                                   base_version=0, actor=Actor(user=world.expert))
    assert list(errors) == [b.item_id] and "5 的整数倍" in errors[b.item_id]
    a.refresh_from_db()
    assert a.percent is None and saved.version == 0


def test_only_the_expert_writes_the_sheet_and_only_during_the_stage(world, scored_panel, drive):
    sheet = svc.sheet_for(panel=scored_panel, expert=world.expert)
    with pytest.raises(PermissionDenied):
        svc.save_sheet(sheet=sheet, data={}, base_version=0, actor=Actor(user=scored_panel.a))
    workflow.perform(application=scored_panel.application, name="disqualify", actor=Actor(user=world.secretariat),
                     reason="异议查实")
    scored_panel.application.refresh_from_db()
    with pytest.raises(PermissionDenied) as exc:
        svc.save_sheet(sheet=sheet, data={}, base_version=0, actor=Actor(user=world.expert))
    assert "不在材料评审阶段" in str(exc.value)


def test_submission_needs_every_item_scored_and_commented(world, scored_panel):
    sheet = S.fill(scored_panel, world.expert, 50, submit=False)
    score = sheet.scores.select_related("item").first()
    svc.save_sheet(sheet=sheet, data={str(score.item_id): {"percent": "", "strengths": "", "opportunities": ""}},
                   base_version=sheet.version, actor=Actor(user=world.expert))
    sheet.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        svc.submit_sheet(sheet=sheet, base_version=sheet.version, actor=Actor(user=world.expert))
    assert f"{score.item.code} {score.item.name}：未评分" in exc.value.messages[0]
    assert ScoreSheet.objects.get(pk=sheet.pk).status == ScoreSheet.Status.DRAFT


def test_a_submitted_sheet_is_frozen_in_the_service_the_model_and_the_database(world, scored_panel):
    sheet = S.fill(scored_panel, world.expert, 60)
    assert sheet.is_submitted and sheet.submitted_at
    assert AuditEvent.objects.filter(action="scoring:submit", object_id=str(scored_panel.application.pk)).exists()
    score = sheet.scores.first()
    with pytest.raises(SheetFrozen):
        svc.save_sheet(sheet=sheet, data={str(score.item_id): {"percent": "90"}}, base_version=sheet.version,
                       actor=Actor(user=world.expert))
    with pytest.raises(SheetFrozen):
        sheet.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        ItemScore.objects.filter(pk=score.pk).update(percent=90)
    with pytest.raises(DatabaseError), transaction.atomic():
        ScoreSheet.objects.filter(pk=sheet.pk).update(status="draft", submitted_at=None)
    with pytest.raises(SheetFrozen):
        sheet.delete()
    score.refresh_from_db()
    assert score.percent == 60


def _sheet_url(app, stage="material"):
    return reverse("review:scoring_sheet", args=[app.pk, stage])


def test_the_sheet_page_saves_shows_the_self_assessment_and_the_band(client, world, scored_panel):
    app = scored_panel.application
    client.force_login(world.expert)
    body = client.get(_sheet_url(app)).content.decode()
    assert "4.1.2 高层领导的作用" in body
    text = svc.self_assessment_texts(app)["4.1.2"]
    assert text[:20] in body  # the applicant's self-assessment for the item, beside the form
    item = S.item("4.1.2")
    response = client.post(_sheet_url(app), {"version": "0", f"percent_{item.pk}": "55",
                                             f"strengths_{item.pk}": "战略与文化落地", f"opportunities_{item.pk}": ""})
    assert response.status_code == 302
    body = client.get(_sheet_url(app)).content.decode()
    band = S.item("4.1.2").category.scheme.bands.get(low=50)
    assert band.process_descriptor[:15] in body  # the descriptor of the band the score falls in


def test_the_sheet_page_answers_a_stale_save_with_409_and_keeps_what_was_typed(client, world, scored_panel):
    app = scored_panel.application
    item = S.item("4.2.2")
    client.force_login(world.expert)
    assert client.post(_sheet_url(app), {"version": "0", f"percent_{item.pk}": "40"}).status_code == 302
    response = client.post(_sheet_url(app), {"version": "0", f"percent_{item.pk}": "70",
                                             f"strengths_{item.pk}": "另一个窗口写的"})
    assert response.status_code == 409
    assert "没有保存" in response.content.decode() and "另一个窗口写的" in response.content.decode()
    assert ItemScore.objects.get(sheet__expert=world.expert, item=item).percent == 40
    autosave = client.post(_sheet_url(app), {"version": "0", f"percent_{item.pk}": "70"}, HTTP_X_AUTOSAVE="1")
    assert autosave.status_code == 409 and autosave.json()["conflict"] is True
    ok = client.post(_sheet_url(app), {"version": "1", f"percent_{item.pk}": "75"}, HTTP_X_AUTOSAVE="1")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert ItemScore.objects.get(sheet__expert=world.expert, item=item).percent == 75


def test_posting_to_a_submitted_sheet_changes_nothing(client, world, scored_panel):
    app = scored_panel.application
    S.fill(scored_panel, world.expert, 35)
    item = S.item("4.1.2")
    client.force_login(world.expert)
    sheet = ScoreSheet.objects.get(panel=scored_panel, expert=world.expert)
    response = client.post(_sheet_url(app), {"version": str(sheet.version), f"percent_{item.pk}": "90"})
    assert response.status_code == 302
    assert ItemScore.objects.get(sheet=sheet, item=item).percent == 35
    assert "已提交" in client.get(_sheet_url(app)).content.decode()
    response = client.post(reverse("review:scoring_submit", args=[app.pk, "material"]), {"version": str(sheet.version)})
    assert response.status_code == 400


def test_peers_scores_stay_hidden_until_the_expert_submits(client, world, scored_panel):
    app = scored_panel.application
    S.fill(scored_panel, scored_panel.a, {"4.1.2": 85})
    panel_url = reverse("review:scoring_panel", args=[app.pk, "material"])
    client.force_login(world.expert)
    for url in (panel_url, _sheet_url(app)):
        body = client.get(url).content.decode()
        assert "专家member0" not in body, url
        assert "<strong>85</strong>" not in body, url
        assert "本组评分" not in body and "各条款评分分布" not in body
    S.fill(scored_panel, world.expert, 50)
    body = client.get(panel_url).content.decode()
    assert "专家member0" in body and "<strong>85</strong>" in body


def test_the_scoring_page_costs_the_same_queries_whatever_the_panel_size(client, world, scored_panel):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from review.panels.models import PanelMember

    app = scored_panel.application
    for expert in (world.expert, scored_panel.a, scored_panel.b):
        S.fill(scored_panel, expert, 50)
    client.force_login(world.expert)
    client.get(_sheet_url(app))
    with CaptureQueriesContext(connection) as small:
        assert client.get(_sheet_url(app)).status_code == 200
    for extra in S.new_experts(4, "more"):
        S.seat_one(scored_panel, extra)
        S.fill(scored_panel, extra, 55)
    with CaptureQueriesContext(connection) as large:
        assert client.get(_sheet_url(app)).status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large]
