"""The committee's anonymous vote: ballots that cannot be traced to a member, one vote each, results
only after the close, the 2/3 threshold (弃权 counts as voting), and the tier quotas with reserved seats."""
from datetime import timedelta
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from applications import workflow
from applications.models import State
from qualityaward.accounts.models import AuditEvent
from qualityaward.accounts.services import SYSTEM, Actor
from review.committee import services as svc
from review.committee.models import Ballot, VoteCandidate, VoterRoll, VoteSession

A, R, N = Ballot.Choice.APPROVE, Ballot.Choice.REJECT, Ballot.Choice.ABSTAIN


def open_vote(c, apps, tiers=None, **kw):
    tiers = tiers or [c.tiers[0]] * len(apps)
    return svc.open_session(campaign=c.campaign, actor=Actor(user=c.secretariat),
                            candidates=list(zip(apps, tiers)), **kw)


def vote(session, member, *choices):
    cands = list(session.candidates.order_by("order"))
    svc.cast_ballot(session=session, actor=Actor(user=member), choices={c.pk: ch for c, ch in zip(cands, choices)})


def close(c, session):
    return svc.close_session(session=session, actor=Actor(user=c.secretariat))


def test_opening_moves_finalists_to_the_committee_and_snapshots_the_threshold(
        committee_of, django_capture_on_commit_callbacks):
    from django.core import mail

    c = committee_of("xixian")
    apps = [c.finalist("息县甲公司"), c.finalist("息县乙公司")]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session = open_vote(c, apps, [c.tiers[0], c.tiers[1]])
    (notice,) = [m for m in mail.outbox if m.subject.startswith("评委会表决已开始")]
    assert sorted(notice.to) == sorted(m.email for m in c.members) and "共 2 个候选对象" in notice.body
    for app in apps:
        app.refresh_from_db()
        assert app.state == State.COMMITTEE
    assert session.threshold == Fraction(2, 3)
    assert [x.tier for x in session.candidates.order_by("order")] == c.tiers[:2]
    with pytest.raises(ValidationError, match="正在进行的表决"):
        open_vote(c, [c.finalist("息县丙公司")])
    with pytest.raises(PermissionDenied):
        svc.open_session(campaign=c.campaign, actor=Actor(user=c.members[0]), candidates=[(apps[0], c.tiers[0])])


def test_the_ballot_table_cannot_link_a_choice_to_a_member(committee_of):
    c = committee_of("xixian")
    apps = [c.finalist(f"息县候选{i}公司") for i in range(8)]
    session = open_vote(c, apps)
    vote(session, c.members[0], *([A, R, N, A] * 2))
    columns = {col.name for col in connection.introspection.get_table_description(
        connection.cursor(), Ballot._meta.db_table)}
    assert columns == {"id", "candidate_id", "choice"}  # no member, no time
    relations = connection.introspection.get_relations(connection.cursor(), Ballot._meta.db_table)
    assert {target for _col, (_field, target) in relations.items()} == {VoteCandidate._meta.db_table}
    assert Ballot._meta.pk.get_internal_type() == "UUIDField"
    # the eight ballots were not written in the order of the candidates
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT candidate_id FROM {Ballot._meta.db_table} ORDER BY {position}")
        written = [row[0] for row in cursor.fetchall()]
    orders = dict(VoteCandidate.objects.values_list("pk", "order"))
    assert sorted(written) == sorted(orders) and [orders[w] for w in written] != sorted(orders.values())
    # the audit trail says who voted, not how
    event = AuditEvent.objects.get(action="committee:voted")
    assert event.actor == c.members[0] and event.data == {"session": session.pk}
    assert VoterRoll.objects.filter(session=session, voter=c.members[0]).count() == 1


def test_a_member_votes_once_and_must_answer_for_every_candidate(committee_of):
    c = committee_of("xixian")
    session = open_vote(c, [c.finalist("息县甲公司"), c.finalist("息县乙公司")])
    first = session.candidates.order_by("order").first()
    with pytest.raises(ValidationError, match="每一位候选对象"):
        svc.cast_ballot(session=session, actor=Actor(user=c.members[0]), choices={first.pk: A})
    assert not Ballot.objects.exists() and not VoterRoll.objects.exists()
    vote(session, c.members[0], A, R)
    with pytest.raises(ValidationError, match="只能投票一次"):
        vote(session, c.members[0], R, R)
    assert Ballot.objects.count() == 2
    with pytest.raises(PermissionDenied):  # the secretariat is not a member
        vote(session, c.secretariat, A, A)


def test_results_exist_only_after_the_close(committee_of):
    c = committee_of("xixian")
    session = open_vote(c, [c.finalist("息县甲公司")])
    vote(session, c.members[0], A)
    assert svc.results(session=session) is None
    assert VoteCandidate.objects.get(session=session).approve is None
    with pytest.raises(ValidationError, match="尚未结束"):
        svc.plan(session=session)
    assert svc.turnout(session=session) == (1, 3)
    close(c, session)
    (row,) = svc.results(session=VoteSession.objects.get(pk=session.pk))
    assert (row.approve, row.reject, row.abstain, row.passed) == (1, 0, 0, True)
    with pytest.raises(ValidationError, match="已结束"):
        vote(session, c.members[1], A)


def test_a_vote_with_a_set_time_closes_itself(committee_of):
    c = committee_of("xixian")
    session = open_vote(c, [c.finalist("息县甲公司")], closes_at=timezone.now() + timedelta(hours=1))
    vote(session, c.members[0], A)
    assert svc.close_due_sessions() == 0
    VoteSession.objects.filter(pk=session.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="已结束"):  # past the time, nobody votes any more
        vote(session, c.members[1], A)
    assert svc.close_due_sessions() == 1
    session.refresh_from_db()
    assert session.closed_at and session.closed_by is None
    assert svc.close_due_sessions() == 0


def test_threshold_two_thirds_of_those_voting_abstentions_count(committee_of):
    c = committee_of("xixian", members=3)
    apps = [c.finalist("恰好三分之二公司"), c.finalist("弃权拉低公司"), c.finalist("过半不足公司")]
    session = open_vote(c, apps)
    vote(session, c.members[0], A, A, A)
    vote(session, c.members[1], A, N, A)
    vote(session, c.members[2], R, N, R)
    close(c, session)
    passed = dict(VoteCandidate.objects.filter(session=session).values_list("application__applicant_name", "passed"))
    # 2 of 3 = exactly 2/3 passes; 1 approve + 2 abstentions is 1/3 of those voting; 2/3 again passes
    assert passed == {"恰好三分之二公司": True, "弃权拉低公司": False, "过半不足公司": True}
    third = Fraction(2, 3)
    assert svc.passes(approve=14, voters=21, threshold=third)
    assert not svc.passes(approve=13, voters=20, threshold=third)  # 65 % is just below
    assert not svc.passes(approve=0, voters=0, threshold=third)


def test_decision_proposes_within_quota_and_refuses_the_rest_with_reasons(committee_of):
    c = committee_of("xixian", members=3)  # 县长质量奖 ≤ 2, 提名奖 ≤ 3
    award, nomination = c.tiers
    apps = [c.finalist(n) for n in ("甲", "乙", "丙", "丁")]
    session = open_vote(c, apps, [award, award, award, nomination])
    vote(session, c.members[0], A, A, A, R)
    vote(session, c.members[1], A, A, A, R)
    vote(session, c.members[2], A, R, A, R)  # 乙 2 votes, 甲 and 丙 3 votes; 丁 fails
    close(c, session)
    svc.decide(session=session, actor=Actor(user=c.secretariat))
    states = {a.applicant_name: (a.state, a.tier) for a in (type(a).objects.get(pk=a.pk) for a in apps)}
    assert states["甲"] == (State.PROPOSED, award) and states["丙"] == (State.PROPOSED, award)
    assert states["乙"][0] == State.NOT_AWARDED and states["丁"][0] == State.NOT_AWARDED
    reasons = dict(VoteCandidate.objects.values_list("application__applicant_name", "outcome_reason"))
    assert "名额（2 个）已满" in reasons["乙"]
    assert "未达到投票人数的 2/3" in reasons["丁"]
    event = AuditEvent.objects.get(action="transition:not_award", object_id=str(apps[1].pk))
    assert event.reason == reasons["乙"]
    with pytest.raises(ValidationError, match="已经确定"):
        svc.decide(session=session, actor=Actor(user=c.secretariat))


def test_reserved_seats_for_little_giants_stay_vacant_when_too_few_passed(committee_of):
    """巩义 第四条: ≤5, of which ≥2 for 专精特新, vacancies allowed. Five pass, one is a 专精特新 enterprise:
    it takes a reserved seat, three others take the three open seats, the second reserved seat stays vacant."""
    c = committee_of("gongyi", members=3)
    tier = c.tiers[0]
    assert (tier.quota, tier.reserved_quota, c.profile.vacancies_allowed) == (5, 2, True)
    little = c.finalist("专精特新公司", little_giant=True)
    others = [c.finalist(f"普通{i}公司") for i in range(4)]
    session = open_vote(c, [*others, little])
    for m in c.members:
        vote(session, m, A, A, A, A, A)
    vote_counts = VoteCandidate.objects.filter(session=session)
    assert vote_counts.count() == 5
    close(c, session)
    plans, failed = svc.plan(session=session)
    (p,) = plans.values()
    assert p.vacant_reserved == 1 and len(p.within) == 4 and len(p.over) == 1 and not failed
    svc.decide(session=session, actor=Actor(user=c.secretariat))
    proposed = set(type(little).objects.filter(state=State.PROPOSED).values_list("applicant_name", flat=True))
    assert "专精特新公司" in proposed and len(proposed) == 4
    refused = VoteCandidate.objects.get(outcome=VoteCandidate.Outcome.OVER_QUOTA)
    assert "其中 2 个预留给专精特新企业" in refused.outcome_reason


def test_a_province_level_specialized_enterprise_takes_a_reserved_seat(committee_of):
    """巩义 第四条 reserves seats for 专精特新 enterprises of any level: a province-level 专精特新中小企业 (not a
    national “小巨人”), as stated on its form, takes a reserved seat."""
    c = committee_of("gongyi", members=1)
    c.tiers[0].quota = 3
    c.tiers[0].save()
    others = [c.finalist(f"普通{i}公司") for i in range(3)]
    specialized = c.finalist("省级专精特新公司")
    type(specialized).objects.filter(pk=specialized.pk).update(specialized_level="province")
    assert not type(specialized).objects.get(pk=specialized.pk).is_little_giant
    session = open_vote(c, [*others, specialized])
    vote(session, c.members[0], A, A, A, A)
    close(c, session)
    (p,) = svc.plan(session=session)[0].values()
    assert "省级专精特新公司" in [x.application.applicant_name for x in p.within]
    # 3 seats, 2 reserved: the 专精特新 enterprise takes one, the other stays vacant, one open seat for the rest
    assert len(p.within) == 2 and len(p.over) == 2 and p.vacant_reserved == 1


def test_without_vacancies_an_unfilled_reserved_seat_opens_to_everyone(committee_of):
    c = committee_of("gongyi", members=1)
    c.profile.vacancies_allowed = False
    c.profile.save()
    session = open_vote(c, [c.finalist(f"普通{i}公司") for i in range(5)])
    vote(session, c.members[0], A, A, A, A, A)
    close(c, session)
    (p,) = svc.plan(session=session)[0].values()
    assert len(p.within) == 5 and p.vacant_reserved == 0


def test_a_yearly_quota_counts_seats_taken_earlier_that_year(committee_of):
    """金水: ≤3 a year. Two already proposed in an earlier vote the same year leave one seat."""
    c = committee_of("jinshui", members=1)
    first = open_vote(c, [c.finalist("上半年甲"), c.finalist("上半年乙")])
    vote(first, c.members[0], A, A)
    close(c, first)
    svc.decide(session=first, actor=Actor(user=c.secretariat))
    second = open_vote(c, [c.finalist("下半年丙"), c.finalist("下半年丁")])
    vote(second, c.members[0], A, A)
    close(c, second)
    (p,) = svc.plan(session=second)[0].values()
    assert p.used == 2 and len(p.within) == 1 and len(p.over) == 1


def test_jinshui_4_no_path_gives_a_fourth_seat_in_a_year(committee_of):
    """金水 第四条 “每年度不超过3个”: with three seats taken, the secretariat's 确定拟授奖 on the application page is
    refused like the committee's plan would, and nothing changes."""
    c = committee_of("jinshui", members=1)
    first = open_vote(c, [c.finalist("甲"), c.finalist("乙"), c.finalist("丙")])
    vote(first, c.members[0], A, A, A)
    close(c, first)
    svc.decide(session=first, actor=Actor(user=c.secretariat))
    fourth = c.finalist("丁", target=State.COMMITTEE)
    with pytest.raises(workflow.GuardFailed, match="区长质量奖本年度名额（3 个）已满"):
        workflow.perform(application=fourth, name="propose", actor=Actor(user=c.secretariat), tier=c.tiers[0])
    fourth.refresh_from_db()
    assert fourth.state == State.COMMITTEE and fourth.tier is None
    assert not AuditEvent.objects.filter(object_id=str(fourth.pk), action="transition:propose").exists()


def test_ranking_uses_the_composite_score_when_votes_tie(committee_of):
    c = committee_of("xixian", members=1)
    apps = [c.finalist("低分公司"), c.finalist("高分公司"), c.finalist("中分公司")]
    scores = {"低分公司": 700, "高分公司": 900, "中分公司": 800}
    real = svc._composite_provider
    svc.register_composite_provider(lambda app: scores.get(app.applicant_name))
    try:
        assert [a.applicant_name for a in svc.candidate_choices(campaign=c.campaign)] == ["高分公司", "中分公司", "低分公司"]
        session = open_vote(c, apps)
        vote(session, c.members[0], A, A, A)
        close(c, session)
        (p,) = svc.plan(session=session)[0].values()
        assert [x.application.applicant_name for x in p.within] == ["高分公司", "中分公司"]
    finally:
        svc.register_composite_provider(real)
    assert svc.composite_for(apps[0]) == 650  # the real scores again: every finalist here was scored 650


def test_closing_rewrites_the_ballots_with_new_keys(committee_of):
    c = committee_of("xixian", members=2)
    session = open_vote(c, [c.finalist("甲"), c.finalist("乙")])
    vote(session, c.members[0], A, R)
    vote(session, c.members[1], N, A)
    before = set(Ballot.objects.values_list("pk", flat=True))
    close(c, session)
    after = set(Ballot.objects.values_list("pk", flat=True))
    assert len(after) == 4 and not before & after
    assert sorted(Ballot.objects.values_list("choice", flat=True)) == sorted([A, R, N, A])


def test_only_the_secretariat_or_the_clock_closes(committee_of):
    c = committee_of("xixian")
    session = open_vote(c, [c.finalist("甲")])
    with pytest.raises(PermissionDenied):
        svc.close_session(session=session, actor=Actor(user=c.members[0]))
    with pytest.raises(ValidationError, match="定时结束"):
        svc.close_session(session=session, actor=SYSTEM)
    assert VoteSession.objects.get(pk=session.pk).is_open


def test_a_candidate_disqualified_during_the_vote_takes_no_part_in_the_quotas(committee_of):
    from applications import workflow

    c = committee_of("xixian", members=1)
    apps = [c.finalist("甲"), c.finalist("乙"), c.finalist("丙")]
    session = open_vote(c, apps)
    vote(session, c.members[0], A, A, A)
    workflow.perform(application=apps[0], name="disqualify", actor=Actor(user=c.secretariat), reason="异议查实")
    close(c, session)
    (p,) = svc.plan(session=session)[0].values()
    assert [x.application.applicant_name for x in p.within] == ["乙", "丙"]
    svc.decide(session=session, actor=Actor(user=c.secretariat))
    assert "已取消资格，未参与名额分配" in VoteCandidate.objects.get(application=apps[0]).outcome_reason
    assert type(apps[0]).objects.get(pk=apps[0].pk).state == State.DISQUALIFIED


def test_a_recused_member_casts_no_ballot_on_that_candidate(committee_of):
    from review.panels.models import Recusal

    c = committee_of("xixian", members=3)
    apps = [c.finalist("甲"), c.finalist("乙")]
    session = open_vote(c, apps)
    Recusal.objects.create(application=apps[0], user=c.members[2], reason="曾在该单位任职")
    vote(session, c.members[0], A, A)
    vote(session, c.members[1], A, R)
    second = session.candidates.get(application=apps[1])
    svc.cast_ballot(session=session, actor=Actor(user=c.members[2]), choices={second.pk: R})  # nothing on 甲
    close(c, session)
    first, second = svc.results(session=session)
    assert (first.voters, first.approve, first.passed) == (2, 2, True)
    assert (second.voters, second.approve, second.passed) == (3, 1, False)
