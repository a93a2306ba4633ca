"""The calendar horizon: calendar entries made later never move what is scheduled."""
import datetime as dt
import pathlib
from importlib.util import module_from_spec, spec_from_file_location

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from publicity import services
from publicity.models import CalendarOverride, Notice
from qualityaward.accounts.services import Actor

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()


def at(y, m, d, hour=10, minute=0):
    return dt.datetime(y, m, d, hour, minute, tzinfo=TZ)


def _compose(world, apps, length=5):
    return services.compose_notice(campaign=world.campaign, kind="acceptance", actor=Actor(user=world.secretariat),
                                   application_ids=[a.pk for a in apps], window_length=length)


# --- what is scheduled stays as published ---------------------------------------------------------------------------
def test_a_scheduled_notice_keeps_its_window_when_the_calendar_changes_later(client, world, accepted_apps):
    client.force_login(world.secretariat)
    line = "公示期：2026年11月23日 至 2026年11月27日（5个工作日）"
    with time_machine.travel(at(2026, 11, 20), tick=False):
        notice = _compose(world, accepted_apps)
        services.schedule_notice(notice=notice, actor=Actor(user=world.secretariat), opens_at=at(2026, 11, 23, 9))
        notice.refresh_from_db()
        published = (notice.opens_at, notice.last_day, notice.closes_at)
        assert notice.last_day == dt.date(2026, 11, 27)
        # the secretariat then enters a day off inside the window: counted afresh it would end on 30 November
        response = client.post(reverse("admin:publicity_calendaroverride_add"),
                               {"date": "2026-11-25", "is_working_day": "", "note": "临时调整"}, follow=True)
        assert "公示期不会因此改变" in response.content.decode()
        assert services.window_of(notice.opens_at, 5, notice.window_unit)[0] == dt.date(2026, 11, 30)
        # editing the notice's text does not recompute its window
        response = client.post(reverse("publicity:notice_edit", args=[notice.pk]), {
            "title": "受理名单公示（修订标题）", "window_length": "5", "applications": [str(a.pk) for a in accepted_apps]})
        assert response.status_code == 302
        notice.refresh_from_db()
        assert notice.title == "受理名单公示（修订标题）"
        assert (notice.opens_at, notice.last_day, notice.closes_at) == published
    with time_machine.travel(at(2026, 11, 23, 9, 1), tick=False):
        services.run_due()
        for name in ("publicity:notice", "publicity:notice_print"):
            assert line in client.get(reverse(name, args=[notice.pk])).content.decode()
    with time_machine.travel(at(2026, 11, 27, 23, 59), tick=False):
        services.run_due()
        notice.refresh_from_db()
        assert notice.status == Notice.Status.OPEN  # the job acts on the stored end, not on the new calendar
    with time_machine.travel(at(2026, 11, 28, 0, 1), tick=False):
        services.run_due()
        notice.refresh_from_db()
    assert notice.status != Notice.Status.OPEN
    assert (notice.opens_at, notice.last_day, notice.closes_at) == published


def _objection_support():
    spec = spec_from_file_location("objection_support_horizon",
                                   pathlib.Path(__file__).with_name("objection_support.py"))
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _objection_support()
xixian_app = S.xixian_app


def test_an_answer_deadline_already_set_is_not_moved_by_a_later_calendar_entry(world, xixian_app):
    from publicity.objections import send_due_reminders

    when = at(2026, 11, 16)  # a Monday: Tue .. Fri, Mon 23rd
    notice = S.open_notice(world.xixian_campaign, [xixian_app], now=when, opens_at=when - dt.timedelta(days=1),
                           closes_at=when + dt.timedelta(days=3))
    objection = S.file_objection(notice, now=when)
    assert timezone.localtime(objection.answer_deadline) == at(2026, 11, 24, 0)
    CalendarOverride.objects.create(date=dt.date(2026, 11, 18), is_working_day=False, note="临时调整")
    send_due_reminders(now=at(2026, 11, 17))
    objection.refresh_from_db()
    assert timezone.localtime(objection.answer_deadline) == at(2026, 11, 24, 0)
