"""A seat opens the application only after the expert's pledge with no conflict declared; a declared
conflict is a recusal (access ends at once) and tells the secretariat to draw a replacement."""
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from demo.content import DEFAULT_CONTEXT
from applications.rules import can_view, relationships_held
from applications.selectors import applications_for_user
from qualityaward.accounts.models import Role
from qualityaward.accounts.services import Actor
from review.panels import services as ex
from review.panels.models import Panel, PanelMember, Pledge, Recusal

from qualityaward.accounts.models import User
from qualityaward.accounts.services import grant_role


def make_user(username, *roles):
    user = User.objects.create_user(username=username, password="pass-12345", email=f"{username}@example.cn")
    for role, scope in roles:
        grant_role(user=user, role=role, **scope)
    return user


@pytest.fixture
def unpledged(world, panel_app):
    """A second expert seated on the panel application who has not signed the pledge yet."""
    user = make_user("new_expert", (Role.EXPERT, {}))
    panel = panel_app.panels.get()
    PanelMember.objects.create(panel=panel, expert=user, role=PanelMember.Role.MEMBER)
    return user


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def _urls(app):
    attachment = app.attachments.order_by("pk").first()
    return [reverse("applications:detail", args=[app.pk]), reverse("applications:form", args=[app.pk]),
            reverse("applications:attachment_download", args=[attachment.pk])]


def test_an_unpledged_seat_gives_no_access_until_the_pledge(client, world, panel_app, unpledged):
    assert not can_view(unpledged, panel_app)
    assert not applications_for_user(user=unpledged).filter(pk=panel_app.pk).exists()
    client.force_login(unpledged)
    for url in _urls(panel_app):
        assert client.get(url).status_code == 404, url
    page = client.get(reverse("review:pledge", args=[panel_app.panels.get().pk]))
    body = page.content.decode()
    assert page.status_code == 200 and panel_app.applicant_name in body and "郑州" in body and "金属制品业" in body
    assert DEFAULT_CONTEXT["products"] not in body  # nothing of the form's content before the pledge
    response = client.post(reverse("review:pledge", args=[panel_app.panels.get().pk]),
                           {"declaration": "none", "accept": "on"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302 and response["Location"] == reverse("applications:detail", args=[panel_app.pk])
    pledge = Pledge.objects.get(expert=unpledged)
    assert pledge.ip == "10.1.2.3" and pledge.accepted_at and pledge.text_sha256 == Pledge.digest(pledge.text)
    assert "保密" in pledge.text
    fresh = _fresh(unpledged)
    assert relationships_held(fresh, panel_app) == ["panel"]
    for url in _urls(panel_app):
        assert client.get(url).status_code == 200, url


def test_the_pledge_must_be_accepted_and_a_conflict_described(client, world, panel_app, unpledged):
    client.force_login(unpledged)
    url = reverse("review:pledge", args=[panel_app.panels.get().pk])
    assert "请勾选承诺" in client.post(url, {"declaration": "none"}).content.decode()
    assert "请说明存在的利害关系" in client.post(url, {"declaration": "conflict"}).content.decode()
    assert not Pledge.objects.filter(expert=unpledged).exists()
    assert not Recusal.objects.filter(user=unpledged).exists()


def test_a_declared_conflict_recuses_and_tells_the_secretariat(client, world, panel_app, unpledged,
                                                               django_capture_on_commit_callbacks):
    client.force_login(unpledged)
    url = reverse("review:pledge", args=[panel_app.panels.get().pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"declaration": "conflict", "detail": "近三年曾为该单位提供咨询服务"})
    assert response.status_code == 302
    recusal = Recusal.objects.get(application=panel_app, user=unpledged)
    assert "咨询服务" in recusal.reason
    assert not can_view(_fresh(unpledged), panel_app)
    for u in _urls(panel_app):
        assert client.get(u).status_code == 404
    assert [m.to for m in mail.outbox if "补充抽取" in m.body] == [[world.secretariat.email]]
    # the secretariat sees the vacancy and the replacement action on its campaign page
    client.force_login(world.secretariat)
    page = client.get(reverse("review:panel_campaign", args=[world.campaign.pk])).content.decode()
    assert "已回避" in page and reverse("review:panel_replace", args=[panel_app.panels.get().pk, unpledged.pk]) in page


def test_a_conflict_found_later_ends_access_at_once(client, world, panel_app):
    assert can_view(world.expert, panel_app)
    client.force_login(world.expert)
    panel = panel_app.panels.get()
    client.post(reverse("review:declare_conflict", args=[panel.pk]), {"detail": "发现近亲属在申报单位任职"})
    assert not can_view(_fresh(world.expert), panel_app)
    for u in _urls(panel_app):
        assert client.get(u).status_code == 404


def test_outsiders_recused_and_reserve_experts_get_404(client, world, panel_app):
    outsider = make_user("outside_expert", (Role.EXPERT, {}))
    panel = panel_app.panels.get()
    for user in (outsider, world.recused_expert, world.reserve_expert):
        client.force_login(user)
        for u in _urls(panel_app):
            assert client.get(u).status_code == 404, (user, u)
    for user in (outsider, world.reserve_expert, world.secretariat, world.owner, world.supervisor):
        client.force_login(user)
        assert client.get(reverse("review:pledge", args=[panel.pk])).status_code == 404, user
        assert client.post(reverse("review:declare_conflict", args=[panel.pk]), {"detail": "x"}).status_code == 404
    assert not Pledge.objects.filter(expert__in=[outsider, world.reserve_expert]).exists()


def test_a_pledge_is_signed_once(world, panel_app):
    with pytest.raises(ValidationError, match="已于"):
        ex.accept_pledge(panel=panel_app.panels.get(), actor=Actor(user=world.expert), conflict=False)


def test_my_panels_lists_seats_with_pledge_status(client, world, panel_app, unpledged):
    client.force_login(unpledged)
    body = client.get(reverse("review:my_panels")).content.decode()
    assert "待签署" in body and reverse("review:pledge", args=[panel_app.panels.get().pk]) in body
    assert reverse("applications:detail", args=[panel_app.pk]) not in body
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "待签署承诺书" in dashboard
    client.force_login(world.expert)
    body = client.get(reverse("review:my_panels")).content.decode()
    assert "已签署" in body and reverse("applications:detail", args=[panel_app.pk]) in body
