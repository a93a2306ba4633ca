"""The printed initial opinion carries the seal of the unit that signed it (全国质量标杆 通知三: 对申报材料进行初审后，
签署推荐意见并加盖单位公章): the region authority the signer acts for (000 省辖市（区）市场监督管理局), or the 附件3
unit an application is routed through; only the blank form keeps the profile's generic label."""
import re

from django.template.loader import render_to_string
from django.urls import reverse

from applications import workflow
from applications.documents.dossier import dossier_context, dossier_hash
from applications.models import ApplicationSection, RecommendingUnit, State
from conformance_support import make_user
from demo.review import complete_sample_prereview
from qualityaward.accounts.models import Role, RoleAssignment
from qualityaward.accounts.services import Actor


def _opinion_seal(application):
    """The seal line under the initial opinion (the government's opinion box follows with its own)."""
    html = render_to_string("pdf/dossier.html", dossier_context(application))
    box = html.split("初审推荐意见", 1)[1].split('class="box government"', 1)[0]
    return re.findall(r'<p class="seal">([^<]*（盖章）)</p>', box)


def test_a_signed_opinion_names_the_region_authority_that_signed_it_000(world, drive):
    RoleAssignment.objects.filter(user=world.authority).update(unit_name="郑州市市场监督管理局")
    app = drive(world.new_app(), State.RECOMMENDED)
    label = world.cultivation.profile.recommender_label
    assert dossier_context(app)["signing_unit"] == "郑州市市场监督管理局"
    assert _opinion_seal(app) == ["郑州市市场监督管理局（盖章）"]
    assert f"{label}（盖章）" not in render_to_string("pdf/dossier.html", dossier_context(app))


def test_the_unit_on_the_seal_is_part_of_what_identifies_the_dossier(world, drive):
    app = drive(world.new_app(), State.RECOMMENDED)
    before = dossier_hash(app)
    RoleAssignment.objects.filter(user=world.authority).update(unit_name="郑州市市场监督管理局")
    assert dossier_hash(app) != before


def test_the_blank_form_keeps_the_generic_label(world):
    app = world.new_app()
    label = world.cultivation.profile.recommender_label
    assert _opinion_seal(app) == [f"{label}（盖章）"]


def test_an_opinion_signed_by_an_annex3_unit_names_that_unit_tongzhi_san(world, client):
    from applications.forms import services as fs

    unit = RecommendingUnit.objects.get(profile__program=world.benchmark, kind="other", name="中国有色金属工业协会")
    # the account's own 所在单位 is a department; the seal is the unit's
    signer = make_user("po_metals", (Role.AUTHORITY, {"recommending_unit": unit,
                                                      "unit_name": "中国有色金属工业协会质量部"}))
    make_user("po_zz", (Role.AUTHORITY, {"program": world.benchmark, "region": world.zhengzhou,
                                         "unit_name": "郑州市工业和信息化局"}))
    app = world.new_app(campaign=world.benchmark_campaign, name="经有色协会申报的铝业公司")
    row = ApplicationSection.objects.filter(application=app, code="route").first()
    fs.save_section(application=app, code="route", data={"route": f"unit-{unit.pk}"},
                    base_version=row.version if row else 0, actor=Actor(user=world.owner))
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    complete_sample_prereview(application=app, actor=Actor(user=signer))

    assert _opinion_seal(app) == ["中国有色金属工业协会（盖章）"]
    client.force_login(signer)
    body = client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()
    assert "po_metals（中国有色金属工业协会） 于" in body


def test_a_benchmark_opinion_of_the_local_department_names_its_unit(world):
    signer = make_user("po_zz", (Role.AUTHORITY, {"program": world.benchmark, "region": world.zhengzhou}))
    app = world.new_app(campaign=world.benchmark_campaign, name="郑州某标杆企业")
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    complete_sample_prereview(application=app, actor=Actor(user=signer))
    # no 所在单位 recorded on the role: the listed unit for the region (全国质量标杆 通知抬头)
    assert _opinion_seal(app) == ["郑州市工业和信息化主管部门（盖章）"]
