"""The expert pool: the secretariat creates, edits, filters, deactivates, imports and exports experts;
nobody else sees the pool."""
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role
from review.panels import services as ex
from review.panels.models import ExpertProfile, ExpertRelationship, PanelMember, Pledge

VALID_CODE = "91410100MA44TRAN0B"  # the world's applicant organization


def _form(world, **overrides):
    data = {"name": "李明", "phone": "13912345678", "email": "liming@example.cn", "region": world.zhengzhou.pk,
            "employer": "郑州大学", "employer_credit_code": "", "title": "教授", "specialties_text": "C、36",
            "is_active": "on", "note": "", "username": "",
            "rel-TOTAL_FORMS": "1", "rel-INITIAL_FORMS": "0", "rel-MIN_NUM_FORMS": "0", "rel-MAX_NUM_FORMS": "50",
            "rel-0-organization_name": "河南省测试装备制造有限公司", "rel-0-credit_code": VALID_CODE,
            "rel-0-kind": "consulting", "rel-0-note": "2024 年咨询项目"}
    data.update(overrides)
    return data


def test_secretariat_creates_an_expert_with_an_account_and_relationships(client, world):
    client.force_login(world.secretariat)
    response = client.post(reverse("review:expert_create"), _form(world))
    assert response.status_code == 302
    profile = ExpertProfile.objects.get(phone="13912345678")
    assert profile.specialties == ["C", "36"] and profile.user.username == "13912345678"
    assert has_role(profile.user, Role.EXPERT) and not profile.user.has_usable_password()
    rel = profile.relationships.get()
    assert rel.credit_code == VALID_CODE and rel.kind == "consulting"
    listing = client.get(reverse("review:expert_list")).content.decode()
    assert "李明" in listing and "36 汽车制造业" in listing


@pytest.mark.parametrize("field, value, message", [
    ("specialties_text", "C、367", "是中类代码"),
    ("specialties_text", "ZZ", "不是《国民经济行业分类》"),
    ("employer_credit_code", "91410100MA44TRAN0X", "校验位不正确"),
    ("phone", "12345", "11 位数字"),
    ("rel-0-credit_code", "ABC", "18位"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(client, world, field, value, message):
    client.force_login(world.secretariat)
    response = client.post(reverse("review:expert_create"), _form(world, **{field: value}))
    assert response.status_code == 200 and message in response.content.decode()
    assert not ExpertProfile.objects.exists()


def test_filters_and_deactivation(client, world, pool):
    a = pool(1, specialties=["C"], region=world.zhengzhou)[0]
    b = pool(1, specialties=["36"], region=world.kaifeng)[0]
    c = pool(1, specialties=["A"], region=world.kaifeng)[0]
    assert set(ex.experts_filtered(specialty="C")) == {a, b}  # a 门类 also finds its 大类
    assert set(ex.experts_filtered(specialty="36")) == {a, b}  # a 大类 also finds its 门类's generalists
    assert set(ex.experts_filtered(region=world.kaifeng)) == {b, c}
    client.force_login(world.secretariat)
    client.post(reverse("review:expert_toggle", args=[b.pk]), {"active": "0"})
    b.refresh_from_db()
    assert not b.is_active
    body = client.get(reverse("review:expert_list"), {"specialty": "C"}).content.decode()
    assert f">{a.name}</a>" in body and f">{b.name}</a>" not in body and f">{c.name}</a>" not in body
    assert f">{b.name}</a>" in client.get(reverse("review:expert_list"), {"active": "0"}).content.decode()


def test_only_the_secretariat_sees_the_pool(client, world, pool):
    profile = pool(1)[0]
    urls = [reverse(n) for n in ("review:expert_list", "review:expert_create", "review:expert_export",
                                 "review:expert_import", "review:expert_template")]
    urls.append(reverse("review:expert_edit", args=[profile.pk]))
    for name in ["owner", "authority", "expert", "supervisor", "committee", "stranger"]:
        client.force_login(getattr(world, name))
        for url in urls:
            assert client.get(url).status_code == 404, (name, url)
        assert client.post(reverse("review:expert_toggle", args=[profile.pk]), {"active": "0"}).status_code == 404
    profile.refresh_from_db()
    assert profile.is_active
    client.force_login(world.secretariat_other)  # any program's secretariat keeps the shared pool
    for url in urls:
        assert client.get(url).status_code == 200, url


# --- Excel -----------------------------------------------------------------------------------------
def _xlsx(rows, rel_rows=(), columns=ex.COLUMNS):
    wb = Workbook()
    ws = wb.active
    ws.title = "评审专家"
    ws.append(columns)
    for r in rows:
        ws.append(r)
    ws2 = wb.create_sheet("关联单位")
    ws2.append(ex.REL_COLUMNS)
    for r in rel_rows:
        ws2.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "experts.xlsx"
    return out


GOOD = [
    ["", "张三", "13900000001", "zs@example.cn", "410100", "郑州大学", "", "教授", "C、33", "在库", ""],
    ["", "李四", "13900000002", "", "开封市", "开封某研究院", "", "高级工程师", "A", "停用", "备注"],
]


def _import(client, f):
    return client.post(reverse("review:expert_import"), {"file": f})


def test_import_creates_then_updates_without_duplicating(client, world):
    client.force_login(world.secretariat)
    rels = [["13900000001", "某汽车零部件有限公司", "", "持股或投资", ""]]
    assert _import(client, _xlsx(GOOD, rels)).status_code == 302
    assert ExpertProfile.objects.count() == 2
    zs = ExpertProfile.objects.get(phone="13900000001")
    assert zs.specialties == ["C", "33"] and zs.region == world.zhengzhou and zs.relationships.count() == 1
    assert not ExpertProfile.objects.get(phone="13900000002").is_active
    # again, with a new title by phone and a new name by ID: updated, not duplicated
    again = [list(GOOD[0]), list(GOOD[1])]
    again[0][7] = "二级教授"
    again[1][0], again[1][1] = str(ExpertProfile.objects.get(phone="13900000002").pk), "李四（更正）"
    assert _import(client, _xlsx(again, rels)).status_code == 302
    assert ExpertProfile.objects.count() == 2
    assert ExpertProfile.objects.get(phone="13900000001").title == "二级教授"
    assert ExpertProfile.objects.get(phone="13900000002").name == "李四（更正）"
    assert ExpertRelationship.objects.count() == 1


def test_a_file_with_errors_changes_nothing_and_names_every_row(client, world):
    client.force_login(world.secretariat)
    _import(client, _xlsx(GOOD[:1]))
    bad = [
        ["", "王五", "13900000003", "", "410100", "郑州大学", "", "", "C", "在库", ""],
        ["", "", "139", "bad-mail", "火星", "", "91410100MA44TRAN0X", "", "3670", "离职", ""],
        ["", "赵六", "13900000003", "", "410100", "某单位", "", "", "C", "在库", ""],
        ["999", "孙七", "13900000004", "", "410100", "某单位", "", "", "C", "在库", ""],
    ]
    response = _import(client, _xlsx(bad, [["13999999999", "", "", "朋友", ""]]))
    body = response.content.decode()
    assert response.status_code == 400
    for expected in ["第 3 行", "姓名必填", "11 位数字", "电子邮箱", "火星", "校验位不正确", "小类代码", "“离职”",
                     "第 4 行", "与第 2 行重复", "第 5 行", "专家编号“999”不存在", "“关联单位”表第 2 行", "关系类型"]:
        assert expected in body, expected
    assert ExpertProfile.objects.count() == 1 and not ExpertProfile.objects.filter(name="王五").exists()


@pytest.mark.parametrize("content, message", [
    (b"%PDF-1.4 fake", "不是 Excel 表格"),
    (b"\x00\x01garbage" * 50, "不是 Excel 表格"),
    (b"PK\x03\x04" + b"\x00" * 200, "无法作为 Excel 表格"),
])
def test_forged_files_are_refused(client, world, content, message):
    client.force_login(world.secretariat)
    f = io.BytesIO(content)
    f.name = "experts.xlsx"
    response = _import(client, f)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ExpertProfile.objects.exists()


def test_a_workbook_with_other_headers_is_refused(client, world):
    client.force_login(world.secretariat)
    response = _import(client, _xlsx([["a", "b"]], columns=["姓名", "电话"]))
    assert response.status_code == 400 and "表头与模板不一致" in response.content.decode()


def test_export_opens_round_trips_and_neutralises_formulas(client, world, pool):
    profile = pool(1)[0]
    profile.note = '=HYPERLINK("http://evil.example","点我")'
    profile.employer = "+1+1"
    profile.save()
    ExpertRelationship.objects.create(expert=profile, organization_name="@SUM(1)", kind="other")
    client.force_login(world.secretariat)
    response = client.get(reverse("review:expert_export"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb["评审专家"].iter_rows(values_only=True))
    assert list(rows[0]) == ex.COLUMNS
    assert rows[1][0] == profile.pk and rows[1][10].startswith("'=") and rows[1][5] == "'+1+1"
    assert list(wb["关联单位"].iter_rows(values_only=True))[1][1] == "'@SUM(1)"
    # the exported file imports back unchanged (the apostrophe is the export's, not data)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "export.xlsx"
    assert _import(client, out).status_code == 302
    profile.refresh_from_db()
    assert profile.note == '=HYPERLINK("http://evil.example","点我")' and ExpertProfile.objects.count() == 1


def test_template_downloads_and_is_importable_once_the_example_is_filled(client, world):
    client.force_login(world.secretariat)
    response = client.get(reverse("review:expert_template"))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["评审专家", "关联单位", "填写说明"]
    assert _import(client, _xlsx([], [])).status_code == 400  # no data rows: refused, nothing changes


def test_generated_experts_get_profiles_and_their_seats_open_after_the_pledge(seeded):
    from django.core.management import call_command

    from applications.classifications import industry_lookup
    from applications.rules import can_view
    from review.panels.models import PanelMember, Pledge, Recusal

    call_command("generate_data", applications=40, experts=12, seed=11, stdout=io.StringIO())
    profiles = list(ExpertProfile.objects.select_related("user"))
    assert len(profiles) == 12 and len({p.phone for p in profiles}) == 12
    assert all(p.specialties and all(industry_lookup(c) for c in p.specialties) for p in profiles)
    assert all(has_role(p.user, Role.EXPERT) for p in profiles)
    seat = PanelMember.objects.filter(role="leader").select_related("panel__application", "expert").first()
    if seat is not None:
        recused = Recusal.objects.filter(application=seat.panel.application, user=seat.expert).exists()
        assert Pledge.objects.filter(panel=seat.panel, expert=seat.expert).exists()
        assert can_view(seat.expert, seat.panel.application) == (not recused)
    call_command("generate_data", applications=40, experts=12, seed=11, replace=True, stdout=io.StringIO())
    assert ExpertProfile.objects.count() == 12


def test_the_demo_seeds_a_pool_and_the_demo_experts_pledges(db):
    """Every expert of the demo pool is drawn only through the draw, and sees an application only once its
    pledge for a seat on that application is signed."""
    from django.core.management import call_command

    from applications.management.commands.load_demo import DEMO_EXPERTS, EXTRA_EXPERTS
    from applications.rules import can_view

    call_command("loaddata", "regions", "gbt19580", "programs", verbosity=0)
    call_command("load_demo", stdout=io.StringIO(), documents="later")
    call_command("load_demo", stdout=io.StringIO(), documents="later")  # twice changes nothing
    assert ExpertProfile.objects.count() == len(DEMO_EXPERTS) + len(EXTRA_EXPERTS)
    pledged = set(Pledge.objects.values_list("panel__application_id", "expert_id"))
    seats = PanelMember.objects.exclude(role=PanelMember.Role.RESERVE).select_related("panel__application", "expert")
    assert seats.exists() and any((s.panel.application_id, s.expert_id) not in pledged for s in seats)
    for seat in seats:
        signed = (seat.panel.application_id, seat.expert_id) in pledged
        assert can_view(seat.expert, seat.panel.application) == signed, seat  # pledge first


def test_an_import_never_adopts_an_account_named_like_the_phone(client, world):
    from qualityaward.accounts.models import User

    someone = User.objects.create_user(username="13900000001", password="x-12345678")
    client.force_login(world.secretariat)
    assert _import(client, _xlsx(GOOD[:1])).status_code == 302
    profile = ExpertProfile.objects.get(phone="13900000001")
    assert profile.user != someone and profile.user.username == "zj13900000001"
    assert not has_role(someone, Role.EXPERT)
