"""The 办理记录 on an application's page: Chinese labels, repeated saves folded, and on the applicant's
side no expert's or stranger's name (experts are anonymous to applicants; denied access is audit business)."""
import pytest
from django.urls import reverse

from applications.forms.spec import UploadSlot, form_for
from applications.history import ACTIONS, describe, history_for
from applications.models import State
from qualityaward.accounts.models import User
from qualityaward.accounts.services import Actor, record_event


def _page(client, user, app):
    client.force_login(user)
    return client.get(reverse("applications:detail", args=[app.pk])).content.decode()


@pytest.fixture
def scored(world, drive):
    """An application in material review on which an expert saved and submitted a sheet and a stranger
    tried to open it."""
    app = drive(world.new_app(), State.MATERIAL_REVIEW)
    expert = User.objects.create_user(username="yangguang", password="x", full_name="杨光", email="yg@example.cn")
    for action in ("scoring:save", "scoring:save", "scoring:submit"):
        record_event(actor=Actor(user=expert), action=action, target=app)
    record_event(actor=Actor(user=world.stranger), action="access:denied", target=app)
    return app


def test_the_applicant_never_reads_an_expert_s_or_a_stranger_s_name(client, world, scored):
    page = _page(client, world.owner, scored)
    assert "杨光" not in page and "yangguang" not in page
    assert world.stranger.username not in page and "access" not in page
    assert "提交评分表" not in page  # the panel's working steps are not the applicant's history
    assert "提交申报" in page and "受理" in page and "秘书处" in page  # what happened, and which office


def test_the_secretariat_reads_who_scored_but_not_denied_attempts(client, world, scored):
    page = _page(client, world.secretariat, scored)
    assert "杨光" in page and "保存评分 2 次" in page and "提交评分表" in page
    assert "access:denied" not in page and world.stranger.full_name not in page


def test_repeated_saves_are_folded_and_states_are_chinese(world):
    app = world.new_app()  # filled through the form services: one save per section
    entries = history_for(application=app, user=world.owner)
    saves = [e for e in entries if e.label == "保存申报表"]
    # consecutive saves are one line (“保存申报表 N 次”); uploads between sections start a new one
    assert saves and max(e.times for e in saves) > 1
    assert all(a.label != b.label for a, b in zip(entries, entries[1:]))
    saved_sections = [s for s in form_for(app).sections if any(not isinstance(i, UploadSlot) for i in s.items)]
    assert sum(e.times for e in saves) == len(saved_sections)
    assert entries[0].label == "创建申报" and entries[0].state == "草稿"


def test_every_action_has_a_chinese_label_and_an_office():
    for code, (label, office, _public) in ACTIONS.items():
        assert label and office and ":" not in label, code
    assert describe("transition:recommend")[:2] == ("推荐上报", "推荐单位")
    assert describe("something:new")[0] == "其他办理事项"


def test_only_applicant_accounts_create_applications(client, world):
    url = reverse("applications:create", args=[world.campaign.pk])
    for user in (world.authority, world.secretariat, world.supervisor, world.expert, world.committee):
        client.force_login(user)
        response = client.post(url, {"kind": "organization", "applicant_name": "冒名单位",
                                     "region": world.zhengzhou.pk})
        assert response.status_code == 403 and "只有申报人账号可以创建申报" in response.content.decode()
    assert not world.campaign.applications.filter(applicant_name="冒名单位").exists()
    client.force_login(world.owner)
    assert client.get(url).status_code == 200


def test_the_supervisor_dashboard_reads_chinese_and_does_not_contradict_itself(client, world, drive):
    app = drive(world.new_app(), State.ACCEPTED)
    client.force_login(world.supervisor)
    page = client.get(reverse("dashboard")).content.decode()
    assert "最近的状态变更" in page and f"状态变为“{State.ACCEPTED.label}”" in page
    assert "accepted" not in page and "→" not in page and "transition:" not in page
    assert "暂无申报" not in page  # counts are shown above: there are applications
    assert app.applicant_name in page
