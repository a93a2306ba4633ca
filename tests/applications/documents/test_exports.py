"""Excel exports of the lists: the same filters and the same visibility as the page, Chinese headers, a
frozen header row, widths, and text that a spreadsheet would run as a formula neutralised."""
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from review.eligibility import services as el
from applications.models import AcceptanceList, State
from applications.selectors import applications_for_user
from applications.documents.xlsx import Sheet, neutralise, write_workbook
from qualityaward.accounts.models import AuditEvent
from qualityaward.accounts.services import Actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    assert ".xlsx" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows_of(ws):
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def column(ws, header):
    headers = [c.value for c in ws[1]]
    i = headers.index(header)
    return [r[i] for r in rows_of(ws)]


@pytest.fixture
def listed(world, drive):
    """Applications of two cities in several states, and a name a spreadsheet would run as a formula."""
    return {
        "draft": world.new_app(name="郑州草稿公司", filled=False),
        "submitted": drive(world.new_app(name="郑州甲公司"), State.SUBMITTED),
        "formula": drive(world.new_app(name="=HYPERLINK(\"http://x.example\",\"点此\")"), State.SUBMITTED),
        "recommended": drive(world.new_app(name="郑州乙公司"), State.RECOMMENDED),
        "accepted": drive(world.new_app(name="郑州丙公司"), State.ACCEPTED),
        "kaifeng": drive(world.new_app(owner=world.stranger, organization=world.other_org, name="开封某公司"),
                         State.RECOMMENDED),
    }


# --- the shared writer ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["=1+2", "+86 371", "-2+3", "@SUM(A1:A2)", "  =cmd|' /C calc'!A0", "\t=1",
                                  "\r=1", "\n=1"])
def test_text_that_would_start_a_formula_gets_a_leading_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["郑州甲公司", "PY2026-00001", "a=b", -5, 3.5, None, Decimal("87.5000")])
def test_plain_values_are_left_as_they_are(value):
    assert neutralise(value) == value


def test_yes_and_no_are_written_in_chinese():
    assert (neutralise(True), neutralise(False)) == ("是", "否")


def test_the_writer_freezes_the_header_sets_widths_and_keeps_formulas_as_text(tmp_path):
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("测试", ["名称", "金额"], iter([["=SUM(B2:B3)", 12], ["普通名称", -3]]))])
    ws = load_workbook(path)["测试"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["名称", "金额"] and ws["A1"].font.b
    assert ws["A2"].value == "'=SUM(B2:B3)" and ws["A2"].data_type == "s"
    assert ws["B3"].value == -3
    assert ws.column_dimensions["A"].width >= 12


def test_a_sheet_that_names_its_text_columns_still_neutralises_them_and_keeps_numbers_as_numbers(tmp_path):
    """The score matrix names its four text columns; rows past the width sample go the short way, and a
    formula in a text column is still shown as text."""

    path = tmp_path / "t.xlsx"
    rows = ([f"=HYPERLINK(\"{i}\")" if i % 2 else f"企业{i}", i, Decimal("87.5000"), None, True] for i in range(300))
    write_workbook(path, [Sheet("矩阵", ["名称", "序号", "得分率", "空", "达标"], rows, text_columns=(0, 4))])
    body = rows_of(load_workbook(path)["矩阵"])
    assert len(body) == 300
    assert body[299][0] == "'=HYPERLINK(\"299\")" and body[298][0] == "企业298"
    assert body[299][1:] == [299, 87.5, None, "是"]
    assert [r[1] for r in body] == list(range(300)) and {r[2] for r in body} == {87.5}


def test_control_characters_and_odd_sheet_titles_never_break_the_file(tmp_path):
    """A name pasted with a stray control character would make the spreadsheet library refuse the file."""
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("2026/第1批[草稿]?", ["名称"], iter([["郑州\x0b甲公司\x00"], ["\x01=1+1"]]))])
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.title == "2026_第1批_草稿__"
    assert [r[0] for r in rows_of(ws)] == ["郑州甲公司", "'=1+1"]


# --- applications:list -----------------------------------------------------------------------------------------
def test_the_application_list_export_holds_exactly_what_the_list_shows(client, world, listed):
    for name in ["owner", "stranger", "authority", "authority_other_city", "secretariat", "secretariat_other",
                 "expert", "admin"]:
        user = getattr(world, name)
        client.force_login(user)
        ws = workbook(client.get(reverse("applications:list_export"))).active
        expected = set(applications_for_user(user=user).values_list("applicant_name", flat=True))
        exported = column(ws, "申报单位（个人）")
        assert len(exported) == len(expected), name
        assert {n.lstrip("'") for n in exported} == expected, name
    client.force_login(world.authority)
    names = set(column(workbook(client.get(reverse("applications:list_export"))).active, "申报单位（个人）"))
    assert "郑州草稿公司" not in names and "开封某公司" not in names  # drafts are private; other cities are not its


def test_the_application_list_export_honours_the_state_and_search_filters(client, world, listed):
    client.force_login(world.owner)
    url = reverse("applications:list_export")
    ws = workbook(client.get(url, {"state": State.SUBMITTED})).active
    assert sorted(column(ws, "申报单位（个人）")) == sorted(["郑州甲公司", "'" + listed["formula"].applicant_name])
    assert set(column(ws, "状态")) == {"已提交"}
    ws = workbook(client.get(url, {"q": "丙"})).active
    assert column(ws, "申报单位（个人）") == ["郑州丙公司"]
    ws = workbook(client.get(url, {"q": listed["accepted"].number})).active
    assert column(ws, "申报编号") == [listed["accepted"].number]
    ws = workbook(client.get(url, {"state": "no-such-state", "q": "公司"})).active  # unknown state: ignored
    assert len(rows_of(ws)) == 4  # every name with 公司 (the formula name has none)
    assert AuditEvent.objects.filter(action="export:applications", actor=world.owner).count() == 4


def test_the_application_list_export_has_chinese_headers_a_frozen_row_and_no_formula(client, world, listed):
    client.force_login(world.owner)
    ws = workbook(client.get(reverse("applications:list_export"))).active
    assert [c.value for c in ws[1]][:4] == ["申报编号", "申报单位（个人）", "申报主体", "奖项"]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width >= 30
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    formula = [c.value for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert formula == ["'" + listed["formula"].applicant_name]
    stamp = column(ws, "状态更新时间")[0]
    assert abs((timezone.make_aware(stamp) - timezone.now()).total_seconds()) < 600  # local time, no tz


def test_the_list_page_offers_the_export_with_its_filters(client, world, listed):
    client.force_login(world.owner)
    body = client.get(reverse("applications:list"), {"state": "submitted", "q": "甲"}).content.decode()
    assert f'{reverse("applications:list_export")}?state=submitted&q=%E7%94%B2' in body


# --- the bureau's list ---------------------------------------------------------------------------------------------
def test_the_bureau_export_holds_its_region_only_and_honours_filters(client, world, listed):
    url = reverse("review:prereview_export")
    client.force_login(world.authority)
    ws = workbook(client.get(url)).active
    assert sorted(n.lstrip("'") for n in column(ws, "申报单位（个人）")) == sorted(
        a.applicant_name for k, a in listed.items() if k not in ("draft", "kaifeng"))
    assert ws.freeze_panes == "A2"
    ws = workbook(client.get(url, {"state": State.RECOMMENDED})).active
    assert column(ws, "申报单位（个人）") == ["郑州乙公司"]
    assert column(ws, "初审意见") == ["已签署"]
    ws = workbook(client.get(url, {"q": "甲", "sort": "name"})).active
    assert column(ws, "申报单位（个人）") == ["郑州甲公司"]
    client.force_login(world.authority_other_city)
    assert column(workbook(client.get(url)).active, "申报单位（个人）") == ["开封某公司"]
    client.force_login(world.secretariat)  # no authority role: its list is empty, so is its export
    assert rows_of(workbook(client.get(url)).active) == []


def test_the_bureau_list_page_links_the_export_with_its_filters(client, world, listed):
    client.force_login(world.authority)
    body = client.get(reverse("review:prereview_list"), {"state": "submitted"}).content.decode()
    assert reverse("review:prereview_export") + "?state=submitted" in body


# --- the secretariat's eligibility list -----------------------------------------------------------------------------
def test_the_eligibility_export_holds_the_selected_campaign_of_the_secretariats_programs(client, world, listed):
    url = reverse("review:eligibility_export")
    client.force_login(world.secretariat)
    ws = workbook(client.get(url, {"campaign": world.campaign.pk})).active
    groups = dict(zip(column(ws, "申报单位（个人）"), column(ws, "分组")))
    assert groups == {"郑州乙公司": "待审核（已推荐）", "开封某公司": "待审核（已推荐）", "郑州丙公司": "已受理"}
    assert ws.freeze_panes == "A2"
    client.force_login(world.secretariat_other)  # another program's secretariat: its own campaign, none of these
    ws = workbook(client.get(url, {"campaign": world.campaign.pk})).active
    assert not set(column(ws, "申报单位（个人）")) & set(groups)
    client.force_login(world.owner)
    assert rows_of(workbook(client.get(url)).active) == []


# --- acceptance lists ----------------------------------------------------------------------------------------------
def test_an_acceptance_list_exports_public_fields_and_a_draft_only_to_its_secretariat(client, world, listed):
    lst = el.create_acceptance_list(campaign=world.campaign, actor=Actor(user=world.secretariat))
    url = reverse("review:acceptance_list_export", args=[lst.pk])
    assert client.get(url).status_code == 404  # a draft
    client.force_login(world.secretariat_other)
    assert client.get(url).status_code == 404
    client.force_login(world.secretariat)
    ws = workbook(client.get(url)).active
    assert [c.value for c in ws[1]] == ["序号", "申报单位（个人）", "所在地区", "所属行业"]
    assert rows_of(ws)[0][:3] == [1, "郑州丙公司", "郑州市"]
    AcceptanceList.objects.filter(pk=lst.pk).update(published_at=timezone.now())
    client.logout()
    assert len(rows_of(workbook(client.get(url)).active)) == 1
    assert "导出 Excel" in client.get(reverse("review:acceptance_list", args=[lst.pk])).content.decode()
