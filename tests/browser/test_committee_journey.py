"""The committee vote in a real browser: the secretariat opens a vote on two finalists with their tiers;
a member fills one ballot form for both and cannot vote again; the secretariat sees how many voted but no
count, closes the vote, checks the quota preview and fixes the list; the member then reads the results."""
import re

import pytest
from playwright.sync_api import expect

from applications.models import Application, State

pytestmark = pytest.mark.browser


def ok(page, text):
    expect(page.locator(".alert-success")).to_contain_text(text)


def test_secretariat_opens_members_vote_secretariat_closes_and_decides(portal, context, page):
    c = portal.committee("xixian", members=2)
    first, second = c.finalist("息县浏览器甲公司"), c.finalist("息县浏览器乙公司")

    portal.sign_in(context, c.secretariat)
    page.goto("/")
    page.get_by_role("link", name=re.compile("^评委会表决")).first.click()
    page.get_by_role("link", name="发起表决").click()
    page.get_by_label("息县浏览器甲公司").check()
    page.get_by_label("息县浏览器乙公司").check()
    page.locator(f'select[name="tier_{second.pk}"]').select_option(value=str(c.tiers[1].pk))
    page.get_by_role("button", name="开始表决").click()
    ok(page, "表决已开始：2 个候选对象")
    session_url = page.url

    member_page = context.browser.new_context(base_url=portal.url).new_page()
    portal.sign_in(member_page.context, c.members[0])
    member_page.goto("/")
    member_page.get_by_role("link", name=re.compile("^待投票")).click()
    rows = member_page.locator("#ballot tbody tr")
    rows.filter(has_text="息县浏览器甲公司").get_by_label("同意", exact=True).check()
    rows.filter(has_text="息县浏览器乙公司").get_by_label("弃权").check()
    member_page.get_by_role("button", name="提交投票").click()
    ok(member_page, "您的投票已提交")
    expect(member_page.locator("#ballot")).to_have_count(0)

    page.goto(session_url)
    expect(page.locator("#turnout")).to_contain_text("已投票 1 人 / 评委会委员 2 人")
    expect(page.locator("body")).not_to_contain_text("同意 1 票")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="结束表决并计票").click()
    ok(page, "表决已结束")
    expect(page.locator("#plan")).to_contain_text("拟授奖：息县浏览器甲公司（同意 1 票）")
    expect(page.locator("#plan")).to_contain_text("息县浏览器乙公司（同意 0 票／投票 1 人）")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确定拟授奖名单").click()
    ok(page, "已按表决结果和名额确定拟授奖名单")
    expect(page.locator("#results")).to_contain_text("未达到投票人数的 2/3")
    assert Application.objects.get(pk=first.pk).state == State.PROPOSED
    assert Application.objects.get(pk=second.pk).state == State.NOT_AWARDED

    member_page.reload()
    member_page.get_by_role("link", name="计票结果（可打印）").click()
    expect(member_page.locator("#results")).to_contain_text("息县浏览器甲公司")
    member_page.context.close()


def test_a_province_level_specialized_enterprise_takes_a_reserved_seat_in_the_vote(portal, context, page):
    """巩义 第四条: of the award's seats, at least two are for 专精特新 enterprises of any level. A province-level
    专精特新中小企业 (not a national “小巨人”), as stated on its form, is placed on a reserved seat in the
    secretariat's plan after the vote; the others compete for the open seats."""
    c = portal.committee("gongyi", members=1)
    c.tiers[0].quota = 3
    c.tiers[0].save()
    ordinary = [c.finalist(f"巩义普通{n}公司") for n in "甲乙丙"]
    specialized = c.finalist("巩义省级专精特新公司")
    Application.objects.filter(pk=specialized.pk).update(specialized_level="province")

    portal.sign_in(context, c.secretariat)
    page.goto("/review/committee/")
    page.get_by_role("link", name="发起表决").first.click()
    for app in [*ordinary, specialized]:
        page.get_by_label(app.applicant_name).check()
    page.get_by_role("button", name="开始表决").click()
    ok(page, "表决已开始：4 个候选对象")
    session_url = page.url

    member_page = context.browser.new_context(base_url=portal.url).new_page()
    portal.sign_in(member_page.context, c.members[0])
    member_page.goto("/")
    member_page.get_by_role("link", name=re.compile("^待投票")).click()
    rows = member_page.locator("#ballot tbody tr")
    for n in range(rows.count()):
        rows.nth(n).get_by_label("同意", exact=True).check()
    member_page.get_by_role("button", name="提交投票").click()
    ok(member_page, "您的投票已提交")
    member_page.context.close()

    page.goto(session_url)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="结束表决并计票").click()
    ok(page, "表决已结束")
    plan = page.locator("#plan")
    expect(plan).to_contain_text("预留给")
    expect(plan).to_contain_text("拟授奖：巩义省级专精特新公司")
    expect(plan).to_contain_text("预留名额空缺 1 个")
    expect(plan.locator("li.text-success")).to_have_count(2)  # the 专精特新 seat and the one open seat
