"""After the committee: the award record (prize by tier and the repeat-prize rule, validity, certificate),
revocation with its window and ban, and the winners' annual self-assessment reports with reminders."""
import datetime
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from applications import workflow
from review.eligibility.services import FAIL, PASS, check_revocation_ban, facts_for
from applications.models import Application, Campaign, State
from qualityaward.accounts.services import Actor
from review.awards import services as svc
from review.awards.models import Award, SelfAssessmentReminder

from procedure_support import awarded, next_campaign, proposed


def test_award_records_tier_prize_certificate_and_validity(committee_of):
    c = committee_of("gongyi")  # 10 万元, valid 4 years
    app = awarded(c, "巩义获奖公司", decided_on=datetime.date(2026, 3, 1))
    award = app.award
    assert app.state == State.AWARDED
    assert award.tier == c.tiers[0] and award.prize_amount == c.tiers[0].prize_amount
    assert award.decided_on == datetime.date(2026, 3, 1)
    assert award.valid_until == datetime.date(2030, 2, 28)  # four years, the day before the anniversary
    assert award.certificate_number == "GY2026-001"
    assert award.decision_reference == "息政文〔2027〕1号"
    second = awarded(c, "巩义第二家公司")
    assert second.award.certificate_number == "GY2026-002"


def test_xixian_22_the_publicity_closing_asks_the_county_government_and_only_its_decision_awards(committee_of):
    """息县 第二十二条: 经公示无异议的，秘书处提请县政府常务会议研究审定后，由息县人民政府发文公告."""
    from demo.content import pdf_bytes
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = committee_of("xixian")
    app = proposed(c, "息县公示期满公司")
    with pytest.raises(workflow.InvalidTransition):
        workflow.perform(application=app, name="award", actor=Actor())
    workflow.perform(application=app, name="submit_to_government", actor=Actor())  # the notice closed unopposed
    app.refresh_from_db()
    assert app.state == State.GOVERNMENT_DECISION and not Award.objects.filter(application=app).exists()
    with pytest.raises(workflow.GuardFailed, match="尚未登记县政府常务会议审定"):
        svc.award(application=app, actor=Actor(user=c.secretariat))
    sec = Actor(user=c.secretariat)
    doc = SimpleUploadedFile("纪要.pdf", pdf_bytes(1), "application/pdf")
    for bad, message in [({"reference": " "}, "文号"), ({"decided_on": "2099-01-01"}, "晚于今天"),
                         ({"document": None}, "上传决定文件"), ({"approved": False}, "写明决定内容"),
                         ({"document": SimpleUploadedFile("纪要.pdf", b"MZ" + b"0" * 99, "application/pdf")},
                          "决定文件")]:
        kwargs = {"body": "县政府常务会议", "reference": "县政府第12次常务会议", "decided_on": timezone.localdate(),
                  "approved": True, "document": doc, **bad}
        with pytest.raises(workflow.TransitionError, match=message):
            svc.record_decision(application=app, actor=sec, kind="government", **kwargs)
        assert not svc.decisions_of(app) and Application.objects.get(pk=app.pk).state == State.GOVERNMENT_DECISION
    with pytest.raises(PermissionDenied):
        svc.record_decision(application=app, actor=Actor(user=c.members[0]), kind="government", body="县政府常务会议",
                            reference="第12次", decided_on=timezone.localdate(), approved=True, document=doc)
    doc.seek(0)
    svc.record_decision(application=app, actor=sec, kind="government", body="县政府常务会议",
                        reference="县政府第12次常务会议", decided_on=timezone.localdate(), approved=True, document=doc)
    app.refresh_from_db()
    award = Award.objects.get(application=app)
    assert app.state == State.AWARDED and award.decision_reference == "县政府第12次常务会议"
    assert award.decided_on == timezone.localdate() and award.valid_until is None  # 息县 sets no validity
    assert award.prize_amount == c.tiers[0].prize_amount


def test_xixian_27_a_repeat_of_the_same_award_brings_no_money_a_different_tier_does(committee_of):
    """息县 第二十七条: 曾获得县长质量奖和县长质量奖提名奖的单位（组织），再次获得同类奖项的，县政府不再给予资金奖励 —
    同类 is the same tier: a 提名奖 holder who wins the 县长质量奖 is paid it; a second 县长质量奖 is not."""
    c = committee_of("xixian")
    org = c.organization("息县两次获奖公司")
    first = awarded(c, "息县两次获奖公司", organization=org, tier=c.tiers[1])  # 提名奖 first
    assert first.award.prize_amount == c.tiers[1].prize_amount
    next_campaign(c, 2028)
    second = awarded(c, "息县两次获奖公司", organization=org, campaign=Campaign.objects.get(
        program=c.program, is_current=True))
    assert second.award.tier == c.tiers[0] and second.award.prize_amount == c.tiers[0].prize_amount
    assert second.award.prize_note == ""
    next_campaign(c, 2030)
    third = awarded(c, "息县两次获奖公司", organization=org, campaign=Campaign.objects.get(
        program=c.program, is_current=True))
    assert third.award.prize_amount is None and "再次获得同类奖项，不再给予资金奖励" in third.award.prize_note
    assert second.award.certificate_number in third.award.prize_note and third.award.uses_quota
    other = awarded(c, "息县另一家公司", campaign=third.campaign)
    assert other.award.prize_amount == c.tiers[0].prize_amount


def test_after_expiry_a_repeat_winner_gets_the_title_only_and_takes_no_seat(committee_of):
    """巩义 第二十八条: 有效期满后再次获得该奖的，授予证书和称号，不授予奖金，不占当年奖项名额."""
    from review.committee import services as committee

    c = committee_of("gongyi", members=1)
    org = c.organization("巩义老牌公司")
    awarded(c, "巩义老牌公司", organization=org, decided_on=datetime.date(2022, 1, 10))
    campaign = next_campaign(c, 2028)
    again = c.finalist("巩义老牌公司", organization=org, campaign=campaign)
    rivals = [c.finalist(f"巩义新秀{i}", campaign=campaign) for i in range(5)]
    session = committee.open_session(campaign=campaign, actor=Actor(user=c.secretariat),
                                     candidates=[(a, c.tiers[0]) for a in [again, *rivals]])
    committee.cast_ballot(session=session, actor=Actor(user=c.members[0]),
                          choices={x.pk: "approve" for x in session.candidates.all()})
    committee.close_session(session=session, actor=Actor(user=c.secretariat))
    (p,) = committee.plan(session=session)[0].values()
    assert [x.application for x in p.exempt] == [again]
    # the repeat winner takes no seat: three rivals fill the open seats, two reserved seats stay vacant
    assert len(p.within) == 3 and p.vacant_reserved == 2
    committee.decide(session=session, actor=Actor(user=c.secretariat))
    c.award(again)
    award = Award.objects.get(application=again)
    assert award.prize_amount is None and not award.uses_quota and "不占名额" in award.prize_note


def test_revocation_bans_the_organization_from_the_next_campaign_within_the_ban_years(committee_of):
    """息县 第三十三条: 撤销… 5 年内不得再次申报. The eligibility check refuses within the ban, allows after."""
    c = committee_of("xixian")
    org = c.organization("息县被撤销公司")
    app = awarded(c, "息县被撤销公司", organization=org)
    svc.revoke(application=app, actor=Actor(user=c.secretariat), ground=Award.Ground.FRAUD,
               reason="查实申报材料弄虚作假，以不正当手段获奖。")
    app.refresh_from_db()
    award = Award.objects.get(application=app)
    assert app.state == State.REVOKED and award.revoked_on == timezone.localdate()
    assert award.ban_until == award.revoked_on.replace(year=award.revoked_on.year + 5)

    within = next_campaign(c, 2028, deadline_in_days=365 * 2)
    later = c.world.new_app(owner=org.members.first(), organization=org, campaign=within, region=c.region)
    result = check_revocation_ban(facts_for(later))
    assert result.status == FAIL and "仍在禁止期内" in result.evidence

    after = next_campaign(c, 2032, deadline_in_days=365 * 5 + 30)
    later_still = c.world.new_app(owner=org.members.first(), organization=org, campaign=after, region=c.region)
    result = check_revocation_ban(facts_for(later_still))
    assert result.status == PASS and "已在本届申报截止日" in result.evidence
    # another organization is not affected
    stranger = c.world.new_app(campaign=within, region=c.region)
    assert check_revocation_ban(facts_for(stranger)).status == PASS


def test_xixian_incident_revocation_bans_nobody_the_next_campaign(committee_of):
    """息县 第三十四条 revokes after an incident without a ban (only 第三十三条, fraud, bans for 5 years)."""
    c = committee_of("xixian")
    org = c.organization("息县事故撤销公司")
    app = awarded(c, "息县事故撤销公司", organization=org)
    svc.revoke(application=app, actor=Actor(user=c.secretariat), ground=Award.Ground.INCIDENT,
               reason="获奖后发生重大安全事故。")
    award = Award.objects.get(application=app)
    assert award.revocation_ground == Award.Ground.INCIDENT and award.ban_until is None
    following = next_campaign(c, 2028, deadline_in_days=365)
    later = c.world.new_app(owner=org.members.first(), organization=org, campaign=following, region=c.region)
    result = check_revocation_ban(facts_for(later))
    assert result.status == PASS and "不设禁止申报期" in result.evidence


def test_gongyi_bans_for_every_ground(committee_of):
    """巩义 第二十五条: any of the four grounds, 4 years."""
    c = committee_of("gongyi")
    org = c.organization("巩义事故撤销公司")
    app = awarded(c, "巩义事故撤销公司", organization=org)
    svc.revoke(application=app, actor=Actor(user=c.secretariat), ground=Award.Ground.INCIDENT,
               reason="有效期内发生较大责任事故。")
    award = Award.objects.get(application=app)
    assert award.ban_until == award.revoked_on.replace(year=award.revoked_on.year + 4)
    following = next_campaign(c, 2028, deadline_in_days=365)
    later = c.world.new_app(owner=org.members.first(), organization=org, campaign=following, region=c.region)
    assert check_revocation_ban(facts_for(later)).status == FAIL


def test_an_incident_revocation_only_within_the_window(committee_of):
    """息县 第三十四条: 获奖之日起 3 年内发生重大事故的… 撤销; fraud has no such limit."""
    c = committee_of("xixian")
    app = awarded(c, "息县老获奖公司")
    Award.objects.filter(application=app).update(decided_on=timezone.localdate() - timedelta(days=365 * 3 + 5))
    with pytest.raises(workflow.GuardFailed, match="已超过期限"):
        svc.revoke(application=app, actor=Actor(user=c.secretariat), ground=Award.Ground.INCIDENT,
                   reason="发生重大安全事故。")
    app.refresh_from_db()
    assert app.state == State.AWARDED and Award.objects.get(application=app).revoked_on is None
    with pytest.raises(workflow.GuardFailed, match="撤销情形"):
        svc.revoke(application=app, actor=Actor(user=c.secretariat), ground="", reason="理由")
    svc.revoke(application=app, actor=Actor(user=c.secretariat), ground=Award.Ground.FRAUD, reason="以不正当手段获奖。")
    assert Award.objects.get(application=app).revocation_ground == Award.Ground.FRAUD


def test_not_award_after_publicity_needs_a_reason(committee_of):
    c = committee_of("xixian")
    app = proposed(c, "息县公示有异议公司")
    with pytest.raises(workflow.GuardFailed, match="须填写理由"):
        svc.not_award(application=app, actor=Actor(user=c.secretariat), reason="")
    svc.not_award(application=app, actor=Actor(user=c.secretariat), reason="公示期间异议查实，不予授奖。")
    app.refresh_from_db()
    assert app.state == State.NOT_AWARDED and not Award.objects.filter(application=app).exists()


# --- annual self-assessment reports (巩义 第二十九条) -------------------------------------------------------
@time_machine.travel("2026-11-22T10:00:00+08:00", tick=False)
def test_report_years_and_submission(committee_of):
    """On 2026-11-22 the first report year is due and the second has not started: its report is refused."""
    c = committee_of("gongyi")
    app = awarded(c, "巩义自评公司", decided_on=datetime.date(2025, 12, 1))
    award = app.award
    today = timezone.localdate()
    assert today == datetime.date(2026, 11, 22)
    years = svc.periods(award, today=today)
    assert [(p.number, p.starts, p.ends) for p in years[:2]] == [
        (1, datetime.date(2025, 12, 1), datetime.date(2026, 11, 30)),
        (2, datetime.date(2026, 12, 1), datetime.date(2027, 11, 30))]
    assert len(years) == 4 and years[0].due_soon and not years[1].started
    owner = app.owner
    with pytest.raises(ValidationError, match="不少于 200 字"):
        svc.submit_report(award=award, actor=Actor(user=owner), period=1, text="太短")
    with pytest.raises(ValidationError, match="届时再报送"):
        svc.submit_report(award=award, actor=Actor(user=owner), period=2, text="自评" * 150)
    with pytest.raises(PermissionDenied):
        svc.submit_report(award=award, actor=Actor(user=c.secretariat), period=1, text="自评" * 150)
    svc.submit_report(award=award, actor=Actor(user=owner), period=1, text="领导、战略、顾客与市场……" * 30)
    assert svc.periods(award, today=today)[0].status == "已报送"
    # a program that asks for no reports shows no years
    x = committee_of("xixian")
    assert svc.periods(awarded(x, "息县无须自评公司").award) == []


def test_reminders_are_sent_once_when_due_and_once_when_overdue(committee_of, settings):
    c = committee_of("gongyi")
    app = awarded(c, "巩义提醒公司", decided_on=datetime.date(2025, 12, 1))
    award = app.award
    mail.outbox.clear()
    assert svc.send_reminders(today=datetime.date(2026, 10, 1)) == []  # more than 30 days ahead
    sent = svc.send_reminders(today=datetime.date(2026, 11, 22))
    assert sent == [(award.pk, 1, "upcoming")] and len(mail.outbox) == 1
    assert "即将到期" in mail.outbox[0].subject and app.owner.email in mail.outbox[0].to
    assert svc.send_reminders(today=datetime.date(2026, 11, 23)) == [] and len(mail.outbox) == 1  # idempotent
    assert svc.send_reminders(today=datetime.date(2026, 12, 2)) == [(award.pk, 1, "overdue")]
    assert svc.send_reminders(today=datetime.date(2026, 12, 3)) == [] and len(mail.outbox) == 2
    assert SelfAssessmentReminder.objects.filter(award=award).count() == 2
    rows = svc.overview(awards=Award.objects.all(), today=datetime.date(2026, 12, 3))
    assert [len(r["overdue"]) for r in rows] == [1]
    svc.submit_report(award=award, actor=Actor(user=app.owner), period=1, text="自评" * 150)
    assert svc.overview(awards=Award.objects.all(), today=datetime.date(2026, 12, 3))[0]["overdue"] == []
    # a revoked award owes nothing
    svc.revoke(application=app, actor=Actor(user=c.secretariat), ground=Award.Ground.FRAUD, reason="弄虚作假。")
    assert svc.send_reminders(today=datetime.date(2027, 12, 5)) == []


def test_the_beat_jobs_are_scheduled():
    from qualityaward.celery import app

    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"review.committee_tasks.close_due_votes", "review.committee_tasks.send_self_assessment_reminders"} <= tasks
    assert {"review.committee_tasks.close_due_votes", "review.committee_tasks.send_self_assessment_reminders"} <= set(
        app.tasks)


@pytest.mark.parametrize("code,kind,waits_in", [
    ("xixian", "winners", State.GOVERNMENT_DECISION),  # 息县 第二十二条: 提请县政府常务会议研究审定
    ("gongyi", "candidates", State.GOVERNMENT_DECISION),  # 巩义 第十七条（八）: 提交市政府研究审议确定
    ("jinshui", "winners", State.CANDIDATE_CONFIRMATION),  # 金水 第十六条: 提交评委会确定正式候选名单
])
def test_an_unopposed_winners_notice_waits_for_the_decision_its_document_names(committee_of, code, kind, waits_in):
    """The notice's close never awards where the document puts a decision after the publicity: no award, no
    certificate until the secretariat records it."""
    from applications.models import GeneratedDocument
    from publicity.notices import services as notices

    c = committee_of(code)
    app = proposed(c, f"{c.program.short_name}公示无异议公司")
    notice = notices.compose_notice(campaign=c.campaign, kind=kind, actor=Actor(user=c.secretariat),
                                    application_ids=[app.pk], window_length=15)
    notices.schedule_notice(notice=notice, actor=Actor(user=c.secretariat), opens_at=timezone.now())
    notices.run_due()
    notice.refresh_from_db()
    notices.run_due(now=notice.closes_at + timedelta(minutes=1))
    app.refresh_from_db()
    assert app.state == waits_in
    assert not Award.objects.filter(application=app).exists()
    assert not GeneratedDocument.objects.filter(application=app, kind=GeneratedDocument.Kind.CERTIFICATE).exists()
    c.award(app)
    assert Award.objects.filter(application=app).exists()
    kinds = list(svc.decisions_of(app))
    assert [d.kind for d in kinds] == (["committee", "government"] if code == "jinshui" else ["government"])


def test_a_holder_does_not_apply_again_while_its_award_is_valid(committee_of):
    """巩义 第二十八条 有效期满后可再次申请 (金水 第二十条 期满可重新申报): while the award is valid at the campaign's
    deadline the holder can neither start nor submit an application to the program, and the eligibility check fails a
    draft started before the award; after its validity it can. Another organization is not affected."""
    c = committee_of("gongyi")  # valid 4 years
    org = c.organization("巩义有效期内公司")
    owner = org.members.first()
    candidate = proposed(c, "巩义有效期内公司", organization=org)
    within = next_campaign(c, 2028, deadline_in_days=365)
    early = c.world.new_app(owner=owner, organization=org, campaign=within, region=c.region)  # before the award
    valid_until = c.award(candidate).award.valid_until
    result = svc.check_valid_award(facts_for(early))
    assert result.status == FAIL and "仍在有效期内" in result.evidence and f"{valid_until:%Y-%m-%d}" in result.evidence
    with pytest.raises(workflow.GuardFailed, match=f"不能提交：.*有效期至 {valid_until:%Y-%m-%d}.*有效期满后方可重新申报"):
        workflow.perform(application=early, name="submit", actor=Actor(user=owner))
    assert Application.objects.get(pk=early.pk).state == State.DRAFT
    drafts = Application.objects.count()
    with pytest.raises(ValidationError, match="仍在有效期内，不能再次申报本奖项。有效期满后方可重新申报"):
        c.world.new_app(owner=owner, organization=org, campaign=within, region=c.region)
    assert Application.objects.count() == drafts
    after = next_campaign(c, 2031, deadline_in_days=(valid_until - timezone.localdate()).days + 30)
    later = c.world.new_app(owner=owner, organization=org, campaign=after, region=c.region)
    assert svc.check_valid_award(facts_for(later)).status == PASS
    other = c.world.new_app(campaign=within, region=c.region)
    assert svc.check_valid_award(facts_for(other)).status == PASS


def test_xixian_10_the_award_lists_leave_out_what_one_stepped_aside_from(client, committee_of):
    """息县 第十条, 巩义 第十八条: the award list (page and Excel), the applications waiting for the award decision
    and the self-assessment overview leave out an application the reader stepped aside from; a colleague of
    the secretariat sees it."""
    from django.urls import reverse

    from conformance_support import make_user
    from qualityaward.accounts.models import Role
    from review.panels.models import Recusal

    c = committee_of("gongyi")
    won = awarded(c, "巩义回避对象公司")
    awarded(c, "巩义另一获奖公司")
    waiting = proposed(c, "巩义待授奖回避公司")
    for app in (won, waiting):
        Recusal.objects.create(application=app, user=c.secretariat, kind=Recusal.Kind.SECRETARIAT, reason="曾任职")
    colleague = make_user("sec_gongyi_b", (Role.SECRETARIAT, {"program": c.program}))
    pages = [reverse("review:award_list"), reverse("review:award_list") + "?format=xlsx",
             reverse("review:self_assessment_overview")]
    client.force_login(c.secretariat)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:  # the Excel export: its cells
            from io import BytesIO

            from openpyxl import load_workbook

            book = load_workbook(BytesIO(b"".join(response.streaming_content)))
            body = " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row)
            assert "巩义另一获奖公司" in body  # other winners are listed
        else:
            body = response.content.decode()
        assert "巩义回避对象公司" not in body and "巩义待授奖回避公司" not in body, url
    assert client.get(reverse("review:award_detail", args=[won.award.pk])).status_code == 404
    client.force_login(colleague)
    body = client.get(pages[0]).content.decode()
    assert "巩义回避对象公司" in body and "巩义待授奖回避公司" in body
    assert client.get(reverse("review:award_detail", args=[won.award.pk])).status_code == 200
