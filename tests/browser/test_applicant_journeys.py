"""The applicant's side in a real browser: registration, the section pages, uploads, submission.

Each journey checks what the applicant would notice (badges, counters, messages, what is in the
fields after a reload) and, where it matters, what the server actually stored. The forms are
filled field by field from their specification (applications/forms/spec.py), so a field added to a
form is filled, and checked, here too.
"""
import json
import re
from html import escape

import pytest
from django.core import mail
from playwright.sync_api import expect

from applications.forms import richtext
from applications.forms.spec import Field, Grid, Table, UploadSlot, form_for
from applications.models import Application, Attachment, State
from applications.forms.textcount import count_chars

pytestmark = pytest.mark.browser

ORG_CREDIT_CODE = "91410100MA40QA001Q"
ID_NUMBER = "11010519491231002X"
SAVED = re.compile(r"^已保存 \d{1,2}:\d{2}:\d{2}$")
ROWS_PER_TABLE = 2


# --- what an applicant types --------------------------------------------------------------------
def field_value(f, n=0, *, credit_code=ORG_CREDIT_CODE):
    """A valid value for one field (``n`` makes table rows differ)."""
    if f.key.endswith("_detail"):  # explanations of a "有" answer; every answer below is "无"
        return ""
    if f.type == "textarea":
        text = (f"{f.label[:20]}：坚持以顾客为关注焦点，建立覆盖研发、采购、制造和服务全过程的质量管理体系。\n"
                f"近三年质量损失率逐年下降，顾客满意度稳步提升（第{n + 1}段）。")
        return text[: f.max_chars] if f.max_chars else text
    if f.type in ("integer", "decimal"):
        if f.max_value is not None:
            return str(min(int(f.max_value) - 5, 30 + n))
        return str(120 + n) if f.type == "integer" else f"{1200 + n}.5"
    if f.type == "choice":
        return f.choices[min(1, len(f.choices) - 1)][0]
    if f.type == "yesno":
        return "no"
    if f.type == "email":
        return "quality@example.cn"
    if f.type == "phone":
        return f"0371-6556686{n}"
    if f.type == "credit_code":
        return credit_code
    if f.type == "id_number":
        return ID_NUMBER
    if f.type == "industry":
        return "3311"
    if f.type == "date":
        return f"2015-06-{10 + n}"
    if f.key.endswith("postcode"):
        return "450000"
    return f"{f.label}{n + 1}"[: f.max_chars or 40]


def section_plan(section, **overrides):
    """(values by data-path, rows per table, the data the server should then hold) for a section."""
    values, rows, expected = {}, {}, {}
    for item in section.items:
        if isinstance(item, Field):
            value = overrides.get(item.key, field_value(item))
            values[item.key] = expected[item.key] = value
            if item.type == "richtext":  # typed in the narrative's editor: stored as its HTML
                expected[item.key] = rich(value)
        elif isinstance(item, Table):
            count = max(ROWS_PER_TABLE, item.min_rows)
            rows[item.key] = count
            expected[item.key] = []
            for i in range(count):
                row = {c.key: field_value(c, i) for c in item.columns}
                expected[item.key].append(row)
                values.update({f"{item.key}.{i}.{k}": v for k, v in row.items()})
        elif isinstance(item, Grid):
            grid = expected[item.key] = {}
            for n, (key, _label, _unit, _lo, hi) in enumerate(item.rows):
                cells = {y: (f"{10 + n}.5" if hi is not None else str(1000 + 10 * n)) for y in item.years}
                cells.update({c: f"全国前{n + 1}" for c, _ in item.extra_columns})
                grid[key] = cells
                values.update({f"{item.key}.{key}.{c}": v for c, v in cells.items()})
    return values, rows, expected


# --- what an applicant does on a section page -----------------------------------------------------
def rich(text):
    """What a narrative (richtext field) holds after ``text`` is typed into its editor as one paragraph."""
    return f"<p>{escape(text, quote=False)}</p>"


class Narrative:
    """A narrative's editor (static/js/rich-text.js) with a text box's vocabulary: fill, blur, its text."""

    def __init__(self, page, path):
        self.page = page
        self.editor = page.locator(f'#qa-section [data-field="{path}"] .tiptap[contenteditable=true]')

    def fill(self, value):
        self.editor.click()
        self.page.keyboard.press("Control+a")
        if value:
            self.page.keyboard.insert_text(value)
        else:
            self.page.keyboard.press("Delete")

    def blur(self):
        self.editor.evaluate("el => el.blur()")

    def press(self, key):
        self.editor.press(key)

    def input_value(self):
        return self.editor.inner_text()


def field(page, path):
    box = page.locator(f'#qa-section [data-path="{path}"]')
    if box.first.get_attribute("data-rich"):
        return Narrative(page, path)
    return box


def expect_value(page, path, value):
    box = field(page, path)
    if isinstance(box, Narrative):
        expect(box.editor).to_have_text(value)
    else:
        expect(box).to_have_value(value)


def wait_saved(page):
    """The status badge says 已保存 (and nothing typed is waiting for the next save)."""
    expect(page.locator("#qa-status")).to_have_text(SAVED)


def pick_industry(page, path, code):
    box = field(page, path)
    box.fill("")
    box.press_sequentially(code, delay=30)
    suggestion = page.locator(f"#industry-results-{path} button", has_text=re.compile(rf"^{code} "))
    expect(suggestion.first).to_be_visible()
    if code == "3311":
        expect(suggestion.first).to_contain_text("金属结构制造")
    suggestion.first.click()
    expect(box).to_have_value(code)
    expect(page.locator(f"#industry-results-{path} button")).to_have_count(0)


def fill_section(page, section, values, rows):
    """Type every value into the page: add table rows first, pick choices, use the industry picker."""
    for key, count in rows.items():
        table = page.locator(f'.qa-table[data-table="{key}"]')
        while table.locator("tr.qa-row").count() < count:
            table.get_by_role("button", name="添加一行").click()
    kinds = {i.key: i.type for i in section.items if isinstance(i, Field)}
    last = None
    for path, value in values.items():
        kind = kinds.get(path)
        if kind == "industry":
            pick_industry(page, path, value)
        elif kind in ("choice", "yesno"):
            field(page, path).select_option(value)
        else:
            field(page, path).fill(value)
        last = path
    if last:
        field(page, last).blur()  # leaving the last field saves at once (no need to wait for the pause)
    wait_saved(page)


def page_values(page, paths):
    return {p: field(page, p).input_value() for p in paths}


def upload(page, slot, paths, title=None):
    """Upload through the slot's form on the section page; the page comes back listing the files."""
    form = page.locator(f"form[action$='/files/{slot}/upload/']")
    if title is not None:
        form.locator("input[name=title]").fill(title)
    form.locator("input[type=file]").set_input_files([str(p) for p in paths])
    with page.expect_navigation():
        form.get_by_role("button", name="上传").click()
    for p in paths:
        expect(page.locator(".alert-success", has_text=f"已上传“{p.name}”")).to_be_visible()
    card = page.locator("section.card", has=page.locator(f"form[action$='/files/{slot}/upload/']"))
    expect(card.locator(".list-group-item a", has_text=title or paths[-1].name).first).to_be_visible()


def next_section(page):
    with page.expect_navigation():
        page.get_by_role("link", name="下一部分").click()


def assert_section_complete(page):
    """The 本部分尚缺 card is gone (the server found nothing missing after the last save)."""
    expect(page.locator("#qa-missing li")).to_have_count(0)


def assert_no_script_errors(page):
    assert page.js_errors == [], f"uncaught script errors on {page.url}: {page.js_errors}"


# --- accounts ------------------------------------------------------------------------------------
def confirm_and_sign_in(page, username, password):
    """Open the link of the newest confirmation e-mail, then sign in through the login form."""
    expect(page.get_by_role("heading", name="注册信息已提交")).to_be_visible()
    assert mail.outbox, "no confirmation e-mail was sent"
    message = mail.outbox[-1]
    match = re.search(r"https?://[^/\s]+(/accounts/register/confirm/\S+)", message.body)
    assert match, f"no confirmation link in: {message.body}"
    page.goto(match.group(1))
    expect(page.locator(".alert-success")).to_contain_text("账号（用户名：" + username + "）已激活")
    page.get_by_role("link", name="前往登录").click()
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()


def create_from_dashboard(page, *, applicant_name=None, region=None):
    page.get_by_role("link", name=re.compile(r"^新建申报：河南省省长质量奖培育（")).click()
    expect(page.get_by_role("heading", name=re.compile("新建申报：河南省省长质量奖培育"))).to_be_visible()
    if applicant_name is not None:
        page.locator("#id_applicant_name").fill(applicant_name)
    if region is not None:
        page.locator("#id_region").select_option(label=region)
    page.get_by_role("button", name="创建申报草稿").click()
    expect(page.locator(".alert-success")).to_contain_text("申报草稿已创建")
    pk = int(re.search(r"/applications/(\d+)/$", page.url).group(1))
    return Application.objects.get(pk=pk)


def record_internal_publicity(page, files, application):
    """From the form overview: the internal publicity the program requires is still missing; record it
    (dates, place, a photo of the posted notice); the overview then shows it recorded."""
    import datetime as dt

    from django.utils import timezone

    card = page.locator("#internal-publicity-status")
    expect(card).to_contain_text("未完成")
    card.get_by_role("link", name="登记内部公示情况").click()
    today = timezone.localdate()
    page.locator("#id_starts_on").fill((today - dt.timedelta(days=21)).isoformat())
    page.locator("#id_ends_on").fill((today - dt.timedelta(days=1)).isoformat())
    page.locator("#id_place").fill("本单位办公楼一楼公告栏")
    page.locator("#id_evidence").set_input_files(str(files.jpeg("内部公示照片.jpg")))
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".alert-success")).to_contain_text("内部公示情况已登记")
    page.goto(f"/applications/{application.pk}/form/")
    expect(page.locator("#internal-publicity-status")).to_contain_text("已登记")


def submit_and_check_receipt(page, application):
    expect(page.locator("details summary", has_text="提交前还需完成")).to_have_count(0)
    page.get_by_role("button", name="提交申报").click()
    campaign = application.campaign
    shape = re.compile(rf"{campaign.program.number_prefix}{campaign.year}-\d{{5}}")  # PY2026-00001
    expect(page.locator("span.badge.fs-6")).to_have_text("已提交")
    expect(page.locator("h1 + div.text-muted")).to_contain_text(re.compile("编号 " + shape.pattern))
    number = shape.search(page.locator("h1 + div.text-muted").text_content()).group(0)
    # the receipt is rendered by a task; while it runs the page polls (htmx) and swaps in the link
    expect(page.get_by_role("link", name=re.compile("下载申报回执"))).to_be_visible(timeout=60_000)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED and application.number == number
    return number


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
