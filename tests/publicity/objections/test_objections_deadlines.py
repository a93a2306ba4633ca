"""Answer deadlines in working days (receipt day not counted, holidays and 调休 respected, an unknown
year refused until entered), reminders sent once each, overdue objections flagged on the register and
the dashboard, and the register's Excel export with formulas neutralised."""
import datetime as dt
import io
import pathlib

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from publicity.notices.models import CalendarOverride, CalendarYear
from publicity.objections.models import Objection, ObjectionReminder
from publicity.objections.services import send_due_reminders
from publicity.objections.tasks import send_objection_reminders


def _load_support():
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("objection_support_deadlines",
                                   pathlib.Path(__file__).with_name("objection_support.py"))
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _load_support()
seeded, world, xixian_app = S.seeded, S.world, S.xixian_app
TZ = timezone.get_default_timezone()


def at(y, m, d, hour=10):
    return dt.datetime(y, m, d, hour, tzinfo=TZ)


def received(world, app, when):
    notice = S.open_notice(world.xixian_campaign, [app], now=when, opens_at=when - dt.timedelta(days=1),
                           closes_at=when + dt.timedelta(days=3))
    return S.file_objection(notice, now=when)


def test_the_receipt_day_does_not_count(client, world, xixian_app):
    o = received(world, xixian_app, at(2026, 11, 16))  # a Monday
    assert timezone.localtime(o.answer_deadline) == at(2026, 11, 24, 0)  # 24:00 of Monday 23rd: Tue..Fri, Mon
    client.force_login(world.secretariat_other)
    page = client.get(reverse("publicity:objection_detail", args=[o.pk])).content.decode()
    assert "2026年11月23日 24:00" in page and "自收到异议的次日起算，至第 5 个工作日 24:00 止" in page


def test_the_national_day_holiday_and_its_working_saturday(world, xixian_app):
    o = received(world, xixian_app, at(2026, 9, 30))
    # 10-01..10-07 are holidays; 10-08, 10-09, Saturday 10-10 (调休上班), 10-12, 10-13
    assert timezone.localtime(o.answer_deadline) == at(2026, 10, 14, 0)


def test_a_year_nobody_entered_leaves_the_deadline_open_until_it_is(client, world, xixian_app):
    o = received(world, xixian_app, at(2026, 12, 28))
    assert o.answer_deadline is None and "2027" in o.deadline_problem  # the objector was not turned away
    client.force_login(world.secretariat_other)
    assert "2027 年的法定节假日" in client.get(reverse("publicity:objection_detail", args=[o.pk])).content.decode()
    CalendarYear.objects.create(year=2027, confirmed=True, source="国办发明电〔2026〕X号")
    CalendarOverride.objects.create(date=dt.date(2027, 1, 1), is_working_day=False, note="元旦")
    send_due_reminders(now=at(2026, 12, 29))
    o.refresh_from_db()
    assert timezone.localtime(o.answer_deadline) == at(2027, 1, 6, 0) and o.deadline_problem == ""


def test_reminders_at_two_working_days_on_the_day_and_overdue_each_once(world, xixian_app):
    o = received(world, xixian_app, at(2026, 11, 16))  # deadline 24:00 Monday 11-23
    mail.outbox.clear()
    assert send_due_reminders(now=at(2026, 11, 18, 9)) == []  # 4 working days left
    assert send_due_reminders(now=at(2026, 11, 20, 9)) == [(o.pk, ObjectionReminder.Kind.TWO_DAYS)]  # Fri, Mon
    assert send_due_reminders(now=at(2026, 11, 21, 9)) == []  # Saturday: one working day left, nothing new
    assert send_due_reminders(now=at(2026, 11, 23, 9)) == [(o.pk, ObjectionReminder.Kind.DUE_DAY)]
    assert send_due_reminders(now=at(2026, 11, 23, 15)) == []
    assert send_due_reminders(now=at(2026, 11, 24, 9)) == [(o.pk, ObjectionReminder.Kind.OVERDUE)]
    assert send_due_reminders(now=at(2026, 11, 25, 9)) == []
    assert [m.to for m in mail.outbox] == [["secretariat_xx@example.cn"]] * 3
    assert "还剩 2 个工作日" in mail.outbox[0].subject and o.receipt_number in mail.outbox[0].subject
    assert "答复期限 2026年11月23日 24:00" in mail.outbox[0].body
    assert "今日到期" in mail.outbox[1].subject and "已超期" in mail.outbox[2].subject
    assert sorted(o.reminders.values_list("kind", flat=True)) == ["due_day", "overdue", "two_days"]
    assert send_objection_reminders() == 0  # the beat task: nothing more to send


def test_decided_objections_get_no_reminders(world, xixian_app):
    from publicity.objections import services as svc
    from qualityaward.accounts.services import Actor

    o = received(world, xixian_app, at(2026, 11, 16))
    svc.decide(objection=o, decision="unfounded", finding="不成立。", answer_text="异议不成立。",
               actor=Actor(user=world.secretariat_other))
    assert send_due_reminders(now=at(2026, 11, 23, 9)) == []


def test_the_beat_schedule_runs_the_reminders():
    from qualityaward.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "publicity.tasks_objections.send_objection_reminders" in tasks
    assert "publicity.tasks_objections.send_objection_reminders" in app.tasks


def test_dashboard_counts_down_and_flags_the_overdue(client, world, xixian_app):
    notice = S.open_notice(world.xixian_campaign, [xixian_app])
    fresh = S.file_objection(notice)
    late = S.file_objection(notice, grounds=S.GROUNDS + "另有一件。")
    Objection.objects.filter(pk=late.pk).update(answer_deadline=timezone.now() - dt.timedelta(hours=1))
    client.force_login(world.secretariat_other)
    body = client.get(reverse("dashboard")).content.decode()
    assert "公示异议：答复期限" in body and fresh.receipt_number in body and late.receipt_number in body
    assert "剩 " in body and "个工作日" in body and "已超过答复期限" in body and "已超期 1" in body
    register = client.get(reverse("publicity:objection_list")).content.decode()
    row = register[register.index(f'data-objection="{late.pk}"'):][:400]
    assert 'class="table-danger"' in row and "已超期" in register
    client.force_login(world.secretariat)  # the cultivation program's secretariat: none of these
    assert fresh.receipt_number not in client.get(reverse("dashboard")).content.decode()
    client.force_login(world.owner)
    assert "公示异议" not in client.get(reverse("dashboard")).content.decode()


def test_export_lists_the_register_with_formulas_neutralised(client, world, xixian_app):
    notice = S.open_notice(world.xixian_campaign, [xixian_app])
    o = S.file_objection(notice, name='=HYPERLINK("http://evil.example","点我")')
    client.force_login(world.secretariat_other)
    response = client.get(reverse("publicity:objection_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("受理编号", "奖项", "公示")
    assert rows[1][0] == o.receipt_number
    assert rows[1][6] == "'" + o.objector_name  # shown as text, never run as a formula
    assert rows[1][8] == "13800138000" and rows[1][14].startswith("剩 ")


def test_the_register_costs_the_same_queries_for_two_or_eight_objections(client, world, xixian_app):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notice = S.open_notice(world.xixian_campaign, [xixian_app])
    client.force_login(world.secretariat_other)
    counts = []
    for n in (2, 8):
        while Objection.objects.count() < n:
            S.file_objection(notice, grounds=S.GROUNDS + f"（第 {Objection.objects.count() + 1} 件）")
        for url in (reverse("publicity:objection_list"), reverse("dashboard")):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:], counts
    body = client.get(reverse("publicity:objection_list") + "?q=0008").content.decode()
    assert "-0008" in body and "-0007" not in body
