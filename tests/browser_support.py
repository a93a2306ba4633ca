"""Page helpers shared by the browser journeys: what a person does on the portal's pages.

* the applicant's side: typing a section field by field from its specification (applications/forms/spec.py),
  uploads, registration's confirmation e-mail, the internal publicity, submission with its receipt;
* anyone's: signing in through the login form, the success message after an action.
"""
import re
from html import escape

from django.core import mail
from playwright.sync_api import expect

from applications.forms.spec import Field, Grid, Table
from applications.models import Application, State

ORG_CREDIT_CODE = "91410100MA40QA001Q"
ID_NUMBER = "11010519491231002X"
SAVED = re.compile(r"^已保存 \d{1,2}:\d{2}:\d{2}$")
ROWS_PER_TABLE = 2


def ok(page, text):
    """The success message after an action says ``text``."""
    expect(page.locator(".alert-success").filter(has_text=text).first).to_be_visible()


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


def create_from_dashboard(page, *, program="河南省省长质量奖培育", applicant_name=None, region=None):
    """From the dashboard's 新建申报 link of ``program`` (its name), a draft; returns the application."""
    page.get_by_role("link", name=re.compile(rf"^新建申报：{re.escape(program)}（")).click()
    expect(page.get_by_role("heading", name=re.compile(f"新建申报：{re.escape(program)}"))).to_be_visible()
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
