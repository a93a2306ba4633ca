"""Where the program requires the applicant's internal publicity before applying (a PublicityRule of
kind INTERNAL: 息县 第十六条 ≥5 working days, 巩义 第十七条（二）, 培育 通知 五（三）), the form overview
shows the record and ``submit`` waits for it; programs without that rule are not affected."""
import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications import workflow
from applications.models import State
from publicity.notices.models import InternalPublicity
from qualityaward.accounts.services import Actor

pytestmark = pytest.mark.django_db


def xixian_draft(world):
    return world.new_app(campaign=world.xixian_campaign, region=world.xixian_county, name="息县内部公示测试公司")


def submit(app, world):
    return workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))


def test_the_filled_sample_records_a_valid_publicity_and_submits(world):
    app = xixian_draft(world)
    record = InternalPublicity.objects.get(application=app)
    assert record.file and record.ends_on < timezone.localdate()
    assert submit(app, world).state == State.SUBMITTED


def test_submit_is_refused_without_the_record_and_nothing_changes(world, client):
    app = xixian_draft(world)
    InternalPublicity.objects.filter(application=app).delete()
    with pytest.raises(workflow.GuardFailed, match="申报单位内部公示情况") as refused:
        submit(app, world)
    assert "不少于 5个工作日" in refused.value.message
    app.refresh_from_db()
    assert app.state == State.DRAFT and app.number is None and not app.submissions.exists()
    # the same refusal on the page, and the overview says what is missing and links to the page to fill
    client.force_login(world.owner)
    response = client.post(reverse("applications:transition", args=[app.pk, "submit"]), {})
    assert response.status_code == 400 and "申报单位内部公示情况" in response.content.decode()
    overview = client.get(reverse("applications:form", args=[app.pk])).content.decode()
    assert "未完成" in overview and reverse("publicity:internal", args=[app.pk]) in overview
    app.refresh_from_db()
    assert app.state == State.DRAFT


def test_a_short_or_unfinished_publicity_is_refused(world):
    app = xixian_draft(world)
    # Monday to Wednesday of a plain working week: 3 working days, below 息县's 5
    monday = dt.date(2026, 11, 9)
    InternalPublicity.objects.filter(application=app).update(starts_on=monday, ends_on=monday + dt.timedelta(days=2))
    with pytest.raises(workflow.GuardFailed, match="只有 3个工作日"):
        submit(app, world)
    # long enough, but still running today
    today = timezone.localdate()
    InternalPublicity.objects.filter(application=app).update(starts_on=today - dt.timedelta(days=20), ends_on=today)
    with pytest.raises(workflow.GuardFailed, match="公示期满后再提交"):
        submit(app, world)
    InternalPublicity.objects.filter(application=app).update(ends_on=today - dt.timedelta(days=1))
    assert submit(app, world).state == State.SUBMITTED


def test_the_overview_shows_a_valid_record(world, client):
    app = xixian_draft(world)
    client.force_login(world.owner)
    html = client.get(reverse("applications:form", args=[app.pk])).content.decode()
    assert 'id="internal-publicity-status"' in html and "已登记" in html and "内部公示照片.jpg" in html


def test_a_program_without_an_internal_rule_submits_without_a_record(world, client):
    app = world.new_app(campaign=world.benchmark_campaign, name="质量标杆测试公司")
    assert not InternalPublicity.objects.filter(application=app).exists()
    client.force_login(world.owner)
    html = client.get(reverse("applications:form", args=[app.pk])).content.decode()
    assert 'id="internal-publicity-status"' not in html
    assert submit(app, world).state == State.SUBMITTED


def test_without_a_minimum_length_an_unknown_year_does_not_hold_up_submission(world):
    """培育 通知 sets no minimum: a publicity in a year whose holidays nobody has entered yet is accepted
    (the working-day count is left out); 息县's minimum of 5 working days still waits for that year."""
    cultivation = world.new_app(name="培育内部公示测试公司")
    xixian = xixian_draft(world)
    # March 2027, still within the fixture campaigns' application period; chinesecalendar 1.11 stops at 2026
    with time_machine.travel("2027-03-15T10:00:00+08:00", tick=True):
        days = {"starts_on": dt.date(2027, 3, 1), "ends_on": dt.date(2027, 3, 10)}
        InternalPublicity.objects.filter(application__in=[cultivation, xixian]).update(**days)
        assert submit(cultivation, world).state == State.SUBMITTED
        with pytest.raises(workflow.GuardFailed, match="2027 年的法定节假日"):
            submit(xixian, world)
