"""One vote per member under concurrency: the same member submitting the ballot twice at the same moment
(two tabs, a double click) gets exactly one vote; two members voting at once both count. PostgreSQL
only: the session row is locked (SELECT ... FOR UPDATE) and the voter roll is unique."""
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from qualityaward.accounts.models import User
from qualityaward.accounts.services import Actor
from review.committee import services as svc
from review.committee.models import Ballot, VoterRoll, VoteSession

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under concurrency: PostgreSQL only"),
]


@pytest.fixture
def lingering_roll(monkeypatch):
    """Each ballot lingers between reading the roll and writing it: it widens the race."""
    real_exists = VoterRoll.objects.filter

    def slow_filter(*args, **kwargs):
        qs = real_exists(*args, **kwargs)
        time.sleep(0.3)
        return qs

    monkeypatch.setattr(VoterRoll.objects, "filter", slow_filter)
    yield


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(session_id, user_id, choice):
        try:
            session, user = VoteSession.objects.get(pk=session_id), User.objects.get(pk=user_id)
            cands = list(session.candidates.all())
            barrier.wait(timeout=10)
            svc.cast_ballot(session=session, actor=Actor(user=user), choices={c.pk: choice for c in cands})
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=args) for args in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return outcomes


def _session(committee_of):
    c = committee_of("xixian", members=2)
    apps = [c.finalist("并发甲公司"), c.finalist("并发乙公司")]
    session = svc.open_session(campaign=c.campaign, actor=Actor(user=c.secretariat),
                               candidates=[(a, c.tiers[0]) for a in apps])
    return c, session


def test_the_same_member_voting_twice_at_once_counts_once(committee_of, lingering_roll):
    c, session = _session(committee_of)
    member = c.members[0]
    outcomes = _race([(session.pk, member.pk, "approve"), (session.pk, member.pk, "reject")])
    assert sorted(outcomes) == sorted(["ok", "您已在本次表决中投过票，每位委员只能投票一次。"]), outcomes
    assert VoterRoll.objects.filter(session=session).count() == 1
    assert Ballot.objects.filter(candidate__session=session).count() == 2
    assert len(set(Ballot.objects.values_list("choice", flat=True))) == 1  # one ballot paper, not a mix


def test_two_members_voting_at_once_both_count(committee_of, lingering_roll):
    c, session = _session(committee_of)
    outcomes = _race([(session.pk, c.members[0].pk, "approve"), (session.pk, c.members[1].pk, "abstain")])
    assert outcomes == ["ok", "ok"]
    assert VoterRoll.objects.filter(session=session).count() == 2
    assert Ballot.objects.filter(candidate__session=session).count() == 4
