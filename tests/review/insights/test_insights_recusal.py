"""息县 第十条, 巩义 第十八条: whoever stepped aside from an application (回避) does not reach it through the
statistics pages: the statistics name no application, and the organizations' histories are opened by a
secretariat member only through applications that person did not step aside from; a colleague still can."""
import importlib.util
import pathlib

import pytest
from django.urls import reverse

from qualityaward.accounts.models import Role
from review.panels.models import Recusal

_spec = importlib.util.spec_from_file_location(
    "scoring_setup_for_insights_recusal", pathlib.Path(__file__).parents[1] / "scoring" / "scoring_setup.py")
S = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(S)
seeded, world, drive, panel_app = S.seeded, S.world, S.drive, S.panel_app

pytestmark = pytest.mark.django_db


def test_xixian_10_statistics_and_histories_do_not_lead_to_what_one_stepped_aside_from(client, world, panel_app):
    Recusal.objects.create(application=panel_app, user=world.secretariat, kind=Recusal.Kind.SECRETARIAT,
                           reason="近亲属在申报单位任职")
    colleague = S.make_user("secretariat_b", (Role.SECRETARIAT, {"program": world.cultivation}))
    org = panel_app.organization
    history = reverse("insights:organization", args=[org.pk])
    client.force_login(world.secretariat)
    stats = client.get(reverse("insights:statistics") + f"?campaign={world.campaign.pk}")
    assert stats.status_code == 200 and panel_app.applicant_name not in stats.content.decode()
    assert org.name not in client.get(reverse("insights:organizations")).content.decode()
    response = client.get(history)
    assert response.status_code == 404 and panel_app.applicant_name not in response.content.decode()
    client.force_login(colleague)
    assert org.name in client.get(reverse("insights:organizations")).content.decode()
    body = client.get(history).content.decode()
    assert panel_app.number in body
