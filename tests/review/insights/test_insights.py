"""Statistics, expert calibration and the organization's history on data with known answers; queries per
page constant in the data size; who sees what."""
import importlib.util
import pathlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Campaign, State
from review.insights import selectors as sel

_here = pathlib.Path(__file__).resolve()


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _load("scoring_setup_for_insights", _here.parents[1] / "scoring" / "scoring_setup.py")
B = _load("insights_bulk", _here.with_name("bulk.py"))
seeded, world, drive, panel_app, scored_panel = S.seeded, S.world, S.drive, S.panel_app, S.scored_panel

pytestmark = pytest.mark.django_db


# --- calibration: known answers ------------------------------------------------------------------------------
def test_an_expert_ten_points_above_the_panel_has_a_severity_of_plus_ten(world, scored_panel,
                                                                         django_capture_on_commit_callbacks):
    panel = scored_panel
    with django_capture_on_commit_callbacks(execute=True):  # the scoring services refresh the stored calibration
        S.fill(panel, world.expert, 50)
        S.fill(panel, panel.a, 60)
        S.fill(panel, panel.b, {"4.1.2": 20})  # 50 elsewhere; 20 is two bands below the panel's 50
        S.consensus_all(panel, 50)
    cal = sel.calibration(program=panel.application.campaign.program)
    a, b, leader = cal[panel.a.pk], cal[panel.b.pk], cal[world.expert.pk]
    assert a.severity == pytest.approx(10) and a.total == pytest.approx(100)  # +10 % on 1000 points
    assert a.spread == pytest.approx(0) and a.outliers == 0 and a.sheets == 1 and a.n == 23
    assert leader.severity == pytest.approx(0)
    assert b.severity == pytest.approx(-30 / 23) and b.total == pytest.approx(-30 * 50 / 100)
    assert b.outliers == 1 and b.outlier_items == [("4.1.2", 1)]
    assert b.items["4.1.2"].severity == pytest.approx(-30)
    assert a.z > 0 > b.z
    # the same within the campaign; nothing in another campaign
    assert sel.calibration(program=panel.application.campaign.program,
                           campaign_id=panel.application.campaign_id)[panel.a.pk].severity == pytest.approx(10)
    other = Campaign.objects.filter(program=panel.application.campaign.program).exclude(
        pk=panel.application.campaign_id).first()
    if other is not None:
        assert sel.calibration(program=other.program, campaign_id=other.pk) == {}


def test_the_deviation_is_measured_against_the_consensus_not_the_experts_mean(world, scored_panel,
                                                                             django_capture_on_commit_callbacks):
    """Experts at 50, 60 and 70 (mean 60); the leader records the consensus at 50: severities 0, +10, +20."""
    panel = scored_panel
    program = panel.application.campaign.program
    with django_capture_on_commit_callbacks(execute=True):
        for expert, pct in ((world.expert, 50), (panel.a, 60), (panel.b, 70)):
            S.fill(panel, expert, pct)
    assert sel.calibration(program=program) == {}  # no panel score yet: nothing compared
    with django_capture_on_commit_callbacks(execute=True):
        S.consensus_all(panel, 50)
    cal = sel.calibration(program=program)
    assert [cal[e.pk].severity for e in (world.expert, panel.a, panel.b)] == pytest.approx([0, 10, 20])


def test_leader_corrections_count_for_the_expert_and_for_the_panel(world, scored_panel,
                                                                   django_capture_on_commit_callbacks):
    """A leader's correction of an expert's clerical error replaces the expert's score; a correction of the
    panel's score after the stage is concluded replaces the consensus it supersedes."""
    from qualityaward.accounts.services import Actor
    from review.scoring import services as svc
    from review.scoring.models import ItemScore

    panel = scored_panel
    program = panel.application.campaign.program
    with django_capture_on_commit_callbacks(execute=True):
        S.fill(panel, world.expert, 50)
        S.fill(panel, panel.a, 60)
        S.fill(panel, panel.b, {"4.1.2": 5})  # typed 5 for 50
        acc, actor = S.leader_access(panel)
        score = ItemScore.objects.get(sheet__panel=panel, sheet__expert=panel.b, item__code="4.1.2")
        svc.correct_expert_score(acc=acc, score=score, percent="50", reason="笔误，专家确认为 50", actor=actor)
        S.consensus_all(panel, 50)
    cal = sel.calibration(program=program)
    assert cal[panel.b.pk].severity == pytest.approx(0) and cal[panel.b.pk].outliers == 0
    with django_capture_on_commit_callbacks(execute=True):
        S.conclude(panel)
        svc.record_panel_score(acc=acc, item=S.item("4.1.3"), percent="60", reason="复核后更正", actor=actor)
    cal = sel.calibration(program=program)
    a = cal[panel.a.pk]
    assert a.items["4.1.3"].severity == pytest.approx(0) and a.items["4.1.2"].severity == pytest.approx(10)
    assert a.severity == pytest.approx(10 * 22 / 23)
    assert cal[world.expert.pk].items["4.1.3"].severity == pytest.approx(-10)


def test_the_refresh_is_idempotent_and_the_nightly_rebuild_agrees(world):
    from review.insights.models import ExpertItemCalibration
    from review.insights.services import refresh_all_calibration, refresh_calibration

    campaign = world.xixian_campaign
    B.build(campaign, apps=5, experts=8, per_panel=4, prefix="idem")
    before = sorted(ExpertItemCalibration.objects.values_list("expert_id", "item_id", "n", "sum_d", "outliers"))
    refresh_calibration(campaign_id=campaign.pk)
    some = [e for e, *_rest in before][:2]
    refresh_calibration(campaign_id=campaign.pk, expert_ids=some)
    refresh_all_calibration()
    after = sorted(ExpertItemCalibration.objects.values_list("expert_id", "item_id", "n", "sum_d", "outliers"))
    assert before == after and len(after) == 8 * 23


def test_bulk_biases_are_recovered_and_queries_do_not_grow(world):
    campaign = world.xixian_campaign
    B.build(campaign, apps=4, experts=12, per_panel=4, prefix="small")
    with CaptureQueriesContext(connection) as small:
        sel.calibration(program=campaign.program)
    data = B.build(campaign, apps=30, experts=12, per_panel=4, prefix="small", seed=6)
    with CaptureQueriesContext(connection) as large:
        cal = sel.calibration(program=campaign.program)
    assert len(small.captured_queries) == len(large.captured_queries) <= 6
    for expert in data["experts"]:
        if expert.pk in cal:
            assert cal[expert.pk].severity == pytest.approx(data["bias"][expert.pk])
            assert cal[expert.pk].spread == pytest.approx(0, abs=1e-6)


# --- statistics: known answers --------------------------------------------------------------------------------
def test_statistics_of_a_bulk_campaign(world):
    campaign = world.xixian_campaign
    data = B.build(campaign, apps=20, experts=10, per_panel=3, prefix="stat")
    stats = sel.program_statistics(campaign)
    figures = {f.key: f for f in stats["figures"]}
    assert stats["applications"] == 20
    assert dict(figures["size"].rows) == {"大型": 5, "中型": 5, "小型": 5, "微型": 5}
    assert dict(figures["industry"].rows)["C 制造业"] == 8  # 3670 and 1311 are in 门类 C
    # the same distributions side by side over the program's campaigns
    here = [c.pk for c in stats["campaigns"]].index(campaign.pk)
    side_by_side = {d["key"]: dict(d["rows"]) for d in stats["distributions"]}
    assert side_by_side["size"]["大型"][here] == 5 and side_by_side["industry"]["C 制造业"][here] == 8
    assert sum(counts[here] for counts in side_by_side["region"].values()) == 20
    assert all(sum(counts) == counts[here] for counts in side_by_side["size"].values())  # no other campaign has any
    funnel = dict(figures["funnel"].rows)
    assert funnel["创建申报"] == 20 and funnel["已受理"] == 20 and funnel["现场评审"] == 20
    levels = sorted(data["level"].values())
    finalists = sum(1 for v in levels if v * 10 >= 600)
    assert funnel["入围"] == finalists
    losses = {r["label"]: r["count"] for r in stats["losses"]}
    assert losses.get("未入围", 0) == 20 - finalists
    # composite = 30 % × material + 70 % × on-site, both level × 10: the histogram counts each total once
    hist_total = next(f for f in stats["score_figures"] if f.key == "hist_total")
    assert sum(n for _l, n in hist_total.rows) == 20
    boxes = {b["label"].split()[0]: b for b in stats["boxes"]}
    assert boxes["4.1"]["median"] == pytest.approx(sorted(levels)[9] / 2 + sorted(levels)[10] / 2)
    assert stats["threshold"] == 600


def test_statistics_page_queries_do_not_grow_with_the_data(client, world):
    campaign = world.xixian_campaign
    client.force_login(world.secretariat_other)  # 息县's secretariat
    url = reverse("insights:statistics") + f"?campaign={campaign.pk}"
    B.build(campaign, apps=3, experts=6, per_panel=3, prefix="grow")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    B.build(campaign, apps=25, experts=6, per_panel=3, prefix="grow", seed=9)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)
    body = response.content.decode()
    assert "<svg" in body and "入围线 600" in body and "历届对比" in body and 'id="distribution-comparison"' in body
    calibration = reverse("insights:calibration") + f"?program={campaign.program_id}"
    with CaptureQueriesContext(connection) as cal_queries:
        assert client.get(calibration).status_code == 200
    B.build(campaign, apps=10, experts=6, per_panel=3, prefix="grow", seed=10)
    with CaptureQueriesContext(connection) as more:
        assert client.get(calibration).status_code == 200
    assert len(cal_queries.captured_queries) == len(more.captured_queries)


def test_exports_are_workbooks(client, world):
    campaign = world.xixian_campaign
    B.build(campaign, apps=3, experts=6, per_panel=3, prefix="xl")
    client.force_login(world.secretariat_other)
    for url in (reverse("insights:statistics_xlsx", args=[campaign.pk]),
                reverse("insights:calibration_xlsx", args=[campaign.program_id])):
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"


# --- access ---------------------------------------------------------------------------------------------------------
PEOPLE = ["owner", "colleague", "stranger", "authority", "secretariat", "secretariat_other", "supervisor",
          "committee", "expert"]


def test_who_reaches_the_pages(client, world, panel_app):
    campaign = panel_app.campaign  # the cultivation program: world.secretariat's
    org = panel_app.organization
    pages = {
        "stats": (reverse("insights:statistics") + f"?campaign={campaign.pk}", {"secretariat", "supervisor",
                                                                                 "secretariat_other"}),
        "stats_xlsx": (reverse("insights:statistics_xlsx", args=[campaign.pk]), {"secretariat", "supervisor"}),
        "calibration_xlsx": (reverse("insights:calibration_xlsx", args=[campaign.program_id]), {"secretariat"}),
        "organization": (reverse("insights:organization", args=[org.pk]), {"owner", "colleague", "secretariat"}),
    }
    for key, (url, allowed) in pages.items():
        for name in PEOPLE:
            client.force_login(getattr(world, name))
            status = client.get(url).status_code
            if name in allowed:
                assert status == 200, (key, name, status)
            elif key == "calibration_xlsx" and name == "supervisor":
                assert status == 403, (key, name, status)
            else:
                assert status == 404, (key, name, status)
    client.force_login(world.supervisor)
    assert client.get(reverse("insights:calibration")).status_code == 403
    client.force_login(world.owner)
    assert client.get(reverse("insights:calibration")).status_code == 404
    assert client.get(reverse("insights:statistics")).status_code == 404


def test_applicants_never_see_expert_names_or_calibration(client, world, scored_panel,
                                                          django_capture_on_commit_callbacks):
    panel = scored_panel
    with django_capture_on_commit_callbacks(execute=True):
        for expert, pct in ((world.expert, 50), (panel.a, 60), (panel.b, 50)):
            S.fill(panel, expert, pct)
        S.consensus_all(panel, 50)
        S.conclude(panel)
    from review.scoring import services as svc
    from qualityaward.accounts.services import Actor

    svc.release_report(application=panel.application, actor=Actor(user=world.secretariat))
    client.force_login(world.owner)
    body = client.get(reverse("insights:organization", args=[panel.application.organization_id])).content.decode()
    assert panel.application.number in body and "评审报告" in body
    for expert in (world.expert, panel.a, panel.b):
        assert expert.full_name not in body and expert.username not in body
    assert "评分尺度" not in body and "偏差" not in body
    # the leader sees the calibration beside the panel (once the sheets are in); a member does not
    url = reverse("review:scoring_panel", args=[panel.application.pk, "material"])
    client.force_login(world.expert)
    body = client.get(url).content.decode()
    assert 'id="calibration"' in body
    # beside each expert's score on every item: panel.a scored 60 against the consensus of 50, +10 (偏宽 needs a
    # z-score, so only the signed figure is asserted)
    assert body.count(f'data-calibration="{panel.a.pk}"') == len(S.items_of(panel.application))
    assert "（尺度 +10.0" in body
    client.force_login(panel.a)
    body = client.get(url).content.decode()
    assert 'id="calibration"' not in body and "data-calibration" not in body


def test_the_calibration_names_no_peer_before_the_leader_has_submitted(client, world, scored_panel):
    S.fill(scored_panel, scored_panel.a, 60)
    client.force_login(world.expert)
    body = client.get(reverse("review:scoring_panel", args=[scored_panel.application.pk, "material"])).content.decode()
    assert 'id="calibration"' not in body and scored_panel.a.full_name not in body


def test_the_secretariats_eligibility_page_shows_earlier_outcomes(client, world, panel_app, drive):
    later = drive(world.new_app(name=panel_app.applicant_name), State.ELIGIBILITY_REVIEW)
    client.force_login(world.secretariat)
    body = client.get(reverse("review:eligibility_detail", args=[later.pk])).content.decode()
    assert 'id="applicant-history"' in body and "材料评审" in body and "重复获奖规则" in body
    client.force_login(world.owner)
    assert 'id="applicant-history"' not in client.get(
        reverse("review:eligibility_detail", args=[later.pk])).content.decode()


def test_dashboard_links(client, world):
    client.force_login(world.secretariat)
    body = client.get(reverse("dashboard")).content.decode()
    assert reverse("insights:statistics") in body and reverse("insights:calibration") in body
    client.force_login(world.owner)
    body = client.get(reverse("dashboard")).content.decode()
    assert reverse("insights:organizations") in body and reverse("insights:calibration") not in body


def test_the_organizations_history_downloads_as_a_workbook(client, world, panel_app):
    """The timeline as .xlsx for the applicant and the secretariat: Chinese headers, frozen header row,
    a revocation's reason that looks like a formula stays text; strangers get 404."""
    import datetime as dt
    import io

    import openpyxl

    from review.awards.models import Award, SelfAssessmentReport

    award = Award.objects.create(application=panel_app, program=panel_app.campaign.program,
                                 organization=panel_app.organization, recipient_name=panel_app.applicant_name,
                                 decided_on=dt.date(2025, 3, 1), valid_until=dt.date(2028, 2, 29),
                                 certificate_number="XZ-2025-0001", revoked_on=dt.date(2026, 6, 1),
                                 revocation_ground=Award.Ground.choices[0][0],
                                 revocation_reason='=HYPERLINK("http://example.com","详情")',
                                 ban_until=dt.date(2030, 6, 1))
    SelfAssessmentReport.objects.create(award=award, period=1, text="年度自评", submitted_by=world.owner)
    url = reverse("insights:organization_xlsx", args=[panel_app.organization_id])
    client.force_login(world.owner)
    page = client.get(reverse("insights:organization", args=[panel_app.organization_id])).content.decode()
    assert url in page
    for name in ("owner", "secretariat"):
        client.force_login(getattr(world, name))
        response = client.get(url)
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        sheet = book["组织历程"]
        assert [c.value for c in sheet[1]][:4] == ["日期", "事项", "奖项", "届次"]
        assert sheet.freeze_panes == "A2"
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
        kinds = [r[1] for r in rows]
        assert {"申报", "撤销", "年度自评报告"} <= set(kinds) and ("获奖" in kinds or "纳入培育库" in kinds)
        revocation = next(r for r in rows if r[1] == "撤销")
        assert revocation[9] == "'" + award.revocation_reason and revocation[8].date() == dt.date(2030, 6, 1)
        assert any(r[4] == panel_app.number for r in rows if r[1] == "申报")
    client.force_login(world.stranger)
    assert client.get(url).status_code == 404


def test_the_review_report_compares_with_the_previous_report_on_the_page_and_in_the_pdf(client, world):
    """Two campaigns of one organization with known levels: each category moves by (later − earlier) % of
    its points; the later report (page and PDF) shows the comparison."""
    import io

    from pypdf import PdfReader

    from qualityaward.accounts.models import Organization
    from review.scoring import services as svc
    from review.scoring.models import ReportRelease

    later_campaign = world.xixian_campaign
    earlier_campaign = Campaign.objects.create(
        pk=Campaign.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1, program=later_campaign.program,
        name="上一届", year=later_campaign.year - 1, data_years=later_campaign.data_years,
        opens_at=later_campaign.opens_at.replace(year=later_campaign.opens_at.year - 1),
        application_deadline=later_campaign.application_deadline.replace(
            year=later_campaign.application_deadline.year - 1),
        recommendation_deadline=later_campaign.recommendation_deadline.replace(
            year=later_campaign.recommendation_deadline.year - 1))
    first = B.build(earlier_campaign, apps=1, experts=6, per_panel=3, prefix="prev", seed=21)
    second = B.build(later_campaign, apps=1, experts=6, per_panel=3, prefix="prev", seed=22)
    earlier, later = first["applications"][0], second["applications"][0]
    org = Organization.objects.get(pk=earlier.organization_id)
    type(later).objects.filter(pk=later.pk).update(organization=org)
    for app in (earlier, later):
        ReportRelease.objects.create(application=app, released_by=world.secretariat_other)
    later.refresh_from_db()
    shift = second["level"][later.pk] - first["level"][earlier.pk]
    compared = svc.report_context(later)["previous_report"]
    assert compared["application"] == earlier
    for row in compared["rows"]:
        assert row["change"] == pytest.approx(shift * row["category"].points / 100)
    client.force_login(world.secretariat_other)
    body = client.get(reverse("review:scoring_report", args=[later.pk])).content.decode()
    assert 'id="previous-report"' in body and "与上次评审报告对比" in body
    doc = svc.request_report_pdf(application=later)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(svc._report_pdf(doc))).pages)  # the job's builder
    assert "与上次评审报告对比" in text and "上一届" in text


def test_the_calibration_page_names_the_lenient_and_the_strict(client, world):
    campaign = world.xixian_campaign
    data = B.build(campaign, apps=12, experts=12, per_panel=4, prefix="page")
    lenient = next(e for e in data["experts"] if data["bias"][e.pk] == 10)
    client.force_login(world.secretariat_other)
    url = reverse("insights:calibration") + f"?program={campaign.program_id}"
    body = client.get(url + f"&expert={lenient.pk}").content.decode()
    assert lenient.full_name in body and "+10.0" in body and "-10.0" in body
    assert "偏宽" in body and "偏严" in body and 'id="expert-items"' in body
    assert f"{lenient.full_name}：分条款偏差" in body
    assert 'id="expert-items"' not in client.get(url).content.decode()
