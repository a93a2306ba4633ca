"""The committee and award pages as their users see them: who sees a vote, the ballot form, results hidden
until the close, the secretariat's close and decision, the award decision, revocation and the winner's
self-assessment report."""
import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from demo.content import pdf_bytes

from applications import workflow
from applications.models import State
from qualityaward.accounts.services import Actor
from review.committee import services as svc
from review.awards.models import Award
from review.committee.models import Ballot, VoterRoll


def _session(c, apps):
    return svc.open_session(campaign=c.campaign, actor=Actor(user=c.secretariat),
                            candidates=[(a, c.tiers[0]) for a in apps])


def test_secretariat_opens_a_vote_from_the_finalists(client, committee_of):
    c = committee_of("xixian")
    apps = [c.finalist("息县甲公司"), c.finalist("息县乙公司")]
    client.force_login(c.secretariat)
    body = client.get(reverse("review:committee_list")).content.decode()
    assert reverse("review:committee_open", args=[c.campaign.pk]) in body
    url = reverse("review:committee_open", args=[c.campaign.pk])
    page = client.get(url).content.decode()
    assert "息县甲公司" in page and "县长质量奖提名奖" in page
    response = client.post(url, {"title": "第一次全体会议表决", "closes_at": "明天"})
    assert response.status_code == 400 and "定时结束时间格式不正确" in response.content.decode()
    response = client.post(url, {"title": "第一次全体会议表决"})
    assert response.status_code == 400 and "请至少选择一个候选申报" in response.content.decode()
    response = client.post(url, {"title": "第一次全体会议表决", f"take_{apps[0].pk}": "1",
                                 f"tier_{apps[0].pk}": c.tiers[1].pk})
    assert response.status_code == 302
    apps[0].refresh_from_db()
    apps[1].refresh_from_db()
    assert apps[0].state == State.COMMITTEE and apps[1].state == State.FINALIST
    # nobody else may open a vote
    client.force_login(c.members[0])
    assert client.get(url).status_code == 404


def test_members_vote_on_one_form_and_results_wait_for_the_close(client, committee_of, world):
    c = committee_of("xixian", members=2)
    session = _session(c, [c.finalist("息县甲公司"), c.finalist("息县乙公司")])
    first, second = session.candidates.order_by("order")
    url = reverse("review:committee_session", args=[session.pk])
    for outsider in (world.stranger, world.committee, world.secretariat):  # committee of another program
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(reverse("review:committee_results", args=[session.pk])).status_code == 404

    from review.panels.models import Recusal

    Recusal.objects.create(application=second.application, user=c.members[1], reason="与申报单位存在利害关系")
    client.force_login(c.members[1])
    assert "回避（您不参加该项表决）" in client.get(url).content.decode()
    member = c.members[0]
    client.force_login(member)
    page = client.get(url).content.decode()
    assert "回避" not in page
    assert 'id="ballot"' in page and "息县乙公司" in page
    materials = reverse("applications:detail", args=[first.application_id])
    assert materials in page and client.get(materials).status_code == 200  # members read the candidates' files
    vote_url = reverse("review:committee_vote", args=[session.pk])
    response = client.post(vote_url, {f"c{first.pk}": "approve"})
    assert response.status_code == 400 and "请对每一位候选对象选择" in response.content.decode()
    assert not VoterRoll.objects.exists()
    assert client.post(vote_url, {f"c{first.pk}": "approve", f"c{second.pk}": "reject"}).status_code == 302
    page = client.get(url).content.decode()
    assert "您已投票" in page and 'id="ballot"' not in page
    response = client.post(vote_url, {f"c{first.pk}": "reject", f"c{second.pk}": "reject"})
    assert response.status_code == 400 and "只能投票一次" in response.content.decode()
    assert Ballot.objects.count() == 2
    results = client.get(reverse("review:committee_results", args=[session.pk])).content.decode()
    assert "计票结果在表决结束后公布" in results and 'id="results"' not in results

    client.force_login(c.secretariat)
    page = client.get(url).content.decode()
    assert "已投票 <strong>1</strong> 人 / 评委会委员 2 人" in page and 'id="ballot"' not in page
    assert client.post(vote_url, {f"c{first.pk}": "approve", f"c{second.pk}": "approve"}).status_code == 403
    client.force_login(member)
    assert client.post(reverse("review:committee_close", args=[session.pk])).status_code == 403
    client.force_login(c.secretariat)
    assert client.post(reverse("review:committee_close", args=[session.pk])).status_code == 302
    page = client.get(url).content.decode()
    assert 'id="plan"' in page and "确定拟授奖名单" in page
    results = client.get(reverse("review:committee_results", args=[session.pk])).content.decode()
    assert 'id="results"' in results and "未通过" in results  # 1 of 1 approves 甲, 0 of 1 approves 乙
    assert client.post(reverse("review:committee_decide", args=[session.pk])).status_code == 302
    states = dict(type(first.application).objects.filter(pk__in=[first.application_id, second.application_id])
                  .values_list("applicant_name", "state"))
    assert states == {"息县甲公司": State.PROPOSED, "息县乙公司": State.NOT_AWARDED}
    response = client.post(reverse("review:committee_decide", args=[session.pk]))
    assert response.status_code == 400 and "已经确定" in response.content.decode()
    export = client.get(reverse("review:committee_results", args=[session.pk]), {"format": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(member)  # members read the results after the close
    assert "表决未通过" in client.get(reverse("review:committee_results", args=[session.pk])).content.decode()


def test_award_decision_revocation_and_award_pages(client, committee_of, world):
    c = committee_of("xixian")
    app = c.finalist("息县授奖公司", target=State.COMMITTEE)
    workflow.perform(application=app, name="propose", actor=Actor(user=c.secretariat), tier=c.tiers[0])
    client.force_login(c.secretariat)
    body = client.get(reverse("review:award_list")).content.decode()
    assert 'id="waiting"' in body and "息县授奖公司" in body
    url = reverse("review:award_decide", args=[app.pk])
    # 息县 第二十二条: no award before the 县政府常务会议 decided
    response = client.post(url, {"decision": "award", "decided_on": "2026-11-01"}, follow=True)
    assert "不能执行“授奖”" in response.content.decode()
    assert "提请县政府常务会议审定" in response.content.decode()
    client.post(url, {"decision": "forward"})
    app.refresh_from_db()
    assert app.state == State.GOVERNMENT_DECISION
    post = {"decision": "record", "body": "县政府常务会议", "reference": "息政〔2026〕9号", "decided_on": "2026-13-01",
            "approved": "yes", "document": SimpleUploadedFile("纪要.pdf", pdf_bytes(1), "application/pdf")}
    response = client.post(url, post, follow=True)
    assert "格式不正确" in response.content.decode()
    app.refresh_from_db()
    assert app.state == State.GOVERNMENT_DECISION and not Award.objects.filter(application=app).exists()
    post.update(decided_on="2026-11-01", document=SimpleUploadedFile("纪要.pdf", pdf_bytes(1), "application/pdf"))
    response = client.post(url, post, follow=True)
    assert "已登记决定" in response.content.decode()
    award = Award.objects.get(application=app)
    assert award.decided_on == datetime.date(2026, 11, 1)
    export = client.get(reverse("review:award_list"), {"format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert [cell.value for cell in sheet[2]][:2] == ["XX2026-001", "息县授奖公司"]

    detail = reverse("review:award_detail", args=[award.pk])
    for outsider in (world.stranger, world.secretariat):
        client.force_login(outsider)
        assert client.get(detail).status_code == 404
    client.force_login(app.owner)
    page = client.get(detail).content.decode()
    assert "XX2026-001" in page and 'id="revoke"' not in page
    revoke_url = reverse("review:award_revoke", args=[app.pk])
    assert client.post(revoke_url, {"ground": "fraud", "reason": "x"}).status_code == 403

    client.force_login(c.secretariat)
    page = client.get(detail).content.decode()
    assert 'id="revoke"' in page
    # 息县 第三十三条 / 第三十四条: the secretariat sees which grounds carry the 5-year ban before choosing
    assert "以欺骗、贿赂等不正当手段获奖的，5 年内不得再次申报" in page
    assert "获奖后发生重大质量、安全、环保等事故的，不设禁止申报期" in page
    response = client.post(reverse("review:award_revoke", args=[app.pk]), {"ground": "", "reason": "弄虚作假"},
                           follow=True)
    assert "请选择撤销情形" in response.content.decode()
    response = client.post(reverse("review:award_revoke", args=[app.pk]),
                           {"ground": "fraud", "reason": "查实以不正当手段获奖。"}, follow=True)
    assert "前不得再次申报" in response.content.decode()
    app.refresh_from_db()
    assert app.state == State.REVOKED


def _pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    out.seek(0)
    out.name = "自评报告2026.pdf"
    return out


def test_winner_uploads_a_self_assessment_report_and_secretariat_sees_the_overview(client, committee_of):
    c = committee_of("gongyi")
    app = c.finalist("巩义自评公司", target=State.COMMITTEE)
    workflow.perform(application=app, name="propose", actor=Actor(user=c.secretariat), tier=c.tiers[0])
    c.award(app, decided_on=datetime.date(2025, 6, 1))
    award = Award.objects.get(application=app)
    client.force_login(app.owner)
    url = reverse("review:self_assessment_submit", args=[award.pk])
    fake = io.BytesIO(b"not a pdf at all")
    fake.name = "报告.pdf"
    response = client.post(url, {"period": 1, "file": fake})
    assert response.status_code == 400 and "自评报告" in response.content.decode()
    assert client.post(url, {"period": 1, "file": _pdf()}).status_code == 302
    report = award.self_assessments.get()
    file_url = reverse("review:self_assessment_file", args=[award.pk, 1])
    assert client.get(file_url).status_code == 200
    client.force_login(c.members[0])
    assert client.post(url, {"period": 1, "text": "自评" * 150}).status_code == 403
    client.force_login(c.secretariat)
    page = client.get(reverse("review:self_assessment_overview")).content.decode()
    assert "巩义自评公司" in page and "第1年：已报送" in page
    assert report.pages == 1


def test_dashboards_point_to_votes_awaiting_a_ballot_and_reports_due(client, committee_of):
    c = committee_of("gongyi", members=2)
    session = _session(c, [c.finalist("巩义候选公司")])
    client.force_login(c.members[0])
    body = client.get(reverse("dashboard")).content.decode()
    assert f"待投票：{session.title}" in body
    svc.cast_ballot(session=session, actor=Actor(user=c.members[0]),
                    choices={x.pk: "approve" for x in session.candidates.all()})
    assert "待投票" not in client.get(reverse("dashboard")).content.decode()
    client.force_login(c.secretariat)
    body = client.get(reverse("dashboard")).content.decode()
    assert "1 场进行中" in body and reverse("review:award_list") in body

    winner = c.finalist("巩义获奖公司", target=State.COMMITTEE)
    workflow.perform(application=winner, name="propose", actor=Actor(user=c.secretariat), tier=c.tiers[0])
    c.award(winner, decided_on=datetime.date(2025, 6, 1))
    client.force_login(winner.owner)
    assert "年度自评报告待报送：巩义市市长质量奖（第1年度" in client.get(reverse("dashboard")).content.decode()


def test_the_demo_committee_member_has_a_vote_to_cast(client, seeded):
    from django.core.management import call_command

    from qualityaward.accounts.models import User

    call_command("load_demo", verbosity=0, documents="later")
    call_command("load_demo", verbosity=0, documents="later")  # twice changes nothing
    from applications.models import Program
    from review.committee.models import VoteSession

    # one open vote per program with a committee, on the application waiting before it (the demo's closed votes
    # are those of its applications the committee did not pass)
    open_votes = VoteSession.objects.filter(closed_at__isnull=True)
    assert open_votes.count() == Program.objects.filter(profile__has_committee=True).count()
    client.force_login(User.objects.get(username="committee"))
    assert "待投票：" in client.get(reverse("dashboard")).content.decode()


def test_a_vote_past_its_set_time_shows_its_results_without_waiting_for_the_beat(client, committee_of):
    from datetime import timedelta

    from django.utils import timezone

    from review.committee.models import VoteSession

    c = committee_of("xixian", members=1)
    session = svc.open_session(campaign=c.campaign, actor=Actor(user=c.secretariat),
                               candidates=[(c.finalist("息县定时公司"), c.tiers[0])],
                               closes_at=timezone.now() + timedelta(minutes=5))
    svc.cast_ballot(session=session, actor=Actor(user=c.members[0]),
                    choices={x.pk: "approve" for x in session.candidates.all()})
    VoteSession.objects.filter(pk=session.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    client.force_login(c.members[0])
    results = client.get(reverse("review:committee_results", args=[session.pk])).content.decode()
    assert 'id="results"' in results and "通过" in results
    assert VoteSession.objects.get(pk=session.pk).closed_by is None
