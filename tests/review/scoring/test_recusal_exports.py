"""息县 第十条, 巩义 第十八条: whoever stepped aside from an application (回避) learns neither who it is nor what it
scored from the campaign's Excel exports: the ranking keeps its place as "（已回避）", the score matrix, the
corrections and the comment details leave it out. A colleague who did not step aside gets everything."""
import importlib.util
import io
import pathlib

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qualityaward.accounts.models import Role
from review.panels.models import Recusal

_spec = importlib.util.spec_from_file_location("scoring_setup", pathlib.Path(__file__).with_name("scoring_setup.py"))
S = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(S)
seeded, world, drive, panel_app, scored_panel = S.seeded, S.world, S.drive, S.panel_app, S.scored_panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def recused_scores(world, scored_panel):
    """The panel application scored by its three experts and concluded; world.secretariat then steps aside."""
    for expert, pct in ((world.expert, 60), (scored_panel.a, 55), (scored_panel.b, 50)):
        S.fill(scored_panel, expert, pct)
    S.consensus_all(scored_panel, 55)
    S.conclude(scored_panel)
    Recusal.objects.create(application=scored_panel.application, user=world.secretariat,
                           kind=Recusal.Kind.SECRETARIAT, reason="曾在该企业任职")
    world.secretariat_b = S.make_user("secretariat_b", (Role.SECRETARIAT, {"program": world.cultivation}))
    return scored_panel.application


def _workbook(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _cells(sheet):
    return [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]


def test_xixian_10_the_ranking_export_keeps_the_place_without_name_or_scores(client, world, recused_scores):
    url = reverse("review:ranking_xlsx", args=[world.campaign.pk])
    rows = list(_workbook(client, world.secretariat, url)["排名"].iter_rows(values_only=True))
    row = next(r for r in rows[1:] if r[2] == "（已回避）")
    assert row[0] == 1 and all(v is None for v in row[3:])  # the place stays, nothing else
    assert recused_scores.applicant_name not in _cells(_workbook(client, world.secretariat, url)["排名"])
    assert recused_scores.number not in _cells(_workbook(client, world.secretariat, url)["排名"])
    rows = list(_workbook(client, world.secretariat_b, url)["排名"].iter_rows(values_only=True))
    assert rows[1][2] == recused_scores.applicant_name and rows[1][7] is not None


def test_xixian_10_the_score_matrix_and_details_leave_it_out(client, world, recused_scores):
    name = recused_scores.applicant_name
    base = reverse("review:score_matrix_xlsx", args=[world.campaign.pk])
    for url in (base, base + "?detail=1", base + f"?detail=1&application={recused_scores.pk}"):
        wb = _workbook(client, world.secretariat, url)
        for sheet in wb.worksheets:
            cells = _cells(sheet)
            assert name not in cells and recused_scores.number not in cells, (url, sheet.title)
        first = wb.worksheets[0]
        assert first.max_row == 1, url  # the headers only
        wb = _workbook(client, world.secretariat_b, url)
        assert name in _cells(wb.worksheets[0]), url
