"""The pre-review of an application routed through an other recommending unit (全国质量标杆 通知三、附件3): the unit's
account works on it in its own list, workspace and dashboard, signing its opinion (对申报材料进行初审后，签署推荐意见);
the local department's pages show the filing it receives and refuse every write in Chinese."""
import pytest
from django.urls import reverse

from applications import workflow
from applications.models import ApplicationSection, RecommendingUnit, State
from conformance_support import make_user
from demo.review import complete_sample_prereview
from qualityaward.accounts.models import AuditEvent, Role
from qualityaward.accounts.services import Actor
from review.prereview import services as svc
from review.prereview.models import InitialOpinion


@pytest.fixture
def routed(world):
    from applications.forms import services as fs

    unit = RecommendingUnit.objects.get(profile__program=world.benchmark, kind="other", name="中国有色金属工业协会")
    unit_user = make_user("po_metals", (Role.AUTHORITY, {"recommending_unit": unit}), full_name="有色协会质量部")
    local = make_user("po_zz", (Role.AUTHORITY, {"program": world.benchmark, "region": world.zhengzhou}))
    app = world.new_app(campaign=world.benchmark_campaign, name="经有色协会申报的铝业公司")
    row = ApplicationSection.objects.filter(application=app, code="route").first()
    fs.save_section(application=app, code="route", data={"route": f"unit-{unit.pk}"},
                    base_version=row.version if row else 0, actor=Actor(user=world.owner))
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    return type("Routed", (), {"unit": unit, "unit_user": unit_user, "local": local, "app": app})


def test_the_units_dashboard_and_list_hold_its_application_and_the_local_departments_do_not(client, routed):
    client.force_login(routed.unit_user)
    assert routed.app.applicant_name in client.get(reverse("dashboard")).content.decode()
    assert routed.app.applicant_name in client.get(reverse("review:prereview_list")).content.decode()
    client.force_login(routed.local)
    assert routed.app.applicant_name not in client.get(reverse("review:prereview_list")).content.decode()


def test_the_unit_signs_its_opinion_in_its_workspace(client, routed):
    complete_sample_prereview(application=routed.app, actor=Actor(user=routed.unit_user))
    opinion = svc.current_opinion(routed.app)
    assert opinion.signed_by == routed.unit_user and opinion.signed_at is not None
    client.force_login(routed.unit_user)
    body = client.get(reverse("review:prereview_detail", args=[routed.app.pk])).content.decode()
    assert "推荐上报秘书处" in body and "当地推荐单位只接收报备" not in body
    # the filing line is advisory for the unit, and the quota is the unit's own
    assert "报备（不影响推荐）" in body and "本届最多推荐 1 个，已推荐 0 个" in body


def test_the_local_departments_writes_are_refused_and_change_nothing(client, routed):
    client.force_login(routed.local)
    body = client.get(reverse("review:prereview_detail", args=[routed.app.pk])).content.decode()
    assert "该申报通过其他推荐单位（中国有色金属工业协会）申报" in body
    assert "报备（不影响推荐）：通过其他推荐单位（中国有色金属工业协会）申报，尚未登记" in body
    before = AuditEvent.objects.count()
    for name, data in (("review:prereview_recommend", {}), ("review:prereview_checklist", {}),
                       ("review:prereview_sign", {})):
        response = client.post(reverse(name, args=[routed.app.pk]), data)
        assert response.status_code == 403, name
        assert "当地推荐单位只接收报备" in response.content.decode(), name
    assert AuditEvent.objects.count() == before
    assert not InitialOpinion.objects.filter(application=routed.app).exists()
    routed.app.refresh_from_db()
    assert routed.app.state == State.SUBMITTED
