"""A 推荐单位 role for one of a program's other recommending units (全国质量标杆 通知三、附件3): granted in the admin's
role rows or through ``grant_role``, never together with a region, never for a unit the program does not list, and
explained in Chinese when refused."""
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from qualityaward.accounts.models import Role, RoleAssignment, User
from qualityaward.accounts.services import grant_role


@pytest.fixture
def benchmark(db):
    from applications.models import Program

    if not Program.objects.exists():
        call_command("loaddata", "regions", "gbt19580", "programs", verbosity=0)
    return Program.objects.get(code="quality-benchmark")


@pytest.fixture
def cmif(benchmark):
    return benchmark.profile.recommending_units.get(kind="other", name="中国机械工业联合会")


def _user(name="xie"):
    return User.objects.create_user(username=name, password="x-12345678", email=f"{name}@example.cn")


def test_grant_role_for_an_attachment_3_unit_takes_the_units_program_and_name(benchmark, cmif):
    assignment = grant_role(user=_user(), role=Role.AUTHORITY, recommending_unit=cmif)
    assert assignment.program == benchmark and assignment.region is None
    assert assignment.unit_name == "中国机械工业联合会"
    assert str(assignment) == "推荐单位（全国质量标杆推荐（河南） · 中国机械工业联合会）"
    assert grant_role(user=assignment.user, role=Role.AUTHORITY, recommending_unit=cmif) == assignment  # once


def test_a_unit_grant_is_refused_in_chinese_with_a_region_another_role_or_a_local_unit(benchmark, cmif):
    from applications.models import Program
    from qualityaward.accounts.models import Region

    user = _user()
    zhengzhou = Region.objects.get(code="410100")
    with pytest.raises(ValidationError) as refusal:
        grant_role(user=user, role=Role.AUTHORITY, recommending_unit=cmif, region=zhengzhou)
    assert "二者之一" in str(refusal.value)
    with pytest.raises(ValidationError) as refusal:
        grant_role(user=user, role=Role.SECRETARIAT, recommending_unit=cmif)
    assert "只能用于“推荐单位”角色" in str(refusal.value)
    local = benchmark.profile.recommending_units.filter(kind="local").first()
    with pytest.raises(ValidationError) as refusal:
        grant_role(user=user, role=Role.AUTHORITY, recommending_unit=local)
    assert "不是所选奖项文件列出的其他推荐单位" in str(refusal.value)
    other_program = Program.objects.exclude(pk=benchmark.pk).first()
    with pytest.raises(ValidationError):
        grant_role(user=user, role=Role.AUTHORITY, recommending_unit=cmif, program=other_program)
    assert not RoleAssignment.objects.filter(user=user).exists()
    with pytest.raises(ValidationError) as refusal:
        RoleAssignment(user=user, role=Role.AUTHORITY, program=benchmark).clean()
    assert "必须指定区域，或指定文件附件所列的其他推荐单位" in str(refusal.value)


def _change_form_data(page_user, rows):
    data = {"username": page_user.username, "email": page_user.email, "is_active": "on", "full_name": "谢工",
            "mobile": "", "employer": "", "first_name": "", "last_name": "",
            "date_joined_0": "2026-11-01", "date_joined_1": "08:00:00", "last_login_0": "", "last_login_1": "",
            "role_assignments-TOTAL_FORMS": str(len(rows)), "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        data.update({f"role_assignments-{i}-{k}": v for k, v in row.items()})
    return data


def test_the_admin_grants_the_unit_role_with_chinese_labels(client, benchmark, cmif):
    from qualityaward.accounts.models import Region

    admin = User.objects.create_superuser(username="root", password="x-12345678", email="root@example.cn")
    client.force_login(admin)
    person = _user()
    url = reverse("admin:accounts_user_change", args=[person.pk])
    page = client.get(url).content.decode()
    assert "其他推荐单位（附件3）" in page and "全国质量标杆推荐（河南）：中国机械工业联合会" in page
    assert "郑州市工业和信息化主管部门" not in page.split("其他推荐单位（附件3）", 1)[1]  # local units are not offered

    zhengzhou = Region.objects.get(code="410100")
    both = _change_form_data(person, [{"role": "authority", "program": benchmark.pk, "region": zhengzhou.pk,
                                       "recommending_unit": cmif.pk, "unit_name": ""}])
    response = client.post(url, both)
    assert response.status_code == 200 and "二者之一" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=person).exists()

    ok = _change_form_data(person, [{"role": "authority", "program": benchmark.pk, "region": "",
                                     "recommending_unit": cmif.pk, "unit_name": "中国机械工业联合会质量部"}])
    response = client.post(url, ok)
    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = RoleAssignment.objects.get(user=person)
    assert assignment.recommending_unit == cmif and assignment.region is None
