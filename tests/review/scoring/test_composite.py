"""Stage scores into the total on exact decimals, the 600 edge, the SQL ranking, finalists declared in
bulk through the workflow, the applicant's review report (visibility, no expert names, PDF) and exports."""
import importlib.util
import io
import pathlib
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import GeneratedDocument, State
from qualityaward.accounts.services import Actor
from review.scoring import services as svc
from review.panels.models import Panel
from review.scoring.models import PanelItemScore, ReportRelease, StageResult

_spec = importlib.util.spec_from_file_location("scoring_setup", pathlib.Path(__file__).with_name("scoring_setup.py"))
S = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(S)
seeded, world, drive, panel_app, scored_panel = S.seeded, S.world, S.drive, S.panel_app, S.scored_panel

pytestmark = pytest.mark.django_db


def test_the_total_weighs_the_stages_exactly_and_600_is_inclusive(world):
    profile = world.xixian.profile  # 30 % + 70 %, finalists at 600
    total = svc.composite(profile=profile, material=Decimal("600.10"), onsite=Decimal("599.95"))
    assert total == Decimal("599.995")  # 180.03 + 419.965
    assert not svc.is_finalist(profile=profile, total=total)
    total = svc.composite(profile=profile, material=Decimal("600.00"), onsite=Decimal("600.00"))
    assert total == Decimal("600.00") and svc.is_finalist(profile=profile, total=total)
    assert svc.composite(profile=profile, material=Decimal("700"), onsite=None) is None  # on-site not concluded
    cultivation = world.cultivation.profile  # material review only, 100 %
    assert svc.composite(profile=cultivation, material=Decimal("512.25"), onsite=None) == Decimal("512.25")


def _concluded(app, stage, percents, leader):
    """A concluded panel whose current item scores are ``percents`` (code -> percentage; others 60),
    as a mean over many experts can give (e.g. 61 % is the mean of 60, 60, 60, 60, 65)."""
    panel = Panel.objects.create(application=app, stage=stage)
    S.seat(panel, leader)
    PanelItemScore.objects.bulk_create([
        PanelItemScore(panel=panel, item=item, percent=Decimal(str(percents.get(item.code, 60))), source="mean",
                       reason="平均") for item in S.items_of(app)])
    StageResult.objects.create(panel=panel, aggregation="mean", experts=5, concluded_by=leader)
    svc.refresh_stage_sums(panels=[panel])
    return panel


@pytest.fixture
def ranked(world):
    leader = S.new_experts(1, "rank")[0]
    edge = S.drive_xixian(world, State.ONSITE_REVIEW, name="差一点入围的企业")
    exact = S.drive_xixian(world, State.ONSITE_REVIEW, name="恰好入围的企业")
    high = S.drive_xixian(world, State.ONSITE_REVIEW, name="高分企业")
    open_ = S.drive_xixian(world, State.ONSITE_REVIEW, name="现场评审未定稿的企业")
    _concluded(edge, "material", {"4.4.6": "61"}, leader)  # 600 + 10 × 1 % = 600.10
    _concluded(edge, "onsite", {"4.4.6": "59.5"}, leader)  # 600 − 10 × 0.5 % = 599.95
    _concluded(exact, "material", {}, leader)
    _concluded(exact, "onsite", {}, leader)
    _concluded(high, "material", {"4.1.2": 80}, leader)  # 610
    _concluded(high, "onsite", {"4.7.2": 75}, leader)  # 612
    _concluded(open_, "material", {}, leader)
    return {"edge": edge, "exact": exact, "high": high, "open": open_}


def test_the_ranking_is_computed_in_sql_on_exact_values(world, ranked):
    rows = svc.ranking_rows(campaign=world.xixian_campaign)
    by_name = {r.applicant_name: r for r in rows}
    assert [r.applicant_name for r in rows] == ["高分企业", "恰好入围的企业", "差一点入围的企业", "现场评审未定稿的企业"]
    assert by_name["差一点入围的企业"].total == Decimal("599.995")
    assert by_name["差一点入围的企业"].material == Decimal("600.10") and by_name["差一点入围的企业"].onsite == Decimal("599.95")
    assert by_name["恰好入围的企业"].total == Decimal("600")
    assert by_name["高分企业"].total == Decimal("610") * Decimal("0.3") + Decimal("612") * Decimal("0.7")
    assert by_name["现场评审未定稿的企业"].total is None
    assert [r.rank for r in rows[:3]] == [1, 2, 3]
    assert [r.finalist for r in rows] == [True, True, False, False]
    assert by_name["差一点入围的企业"].total == svc.application_scores(ranked["edge"])[1]  # SQL agrees with Python


def test_the_ranking_page_shows_two_places_and_declares_in_bulk_through_the_workflow(client, world, ranked):
    client.force_login(world.secretariat_other)
    url = reverse("review:ranking") + f"?campaign={world.xixian_campaign.pk}"
    body = client.get(url).content.decode()
    assert "600.00" in body and "599.99" not in body.replace("599.995", "") and ">600.00<" in body
    assert "入围分数线 600" in body
    ids = [ranked[k].pk for k in ("high", "exact", "edge", "open")]
    response = client.post(reverse("review:ranking_declare", args=[world.xixian_campaign.pk]),
                           {"applications": ids, "decision": "finalist"}, follow=True)
    body = response.content.decode()
    for key, state in (("high", State.FINALIST), ("exact", State.FINALIST), ("edge", State.ONSITE_REVIEW),
                       ("open", State.ONSITE_REVIEW)):
        ranked[key].refresh_from_db()
        assert ranked[key].state == state, key
    assert "综合得分 599.995 分，低于入围分数线 600.00 分" in body and "尚未得出综合得分" in body
    response = client.post(reverse("review:ranking_declare", args=[world.xixian_campaign.pk]),
                           {"applications": [ranked["edge"].pk], "decision": "not_finalist", "reason": "未达到分数线"})
    ranked["edge"].refresh_from_db()
    assert ranked["edge"].state == State.NOT_FINALIST


def test_xixian_10_a_recused_secretariat_member_keeps_the_place_but_not_the_name_or_scores(client, world, ranked):
    """息县 第十条: whoever stepped aside from an application sees its place in the campaign's ranking, never who it
    is or what it scored; everyone else still sees it."""
    from review.panels.models import Recusal

    Recusal.objects.create(application=ranked["high"], user=world.secretariat_other,
                           kind=Recusal.Kind.SECRETARIAT, reason="曾在该企业任职")
    client.force_login(world.secretariat_other)
    body = client.get(reverse("review:ranking") + f"?campaign={world.xixian_campaign.pk}").content.decode()
    assert "高分企业" not in body and "611.40" not in body and "610.00" not in body and "您已对该申报声明回避" in body
    assert "恰好入围的企业" in body and f'name="applications" value="{ranked["high"].pk}"' not in body
    client.force_login(world.supervisor)
    assert "高分企业" in client.get(reverse("review:ranking") + f"?campaign={world.xixian_campaign.pk}").content.decode()


def test_supervisors_read_the_ranking_and_change_nothing(client, world, ranked):
    client.force_login(world.supervisor)
    assert client.get(reverse("review:ranking") + f"?campaign={world.xixian_campaign.pk}").status_code == 200
    response = client.post(reverse("review:ranking_declare", args=[world.xixian_campaign.pk]),
                           {"applications": [ranked["high"].pk], "decision": "finalist"})
    assert response.status_code == 403
    ranked["high"].refresh_from_db()
    assert ranked["high"].state == State.ONSITE_REVIEW
    assert client.get(reverse("review:ranking_xlsx", args=[world.xixian_campaign.pk])).status_code == 200
    client.force_login(world.secretariat)  # another program's secretariat
    assert client.get(reverse("review:ranking_xlsx", args=[world.xixian_campaign.pk])).status_code == 404


def _finish(world, scored_panel):
    for expert, text in ((world.expert, "=HYPERLINK(\"http://x\")"), (scored_panel.a, "领导作用突出"),
                         (scored_panel.b, "战略部署清晰")):
        sheet = svc.sheet_for(panel=scored_panel, expert=expert)
        data = {str(i.pk): {"percent": "55", "strengths": text, "opportunities": "数据分析不足"}
                for i in S.items_of(scored_panel.application)}
        sheet, _ = svc.save_sheet(sheet=sheet, data=data, base_version=0, actor=Actor(user=expert))
        svc.submit_sheet(sheet=sheet, base_version=sheet.version, actor=Actor(user=expert))
    S.consensus_all(scored_panel, 55)
    S.conclude(scored_panel)


def test_the_report_is_the_applicants_once_released_and_never_names_experts(client, world, scored_panel,
                                                                           django_capture_on_commit_callbacks):
    app = scored_panel.application
    _finish(world, scored_panel)
    url = reverse("review:scoring_report", args=[app.pk])
    client.force_login(world.owner)
    assert client.get(url).status_code == 403
    client.force_login(world.secretariat)
    body = client.get(url).content.decode()
    assert "未发布" in body and "550.00" in body and "<svg" in body
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("review:scoring_report_release", args=[app.pk])).status_code == 302
    assert ReportRelease.objects.filter(application=app).exists()
    doc = GeneratedDocument.objects.get(application=app, kind=GeneratedDocument.Kind.REVIEW_REPORT)
    assert doc.status == GeneratedDocument.Status.READY and doc.file.read(5) == b"%PDF-"
    client.force_login(world.owner)
    body = client.get(url).content.decode()
    assert "领导作用突出" in body and "数据分析不足" in body and "550.00" in body
    for expert in (world.expert, scored_panel.a, scored_panel.b):
        assert expert.full_name not in body and expert.username not in body
    assert client.get(reverse("applications:document_download", args=[doc.pk])).status_code == 200
    client.force_login(world.authority)
    assert client.get(url).status_code == 403
    client.force_login(world.recused_expert)
    assert client.get(url).status_code == 404


def test_the_radar_chart_is_inline_svg_with_the_seven_categories(world, scored_panel):
    _finish(world, scored_panel)
    svg = svc.report_data(scored_panel.application)["radar"]
    assert svg.startswith("<svg") and svg.count("<text") == 7 + 1 and "<script" not in svg
    assert "4.7 结果" in svg


def test_the_score_matrix_has_a_row_per_expert_and_the_panels_row_with_stage_scores(client, world, scored_panel):
    from openpyxl import load_workbook

    _finish(world, scored_panel)
    client.force_login(world.secretariat)
    response = client.get(reverse("review:score_matrix_xlsx", args=[world.campaign.pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb["评分矩阵"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[4].startswith("4.1.2 ") and header[-1] == "阶段得分" and len(header) == 4 + 23 + 1
    assert len(body) == 3 + 1  # three experts, then the panel
    assert all(r[0] == scored_panel.application.number and r[2] == "材料评审" for r in body)
    panel_row = body[-1]
    assert panel_row[3] == "评审组（共识/平均）" and panel_row[4] == 55 and panel_row[-1] == 550
    ranking = list(wb["排名"].iter_rows(values_only=True))
    assert ranking[1][2] == scored_panel.application.applicant_name and ranking[1][7] == 550
    assert wb["组长更正"].max_row >= 1


def test_the_score_matrix_gives_each_expert_and_a_non_terminating_mean_their_exact_stage_scores(
        client, world, scored_panel):
    """With the panel's score set to the experts' mean (a secretariat's choice in the profile: the documents
    leave the aggregation open), 50, 60 and 50 % on every item average to 53⅓ %, so the panel's stage score
    is 1000 × 160/3 % = 533.33 (the exact value rounded once), while each expert's row carries their own
    500 / 600 / 500."""
    from openpyxl import load_workbook

    from applications.models import RuleProfile

    S.set_rule(scored_panel.application, RuleProfile.Aggregation.MEAN)
    items = S.items_of(scored_panel.application)
    assert sum(i.points for i in items) == 1000
    for expert, pct in ((world.expert, 50), (scored_panel.a, 60), (scored_panel.b, 50)):
        S.fill(scored_panel, expert, pct)
    S.conclude(scored_panel)
    client.force_login(world.secretariat)
    response = client.get(reverse("review:score_matrix_xlsx", args=[world.campaign.pk]))
    body = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)))["评分矩阵"].iter_rows(
        values_only=True))[1:]
    experts = {row[3]: row[-1] for row in body[:-1]}
    assert experts == {str(world.expert): 500, str(scored_panel.a): 600, str(scored_panel.b): 500}
    panel_row = body[-1]
    assert panel_row[4] == pytest.approx(53.3333) and panel_row[-1] == 533.33


def test_the_score_matrix_puts_each_items_score_under_that_items_header_in_the_schemes_order(
        client, world, scored_panel):
    """Every expert scores each item differently and the scheme lists two items out of their id order (the
    secretariat may reorder items): each percentage still sits under its own item's header, the panel's row
    holds the item means, and the stage scores are Σ points × percent / 100 of those columns."""
    from openpyxl import load_workbook

    from applications.models import RuleProfile, ScoringItem

    S.set_rule(scored_panel.application, RuleProfile.Aggregation.MEAN)
    first, second = S.items_of(scored_panel.application)[:2]
    ScoringItem.objects.filter(pk=first.pk).update(order=second.order)
    ScoringItem.objects.filter(pk=second.pk).update(order=first.order)
    items = S.items_of(scored_panel.application)
    assert items[0].pk == second.pk  # shown in a different order than the ids
    given = {}
    for k, expert in enumerate((world.expert, scored_panel.a, scored_panel.b)):
        given[str(expert)] = {i.code: 5 * ((n + 3 * k) % 21) for n, i in enumerate(items)}
        S.fill(scored_panel, expert, given[str(expert)])
    S.conclude(scored_panel)
    client.force_login(world.secretariat)
    response = client.get(reverse("review:score_matrix_xlsx", args=[world.campaign.pk]))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)))["评分矩阵"].iter_rows(
        values_only=True))
    codes = [h.split(" ")[0] for h in rows[0][4:-1]]
    assert codes == [i.code for i in items]
    points = {i.code: i.points for i in items}
    for row in rows[1:-1]:
        expected = given[row[3]]
        assert dict(zip(codes, row[4:-1])) == expected
        assert row[-1] == pytest.approx(sum(points[c] * p for c, p in expected.items()) / 100)
    panel_row = rows[-1]
    means = {c: sum(g[c] for g in given.values()) / 3 for c in codes}
    assert dict(zip(codes, panel_row[4:-1])) == pytest.approx({c: round(m, 4) for c, m in means.items()})
    assert panel_row[-1] == round(sum(points[c] * m for c, m in means.items()) / 100, 2)


def test_the_detail_export_neutralises_formulas_in_what_experts_wrote(client, world, scored_panel):
    from openpyxl import load_workbook

    _finish(world, scored_panel)
    client.force_login(world.secretariat)
    url = reverse("review:score_matrix_xlsx", args=[world.campaign.pk])
    response = client.get(url + f"?detail=1&application={scored_panel.application.pk}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb["专家评分明细"].iter_rows(values_only=True))
    assert len(rows) == 1 + 23 * 3
    strengths = {r[11] for r in rows[1:]}
    assert "'=HYPERLINK(\"http://x\")" in strengths and "=HYPERLINK(\"http://x\")" not in strengths
    first = rows[1]
    assert first[3] == "4.1.2" and first[7] == 55 and first[9] == 55 and first[10] == 27.5


def test_the_signing_sheet_pdf_is_the_experts_own(client, world, scored_panel):
    _finish(world, scored_panel)
    app = scored_panel.application
    url = reverse("review:scoring_sheet_pdf", args=[app.pk, "material"])
    client.force_login(scored_panel.a)
    response = client.get(url)
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"
    assert client.get(url + f"?expert={scored_panel.b.pk}").status_code == 404  # not a member's to print
    client.force_login(world.secretariat)
    assert client.get(url + f"?expert={scored_panel.b.pk}").status_code == 200


def test_the_leader_reads_a_peer_s_sheet_only_after_submitting_its_own(client, world, scored_panel):
    """Nobody sees a peer's scores before submitting their own: not on the panel page, not as a PDF."""
    app = scored_panel.application
    peer = scored_panel.a
    sheet = svc.sheet_for(panel=scored_panel, expert=peer)
    data = {str(i.pk): {"percent": "55", "strengths": "领导作用突出", "opportunities": "数据分析不足"}
            for i in S.items_of(app)}
    sheet, _ = svc.save_sheet(sheet=sheet, data=data, base_version=0, actor=Actor(user=peer))
    svc.submit_sheet(sheet=sheet, base_version=sheet.version, actor=Actor(user=peer))
    url = reverse("review:scoring_sheet_pdf", args=[app.pk, "material"]) + f"?expert={peer.pk}"
    client.force_login(world.expert)  # the 组长, whose own sheet is still a draft
    assert client.get(url).status_code == 404
    own = svc.sheet_for(panel=scored_panel, expert=world.expert)
    own, _ = svc.save_sheet(sheet=own, data=data, base_version=0, actor=Actor(user=world.expert))
    svc.submit_sheet(sheet=own, base_version=own.version, actor=Actor(user=world.expert))
    response = client.get(url)
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"


def test_the_ranking_page_paginates_filters_and_sorts_on_the_server(client, world, ranked, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from review.scoring import views

    monkeypatch.setattr(views, "RANKING_PAGE_SIZE", 2)
    client.force_login(world.secretariat_other)
    url = reverse("review:ranking") + f"?campaign={world.xixian_campaign.pk}"

    def names(response):
        body = response.content.decode()
        shown = [n for n in ("高分企业", "恰好入围的企业", "差一点入围的企业", "现场评审未定稿的企业") if f">{n}</a>" in body]
        return sorted(shown, key=lambda n: body.index(f">{n}</a>"))

    first = client.get(url)
    assert names(first) == ["高分企业", "恰好入围的企业"] and "第 1 / 2 页" in first.content.decode()
    assert names(client.get(url + "&page=2")) == ["差一点入围的企业", "现场评审未定稿的企业"]
    # a threshold keeps the totals at or above it; the 名次 stays the campaign's
    body = client.get(url + "&threshold=600&sort=-rank").content.decode()
    assert names(client.get(url + "&threshold=600")) == ["高分企业", "恰好入围的企业"]
    assert "符合筛选条件的 2 个" in body and body.index(">恰好入围的企业<") < body.index(">高分企业<")  # 名次 descending
    assert names(client.get(url + "&sort=name&threshold=599")) == ["差一点入围的企业", "恰好入围的企业"]
    assert names(client.get(url + f"&state={State.FINALIST}")) == [] and "没有符合筛选条件的申报" in client.get(
        url + f"&state={State.FINALIST}").content.decode()
    region = ranked["high"].region_id
    assert len(names(client.get(url + f"&region={region}&page=2"))) == 2
    assert names(client.get(url + "&threshold=abc&sort=nonsense")) == ["高分企业", "恰好入围的企业"]  # ignored
    with CaptureQueriesContext(connection) as ctx:
        svc.ranking_rows(campaign=world.xixian_campaign)
    # the whole ranking is one statement, and one more computes the totals at the finalist line exactly
    assert len(ctx.captured_queries) == 2


def test_the_committee_ballot_shows_the_ranking_s_composite_score(client, world, ranked):
    """The secretariat opening a vote sees each finalist's 综合得分 as the ranking prints it, not “—”."""
    from review.committee import services as committee

    high = next(r for r in svc.ranking_rows(campaign=world.xixian_campaign) if r.applicant_name == "高分企业")
    assert committee.composite_for(ranked["high"]) == high.total == Decimal("611.4")
    svc.declare(campaign=world.xixian_campaign, application_ids=[ranked["high"].pk], finalist=True, reason="",
                actor=Actor(user=world.secretariat_other))
    client.force_login(world.secretariat_other)
    body = client.get(reverse("review:committee_open", args=[world.xixian_campaign.pk])).content.decode()
    assert "高分企业" in body and "611.40" in body


def test_a_total_near_the_line_is_ranked_on_its_exact_value(world):
    """A computed mean of three experts (e.g. 200/3 %) is stored to four places; near the finalist line the
    ranking uses the exact total, so its finalist flag is the decision the guard takes (issue: no rounding
    between the experts' scores and the stage score)."""
    from applications.models import RuleProfile

    leader = S.new_experts(1, "exact")[0]
    app = S.drive_xixian(world, State.ONSITE_REVIEW, name="三位专家平均的企业")
    for stage in ("material", "onsite"):
        panel = Panel.objects.create(application=app, stage=stage)
        S.seat(panel, leader)
        PanelItemScore.objects.bulk_create([
            PanelItemScore(panel=panel, item=item, percent=Decimal("66.6667"), percent_sum=200, experts_counted=3,
                           source="mean", reason="平均") for item in S.items_of(app)])
        StageResult.objects.create(panel=panel, aggregation="mean", experts=3, concluded_by=leader)
        svc.refresh_stage_sums(panels=[panel])
    exact = svc.application_scores(app)[1]
    assert Decimal("666.6666") < exact < Decimal("666.6667")  # 1000 × 2/3
    RuleProfile.objects.filter(program=world.xixian).update(finalist_threshold=Decimal("666.67"))
    world.xixian_campaign.program.profile.refresh_from_db()
    (row,) = [r for r in svc.ranking_rows(campaign=world.xixian_campaign) if r.pk == app.pk]
    assert row.total == exact and not row.finalist  # the four-place sum would give 666.667
    RuleProfile.objects.filter(program=world.xixian).update(finalist_threshold=Decimal("666.66"))
    world.xixian_campaign.program.profile.refresh_from_db()
    (row,) = [r for r in svc.ranking_rows(campaign=world.xixian_campaign) if r.pk == app.pk]
    assert row.finalist


def test_a_large_detail_export_runs_in_the_background_and_gives_the_same_workbook(
        client, world, scored_panel, settings, django_capture_on_commit_callbacks):
    """Past BACKGROUND_EXPORT_ROWS the comment details (one row per expert and item: 69 here) become a job; the
    matrix (4 rows and its panel's) stays immediate."""
    from openpyxl import load_workbook

    from applications.models import BackgroundJob

    _finish(world, scored_panel)
    settings.BACKGROUND_EXPORT_ROWS = 50
    client.force_login(world.secretariat)
    url = reverse("review:score_matrix_xlsx", args=[world.campaign.pk])
    assert client.get(url).status_code == 200 and not BackgroundJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url + "?detail=1")
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("applications:job", args=[job.pk])
    assert "约 69 行" in client.get(response["Location"]).content.decode()
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.READY and job.done == 69
    download = client.get(reverse("applications:job_download", args=[job.pk]))
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content)))["专家评分明细"].iter_rows(
        values_only=True))
    assert len(rows) == 1 + 23 * 3 and rows[1][3] == "4.1.2"
    client.force_login(world.supervisor)  # staff of the program too, but not the asker
    assert client.get(reverse("applications:job_download", args=[job.pk])).status_code == 404
