"""The applicant's dashboard offers only what the applicant can do: campaigns it may enter (the others are
explained), and a deadline only while the application is in its hands."""
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, State
from applications.selectors import campaign_offers

pytestmark = pytest.mark.django_db


def test_a_zhengzhou_organization_is_offered_the_province_s_programs_and_told_why_not_the_county_s(client, world):
    """息县县长质量奖 is for 息县's organizations (its rules' 第二条 scope); a 郑州 company is told so instead
    of being offered a campaign it cannot enter."""
    offers = {c.program.code: reason for c, reason in campaign_offers(user=world.owner)}
    assert offers["henan-cultivation"] == ""
    assert offers["xixian"].startswith("本奖项只受理息县辖区内的申报") and "郑州市" in offers["xixian"]
    client.force_login(world.owner)
    body = client.get("/").content.decode()
    assert f"新建申报：{world.cultivation.name}" in body
    assert f"新建申报：{world.xixian.name}" not in body
    assert "本奖项只受理息县辖区内的申报" in body


def test_the_create_form_accepts_only_a_region_inside_the_program_s_territory(client, world):
    before = Application.objects.count()
    client.force_login(world.owner)
    url = reverse("applications:create", args=[world.xixian_campaign.pk])
    response = client.post(url, {"kind": "organization", "applicant_name": world.org.name,
                                 "region": world.zhengzhou.pk})
    assert response.status_code == 200
    assert "只受理息县辖区内的申报" in response.content.decode()
    assert Application.objects.count() == before


def test_the_deadline_column_shows_the_application_deadline_only_while_the_applicant_can_act(client, world, drive):
    draft = world.new_app(name="草稿中的企业")
    submitted = drive(world.new_app(name="已提交的企业"), State.SUBMITTED)
    client.force_login(world.owner)
    body = client.get("/").content.decode()
    deadline = f"{timezone.localtime(world.campaign.application_deadline):%Y-%m-%d}"
    rows = {name: row for name, row in re.findall(r"<tr>\s*<td>[^<]*</td>\s*<td><a[^>]*>([^<]+)</a>(.*?)</tr>", body, re.S)}
    assert deadline in rows[draft.applicant_name]
    assert deadline not in rows[submitted.applicant_name] and "—" in rows[submitted.applicant_name]


def test_dashboards_count_and_name_the_cultivation_outcome_in_its_own_words(client, world, drive):
    """000 五（五）: organizations are 入库, not awarded — the bureau's counts, the applicant's row and the supervisor's
    latest events say 已入库."""
    drive(world.new_app(name="已入库的企业"), State.AWARDED)
    drive(world.new_app(name="已提交的企业"), State.SUBMITTED)
    for user in (world.authority, world.owner, world.supervisor):
        client.force_login(user)
        body = client.get("/").content.decode()
        assert "已入库" in body, user.username
        assert "已授奖" not in body and "授奖（" not in body, user.username
    client.force_login(world.authority)
    body = client.get("/").content.decode()
    assert re.search(r"已入库\D{0,40}1", body, re.S) and re.search(r"已提交\D{0,40}1", body, re.S)
