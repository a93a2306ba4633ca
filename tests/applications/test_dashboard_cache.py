"""The dashboard is served from a per-user cache, and whatever changes what it shows — a transition above
all — shows on the very next load."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications import workflow
from applications.models import State
from qualityaward.accounts.services import Actor
from review.panels.models import Panel, PanelMember

pytestmark = pytest.mark.django_db


def waiting_rows(body):
    """Applicant names listed in the 待初审推荐 section."""
    section = body.split("待初审推荐", 1)[1].split("</section>", 1)[0]
    return re.findall(r"<td><a[^>]*>([^<]+)</a>", section)


def load(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_load_reads_only_the_session_the_user_and_the_roles(client, world, drive):
    drive(world.new_app(name="待推荐的企业"), State.SUBMITTED)
    client.force_login(world.secretariat)
    first = load(client)
    with CaptureQueriesContext(connection) as ctx:
        second = load(client)
    masked = [re.sub(r"[A-Za-z0-9]{64}", "", body) for body in (first, second)]  # the CSRF tokens
    assert masked[0] == masked[1]
    assert len(ctx.captured_queries) <= 3, [q["sql"] for q in ctx.captured_queries]


def test_the_authority_s_return_leaves_its_waiting_list_on_the_next_load(client, world, drive):
    """The authority returns a submission (推荐单位初审): it leaves 待初审推荐 on the very next load."""
    app = drive(world.new_app(name="郑州待推荐企业"), State.SUBMITTED)
    client.force_login(world.authority)
    assert waiting_rows(load(client)) == ["郑州待推荐企业"]
    load(client)  # served from the cache now
    workflow.perform(application=app, name="return_for_correction", actor=Actor(user=world.authority),
                     reason="请补充近三年质量损失率的计算依据。")
    body = load(client)
    assert "郑州待推荐企业" not in waiting_rows(body)
    assert "退回修改 1" in body


def test_the_applicant_sees_a_return_by_the_authority_on_the_next_load(client, world, drive):
    app = drive(world.new_app(name="被退回的企业"), State.SUBMITTED)
    client.force_login(world.owner)
    assert "已提交" in load(client)
    workflow.perform(application=app, name="return_for_correction", actor=Actor(user=world.authority),
                     reason="请补充近三年质量损失率的计算依据。")
    assert "退回修改" in load(client)


def test_the_supervisor_s_recent_changes_list_the_transition_just_made(client, world, drive):
    app = drive(world.new_app(name="受监督的企业"), State.SUBMITTED)
    client.force_login(world.supervisor)
    assert "退回修改" not in load(client)
    workflow.perform(application=app, name="return_for_correction", actor=Actor(user=world.authority),
                     reason="请补充近三年质量损失率的计算依据。")
    body = load(client)
    assert "受监督的企业" in body and "退回修改" in body


def test_a_new_panel_seat_shows_in_the_expert_s_tasks_on_the_next_load(client, world, drive):
    """A change that is not a transition (a panel seat) invalidates the cached dashboard as well."""
    app = drive(world.new_app(name="材料评审中的企业"), State.MATERIAL_REVIEW)
    client.force_login(world.expert)
    assert "材料评审中的企业" not in load(client)
    panel = Panel.objects.create(application=app, stage=Panel.Stage.MATERIAL)
    PanelMember.objects.create(panel=panel, expert=world.expert, role=PanelMember.Role.LEADER)
    assert "材料评审中的企业" in load(client)


def test_a_colleague_s_new_draft_shows_on_the_applicant_s_dashboard_at_once(client, world):
    client.force_login(world.owner)
    assert "同事新建的草稿" not in load(client)
    world.new_app(owner=world.colleague, name="同事新建的草稿", filled=False)
    assert "同事新建的草稿" in load(client)


def test_one_program_s_transition_keeps_another_program_s_secretariat_cached(client, world, drive):
    """Only the dashboards that read the program are rebuilt: the 息县 secretariat's stays cached."""
    app = drive(world.new_app(name="省培育企业"), State.SUBMITTED)
    client.force_login(world.secretariat_other)
    load(client)
    workflow.perform(application=app, name="return_for_correction", actor=Actor(user=world.authority),
                     reason="请补充近三年质量损失率的计算依据。")
    with CaptureQueriesContext(connection) as ctx:
        load(client)
    assert len(ctx.captured_queries) <= 3


# --- the busiest pages' content, cached the same way (cached_fragment) -------------------------------------------
def test_the_application_page_shows_the_authority_s_return_and_its_reason_on_the_next_load(client, world, drive):
    app = drive(world.new_app(name="详情页缓存企业"), State.SUBMITTED)
    client.force_login(world.owner)
    url = f"/applications/{app.pk}/"
    assert "请补充近三年质量损失率的计算依据" not in client.get(url).content.decode()
    client.get(url)  # served from the cache now
    workflow.perform(application=app, name="return_for_correction", actor=Actor(user=world.authority),
                     reason="请补充近三年质量损失率的计算依据。")
    body = client.get(url).content.decode()
    assert "退回修改" in body and "请补充近三年质量损失率的计算依据" in body


def test_a_colleague_s_new_draft_shows_in_the_application_list_at_once(client, world):
    client.force_login(world.owner)
    assert "同事新建的草稿" not in client.get("/applications/").content.decode()
    world.new_app(owner=world.colleague, name="同事新建的草稿", filled=False)
    assert "同事新建的草稿" in client.get("/applications/").content.decode()


def test_a_cached_application_page_carries_each_session_s_own_csrf_token(world):
    """The page is cached per user, the forms' CSRF token is the session's: a second sign-in still submits."""
    from django.test import Client

    app = world.new_app(name="两次登录的企业")
    url = f"/applications/{app.pk}/"
    first = Client(enforce_csrf_checks=True)
    first.force_login(world.owner)
    first.get(url)
    second = Client(enforce_csrf_checks=True)
    second.force_login(world.owner)
    body = second.get(url).content.decode()
    token = re.search(rf'action="/applications/{app.pk}/transition/(\w+)/"[^>]*>'
                      r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert token is not None, "the owner's draft offers a transition form"
    response = second.post(f"/applications/{app.pk}/transition/{token.group(1)}/", {"csrfmiddlewaretoken": token.group(2)})
    assert response.status_code == 302  # not the 403 of a stale token


def test_a_stranger_gets_404_for_an_application_page_cached_for_its_owner(client, world):
    app = world.new_app(name="别人的企业")
    client.force_login(world.owner)
    assert client.get(f"/applications/{app.pk}/").status_code == 200
    client.force_login(world.expert)
    assert client.get(f"/applications/{app.pk}/").status_code == 404
