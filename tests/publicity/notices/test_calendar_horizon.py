"""The calendar horizon: the secretariat's dashboard warns before the holidays run out (this year unknown, or
next year unknown from 1 November), every window or deadline reaching an unknown year is refused with the
calendar's message (a page, never a 500), and calendar entries made later never move what is scheduled."""
import datetime as dt
import pathlib
from importlib.util import module_from_spec, spec_from_file_location

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications.models import AcceptanceList, PublicityRule
from publicity.notices import services
from publicity.notices.models import CalendarOverride, CalendarYear, Notice
from qualityaward.accounts.models import User
from qualityaward.accounts.services import Actor
from review.eligibility.services import create_acceptance_list

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
ALERT = 'data-alert="calendar"'


def at(y, m, d, hour=10, minute=0):
    return dt.datetime(y, m, d, hour, minute, tzinfo=TZ)


def dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


# --- the dashboard's warning -------------------------------------------------------------------------------------
def test_next_year_is_asked_for_from_the_first_of_november(client, world):
    with time_machine.travel(at(2026, 10, 31, 23, 59), tick=False):
        assert ALERT not in dashboard(client, world.secretariat)
    with time_machine.travel(at(2026, 11, 1, 0, 1), tick=False):
        page = dashboard(client, world.secretariat)
        assert ALERT in page and "2027年的法定节假日和调休安排尚未录入" in page
        assert "凡跨入2027年的公示期、异议答复期限" in page
        assert "管理后台 › 公示与异议 › 工作日日历调整" in page and "勾选“已录入全年安排”" in page
        add_year = f"{reverse('admin:publicity_calendaryear_add')}?year=2027"
        for url in (reverse("admin:publicity_calendaroverride_add"), add_year,
                    f"{reverse('admin:publicity_calendaroverride_changelist')}?date__year=2027"):
            assert f'href="{url}"' in page
            assert client.get(url).status_code == 200  # the links open the admin pages themselves
        assert 'value="2027"' in client.get(add_year).content.decode()  # the year is filled in


def test_the_people_who_do_not_enter_the_calendar_are_not_warned(client, world):
    with time_machine.travel(at(2026, 11, 2), tick=False):
        for user in (world.owner, world.expert, world.authority, world.committee):
            assert ALERT not in dashboard(client, user), user.username
        admin_role = dashboard(client, world.admin)  # the administrator role without the admin site
        assert "2027年的法定节假日" in admin_role and "请联系秘书处录入2027年的安排" in admin_role
        assert reverse("admin:publicity_calendaroverride_add") not in admin_role
        superuser = User.objects.create_superuser(username="root", password="pass-12345", email="root@example.cn")
        assert reverse("admin:publicity_calendaroverride_add") in dashboard(client, superuser)


def test_the_warning_goes_once_the_year_is_marked_complete(client, world):
    with time_machine.travel(at(2026, 11, 20), tick=False):
        year = CalendarYear.objects.create(year=2027, confirmed=False)
        page = dashboard(client, world.secretariat)
        assert ALERT in page and "打开2027年" in page  # entering is under way: the link opens that row
        assert f'href="{reverse("admin:publicity_calendaryear_change", args=[year.pk])}"' in page
        year.confirmed = True
        year.save()
        assert ALERT not in dashboard(client, world.secretariat)


def test_a_current_year_nobody_entered_is_warned_about_all_year(client, world):
    with time_machine.travel(at(2027, 3, 1), tick=False):
        page = dashboard(client, world.secretariat)
        assert "2027年的法定节假日和调休安排尚未录入" in page and "本年的公示期" in page
        assert "2028年" not in page  # next year is asked for from 1 November only
        CalendarYear.objects.create(year=2027, confirmed=True, source="国办发明电〔2026〕X号")
        assert ALERT not in dashboard(client, world.secretariat)
    with time_machine.travel(at(2027, 11, 1), tick=False):
        assert "2028年的法定节假日和调休安排尚未录入" in dashboard(client, world.secretariat)


def test_the_warning_costs_at_most_one_small_query(world, django_assert_num_queries):
    from publicity.notices.dashboard import calendar_alerts
    from qualityaward.accounts.selectors import roles_of

    roles = roles_of(world.secretariat)  # read once per request by the dashboard already
    with time_machine.travel(at(2026, 10, 20), tick=False), django_assert_num_queries(0):
        assert calendar_alerts(world.secretariat, roles) == []  # the package knows 2026
    with time_machine.travel(at(2026, 11, 20), tick=False), django_assert_num_queries(1):
        assert len(calendar_alerts(world.secretariat, roles)) == 1


# --- refused, never guessed ---------------------------------------------------------------------------------------
def _compose(world, apps, length=5):
    return services.compose_notice(campaign=world.campaign, kind="acceptance", actor=Actor(user=world.secretariat),
                                   application_ids=[a.pk for a in apps], window_length=length)


def test_composing_a_window_that_reaches_an_unknown_year_shows_the_message(client, world, accepted_apps):
    client.force_login(world.secretariat)
    with time_machine.travel(at(2026, 11, 20), tick=False):
        response = client.post(reverse("publicity:compose", args=[world.campaign.pk, "acceptance"]), {
            "title": "受理名单公示", "window_length": "40", "applications": [str(a.pk) for a in accepted_apps]})
    assert response.status_code == 400
    assert "系统尚无 2027 年的法定节假日和调休安排" in response.content.decode()
    assert not Notice.objects.exists()


def test_scheduling_or_correcting_into_an_unknown_year_shows_the_message(client, world, accepted_apps):
    client.force_login(world.secretariat)
    with time_machine.travel(at(2026, 11, 20), tick=False):
        notice = _compose(world, accepted_apps)
        response = client.post(reverse("publicity:notice_schedule", args=[notice.pk]),
                               {"when": "later", "opens_at": "2026-12-28T09:00"})
        assert response.status_code == 400 and "系统尚无 2027 年" in response.content.decode()
        notice.refresh_from_db()
        assert notice.status == Notice.Status.DRAFT
        services.schedule_notice(notice=notice, actor=Actor(user=world.secretariat), opens_at=timezone.now())
        services.run_due()
    with time_machine.travel(at(2026, 12, 28), tick=False):
        client.force_login(world.secretariat)  # a new session on another day
        response = client.post(reverse("publicity:notice_correct", args=[notice.pk]))
    assert response.status_code == 400 and "系统尚无 2027 年" in response.content.decode()
    assert not Notice.objects.filter(corrects=notice).exists()


def test_publishing_an_acceptance_list_whose_window_reaches_an_unknown_year_is_refused(client, world, accepted_apps,
                                                                                      acceptance_rule):
    lst = create_acceptance_list(campaign=world.campaign, actor=Actor(user=world.secretariat))
    with time_machine.travel(at(2026, 12, 28), tick=False):
        client.force_login(world.secretariat)
        response = client.post(reverse("review:acceptance_list", args=[lst.pk]))
    assert response.status_code == 400 and "系统尚无 2027 年" in response.content.decode()
    assert AcceptanceList.objects.get(pk=lst.pk).published_at is None and not Notice.objects.exists()


def test_the_bureaus_publicity_reaching_an_unknown_year_is_refused_on_its_page(client, world, drive):
    from applications.models import State

    app = drive(world.new_app(), State.SUBMITTED)
    PublicityRule.objects.filter(profile__program=world.cultivation, kind="authority").update(
        min_length=5, unit=PublicityRule.Unit.WORKING_DAYS)
    client.force_login(world.authority)
    response = client.post(reverse("review:prereview_publicity", args=[app.pk]), {
        "starts_on": "2026-11-02", "ends_on": "2027-01-08", "channel": "郑州市市场监督管理局门户网站",
        "objections_received": "0"})
    assert response.status_code == 400 and "尚未收录 2026—2027 年的法定节假日安排" in response.content.decode()


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
                                   pathlib.Path(__file__).parent.parent / "objections" / "objection_support.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _objection_support()
xixian_app = S.xixian_app


def test_an_answer_deadline_already_set_is_not_moved_by_a_later_calendar_entry(world, xixian_app):
    from publicity.objections.services import send_due_reminders

    when = at(2026, 11, 16)  # a Monday: Tue .. Fri, Mon 23rd
    notice = S.open_notice(world.xixian_campaign, [xixian_app], now=when, opens_at=when - dt.timedelta(days=1),
                           closes_at=when + dt.timedelta(days=3))
    objection = S.file_objection(notice, now=when)
    assert timezone.localtime(objection.answer_deadline) == at(2026, 11, 24, 0)
    CalendarOverride.objects.create(date=dt.date(2026, 11, 18), is_working_day=False, note="临时调整")
    send_due_reminders(now=at(2026, 11, 17))
    objection.refresh_from_db()
    assert timezone.localtime(objection.answer_deadline) == at(2026, 11, 24, 0)
