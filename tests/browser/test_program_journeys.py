"""One browser journey per program, on the demo `make run` loads: a newcomer registers, confirms the e-mail,
signs in, fills and submits an application in the program's open demo campaign, and the people the program's
document names take it to the program's final outcome, each signing in with the demo account README's table
lists and using only what the pages show.

The steps are the program's route through the state machine (``demo.journeys.route``: every stage its rule
profile switches on, in order); each transition is done by the function of ``STEPS`` of that name, which reads
the page it is on (which departments to consult, which items to score) rather than knowing the program.
Program-specific knowledge is only ``PLACES`` (where the newcomer is registered and who recommends there).
The clock is the tests' pinned one; a publicity window passes by travelling past its end, when the notice job
(what the scheduler runs) settles it.
"""
import datetime as dt
import io
import itertools
import re
import sqlite3
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from applications.forms.spec import LOCAL_ROUTE, ROUTE_FIELD, ROUTE_SECTION, UploadSlot, form_for
from applications.models import Campaign, Program, State
from applications.workflow import TRANSITIONS
from browser_support import (
    assert_section_complete, confirm_and_sign_in, create_from_dashboard, field, fill_section, next_section, ok,
    record_internal_publicity, section_plan, upload,
)
from demo.companies import credit_code
from demo.journeys import route
from qualityaward.accounts.models import Region

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo12345"  # README's table of demo logins
PASSWORD = "Zhiliang-2026!ok"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
#: a newcomer's number: a journey run again after a failure registers another company
NEWCOMER = itertools.count(1)

#: where the newcomer's company is registered and, where the document has a recommender step, whose demo
#: account recommends there (README's table)
PLACES = {
    "henan-cultivation": ("410100", "bureau_zz"),
    "xixian": ("411528", None),
    "gongyi": ("410181004", "bureau_gy"),
    "quality-benchmark": ("410100", "gxj_zz"),
    "jinshui": ("410105", None),
}


@pytest.fixture(scope="module")
def _demo_snapshot(_live_server_started, django_db_blocker):
    """The demo `make run` loads (the seed fixtures, then ``load_demo``), built once for the module and kept as
    a copy of the (in-memory SQLite) test database; the database is left empty again, as tests find it."""
    from django.db import connection

    with django_db_blocker.unblock():
        call_command("load_seed_data", verbosity=0)
        call_command("load_demo", stdout=io.StringIO())
        connection.ensure_connection()
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
        call_command("flush", interactive=False, verbosity=0)
    yield snapshot
    snapshot.close()


@pytest.fixture
def demo(_demo_snapshot, transactional_db, live_server):
    """Each journey starts from the demo as loaded (the test database is emptied after every live-server test)."""
    from django.db import connection

    connection.ensure_connection()
    _demo_snapshot.backup(connection.connection)


class Journey:
    def __init__(self, code, context, page, files):
        self.program = Program.objects.select_related("profile").get(code=code)
        self.profile = self.program.profile
        self.campaign = Campaign.objects.get(program=self.program, is_current=True)
        self.context, self.page, self.files = context, page, files
        region_code, self.recommender = PLACES[code]
        self.region = Region.objects.select_related("parent").get(code=region_code)
        self.n = next(NEWCOMER)
        self.company = f"{self.region.name}新程金属结构第{self.n}有限公司"
        self.username = f"xincheng{self.n}"
        self.credit_code = credit_code(self.region.code, f"QA4JRN{self.n:02d}")
        self.app = None
        self.travellers = []

    # --- people ------------------------------------------------------------------------------------
    def sign_in(self, username, password=DEMO_PASSWORD):
        """Sign out whoever is signed in, then sign in through the login form."""
        page = self.page
        self.context.clear_cookies()
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="工作台")).to_be_visible()

    def open_application(self):
        self.page.goto(f"/applications/{self.app.pk}/")

    def click_transition(self, label):
        """The secretariat's button of a transition on the application's page."""
        self.open_application()
        self.page.get_by_role("button", name=label, exact=True).click()
        ok(self.page, f"已完成“{label}”")

    def travel(self, moment):
        """Move the clock (the server's too: it runs in this process) to ``moment``, ticking from there."""
        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        self.travellers.append(traveller)

    def refresh(self):
        self.app.refresh_from_db()
        return self.app.state


# --- 申报人: registration to submission ------------------------------------------------------------------
def register(j):
    page = j.page
    page.goto("/accounts/register/")
    page.get_by_role("link", name="注册组织账号").click()
    page.locator("#id_name").fill(j.company)
    page.locator("#id_credit_code").fill(j.credit_code)
    label = j.region.name if j.region.level == Region.Level.CITY or not j.region.parent_id \
        else f"{j.region.parent.name} · {j.region.name}"
    page.locator("#id_region").select_option(label=label)
    page.locator("#id_contact_name").fill("赵建国")
    page.locator("#id_mobile").fill("13812345678")
    page.locator("#id_email").fill("xincheng@example.cn")
    page.locator("#id_username").fill(j.username)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="提交注册").click()
    confirm_and_sign_in(page, j.username, PASSWORD)


def fill_form(j):
    """Every section, field by field; what registration prefilled stays as it is."""
    page, spec = j.page, form_for(j.app)
    page.get_by_role("link", name="填写/修改申报材料").click()
    first = spec.sections[0]
    page.get_by_role("link", name=re.compile(rf"^{first.number} {first.title} 可编辑")).click()
    for section in spec.sections:
        expect(page.get_by_role("heading", level=1)).to_have_text(f"{section.number} {section.title}")
        values = {}
        if any(not isinstance(i, UploadSlot) for i in section.items):
            values, rows, _expected = section_plan(section, **_overrides(j, section))
            prefilled = {p for p in values if "." not in p and _value_of(page, p)}
            fill_section(page, section, {p: v for p, v in values.items() if p not in prefilled}, rows)
        for slot in (i for i in section.items if isinstance(i, UploadSlot) and i.min_files
                     and (not i.required_when or values.get(i.required_when[0]) in i.required_when[1])):
            for n in range(slot.min_files):
                if "pdf" in slot.kinds:
                    path = j.files.pdf(f"{slot.key}-{n + 1}.pdf", pages=1)
                else:
                    path = j.files.jpeg(f"{slot.key}-{n + 1}.jpg", color=(40 * n, 90, 160))
                upload(page, slot.key, [path], title=f"{slot.label}{n + 1}" if slot.titled else None)
        try:
            assert_section_complete(page)
        except AssertionError as exc:
            exc.add_note(f"{section.code} still lacks: {page.locator('#qa-missing').inner_text()}")
            raise
        if section is not spec.sections[-1]:
            next_section(page)


def _overrides(j, section):
    if section.code == "basic":
        return {"org_name": j.company, "credit_code": j.credit_code}
    if section.code == "conditions":  # a company of the area, not a branch
        return {"in_territory": "yes", "org_nature": "enterprise", "is_branch": "no", "specialized_level": _specialized(j)}
    if section.code == ROUTE_SECTION:  # 全国质量标杆 通知三: through the local 工信部门 of PLACES, not an Attachment 3 unit
        return {ROUTE_FIELD: LOCAL_ROUTE}
    return {}


def _specialized(j):
    """Where the program reserves seats for 专精特新 enterprises (巩义 第四条), the newcomer is one (province level,
    its certificate uploaded): the demo's winners already hold the other seats."""
    return "province" if j.profile.tiers.filter(reserved_quota__gt=0).exists() else "none"


def _value_of(page, path):
    box = field(page, path)
    try:
        return box.input_value().strip()
    except Exception:  # a narrative or a control without a value
        return ""


def submit(j):
    register(j)
    j.app = create_from_dashboard(j.page, program=j.program.name)
    assert j.app.campaign_id == j.campaign.pk
    fill_form(j)
    page = j.page
    page.get_by_role("link", name="填写进度").click()
    expect(page.locator(".alert-success")).to_have_text("所有部分已填写完整，可以在申报详情页提交。")
    if page.locator("#internal-publicity-status").count():
        record_internal_publicity(page, j.files, j.app)
    j.open_application()
    expect(page.locator("details summary", has_text="提交前还需完成")).to_have_count(0)
    page.get_by_role("button", name="提交申报").click()
    expect(page.locator("span.badge.fs-6")).to_have_text("已提交")


# --- 推荐单位: pre-review and recommendation ---------------------------------------------------------------
def recommend(j):
    page = j.page
    if j.profile.candidate_pool_rule:
        record_in_candidate_list(j)
    j.sign_in(j.recommender)
    page.get_by_role("link", name=re.compile("^初审推荐工作台")).click()
    page.get_by_role("link", name=j.company).click()
    rows = page.locator("#checklist tr[data-section]")
    for i in range(rows.count()):
        rows.nth(i).get_by_label("无问题").check()
    page.get_by_role("button", name="保存核实清单").click()
    ok(page, "核实清单已保存")
    consult_departments(page)
    publicity = page.locator("#publicity")
    if publicity.count():
        today = timezone.localdate()
        publicity.get_by_label("公示开始日期").fill((today - dt.timedelta(days=7)).isoformat())
        publicity.get_by_label("公示结束日期").fill(today.isoformat())
        publicity.get_by_label("公示途径").fill("本单位门户网站")
        publicity.get_by_role("button", name="保存公示情况").click()
        ok(page, "公示情况已登记")
    page.get_by_role("button", name="按已登记情况补全空白部分").click()
    ok(page, "初审意见草稿已保存")
    page.locator("#id_opinion").fill("经初审，该单位符合申报条件，同意推荐。")
    page.get_by_role("button", name="保存草稿").click()
    ok(page, "草稿已保存")
    page.get_by_label("登录密码（确认签署）").fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("^签署第1版初审意见")).click()
    ok(page, "第1版初审意见已签署")
    government = page.locator("#government input[name='file']")
    if government.count():
        government.set_input_files(str(j.files.pdf("人民政府推荐意见.pdf", pages=1)))
        page.locator("#government").get_by_role("button", name=re.compile("^上传")).click()
        ok(page, "推荐意见已上传")
    quota = page.locator("#recommend textarea")
    if quota.count():  # beyond the recommender's quota: it writes why
        quota.fill("该单位质量管理成效突出，另行推荐。")
    page.get_by_role("button", name="推荐上报秘书处").click()
    ok(page, "已推荐上报秘书处")


def record_in_candidate_list(j):
    """全国质量标杆 通知三: candidates come from the 历年河南省质量标杆 list the secretariat keeps; the newcomer was
    recognised last year, and the secretariat adds it from its dashboard's link (the recommender's page says to)."""
    page = j.page
    j.sign_in("secretariat")
    page.get_by_role("link", name=re.compile(f"^{j.program.short_name}：推荐对象名单")).click()
    page.get_by_label("单位名称").fill(j.company)
    page.get_by_label("统一社会信用代码").fill(j.credit_code)
    page.get_by_label("认定（推荐）年度").fill(str(timezone.localdate().year - 1))
    page.get_by_label("项目（质量标杆名称）").fill("钢结构焊接全过程质量追溯管理经验")
    page.get_by_label("类别").select_option(label="已认定")
    page.get_by_role("button", name="添加", exact=True).click()
    ok(page, f"已添加：{timezone.localdate().year - 1}年度 {j.company}")


def consult_departments(page):
    """Ask every department the page lists and record its answer: 无异议."""
    boxes = page.locator("[data-department]")
    departments = [boxes.nth(i).get_attribute("data-department") for i in range(boxes.count())]
    for department in departments:
        box = page.locator(f'[data-department="{department}"]')
        ask = box.get_by_role("button", name=f"登记征求{department}意见")
        if ask.count():
            ask.click()
            ok(page, f"已登记征求{department}意见")
    for department in departments:
        page.wait_for_load_state("load")
        box = page.locator(f'[data-department="{department}"]')
        if box.get_by_label("无异议").count():
            box.get_by_label("无异议").check()
            box.get_by_role("button", name=f"登记{department}答复").click()
            ok(page, f"已登记{department}的答复：无异议")


# --- 秘书处: eligibility ----------------------------------------------------------------------------------
def start_eligibility_review(j):
    page = j.page
    j.sign_in("secretariat")
    page.goto(f"/review/eligibility/{j.app.pk}/")
    page.get_by_role("button", name="开始资格审核").click()
    expect(page.locator("#checks")).to_be_visible()


def accept(j):
    page = j.page
    if page.locator("#consultation").count():  # 息县 第十七条, 巩义 第十七条（三）: the secretariat asks first
        consult_as_secretariat(page)
    for radio in page.get_by_label("不存在该情形").all():
        radio.check()
    page.get_by_role("button", name="保存否决情形清单").click()
    page.get_by_role("button", name="受理", exact=True).click()
    ok(page, "已完成“受理”")


# --- 秘书处: publicity ------------------------------------------------------------------------------------
def publish_notice(j, kind_label):
    """The secretariat composes a notice of ``kind_label`` (受理名单公示, 拟授奖名单公示; a pattern) naming the
    newcomer, and publishes it now."""
    page = j.page
    j.sign_in("secretariat")
    page.goto("/notices/manage/")
    page.get_by_role("link", name=re.compile(f"^{re.escape(j.program.name)}.*新建({kind_label})")).first.click()
    for box in page.locator("input[name='applications']").all():  # only the newcomer
        box.set_checked(False)
    page.get_by_label(re.compile(re.escape(j.company))).check()
    length = page.locator("input[name='window_length']")
    if length.count() and not length.input_value():
        length.fill("5")  # where the rules name no length, the secretariat enters one
    page.get_by_role("button", name="保存草稿并预览").click()
    ok(page, "公示草稿已保存")
    page.get_by_label("现在发布").check()
    page.get_by_role("button", name="确定发布").click()
    ok(page, "已确定发布")


def pass_publicity(j):
    """The window of the newcomer's open notice passes: the clock travels a minute past its end, when the notice
    job (what the scheduler runs) closes it and moves the application on."""
    from publicity.notices.models import Notice
    from publicity.notices.tasks import run_publicity

    notice = Notice.objects.filter(items__application=j.app).order_by("-pk").first()
    assert notice is not None and notice.closes_at, "no published notice names the application"
    j.travel(notice.closes_at + dt.timedelta(minutes=1))
    run_publicity()


def open_acceptance_publicity(j):
    publish_notice(j, "受理名单公示")


# --- 秘书处 and 评审专家: the review stages ---------------------------------------------------------------
def review_stage(j, stage):
    """The secretariat draws the panel under a witness; each member signs in, signs the pledge and submits a
    sheet; the leader records the panel's consensus item by item and concludes the stage."""
    from review.panels.models import Panel, PanelMember
    from review.scoring.services import scored_items

    label = dict(Panel.Stage.choices)[stage]
    page = j.page
    j.sign_in("secretariat")
    page.goto("/review/panels/")
    page.get_by_role("link", name=re.compile(re.escape(j.program.name) + ".*当前")).first.click()
    card = page.locator("section.card").filter(has_text=f"{label}评审组")
    row = card.locator("tr").filter(has_text=j.company)
    if row.get_by_label(f"选择 {j.company}").count():  # drawn by industry: the rows ticked, one draw
        row.get_by_label(f"选择 {j.company}").check()
        card.get_by_role("button", name=f"为勾选的申报抽取{label}评审组").click()
    else:
        row.get_by_role("link", name="抽取专家").click()
    expect(page.locator("h1")).to_contain_text(f"抽取{label}评审组专家")
    page.get_by_label("评审组人数").fill(str(j.profile.panel_size_min or 3))
    page.get_by_label("备选专家人数").fill("0")
    page.get_by_label("随机种子").fill(f"2026{j.n:02d}{1 if stage == 'material' else 2}")
    page.get_by_label("现场监督人姓名").fill("赵敏（监督组）")
    page.get_by_role("button", name="抽取").click()
    expect(page.locator("h1")).to_contain_text("评审专家抽取记录")

    panel = Panel.objects.get(application=j.app, stage=stage)
    seats = list(panel.members.exclude(role=PanelMember.Role.RESERVE).select_related("expert")
                 .order_by("role"))  # leader last: ("leader" < "member") is reversed below
    seats.sort(key=lambda s: s.role == PanelMember.Role.LEADER)
    items = scored_items(j.profile.scoring_scheme_id)
    for seat in seats:
        j.sign_in(seat.expert.username)
        sign_pledge(j)
        score_sheet(j, stage, items)
        if seat.role == PanelMember.Role.LEADER:
            conclude(j, stage, items)


def percent(i):
    return 70 + 5 * (i % 3)  # 70, 75, 80, …


def sign_pledge(j):
    page = j.page
    page.goto("/")
    page.get_by_role("link", name=j.company).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("利害关系申报与承诺书")
    page.get_by_label("本人与该申报单位（个人）不存在利害关系").check()
    page.get_by_label("本人已阅读上述承诺书，承诺遵守").check()
    page.get_by_role("button", name="提交").click()
    ok(page, "承诺书已签署")


def score_sheet(j, stage, items):
    """The expert's own sheet, every item typed, saved, then submitted. On its own tab whose clock holds the
    autosave timers, so that no background save races the form's own."""
    page = j.context.new_page()
    page.clock.install(time=timezone.now())
    page.goto(f"/review/scoring/{j.app.pk}/{stage}/")
    page.get_by_role("link", name="填写我的评分表").click()
    page.wait_for_load_state("load")
    page.clock.pause_at(timezone.now() + dt.timedelta(seconds=1))
    for i, item in enumerate(items):
        page.locator(f"#percent-{item.pk}").select_option(str(percent(i)))
        page.locator(f"#strengths-{item.pk}").fill(f"{item.name}：方法明确，展开较好")
    page.get_by_role("button", name="保存草稿").click()
    ok(page, "评分表草稿已保存")
    page.get_by_role("button", name=re.compile("提交评分表")).click()
    ok(page, "评分表已提交")
    page.close()


def conclude(j, stage, items):
    """The leader records the panel's percentage and reason for every item, then concludes the stage."""
    page = j.page
    page.goto(f"/review/scoring/{j.app.pk}/{stage}/")
    if page.get_by_label("现场评审日期").count():  # the leader's visit record (on-site review)
        page.get_by_label("现场评审日期").fill(timezone.localdate().isoformat())
        page.get_by_label("察看的现场（部门、车间、场所）").fill("总装车间、质量检验中心")
        page.get_by_label("发现的问题").fill("部分工序防错措施未形成文件")
        page.get_by_role("button", name="保存现场评审记录").click()
        ok(page, "现场评审记录已保存")
    for i, item in enumerate(items):
        row = page.locator(f"#item-{item.pk}")
        row.get_by_label(f"{item.code} 评审组得分率").select_option(str(percent(i)))
        row.get_by_label("理由", exact=True).fill("经合议采纳组长意见")
        row.get_by_role("button", name="记录").click()
        ok(page, f"已记录 {item.code} {item.name} 的评审组得分")
    page.get_by_role("button", name="定稿本阶段评分").click()
    expect(page.locator("#concluded")).to_contain_text("本阶段已于")


def start_material_review(j):
    if j.app.state == State.ACCEPTANCE_PUBLICITY:  # the notice job opens it when the window has passed
        pass_publicity(j)
    else:  # without an acceptance publicity the secretariat opens it
        j.sign_in("secretariat")
        j.click_transition("进入材料评审")
    review_stage(j, "material")


def start_onsite_review(j):
    j.sign_in("secretariat")
    hold_defense(j, "panel")
    j.click_transition("进入现场评审")
    review_stage(j, "onsite")


def hold_defense(j, kind):
    """The 陈述答辩 where the document has one (息县 第十八条 ``panel``, 第二十一条 ``plenary``)."""
    if not j.profile.has_defense:
        return
    page = j.page
    page.goto(f"/review/scoring/defense/{j.app.pk}/")
    today = timezone.localdate().isoformat()
    section = page.locator(f"section#{kind}")
    section.get_by_label("安排日期").fill(today)
    section.get_by_label("地点").fill("评审办公室会议室")
    section.get_by_role("button", name="安排").click()
    ok(page, "已安排陈述答辩")
    section = page.locator(f"section#{kind}")
    section.get_by_label("举行日期").fill(today)
    section.get_by_label("记录（陈述要点、提问和意见）").fill("企业负责人陈述，评委提问，答辩清楚。")
    section.get_by_role("button", name="登记举行情况").click()
    ok(page, "已登记陈述答辩的举行情况")


def declare_finalist(j):
    page = j.page
    j.sign_in("secretariat")
    page.goto(f"/review/scoring/ranking/?campaign={j.campaign.pk}")
    for box in page.locator("input[type=checkbox][aria-label^='选择 ']").all():
        box.set_checked(False)
    page.locator(f'tr[data-app="{j.app.pk}"]').get_by_label(f"选择 {j.company}").check()
    page.get_by_role("button", name="确定入围").click()
    ok(page, "已确定 1 个申报入围")


# --- 评委会 --------------------------------------------------------------------------------------------------
def send_to_committee(j):
    """The secretariat opens the committee's vote on the newcomer (which sends it to the committee)."""
    page = j.page
    finish_running_vote(j)
    j.sign_in("secretariat")
    hold_defense(j, "plenary")
    page.goto("/review/committee/")
    page.locator("#open-vote tr").filter(has_text=j.program.name).filter(has_text="当前").get_by_role(
        "link", name="发起表决").click()
    for box in page.locator("input[name^='take_']").all():  # only the newcomer
        box.set_checked(False)
    page.get_by_label(j.company).check()
    tier = page.locator(f'select[name="tier_{j.app.pk}"]')
    # the lowest tier: the demo's winners already fill the quota of the first one
    tier.select_option(index=tier.locator("option").count() - 1)
    page.get_by_role("button", name="开始表决").click()
    ok(page, "表决已开始")
    j.session_url = page.url


def finish_running_vote(j):
    """One vote at a time per campaign: a vote the demo left running is finished first, its members voting and the
    secretariat closing it, as the refusal to open another one asks."""
    page = j.page
    j.sign_in("secretariat")
    page.goto("/review/committee/")
    running = page.locator("#sessions tbody tr").filter(has_text=j.program.short_name).filter(
        has=page.locator(".badge", has_text="表决中"))
    if not running.count():
        return
    url = running.first.get_by_role("link").first.get_attribute("href")
    for member in committee_members(j):
        j.sign_in(member)
        page.goto(url)
        if page.get_by_role("button", name="提交投票").count():
            vote(page)
    j.sign_in("secretariat")
    page.goto(url)
    page.get_by_role("button", name="结束表决并计票").click()
    ok(page, "表决已结束")


def vote(page, company=None):
    """A member's ballot: 同意 for ``company`` (every candidate when None), submitted."""
    rows = page.locator("#ballot tbody tr")
    if company is not None:
        rows = rows.filter(has_text=company)
    for row in rows.all():
        if row.get_by_label("同意", exact=True).count():
            row.get_by_label("同意", exact=True).check()
    page.get_by_role("button", name="提交投票").click()
    ok(page, "您的投票已提交")


def propose(j):
    page = j.page
    if j.profile.has_committee:
        for member in committee_members(j):
            j.sign_in(member)
            page.goto(j.session_url)
            vote(page, j.company)
        j.sign_in("secretariat")
        page.goto(j.session_url)
        page.get_by_role("button", name="结束表决并计票").click()
        ok(page, "表决已结束")
        expect(page.locator("#plan")).to_contain_text(f"拟授奖：{j.company}")
        page.get_by_role("button", name="确定拟授奖名单").click()
        ok(page, "已按表决结果和名额确定拟授奖名单")
    else:
        j.sign_in("secretariat")
        if j.profile.consults_after_evaluation:  # 000 五（五）: 征求意见 after the experts' evaluation
            page.goto(f"/review/prereview/{j.app.pk}/evaluation-consultation/")
            consult_as_secretariat(page)
        j.open_application()
        page.locator("select[name='tier']").first.select_option(index=1)
        label = TRANSITIONS["propose"].label_for(j.app)  # 000: 确定拟入库名单并公示
        page.get_by_role("button", name=label, exact=True).click()
        ok(page, f"已完成“{label}”")
    publish_notice(j, "候选名单公示|拟授奖名单公示|入库名单公示")  # whichever the program's rules name


def committee_members(j):
    from qualityaward.accounts.models import Role, User

    return list(User.objects.filter(role_assignments__role=Role.COMMITTEE, role_assignments__program=j.program)
                .order_by("username").values_list("username", flat=True).distinct())


def consult_as_secretariat(page, departments=("县生态环境分局",)):
    """The secretariat's consultation card (#consultation): each department asked today and answering 无异议."""
    today = timezone.localdate().isoformat()
    card = page.locator("#consultation")
    for department in departments:
        card.get_by_label(re.compile("^征求意见的")).fill(department)
        card.get_by_label("征求日期").fill(today)
        card.get_by_role("button", name="登记征求").click()
        card = page.locator("#consultation")
        card.locator("input[name='answer'][value='no_objection']").first.check()
        card.get_by_label("答复日期").first.fill(today)
        card.get_by_role("button", name="登记答复").first.click()
        card = page.locator("#consultation")
        expect(card).to_contain_text("无异议")


# --- after the winners' publicity: decisions and the outcome ------------------------------------------------
def after_publicity(j):
    """The winners' window passes (the notice job moves the application on where nothing is left to decide)."""
    if j.app.state == State.PROPOSED:
        pass_publicity(j)


def record_decision(j, button):
    page = j.page
    j.sign_in("secretariat")
    page.goto("/review/awards/")
    form = page.locator("#waiting tr").filter(has_text=j.company).locator("form", has=page.get_by_role(
        "button", name=button))
    form.get_by_label("会议名称或文号").fill(f"{j.program.short_name}第1次会议纪要")
    form.get_by_label("决定日期").fill(timezone.localdate().isoformat())
    form.get_by_label("决定文件").set_input_files(str(j.files.pdf("会议纪要.pdf", pages=1)))
    form.get_by_role("button", name=button).click()
    ok(page, "已登记决定")


def await_candidate_confirmation(j):
    after_publicity(j)


def submit_to_government(j):
    after_publicity(j)
    j.refresh()
    if j.app.state == State.CANDIDATE_CONFIRMATION:  # 金水 第十六条: the committee's formal candidate list first
        record_decision(j, "登记评委会确定正式候选名单")


def award(j):
    """The outcome: after the government's decision, recorded by the secretariat; after the winners' publicity
    where nothing is left to decide (000: 入库); and where the procedure has neither (003: the province
    recommends upward), the secretariat's 授奖 with the program's first tier."""
    page = j.page
    after_publicity(j)
    if j.refresh() == State.GOVERNMENT_DECISION:
        record_decision(j, "登记政府审定")
    elif j.app.state == State.ACCEPTED:
        j.sign_in("secretariat")
        j.open_application()
        tier = page.locator("select[name='tier']")
        if tier.count():
            tier.first.select_option(index=1)
        label = TRANSITIONS["award"].label_for(j.app)  # 003: 推荐参加全国遴选
        page.get_by_role("button", name=label, exact=True).click()
        ok(page, f"已完成“{label}”")


STEPS = {
    "submit": submit,
    "recommend": recommend,
    "start_eligibility_review": start_eligibility_review,
    "accept": accept,
    "open_acceptance_publicity": open_acceptance_publicity,
    "start_material_review": start_material_review,
    "start_onsite_review": start_onsite_review,
    "declare_finalist": declare_finalist,
    "send_to_committee": send_to_committee,
    "propose": propose,
    "await_candidate_confirmation": await_candidate_confirmation,
    "submit_to_government": submit_to_government,
    "award": award,
}


@pytest.mark.parametrize("code", list(PLACES))
def test_a_newcomer_from_registration_to_the_programs_outcome(code, demo, context, page, files):
    j = Journey(code, context, page, files)
    try:
        steps = route(j.profile)
        for n, (name, state) in enumerate(steps):
            if j.app is not None and j.refresh() in [s for _, s in steps[n:]][1:]:
                continue  # already moved on by what the previous step did (a decision, the notice job)
            print(f"[{code}] {name}", flush=True)
            try:
                STEPS[name](j)
            except Exception as exc:  # what the page said, for whoever reads the failure
                exc.add_note(f"during {name}, {page.url} reads: {page.locator('body').inner_text()[:1500]}")
                print(exc, *exc.__notes__, flush=True)
                raise
            assert j.refresh() == state, f"after {name}: {j.app.get_state_display()}"
    finally:
        for traveller in reversed(j.travellers):
            traveller.stop()
    # the outcome, as the secretariat sees it, in the program's words (已授奖; 000: 已入库; 003: 已推荐参加全国遴选),
    # with the certificate where the document hands one out
    j.sign_in("secretariat")
    j.open_application()
    expect(page.locator("span.badge.fs-6")).to_have_text(j.app.get_state_display())
    if j.profile.issues_certificate:
        expect(page.locator("#certificate")).to_contain_text("获奖证书")
    else:
        expect(page.locator("#certificate")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"journey--{code}.png"), full_page=True)
