"""息县 第十条, 巩义 第十八条: whoever stepped aside from an application (回避) does not learn who it is from the
campaign's panel pages either: the campaign's panels leave it out, the draw records name it "（已回避）", and
its panel cannot be drawn or replaced by that person. A colleague who did not step aside sees everything."""
import pytest
from django.urls import reverse

from applications.models import State
from qualityaward.accounts.models import Role
from qualityaward.accounts.services import Actor
from review.panels import services as ex
from review.panels.models import Panel, Recusal

from conformance_support import make_user

NAME = "回避对象精密制造有限公司"
OTHER = "未回避的另一家公司"


@pytest.fixture
def drawn(world, drive, pool):
    """Two accepted applications with their panels drawn, the first one recused by world.secretariat afterwards;
    an expert who works for it was excluded from its draw (its name in the reason)."""
    recused = drive(world.new_app(name=NAME), State.ACCEPTED)
    other = drive(world.new_app(name=OTHER), State.ACCEPTED)
    pool(5, specialties=["C"])
    pool(1, specialties=["C"], employer=NAME)
    draw, _ = [ex.draw_panel(actor=Actor(user=world.secretariat), campaign=world.campaign, applications=[app],
                             stage=Panel.Stage.MATERIAL, size=3, reserves=1, witness_name="监督组 王某")
               for app in (recused, other)]
    Recusal.objects.create(application=recused, user=world.secretariat, kind=Recusal.Kind.SECRETARIAT,
                           reason="近亲属在申报单位任职")
    world.secretariat_b = make_user("secretariat_b", (Role.SECRETARIAT, {"program": world.cultivation}))
    return {"recused": recused, "other": other, "draw": draw}


def _get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_xixian_10_the_campaign_panels_page_leaves_out_what_one_stepped_aside_from(client, world, drawn):
    url = reverse("review:panel_campaign", args=[world.campaign.pk])
    page = _get(client, world.secretariat, url)
    assert NAME not in page and OTHER in page
    assert "（已回避）" in page  # its draw keeps its place in the draw records
    page = _get(client, world.secretariat_b, url)
    assert NAME in page and OTHER in page and "（已回避）" not in page


def test_xixian_10_the_draw_record_names_it_only_as_recused(client, world, drawn):
    url = reverse("review:draw_detail", args=[drawn["draw"].pk])
    page = _get(client, world.secretariat, url)
    assert NAME not in page and "（已回避）" in page
    assert "工作单位与申报单位相同" in page  # the exclusion stays on the record, without the name
    page = _get(client, world.secretariat_b, url)
    assert NAME in page and "（已回避）" not in page


def test_xixian_10_one_does_not_draw_or_replace_for_what_one_stepped_aside_from(client, world, drawn):
    client.force_login(world.secretariat)
    response = client.get(reverse("review:panel_draw", args=[world.campaign.pk]) + f"?app={drawn['recused'].pk}")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "您已对所选的申报声明回避" in page and NAME not in page
    panel = Panel.objects.get(application=drawn["recused"])
    leader = panel.members.get(role="leader")
    response = client.get(reverse("review:panel_replace", args=[panel.pk, leader.expert_id]))
    assert response.status_code == 404 and NAME not in response.content.decode()
    client.force_login(world.secretariat_b)
    assert client.get(reverse("review:panel_replace", args=[panel.pk, leader.expert_id])).status_code == 200
