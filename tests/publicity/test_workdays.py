"""Working days and publicity windows across National Day and the Spring Festival, unknown years,
overrides entered by the secretariat, and windows in calendar days."""
import datetime as dt

import pytest
from django.utils import timezone

from applications.models import PublicityRule
from publicity import workdays
from publicity.notices.models import CalendarOverride, CalendarYear

D = dt.date
WD = PublicityRule.Unit.WORKING_DAYS
CAL = PublicityRule.Unit.CALENDAR_DAYS
pytestmark = pytest.mark.django_db


def test_national_day_2025_counts_the_working_sunday_and_skips_the_holiday():
    # Fri 26 Sep (1), Sat 27 off, Sun 28 is a 调休 working day (2), 29 (3), 30 (4), 1–8 Oct off, Thu 9 Oct (5)
    assert workdays.window_last_day(D(2025, 9, 26), 5, WD) == D(2025, 10, 9)
    # weekend-only arithmetic would have said Thu 2 Oct
    assert workdays.window_last_day(D(2025, 9, 26), 5, WD) != D(2025, 10, 2)


def test_window_opening_on_the_working_saturday_after_national_day():
    # Thu 9 (1), Fri 10 (2), Sat 11 Oct is a 调休 working day (3), Sun 12 off, Mon 13 (4), Tue 14 (5)
    assert workdays.window_last_day(D(2025, 10, 9), 5, WD) == D(2025, 10, 14)
    # opening on the holiday itself: the count starts on the first working day after it
    assert workdays.window_last_day(D(2025, 10, 3), 1, WD) == D(2025, 10, 9)
    assert workdays.window_last_day(D(2025, 10, 3), 3, WD) == D(2025, 10, 11)


def test_spring_festival_2026_and_its_working_saturdays():
    # Wed 11 Feb (1), 12 (2), 13 (3), Sat 14 is a working day (4), 15–23 off, Tue 24 (5)
    assert workdays.window_last_day(D(2026, 2, 11), 5, WD) == D(2026, 2, 24)
    # Tue 24 (1) … Fri 27 (4), Sat 28 Feb is a working day (5)
    assert workdays.window_last_day(D(2026, 2, 24), 5, WD) == D(2026, 2, 28)
    assert workdays.working_days_between(D(2026, 2, 14), D(2026, 2, 24)) == 2


def test_window_closes_at_midnight_shanghai_of_its_last_day():
    closes = workdays.window_closes_at(D(2025, 9, 26), 5, WD)
    local = timezone.localtime(closes)
    assert (local.date(), local.hour, local.minute) == (D(2025, 10, 10), 0, 0)
    assert str(local.tzinfo) == "Asia/Shanghai"
    assert closes == dt.datetime(2025, 10, 9, 16, 0, tzinfo=dt.timezone.utc)


def test_deadline_after_receipt_does_not_count_the_receipt_day():
    # received Fri 26 Sep 2025: Sun 28 (1), 29 (2), 30 (3), 9 Oct (4), 10 Oct (5)
    assert timezone.localtime(workdays.deadline_after(D(2025, 9, 26), 5)).date() == D(2025, 10, 11)


def test_working_days_left_counts_today_and_is_zero_after_the_window():
    closes = workdays.window_closes_at(D(2025, 9, 26), 5, WD)
    at = lambda day, hour=10: timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))  # noqa: E731
    assert workdays.working_days_left(at(D(2025, 9, 26)), closes) == 5
    assert workdays.working_days_left(at(D(2025, 10, 1)), closes) == 1
    assert workdays.working_days_left(at(D(2025, 10, 9), 23), closes) == 1
    assert workdays.working_days_left(at(D(2025, 10, 10), 0), closes) == 0


def test_unknown_year_is_refused_with_a_chinese_message():
    with pytest.raises(workdays.UnknownCalendarYear) as exc:
        workdays.window_last_day(D(2027, 3, 1), 5, WD)
    assert exc.value.year == 2027
    assert "2027 年" in exc.value.message and "工作日日历" in exc.value.message
    # a window that starts in a known year and crosses into an unknown one is refused too
    with pytest.raises(workdays.UnknownCalendarYear):
        workdays.window_last_day(D(2026, 12, 29), 5, WD)


def test_a_year_entered_by_hand_is_computed_from_its_overrides():
    CalendarYear.objects.create(year=2027, confirmed=True, source="国办发明电〔2026〕X号")
    CalendarOverride.objects.bulk_create([
        CalendarOverride(date=D(2027, 1, 1), is_working_day=False, note="元旦"),
        CalendarOverride(date=D(2027, 1, 2), is_working_day=True, note="调休上班"),
    ])
    # Thu 31 Dec 2026 (1), Fri 1 Jan holiday, Sat 2 Jan working (2), Sun 3 off, Mon 4 (3)
    assert workdays.window_last_day(D(2026, 12, 31), 3, WD) == D(2027, 1, 4)


def test_an_unconfirmed_year_is_still_refused_beyond_its_overrides():
    CalendarYear.objects.create(year=2027, confirmed=False)
    CalendarOverride.objects.create(date=D(2027, 1, 1), is_working_day=False, note="元旦")
    with pytest.raises(workdays.UnknownCalendarYear):
        workdays.window_last_day(D(2026, 12, 31), 3, WD)


def test_an_override_wins_over_the_package():
    assert workdays.window_last_day(D(2025, 9, 26), 5, WD) == D(2025, 10, 9)
    CalendarOverride.objects.create(date=D(2025, 9, 29), is_working_day=False, note="临时调整")
    assert not workdays.is_working_day(D(2025, 9, 29))
    assert workdays.window_last_day(D(2025, 9, 26), 5, WD) == D(2025, 10, 10)
    CalendarOverride.objects.create(date=D(2025, 10, 8), is_working_day=True, note="临时上班")
    assert workdays.window_last_day(D(2025, 9, 26), 5, WD) == D(2025, 10, 9)


def test_calendar_day_windows_count_every_day_holidays_included():
    # 金水: 拟奖公示不少于两周 in natural days; opening 28 Sep 2025 covers the National Day week
    assert workdays.window_last_day(D(2025, 9, 28), 14, CAL) == D(2025, 10, 11)
    assert workdays.window_last_day(D(2025, 9, 28), 1, CAL) == D(2025, 9, 28)
    # even a year nobody entered: calendar days need no holiday schedule
    assert workdays.window_last_day(D(2027, 5, 1), 14, CAL) == D(2027, 5, 14)


def test_the_window_line_and_its_convention():
    line = workdays.describe_window(D(2025, 9, 26), D(2025, 10, 9), 5, WD)
    assert line == "公示期：2025年9月26日 至 2025年10月9日（5个工作日）"
    assert workdays.describe_window(D(2025, 9, 28), D(2025, 10, 11), 14, CAL).endswith("（14天）")
    assert "调休上班日计入" in workdays.convention_for(WD)
    assert "自然日" in workdays.convention_for(CAL)
