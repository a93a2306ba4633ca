"""One application of the 息县 program from the panel draw to the award, in a real browser.

The secretariat draws the material panel under a witness; the panel's leader signs the pledge, fills and
submits the sheet, records the panel's consensus for every item and concludes; the other members work
through the services. The secretariat moves the application to the on-site review, where the same happens
again (with the leader's visit record). The ranking shows material × 30 % + on-site × 70 % of the entered
percentages, exactly; the secretariat declares the finalist there, opens the committee vote, the members
vote, the secretariat closes and decides (拟授奖). A winners' notice is composed and published; when its
window has passed, the application waits for the county government's decision (息县 第二十二条), which the
secretariat records with its document; only then the award and its certificate exist. The
secretariat releases the review report, and the applicant sees the award and reads the report."""
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import GeneratedDocument, State
from browser_support import ok
from publicity.notices import services as publicity
from publicity.notices.models import Notice
from qualityaward.accounts.services import Actor
from review.scoring import services as svc
from review.awards.models import Award
from review.panels.services import accept_pledge
from review.panels.models import Panel, PanelMember
from review.scoring.models import ReportRelease

pytestmark = pytest.mark.browser

NAME = "息县全流程质量奖测试有限公司"


def material_percent(i):
    return 60 + 5 * (i % 4)  # 60, 65, 70, 75, …


def onsite_percent(i):
    return 65 + 5 * (i % 3)  # 65, 70, 75, …


def expected_score(items, percent_of):
    return sum((Decimal(item.points) * percent_of(i) / 100 for i, item in enumerate(items)), Decimal(0))


def two(value):
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}"


def draw(page, campaign, stage_label, seed):
    """The secretariat draws a panel of 3 for the one application, under a witness."""
    page.goto(f"/review/panels/{campaign.pk}/")
    page.locator("section.card").filter(has_text=f"{stage_label}评审组").get_by_role("link", name="抽取专家").click()
    expect(page.locator("h1")).to_contain_text(f"抽取{stage_label}评审组专家")
    page.get_by_label("评审组人数").fill("3")
    page.get_by_label("备选专家人数").fill("0")
    page.get_by_label("随机种子").fill(seed)
    page.get_by_label("现场监督人姓名").fill("息县纪检监察组 赵监督")
    page.get_by_role("button", name="抽取").click()
    expect(page.locator("h1")).to_contain_text("评审专家抽取记录")
    expect(page.locator("body")).to_contain_text("息县纪检监察组 赵监督")
    expect(page.locator("body")).to_contain_text(NAME)


def members_score(panel, items, percent_of):
    """The seated members other than the leader sign the pledge and submit their sheets (services)."""
    for seat in panel.members.filter(role=PanelMember.Role.MEMBER).select_related("expert"):
        actor = Actor(user=seat.expert)
        accept_pledge(panel=panel, actor=actor, conflict=False)
        sheet = svc.sheet_for(panel=panel, expert=seat.expert)
        data = {str(item.pk): {"percent": str(percent_of(i)), "strengths": "方法系统、展开充分",
                               "opportunities": "对比数据不足"} for i, item in enumerate(items)}
        sheet, errors = svc.save_sheet(sheet=sheet, data=data, base_version=sheet.version, actor=actor)
        assert errors == {}
        svc.submit_sheet(sheet=sheet, base_version=sheet.version, actor=actor)


def leader_scores(page, app, stage, stage_label, items, percent_of, *, visit=False, in_browser=None):
    """The leader in the browser: pledge, sheet, submission, consensus item by item, conclusion.
    With ``in_browser``, only that many items' consensus is recorded on the page, the rest through
    the service (each line is a page load; the on-site stage repeats what the material stage showed)."""
    page.goto("/")
    page.get_by_role("link", name=app.applicant_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("利害关系申报与承诺书")
    page.get_by_label("本人与该申报单位（个人）不存在利害关系").check()
    page.get_by_label("本人已阅读上述承诺书，承诺遵守").check()
    page.get_by_role("button", name="提交").click()
    ok(page, "承诺书已签署")

    page.goto(f"/review/scoring/{app.pk}/{stage}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(stage_label)
    expect(page.locator("body")).to_contain_text("请先独立完成并提交您的评分表")
    # the sheet: every item typed, then saved at once (the autosave timers are held so that no
    # background save races the form's own)
    page.clock.install(time=timezone.now())  # the browser starts at the tests' pinned moment
    page.get_by_role("link", name="填写我的评分表").click()
    page.wait_for_load_state("load")  # the sheet's script is listening
    page.clock.pause_at(timezone.now() + dt.timedelta(seconds=1))
    for i, item in enumerate(items):
        page.locator(f"#percent-{item.pk}").select_option(str(percent_of(i)))
        page.locator(f"#strengths-{item.pk}").fill(f"{item.name}：方法明确，展开较好")
    expect(page.locator(f'[data-descriptor="{items[0].pk}"]')).to_contain_text("当前分档")
    page.get_by_role("button", name="保存草稿").click()
    ok(page, "评分表草稿已保存")
    page.get_by_role("button", name=re.compile("提交评分表")).click()
    ok(page, "评分表已提交")
    expect(page.locator(f"#item-{items[0].pk}")).to_contain_text("70")  # the members' sheets, now visible

    if visit:
        page.get_by_label("现场评审日期").fill(timezone.localdate().isoformat())
        page.get_by_label("察看的现场（部门、车间、场所）").fill("总装车间、质量检验中心、客户服务中心")
        page.get_by_label("发现的问题").fill("部分工序防错措施未形成文件")
        page.get_by_role("button", name="保存现场评审记录").click()
        ok(page, "现场评审记录已保存")
        expect(page.locator("#onsite")).to_contain_text("总装车间")

    # consensus: the panel's percentage and reason for every item
    for i, item in enumerate(items[:in_browser]):
        row = page.locator(f"#item-{item.pk}")
        row.get_by_label(f"{item.code} 评审组得分率").select_option(str(percent_of(i)))
        row.get_by_label("理由", exact=True).fill("经合议采纳组长意见")
        row.get_by_role("button", name="记录").click()
        ok(page, f"已记录 {item.code} {item.name} 的评审组得分")
        expect(page.locator(f'[data-panel-percent="{item.pk}"]')).to_have_text(f"{percent_of(i)}%")
    if in_browser is not None:
        panel = Panel.objects.select_related("application__campaign__program__profile").get(application=app, stage=stage)
        leader = panel.members.get(role=PanelMember.Role.LEADER).expert
        acc = svc.access_for(user=leader, panel=panel)
        for i, item in list(enumerate(items))[in_browser:]:
            svc.record_panel_score(acc=acc, item=item, percent=str(percent_of(i)), reason="经合议采纳组长意见",
                                   actor=Actor(user=leader))
        page.reload()
        expect(page.locator(f'[data-panel-percent="{items[-1].pk}"]')).to_have_text(f"{percent_of(len(items) - 1)}%")
    page.get_by_role("button", name="定稿本阶段评分").click()
    expected = expected_score(items, percent_of)
    expect(page.locator("#concluded")).to_contain_text("本阶段已于")
    expect(page.locator("[data-stage-score]")).to_have_text(two(expected))
    return expected


def test_from_the_panel_draw_to_the_award_and_the_applicant_reads_the_report(portal, context, page, new_page, files):
    c = portal.committee("xixian", members=2)
    app = c.finalist(NAME, target=State.MATERIAL_REVIEW)
    owner = app.organization.members.get()
    campaign = app.campaign
    items = svc.scored_items(c.profile.scoring_scheme_id)
    portal.experts(5)
    browser = context.browser
    leader_context = browser.new_context(base_url=portal.url)
    leader_page = leader_context.new_page()
    leader_page.on("dialog", lambda d: d.accept())

    # --- material review -------------------------------------------------------------------------------
    portal.sign_in(context, c.secretariat)
    page.goto("/")
    page.get_by_role("link", name="评审组与专家抽取").click()
    page.get_by_role("link", name=re.compile("息县县长质量奖.*当前")).click()
    expect(page.locator("body")).to_contain_text(NAME)
    draw(page, campaign, "材料评审", "20261122")
    material_panel = Panel.objects.get(application=app, stage=Panel.Stage.MATERIAL)
    material_panel.application = app
    members_score(material_panel, items, lambda i: 70)
    leader = material_panel.members.get(role=PanelMember.Role.LEADER).expert
    portal.sign_in(leader_context, leader)
    material = leader_scores(leader_page, app, "material", "材料评审", items, material_percent)

    page.goto(f"/review/panels/{campaign.pk}/")
    seats = page.locator("section.card").filter(has_text="材料评审评审组").locator("tr").filter(has_text=NAME)
    expect(seats.locator(".badge", has_text="已签署")).to_have_count(3)

    # --- 第十八条: the 陈述答辩, scheduled and held, before on-site review ------------------------------------
    page.goto(f"/applications/{app.pk}/")
    page.get_by_role("link", name="陈述答辩").click()
    panel_defense = page.locator("section#panel")
    panel_defense.get_by_label("安排日期").fill("2026-11-19")
    panel_defense.get_by_label("地点").fill("县市场监管局会议室")
    panel_defense.get_by_role("button", name="安排").click()
    ok(page, "已安排陈述答辩")
    panel_defense = page.locator("section#panel")
    panel_defense.get_by_label("举行日期").fill("2026-11-19")
    panel_defense.get_by_label("记录（陈述要点、提问和意见）").fill("企业负责人陈述，评审组提问，答辩清楚。")
    panel_defense.get_by_role("button", name="登记举行情况").click()
    ok(page, "已登记陈述答辩的举行情况")

    # --- the secretariat moves the application on; on-site review --------------------------------------
    page.goto(f"/applications/{app.pk}/")
    page.get_by_role("button", name="进入现场评审").click()
    ok(page, "已完成“进入现场评审”，当前状态：现场评审。")
    app.refresh_from_db()
    assert app.state == State.ONSITE_REVIEW
    draw(page, campaign, "现场评审", "20261201")
    onsite_panel = Panel.objects.get(application=app, stage=Panel.Stage.ONSITE)
    onsite_panel.application = app
    members_score(onsite_panel, items, lambda i: 70)
    onsite_leader = onsite_panel.members.get(role=PanelMember.Role.LEADER).expert
    leader_context.clear_cookies()
    portal.sign_in(leader_context, onsite_leader)
    onsite = leader_scores(leader_page, app, "onsite", "现场评审", items, onsite_percent, visit=True,
                           in_browser=3)
    leader_context.close()

    # --- the ranking: material × 30 % + on-site × 70 %, exactly; the secretariat declares the finalist
    assert (c.profile.material_weight, c.profile.onsite_weight) == (Decimal("30.00"), Decimal("70.00"))
    total = material * Decimal("0.30") + onsite * Decimal("0.70")
    assert total >= 600  # 息县's line
    page.goto(f"/review/scoring/ranking/?campaign={campaign.pk}")
    row = page.locator(f'tr[data-app="{app.pk}"]')
    expect(row).to_contain_text(two(material))
    expect(row).to_contain_text(two(onsite))
    expect(row.locator("[data-total]")).to_have_text(two(total))
    assert Decimal(row.locator("[data-total]").get_attribute("data-total")) == total
    expect(row).to_contain_text("达到")
    expect(row.get_by_label(f"选择 {NAME}")).to_be_checked()
    page.get_by_role("button", name="确定入围").click()
    ok(page, "已确定 1 个申报入围")
    expect(page.locator(f'tr[data-app="{app.pk}"]')).to_contain_text("入围")
    app.refresh_from_db()
    assert app.state == State.FINALIST

    # --- 第二十一条: the plenary's 现场展示和陈述答辩, recorded before the ballot -----------------------------
    page.goto(f"/review/scoring/defense/{app.pk}/")
    plenary = page.locator("section#plenary")
    plenary.get_by_label("安排日期").fill("2026-11-20")
    plenary.get_by_role("button", name="安排").click()
    ok(page, "已安排陈述答辩")
    plenary = page.locator("section#plenary")
    plenary.get_by_label("举行日期").fill("2026-11-20")
    plenary.get_by_label("记录（陈述要点、提问和意见）").fill("现场展示质量管理成果，陈述答辩，评委提问，回答清楚。")
    plenary.get_by_role("button", name="登记举行情况").click()
    ok(page, "已登记陈述答辩的举行情况")

    # --- the committee vote ------------------------------------------------------------------------------
    page.goto("/")
    page.get_by_role("link", name=re.compile("^评委会表决")).first.click()
    page.get_by_role("link", name="发起表决").click()
    page.get_by_label(NAME).check()
    page.locator(f'select[name="tier_{app.pk}"]').select_option(value=str(c.tiers[0].pk))
    page.get_by_role("button", name="开始表决").click()
    ok(page, "表决已开始：1 个候选对象")
    session_url = page.url
    for member in c.members:
        member_context = browser.new_context(base_url=portal.url)
        member_page = member_context.new_page()
        portal.sign_in(member_context, member)
        member_page.goto("/")
        member_page.get_by_role("link", name=re.compile("^待投票")).click()
        member_page.locator("#ballot tbody tr").filter(has_text=NAME).get_by_label("同意", exact=True).check()
        member_page.get_by_role("button", name="提交投票").click()
        ok(member_page, "您的投票已提交")
        member_context.close()
    page.goto(session_url)
    expect(page.locator("#turnout")).to_contain_text("已投票 2 人 / 评委会委员 2 人")
    page.get_by_role("button", name="结束表决并计票").click()
    ok(page, "表决已结束")
    expect(page.locator("#plan")).to_contain_text(f"拟授奖：{NAME}（同意 2 票）")
    page.get_by_role("button", name="确定拟授奖名单").click()
    ok(page, "已按表决结果和名额确定拟授奖名单")
    app.refresh_from_db()
    assert app.state == State.PROPOSED and app.tier == c.tiers[0]

    # --- the winners' notice, published now; the publicity job after its window awards -----------------
    page.goto("/notices/manage/")
    page.get_by_role("link", name=re.compile("新建拟授奖名单公示")).click()
    expect(page.get_by_label(re.compile(NAME))).to_be_checked()
    page.get_by_role("button", name="保存草稿并预览").click()
    ok(page, "公示草稿已保存")
    page.get_by_label("现在发布").check()
    page.get_by_role("button", name="确定发布").click()
    ok(page, "已确定发布")
    notice = Notice.objects.get(campaign=campaign, kind=Notice.Kind.WINNERS)
    assert notice.items.get().application_id == app.pk
    publicity.run_due(now=notice.closes_at + dt.timedelta(minutes=1))
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SETTLED
    app.refresh_from_db()
    # 息县 第二十二条: the county government decides; until it has, there is no award and no certificate
    assert app.state == State.GOVERNMENT_DECISION and not Award.objects.filter(application=app).exists()

    # --- the secretariat records the government's decision with its document; then the award exists ---------
    page.goto("/review/awards/")
    decision = page.locator("form", has=page.get_by_role("button", name="登记政府审定"))
    decision.get_by_label("会议名称或文号").fill("县政府第12次常务会议")
    decision.get_by_label("决定日期").fill(timezone.localdate().isoformat())
    decision.get_by_label("决定文件").set_input_files(str(files.pdf("县政府常务会议纪要.pdf")))
    decision.get_by_role("button", name="登记政府审定").click()
    ok(page, "已登记决定")
    app.refresh_from_db()
    assert app.state == State.AWARDED
    award = Award.objects.get(application=app)
    assert award.tier == c.tiers[0] and award.certificate_number
    assert GeneratedDocument.objects.filter(application=app, kind=GeneratedDocument.Kind.CERTIFICATE).exists()

    # --- the secretariat releases the review report --------------------------------------------------
    page.goto(f"/review/scoring/report/{app.pk}/")
    expect(page.locator("body")).to_contain_text("未发布：申报单位尚不能查看")
    page.get_by_role("button", name="发布评审报告").click()
    ok(page, "评审报告已发布")
    assert ReportRelease.objects.filter(application=app).exists()

    # --- the applicant sees the award and reads the report ---------------------------------------------
    applicant = new_page()
    context.clear_cookies()
    portal.sign_in(context, owner)
    applicant.goto(f"/applications/{app.pk}/")
    expect(applicant.locator("body")).to_contain_text("已授奖")
    expect(applicant.locator("#certificate")).to_contain_text("获奖证书")
    applicant.get_by_role("link", name="评审报告", exact=True).click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("评审报告")
    expect(applicant.locator("body")).to_contain_text(two(total))
    expect(applicant.locator("body")).not_to_contain_text(leader.full_name)
