"""An expert scores in a real browser: from the dashboard to the panel and the sheet, the band descriptor
follows the chosen percentage, autosave keeps a draft, a save from another window makes the next
autosave stop with a warning instead of overwriting, and submitting freezes the sheet and opens the
panel's spread. The seat opens only after the expert declares no conflict and signs the pledge."""
import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications import workflow
from applications.models import Application, State
from demo.content import fill_application
from qualityaward.accounts.models import Role, User
from qualityaward.accounts.services import Actor, grant_role
from review.scoring import services as svc
from review.panels.services import accept_pledge
from review.panels.models import Panel, PanelMember
from review.scoring.models import ItemScore, ScoreSheet

pytestmark = pytest.mark.browser


def _material_panel(portal):
    """An application in material review with a panel: the leader 张组长 and 李组员 (who has signed the pledge)."""
    applicant = portal.applicant()
    app = portal.draft(applicant)
    fill_application(application=app, actor=Actor(user=applicant))
    workflow.perform(application=app, name="submit", actor=Actor(user=applicant))
    Application.objects.filter(pk=app.pk).update(state=State.MATERIAL_REVIEW)  # the steps between: other tests
    app.refresh_from_db()
    leader = User.objects.create_user(username="zhuanjia", password=portal.password, full_name="张组长")
    member = User.objects.create_user(username="zuyuan", password=portal.password, full_name="李组员")
    for u in (leader, member):
        grant_role(user=u, role=Role.EXPERT)
    panel = Panel.objects.create(application=app, stage=Panel.Stage.MATERIAL)
    PanelMember.objects.create(panel=panel, expert=leader, role=PanelMember.Role.LEADER)
    PanelMember.objects.create(panel=panel, expert=member, role=PanelMember.Role.MEMBER)
    accept_pledge(panel=panel, actor=Actor(user=member), conflict=False)
    panel.application = app
    return app, panel, leader


def test_an_expert_scores_with_autosave_conflict_warning_and_submission(portal, context, page):
    app, panel, leader = _material_panel(portal)
    items = svc.scored_items(app.campaign.program.profile.scoring_scheme_id)
    first, second = items[0], items[1]

    portal.sign_in(context, leader)
    page.goto("/")
    page.get_by_role("link", name=app.applicant_name).first.click()
    # before anything else the seat asks for the conflict declaration and the pledge
    expect(page.get_by_role("heading", level=1)).to_contain_text("利害关系申报与承诺书")
    page.get_by_label("本人与该申报单位（个人）不存在利害关系").check()
    page.get_by_label("本人已阅读上述承诺书，承诺遵守").check()
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".alert-success")).to_contain_text("承诺书已签署")
    page.goto("/")
    page.get_by_role("link", name=app.applicant_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("材料评审")
    page.get_by_role("link", name="填写我的评分表").click()
    page.wait_for_load_state("load")  # the sheet's script is listening before anything is chosen
    select = page.locator(f"#percent-{first.pk}")
    select.select_option("55")
    expect(page.locator(f'[data-descriptor="{first.pk}"]')).to_contain_text("50%–65%")
    page.locator(f"#strengths-{first.pk}").fill("高层领导亲自推动战略落地")
    expect(page.locator("#autosave-status")).to_contain_text(re.compile(r"已自动保存（第 \d+ 版"), timeout=20000)
    sheet = ScoreSheet.objects.get(panel=panel, expert=leader)
    saved = ItemScore.objects.get(sheet=sheet, item=first)
    assert saved.percent == 55 and saved.strengths == "高层领导亲自推动战略落地"

    # another window saves the sheet: the next autosave here is refused, nothing is overwritten
    svc.save_sheet(sheet=sheet, data={str(second.pk): {"percent": "30", "strengths": "另一窗口"}},
                   base_version=ScoreSheet.objects.get(pk=sheet.pk).version, actor=Actor(user=leader))
    page.locator(f"#percent-{second.pk}").select_option("90")
    expect(page.locator("#autosave-status")).to_contain_text("本次修改未保存", timeout=20000)
    assert ItemScore.objects.get(sheet=sheet, item=second).percent == 30

    # the rest is filled elsewhere; after a reload the sheet is complete and can be submitted
    sheet.refresh_from_db()
    svc.save_sheet(sheet=sheet, data={str(i.pk): {"percent": "50", "strengths": "方法系统", "opportunities": "对比不足"}
                                      for i in items[1:]}, base_version=sheet.version, actor=Actor(user=leader))
    page.reload()
    expect(page.locator(f"#percent-{second.pk}")).to_have_value("50")
    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name=re.compile("提交评分表")).click()
    expect(page.locator(".alert-success")).to_contain_text("评分表已提交")
    expect(page.locator("#spread")).to_contain_text("张组长")
    assert ScoreSheet.objects.get(pk=sheet.pk).is_submitted
    expect(page.locator("#spread")).not_to_contain_text("李组员：")  # the member has not submitted yet


def test_items_changed_together_are_autosaved_one_after_the_other_without_a_false_conflict(portal, context, page):
    """Two items whose autosaves fall due at once (a slow server, a quick expert): the second waits for the
    first and is sent with the version it returned, instead of being refused as if another window had saved."""
    app, panel, leader = _material_panel(portal)
    accept_pledge(panel=panel, actor=Actor(user=leader), conflict=False)
    first, second = svc.scored_items(app.campaign.program.profile.scoring_scheme_id)[:2]
    portal.sign_in(context, leader)
    page.clock.install(time=timezone.now())  # the browser starts at the tests' pinned moment
    page.goto(f"/review/scoring/{app.pk}/material/sheet/")
    page.wait_for_load_state("load")
    page.clock.pause_at(timezone.now() + datetime.timedelta(seconds=1))
    page.locator(f"#percent-{first.pk}").select_option("60")
    page.locator(f"#percent-{second.pk}").select_option("75")
    page.clock.run_for(2500)  # both autosave timers fire in the same moment
    expect(page.locator("#autosave-status")).to_contain_text("已自动保存（第 2 版")
    expect(page.locator("#autosave-status")).not_to_contain_text("未保存")
    sheet = ScoreSheet.objects.get(panel=panel, expert=leader)
    assert sheet.version == 2
    assert {s.item_id: s.percent for s in ItemScore.objects.filter(sheet=sheet, percent__isnull=False)} == {
        first.pk: 60, second.pk: 75}


def test_submit_is_enabled_as_soon_as_the_last_item_is_autosaved(portal, context, page):
    """The sheet is complete but for one item's comment: once its autosave succeeds, 提交 is enabled and the
    list of what is missing disappears, without a reload."""
    app, panel, leader = _material_panel(portal)
    accept_pledge(panel=panel, actor=Actor(user=leader), conflict=False)
    items = svc.scored_items(app.campaign.program.profile.scoring_scheme_id)
    sheet = svc.sheet_for(panel=panel, expert=leader)
    data = {str(i.pk): {"percent": "60", "strengths": "过程系统，数据完整。", "opportunities": ""} for i in items}
    last = items[-1]
    data[str(last.pk)]["strengths"] = ""
    svc.save_sheet(sheet=sheet, data=data, base_version=sheet.version, actor=Actor(user=leader))
    portal.sign_in(context, leader)
    page.goto(f"/review/scoring/{app.pk}/material/sheet/")
    submit = page.locator("#submit-sheet")
    expect(submit).to_be_disabled()
    expect(page.locator("#submit-missing-count")).to_have_text("1")
    page.locator(f"#strengths-{last.pk}").fill("结果指标有三年趋势和对比。")
    expect(page.locator("#autosave-status")).to_contain_text("已自动保存", timeout=20000)
    expect(submit).to_be_enabled()
    expect(page.locator("#submit-missing")).to_be_hidden()
    submit.click()
    expect(page.locator(".alert-success").first).to_contain_text("提交")
    assert ScoreSheet.objects.get(pk=sheet.pk).is_submitted
