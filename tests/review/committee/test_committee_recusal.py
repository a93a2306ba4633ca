"""息县 第十条, 巩义 第十八条: whoever stepped aside from an application (回避) learns neither who it is nor how
the committee voted on it from the committee's pages: opening a vote leaves it out, the vote, the results (page
and Excel) and the tier plan keep its number as "（已回避）", and the decision is left to a colleague. A member
of the secretariat who did not step aside sees everything."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qualityaward.accounts.models import Role
from qualityaward.accounts.services import Actor
from review.committee import services as svc
from review.committee.models import Ballot
from review.panels.models import Recusal

from conformance_support import make_user

NAME = "回避对象息县甲公司"
OTHER = "息县乙公司"


@pytest.fixture
def vote(committee_of):
    c = committee_of("xixian", members=3)
    c.apps = [c.finalist(NAME), c.finalist(OTHER)]
    c.colleague = make_user("sec_xixian_b", (Role.SECRETARIAT, {"program": c.program}))
    Recusal.objects.create(application=c.apps[0], user=c.secretariat, kind=Recusal.Kind.SECRETARIAT,
                           reason="近亲属在申报单位任职")
    return c


def _page(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_xixian_10_opening_a_vote_leaves_out_what_one_stepped_aside_from(client, vote):
    url = reverse("review:committee_open", args=[vote.campaign.pk])
    page = _page(client, vote.secretariat, url)
    assert NAME not in page and OTHER in page and f"take_{vote.apps[0].pk}" not in page
    assert "您已对本届 1 个入围申报声明回避" in page
    page = _page(client, vote.colleague, url)
    assert NAME in page and OTHER in page


def test_xixian_10_the_vote_results_and_plan_keep_the_number_not_the_name(client, vote):
    session = svc.open_session(campaign=vote.campaign, actor=Actor(user=vote.colleague),
                               candidates=[(a, vote.tiers[0]) for a in vote.apps])
    url = reverse("review:committee_session", args=[session.pk])
    page = _page(client, vote.secretariat, url)
    assert NAME not in page and OTHER in page and "（已回避）" in page
    for member in vote.members:
        cands = list(session.candidates.order_by("order"))
        svc.cast_ballot(session=session, actor=Actor(user=member), choices={c.pk: Ballot.Choice.APPROVE for c in cands})
    svc.close_session(session=session, actor=Actor(user=vote.colleague))
    # the plan before the decision: the recused member sees the place and leaves the decision to a colleague
    page = _page(client, vote.secretariat, url)
    assert NAME not in page and OTHER in page and "（已回避）" in page
    assert "拟授奖名单须由本奖项其他工作人员确定" in page
    assert reverse("review:committee_decide", args=[session.pk]) not in page
    page = _page(client, vote.colleague, url)
    assert NAME in page and reverse("review:committee_decide", args=[session.pk]) in page
    # the results, on the page and in Excel
    results = reverse("review:committee_results", args=[session.pk])
    page = _page(client, vote.secretariat, results)
    assert NAME not in page and OTHER in page and "（已回避）" in page
    client.force_login(vote.secretariat)
    response = client.get(results + "?format=xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    hidden = next(r for r in rows[1:] if r[2] == "（已回避）")
    assert hidden[0] == 1 and all(v in (None, "") for v in hidden[3:])
    assert NAME not in [str(v) for r in rows for v in r if v is not None]
    assert NAME in _page(client, vote.colleague, results)
    # the colleague decides; the decision's results stay hidden from the recused member
    client.force_login(vote.colleague)
    assert client.post(reverse("review:committee_decide", args=[session.pk])).status_code == 302
    page = _page(client, vote.secretariat, results)
    assert NAME not in page and "（已回避）" in page
    page = _page(client, vote.secretariat, url)
    assert NAME not in page
