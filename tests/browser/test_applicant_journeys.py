"""The applicant's side in a real browser: registration, the section pages, uploads, submission.

Each journey checks what the applicant would notice (badges, counters, messages, what is in the
fields after a reload) and, where it matters, what the server actually stored. The forms are
filled field by field from their specification (applications/forms/spec.py), so a field added to a
form is filled, and checked, here too.
"""
import json
import re

import pytest
from playwright.sync_api import expect

from applications.forms import richtext
from applications.forms.spec import UploadSlot, form_for
from applications.models import Application, Attachment
from applications.forms.textcount import count_chars
from browser_support import (
    ID_NUMBER, ORG_CREDIT_CODE, SAVED, assert_no_script_errors, assert_section_complete,
    confirm_and_sign_in, create_from_dashboard, expect_value, field, fill_section, next_section,
    page_values, record_internal_publicity, rich, section_plan, submit_and_check_receipt, upload, wait_saved,
)

pytestmark = pytest.mark.browser


# =============================================================================================
# 1. An organization, from registration to a submitted application with its receipt
# =============================================================================================
def test_organization_registers_fills_every_section_and_submits(portal, page, files):
    page.goto("/accounts/register/")
    page.get_by_role("link", name="注册组织账号").click()
    page.locator("#id_name").fill("河南省中原精密制造有限公司")
    page.locator("#id_credit_code").fill(ORG_CREDIT_CODE.lower())
    page.locator("#id_region").select_option(label="郑州市")
    page.locator("#id_contact_name").fill("赵建国")
    page.locator("#id_mobile").fill("13812345678")
    page.locator("#id_email").fill("zhaojianguo@example.cn")
    page.locator("#id_username").fill("zhongyuan")
    page.locator("#id_password1").fill(portal.password)
    page.locator("#id_password2").fill(portal.password)
    page.get_by_role("button", name="提交注册").click()
    confirm_and_sign_in(page, "zhongyuan", portal.password)

    app = create_from_dashboard(page)
    assert app.kind == Application.Kind.ORGANIZATION and app.applicant_name == "河南省中原精密制造有限公司"
    spec = form_for(app)
    assert [s.code for s in spec.sections][-3:] == ["evidence", "conditions", "declaration"]  # 申报条件, then 声明

    page.get_by_role("link", name="填写/修改申报材料").click()
    first = spec.sections[0]
    page.get_by_role("link", name=re.compile(rf"^{first.number} {first.title} 可编辑")).click()
    for section in spec.sections:
        expect(page.get_by_role("heading", level=1)).to_have_text(f"{section.number} {section.title}")
        if any(not isinstance(i, UploadSlot) for i in section.items):
            overrides = {"org_name": app.applicant_name} if section.code == "basic" else {}
            if section.code == "conditions":
                overrides = {"specialized_level": "none"}  # no certificate to upload
            values, rows, expected = section_plan(section, **overrides)
            fill_section(page, section, values, rows)
            assert portal.section(app, section.code)[0] == expected, f"section {section.code} as stored"
            assert_section_complete(page)

            if section.code in ("basic", "products"):  # what the server holds comes back after a reload
                page.reload()
                assert page_values(page, values) == values
                expect(page.locator("#qa-status")).to_have_text(SAVED)

            if section.code == "performance":  # typed, then reloaded before the pause that saves
                path = "indicators.total_assets.rank"
                _data, version = portal.section(app, section.code)
                field(page, path).fill("全国第一")
                backup = page.evaluate("k => localStorage.getItem(k)", f"qa-draft-{app.pk}-performance")
                assert backup and "全国第一" in backup
                page.reload()
                expect(field(page, path)).to_have_value("全国第一")
                wait_saved(page)
                data, new_version = portal.section(app, section.code)
                assert data["indicators"]["total_assets"]["rank"] == "全国第一" and new_version > version
                assert page.evaluate("k => localStorage.getItem(k)", f"qa-draft-{app.pk}-performance") is None

        if section.code == "evidence":
            upload(page, "evidence", [files.pdf("营业执照.pdf", pages=1)], title="营业执照副本")
            upload(page, "evidence", [files.pdf("质量管理体系认证证书.pdf", pages=3)], title="ISO 9001 质量管理体系认证证书")
            upload(page, "org_photos", [files.jpeg(f"厂区{n}.jpg", color=(40 * n, 90, 160)) for n in (1, 2, 3)])
            upload(page, "manager_photos", [files.jpeg("董事长.jpg", color=(200, 180, 160))])
            titles = list(Attachment.objects.filter(application=app, slot="evidence").order_by("order")
                          .values_list("title", flat=True))
            assert titles == ["营业执照副本", "ISO 9001 质量管理体系认证证书"]
            assert_section_complete(page)
        if section is not spec.sections[-1]:
            next_section(page)
        assert_no_script_errors(page)

    page.get_by_role("link", name="填写进度").click()
    expect(page.locator(".alert-success")).to_have_text("所有部分已填写完整，可以在申报详情页提交。")
    expect(page.locator(".badge", has_text="已完成")).to_have_count(len(spec.sections))
    record_internal_publicity(page, files, app)
    page.get_by_role("link", name="返回申报详情（提交）").click()
    number = submit_and_check_receipt(page, app)
    assert number == f"PY{app.campaign.year}-00001"  # the campaign's first number
    assert_no_script_errors(page)


# =============================================================================================
# 2. An individual, from registration to a submitted application
# =============================================================================================
def test_individual_registers_fills_every_section_and_submits(portal, page, files):
    page.goto("/accounts/register/individual/")
    page.locator("#id_full_name").fill("李质量")
    page.locator("#id_id_number").fill(ID_NUMBER.lower())
    page.locator("#id_employer").fill("郑州市第一人民医院")
    page.locator("#id_region").select_option(label="郑州市")
    page.locator("#id_mobile").fill("13900001111")
    page.locator("#id_email").fill("lizhiliang@example.cn")
    page.locator("#id_username").fill("lizhiliang")
    page.locator("#id_password1").fill(portal.password)
    page.locator("#id_password2").fill(portal.password)
    page.get_by_role("button", name="提交注册").click()
    confirm_and_sign_in(page, "lizhiliang", portal.password)

    app = create_from_dashboard(page, applicant_name="李质量", region="郑州市")
    assert app.kind == Application.Kind.INDIVIDUAL
    spec = form_for(app)

    page.get_by_role("link", name="填写/修改申报材料").click()
    first = spec.sections[0]
    page.get_by_role("link", name=re.compile(rf"^{first.number} {first.title} 可编辑")).click()
    for section in spec.sections:
        expect(page.get_by_role("heading", level=1)).to_have_text(f"{section.number} {section.title}")
        if any(not isinstance(i, UploadSlot) for i in section.items):
            overrides = {"name": "李质量", "employer": "郑州市第一人民医院", "unit_name": "郑州市第一人民医院"}
            values, rows, expected = section_plan(section, **overrides)
            fill_section(page, section, values, rows)
            assert portal.section(app, section.code)[0] == expected, f"section {section.code} as stored"
        if section.code == "photo":
            upload(page, "portrait", [files.jpeg("二寸照片.jpg", width=413, height=579, color=(230, 230, 240))])
        elif section.code == "unit_opinion":
            upload(page, "seal_page", [files.pdf("单位盖章页.pdf", pages=1)])
            expect(field(page, "recommendation")).to_have_value(values["recommendation"])  # still there
        elif section.code == "evidence":
            upload(page, "evidence", [files.pdf("身份证明.pdf", pages=1)], title="身份证复印件")
            upload(page, "evidence", [files.pdf("职称证书.pdf", pages=2)], title="高级工程师职称证书")
            upload(page, "work_photos", [files.jpeg("现场指导.jpg"), files.jpeg("质量培训.jpg", color=(90, 40, 40))])
        assert_section_complete(page)
        assert_no_script_errors(page)
        if section.code != spec.sections[-1].code:
            next_section(page)

    page.goto(f"/applications/{app.pk}/form/")
    record_internal_publicity(page, files, app)
    page.get_by_role("link", name=app.applicant_name).first.click()
    submit_and_check_receipt(page, app)
    assert_no_script_errors(page)


# =============================================================================================
# 3. The 字数 counter agrees with the server; an over-long text is refused but kept
# =============================================================================================
TRICKY = [
    "",
    "质量\u3000奖",  # full-width space
    "a\tb\nc\r\nd",  # tab and line breaks
    "一\u00a0二",  # non-breaking space
    "\U00020000𠀁字",  # astral CJK (surrogate pairs in JavaScript)
    "零\u200b宽",  # zero-width space
    "<b>x</b>",
    "\ufeff\u2028\u2029\u205f\u1680\u180e\u0085末",
    " \u3000 \t\n ",
    "👍🏽 e\u0301",  # emoji with a modifier; a combining accent
]


def test_character_counter_matches_the_server_and_limits_refuse_without_losing_text(portal, context, page):
    user = portal.applicant()
    app = portal.draft(user)
    portal.sign_in(context, user)
    page.goto(f"/applications/{app.pk}/form/overview/")

    for text in TRICKY:
        assert page.evaluate("s => window.qaCountChars(s)", text) == count_chars(text), repr(text)

    box = field(page, "text")  # 组织概述 is a narrative: counted by the text of its HTML, on both sides
    counter = page.locator('[data-counter-for="text"]')
    mixed = "".join(TRICKY)
    box.fill(mixed)
    box.blur()
    wait_saved(page)
    stored = portal.section(app, "overview")[0]["text"]
    assert richtext.is_markup(stored)
    expect(counter).to_have_text(f"已输入 {count_chars(richtext.text_of(stored))} / 3000 字")

    box.fill("第一版：组织概述。")
    box.blur()
    wait_saved(page)
    _data, version = portal.section(app, "overview")

    too_long = "质" * 3001
    box.fill(too_long)
    expect(counter).to_have_text("已输入 3001 / 3000 字")
    expect(counter).to_have_class(re.compile(r"\btext-danger\b"))
    box.blur()
    expect(page.locator("#qa-status")).to_have_text("未保存：有错误")
    expect(page.locator('[data-error-for="text"]')).to_have_text("“组织概述”限 3000 字，当前 3001 字，请删减。")
    expect(page.locator("#qa-message")).to_contain_text("尚未保存")
    expect(box.editor).to_have_text(too_long)
    assert portal.section(app, "overview") == ({"text": rich("第一版：组织概述。")}, version)

    box.press("Control+End")
    box.press("Backspace")  # back within the limit: saved, the counter and the error clear
    expect(counter).to_have_text("已输入 3000 / 3000 字")
    expect(counter).not_to_have_class(re.compile(r"\btext-danger\b"))
    box.blur()
    wait_saved(page)
    expect(page.locator('[data-error-for="text"]')).to_have_text("")
    assert portal.section(app, "overview")[0]["text"] == rich("质" * 3000)
    assert_no_script_errors(page)


def test_total_counter_covers_self_assessment_items(portal, context, page):
    """Self-assessment items are named like 4.1.2: their text is saved under those names and counted."""
    user = portal.applicant()
    app = portal.draft(user)
    portal.sign_in(context, user)
    page.goto(f"/applications/{app.pk}/form/self_assessment/")
    first, second = [i.key for i in form_for(app).section("self_assessment").items[:2]]
    assert "." in first
    field(page, first).fill("领导作用：方法、展开、结果。")
    field(page, second).fill("社会责任")
    expect(page.locator("#qa-total-count")).to_have_text(str(count_chars("领导作用：方法、展开、结果。社会责任")))
    field(page, second).blur()
    wait_saved(page)
    data = portal.section(app, "self_assessment")[0]
    assert data[first] == rich("领导作用：方法、展开、结果。") and data[second] == rich("社会责任")
    page.reload()
    expect_value(page, first, "领导作用：方法、展开、结果。")
    expect(page.locator("#qa-total-count")).to_have_text(str(count_chars("领导作用：方法、展开、结果。社会责任")))
    assert_no_script_errors(page)


# =============================================================================================
# 4. The same section open twice: the conflict panel, and both ways out of it
# =============================================================================================
HUMAN_CLICK_MS = 150  # between mousedown and mouseup
SLOW_NETWORK_MS = 400  # added to each request of the slow page


def test_conflict_between_two_pages(portal, context, page, new_page):
    user = portal.applicant()
    app = portal.draft(user)
    portal.sign_in(context, user)
    url = f"/applications/{app.pk}/form/overview/"
    page_a, page_b = page, new_page()
    page_a.goto(url)
    page_b.goto(url)
    # page B is on a slow connection: a save it sends arrives after the user's next click
    context.new_cdp_session(page_b).send("Network.emulateNetworkConditions", {
        "offline": False, "latency": SLOW_NETWORK_MS, "downloadThroughput": -1, "uploadThroughput": -1})
    conflict = page_b.locator("#qa-conflict")

    # keep mine: B's text wins
    field(page_a, "text").fill("A：在页面甲中写的组织概述。")
    field(page_a, "text").blur()
    wait_saved(page_a)
    field(page_b, "text").fill("B：在页面乙中写的组织概述。")
    expect(conflict).to_be_visible()
    expect(page_b.locator("#qa-status")).to_have_text("未保存：版本冲突")
    expect(page_b.locator("#qa-conflict-mine")).to_have_text("组织概述：B：在页面乙中写的组织概述。")
    expect(page_b.locator("#qa-conflict-theirs")).to_have_text("组织概述：A：在页面甲中写的组织概述。")
    # a person's click: the button is held a moment (the text box loses focus on mousedown)
    page_b.get_by_role("button", name="保留我的版本（覆盖已保存的）").click(delay=HUMAN_CLICK_MS)
    wait_saved(page_b)
    expect(conflict).to_be_hidden()
    assert portal.section(app, "overview")[0] == {"text": rich("B：在页面乙中写的组织概述。")}

    # take theirs: B shows A's text, and B's next edit saves on top of it
    page_a.reload()
    page_b.reload()
    expect_value(page_a, "text", "B：在页面乙中写的组织概述。")
    field(page_a, "text").fill("A2：页面甲的第二版。")
    field(page_a, "text").blur()
    wait_saved(page_a)
    field(page_b, "text").fill("B2：页面乙的第二版。")
    expect(conflict).to_be_visible()
    expect(page_b.locator("#qa-conflict-theirs")).to_have_text("组织概述：A2：页面甲的第二版。")
    page_b.get_by_role("button", name="采用已保存的版本（放弃本页修改）").click(delay=HUMAN_CLICK_MS)
    expect(conflict).to_be_hidden()
    expect_value(page_b, "text", "A2：页面甲的第二版。")
    expect(page_b.locator("#qa-status")).to_have_text("已采用已保存的版本")
    data, version = portal.section(app, "overview")
    assert data == {"text": rich("A2：页面甲的第二版。")}
    assert page_b.evaluate("k => localStorage.getItem(k)", f"qa-draft-{app.pk}-overview") is None

    field(page_b, "text").fill("B3：在已保存的版本上继续修改。")
    field(page_b, "text").blur()
    wait_saved(page_b)
    expect(conflict).to_be_hidden()
    assert portal.section(app, "overview") == ({"text": rich("B3：在已保存的版本上继续修改。")}, version + 1)
    assert_no_script_errors(page_a)
    assert_no_script_errors(page_b)


def test_local_backup_from_an_older_version_offers_the_choice(portal, context, page, new_page):
    """Text left unsaved in one page, while another page saved: on reopening, keeping it saves it."""
    user = portal.applicant()
    app = portal.draft(user)
    portal.sign_in(context, user)
    url = f"/applications/{app.pk}/form/overview/"
    page.goto(url)
    page.evaluate("""k => localStorage.setItem(k, JSON.stringify({version: 0, data: {text: "本机未保存的内容"}, at: 1}))""",
                  f"qa-draft-{app.pk}-overview")
    other = new_page()
    other.goto(url)  # restores the backup (same version) and saves it
    wait_saved(other)
    assert portal.section(app, "overview")[0] == {"text": "本机未保存的内容"}
    field(other, "text").fill("另一页面的新内容")
    field(other, "text").blur()
    wait_saved(other)
    page.evaluate("""k => localStorage.setItem(k, JSON.stringify({version: 1, data: {text: "本机未保存的内容"}, at: 1}))""",
                  f"qa-draft-{app.pk}-overview")
    page.reload()
    expect(page.locator("#qa-conflict")).to_be_visible()
    expect(page.locator("#qa-conflict-mine")).to_have_text("组织概述：本机未保存的内容")
    expect(page.locator("#qa-conflict-theirs")).to_have_text("组织概述：另一页面的新内容")
    page.get_by_role("button", name="保留我的版本（覆盖已保存的）").click(delay=HUMAN_CLICK_MS)
    wait_saved(page)
    expect_value(page, "text", "本机未保存的内容")
    assert richtext.text_of(portal.section(app, "overview")[0]["text"]).strip() == "本机未保存的内容"
    assert_no_script_errors(page)


# =============================================================================================
# 5. The connection drops while typing; the page keeps the text and saves it when it is back
# =============================================================================================
def test_lost_connection_retries_and_saves(portal, context, page):
    user = portal.applicant()
    app = portal.draft(user)
    portal.sign_in(context, user)
    page.goto(f"/applications/{app.pk}/form/basic/")
    prefilled = portal.section(app, "basic")  # what registration filled in (version 0)
    context.set_offline(True)
    field(page, "main_products").fill("精密数控机床、工业机器人减速器")
    field(page, "main_products").blur()
    expect(page.locator("#qa-status")).to_have_text(re.compile(r"^未保存（网络中断"))
    assert portal.section(app, "basic") == prefilled
    backup = json.loads(page.evaluate("k => localStorage.getItem(k)", f"qa-draft-{app.pk}-basic"))
    assert backup["data"]["main_products"] == "精密数控机床、工业机器人减速器"
    context.set_offline(False)
    wait_saved(page)
    assert portal.section(app, "basic")[0]["main_products"] == "精密数控机床、工业机器人减速器"
    assert_no_script_errors(page)


def test_signed_out_while_typing_keeps_the_text_and_says_why(portal, context, page):
    """The session ends (timeout, signed out in another tab): the page says so, keeps the text, and
    saves it once the applicant has signed in again and reopened the page."""
    from django.conf import settings

    user = portal.applicant()
    app = portal.draft(user)
    portal.sign_in(context, user)
    page.goto(f"/applications/{app.pk}/form/basic/")
    prefilled = portal.section(app, "basic")  # what registration filled in (version 0)
    session = next(c for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    field(page, "main_products").fill("精密数控机床")
    field(page, "main_products").blur()
    expect(page.locator("#qa-status")).to_have_text("未保存：登录已过期")
    expect(page.locator("#qa-message")).to_contain_text("重新登录")
    assert portal.section(app, "basic") == prefilled

    portal.sign_in(context, user)
    assert session["value"] != next(c["value"] for c in context.cookies() if c["name"] == session["name"])
    page.reload()
    expect(field(page, "main_products")).to_have_value("精密数控机床")
    wait_saved(page)
    assert portal.section(app, "basic")[0]["main_products"] == "精密数控机床"
    assert_no_script_errors(page)


def test_saved_badge_only_when_the_latest_text_is_saved(portal, context, page):
    """Typing on while a save is on its way: the badge must not say 已保存 for the older text."""
    user = portal.applicant()
    app = portal.draft(user)
    portal.sign_in(context, user)
    page.goto(f"/applications/{app.pk}/form/overview/")
    context.new_cdp_session(page).send("Network.emulateNetworkConditions", {
        "offline": False, "latency": SLOW_NETWORK_MS, "downloadThroughput": -1, "uploadThroughput": -1})
    box = field(page, "text")
    box.fill("第一句。")
    box.blur()  # the first save leaves
    expect(page.locator("#qa-status")).to_have_text("保存中…")
    box.fill("第一句。第二句。")  # typed while it travels; saved after the typing pause
    wait_saved(page)
    assert portal.section(app, "overview")[0] == {"text": rich("第一句。第二句。")}
    assert_no_script_errors(page)


# =============================================================================================
# 6. Markup typed into the form is text, never markup
# =============================================================================================
PAYLOAD = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'


def test_markup_in_fields_is_shown_as_text(portal, context, page):
    user = portal.applicant()
    app = portal.draft(user)
    portal.sign_in(context, user)
    page.goto(f"/applications/{app.pk}/form/overview/")
    field(page, "text").fill(PAYLOAD)
    field(page, "text").blur()
    wait_saved(page)
    page.goto(f"/applications/{app.pk}/form/basic/")
    field(page, "address").fill(PAYLOAD.replace(" ", ""))
    field(page, "address").blur()
    wait_saved(page)

    for code, path, text in (("overview", "text", PAYLOAD), ("basic", "address", PAYLOAD.replace(" ", ""))):
        page.goto(f"/applications/{app.pk}/form/{code}/")
        expect_value(page, path, text)
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.locator("main img").count() == 0 and page.locator("main script:not([src])").count() == 0
    # the conflict panel shows the stored text as text too
    page.goto(f"/applications/{app.pk}/form/overview/")
    page.evaluate("""k => localStorage.setItem(k, JSON.stringify({version: 0, data: {text: "x"}, at: 1}))""",
                  f"qa-draft-{app.pk}-overview")
    page.reload()
    expect(page.locator("#qa-conflict-theirs")).to_have_text("组织概述：" + PAYLOAD)
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert_no_script_errors(page)
