"""Who reaches the pre-review screens, and the bureau's list: its region only, filters, sorting, the
deadline and days left, and a number of queries that does not grow with the rows."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Campaign, State
from qualityaward.accounts.models import AuditEvent
from qualityaward.accounts.services import Actor
from demo.review import complete_sample_prereview
from review.prereview import services as svc

#: as in test_access.py (test modules cannot import each other)
PEOPLE = ["owner", "colleague", "stranger", "authority", "authority_other_city", "authority_other_program",
          "secretariat", "secretariat_other", "supervisor", "committee", "expert", "recused_expert",
          "reserve_expert", "grantee", "recused_grantee", "admin"]
PANEL_APP_VIEWERS = {"owner", "colleague", "authority", "secretariat", "supervisor", "expert", "grantee"}
FILE_READERS = {"authority", "secretariat", "supervisor"}


def test_reply_letters_and_the_government_scan_follow_the_object_staff_rule(client, world, panel_app):
    """As the access matrix says for review:prereview_file: 200 to the bureau, the secretariat and supervisors, 403 to the
    application's other viewers, 404 (and an access:denied event) to everyone else."""
    scan = panel_app.government_opinions.get()
    url = reverse("review:prereview_file", args=["government", scan.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for name in PEOPLE:
        client.force_login(getattr(world, name))
        response = client.get(url)
        expected = 200 if name in FILE_READERS else 403 if name in PANEL_APP_VIEWERS else 404
        assert response.status_code == expected, (name, response.status_code)
        if expected == 404:
            assert panel_app.applicant_name not in response.content.decode()
    denied = set(AuditEvent.objects.filter(action="access:denied", object_id=str(panel_app.pk))
                 .values_list("actor__username", flat=True))
    assert denied == {getattr(world, n).username for n in PEOPLE if n not in PANEL_APP_VIEWERS}


def test_the_workspace_shows_each_viewer_what_it_may_see(client, world, panel_app):
    url = reverse("review:prereview_detail", args=[panel_app.pk])
    for name in PANEL_APP_VIEWERS:
        client.force_login(getattr(world, name))
        body = client.get(url).content.decode()
        assert "经初审，同意推荐" in body, name  # the signed opinion is part of the dossier
        assert ("data-department=" in body) == (name in FILE_READERS), name  # department records: staff only
        assert ">保存核实清单</button>" not in body  # material review: nobody edits any more


# --- the list -------------------------------------------------------------------------------------------
@pytest.fixture
def region_apps(world, drive):
    names = ["郑州丙公司", "郑州甲公司", "郑州乙公司"]
    apps = [drive(world.new_app(name=n), State.SUBMITTED) for n in names]
    svc.return_for_correction(application=apps[2], actor=Actor(user=world.authority), reasons={"overview": "请精简。"})
    other_city = drive(world.new_app(owner=world.stranger, organization=world.other_org, name="开封某公司"),
                       State.SUBMITTED)
    draft = world.new_app(name="郑州草稿公司", filled=False)
    return {"apps": apps, "other_city": other_city, "draft": draft}


def rows(body):
    import re

    return re.findall(r'<a href="/review/prereview/\d+/">([^<]+)</a>', body)


def test_the_list_holds_the_bureaus_region_only_with_deadline_and_days_left(client, world, region_apps):
    client.force_login(world.authority)
    body = client.get(reverse("review:prereview_list")).content.decode()
    assert sorted(rows(body)) == sorted(["郑州丙公司", "郑州甲公司", "郑州乙公司"])
    deadline = timezone.localtime(world.campaign.recommendation_deadline)
    days = (world.campaign.recommendation_deadline - timezone.now()).days
    assert f"{deadline:%Y-%m-%d %H:%M}" in body and f"剩 {days} 天" in body
    client.force_login(world.authority_other_city)
    assert rows(client.get(reverse("review:prereview_list")).content.decode()) == ["开封某公司"]
    client.force_login(world.owner)  # no authority role: an explanation, no rows
    body = client.get(reverse("review:prereview_list")).content.decode()
    assert rows(body) == [] and "没有推荐单位角色" in body


def test_the_list_filters_and_sorts_and_ignores_nonsense(client, world, region_apps):
    client.force_login(world.authority)
    url = reverse("review:prereview_list")
    get = lambda **params: rows(client.get(url, params).content.decode())  # noqa: E731
    assert get(sort="name") == sorted(["郑州丙公司", "郑州甲公司", "郑州乙公司"])
    assert get(state="returned") == ["郑州乙公司"]
    assert get(q="甲") == ["郑州甲公司"]
    assert get(q=region_apps["apps"][0].number) == ["郑州丙公司"]
    assert get(program=world.cultivation.pk, campaign=world.campaign.pk, sort="submitted") == \
        ["郑州丙公司", "郑州甲公司", "郑州乙公司"]
    assert get(sort="-submitted") == ["郑州乙公司", "郑州甲公司", "郑州丙公司"]
    assert get(program=world.xixian.pk) == []
    for params in [{"program": "x"}, {"campaign": "1;drop"}, {"state": "nope"}, {"sort": "__class__"},
                   {"page": "999"}, {"page": "-1"}, {"q": "x" * 500}]:
        assert client.get(url, params).status_code == 200, params


def test_a_passed_deadline_shows_in_the_list(client, world, region_apps):
    now = timezone.now()
    Campaign.objects.filter(pk=world.campaign.pk).update(
        opens_at=now - timedelta(days=20), application_deadline=now - timedelta(days=10),
        recommendation_deadline=now - timedelta(days=1))
    client.force_login(world.authority)
    body = client.get(reverse("review:prereview_list"), {"sort": "deadline"}).content.decode()
    assert body.count("已截止") == 3


def test_the_lists_queries_do_not_grow_with_the_rows(client, world, drive):
    client.force_login(world.authority)
    url = reverse("review:prereview_list")

    def count():
        client.get(url)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    drive(world.new_app(name="第一家"), State.SUBMITTED)
    few = count()
    for n in range(4):
        app = drive(world.new_app(name=f"第{n + 2}家"), State.SUBMITTED)
        svc.solicit_opinion(application=app, actor=Actor(user=world.authority), department="税务部门",
                            asked_on=timezone.localdate())
    assert count() == few


def test_the_workspace_costs_a_fixed_number_of_queries(client, world, drive):
    app = drive(world.new_app(), State.SUBMITTED)
    client.force_login(world.authority)
    url = reverse("review:prereview_detail", args=[app.pk])

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    complete_sample_prereview(application=app, actor=Actor(user=world.authority))
    after = count()
    assert after <= before + 5, (before, after)  # records add a handful of reads, not one per department
