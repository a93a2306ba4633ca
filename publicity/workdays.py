"""Working days and publicity windows: the one place dates of a window are computed.

Sources, strongest first: the admin-editable override table (``CalendarOverride``), then the
``chinesecalendar`` package (statutory holidays and 调休 working weekends). A year neither knows is
refused with ``UnknownCalendarYear``: the secretariat must enter that year's schedule first. The
module never guesses from weekends alone.

Conventions (shown in the UI next to every computed date):
- a window of N working days opening on day D covers D itself when D is a working day and closes at
  24:00 (Asia/Shanghai) of its N-th working day;
- "within N working days of receipt": the receipt day does not count; the deadline is 24:00 of the
  N-th working day after it;
- a window in calendar days (e.g. "不少于两周") counts every day, D included.
"""
import datetime as dt
from functools import lru_cache

import chinese_calendar
from django.utils import timezone

#: Upper bound on days scanned for one computation (a year and a half of holidays cannot exceed it).
_MAX_SCAN_DAYS = 550


class UnknownCalendarYear(Exception):
    """A computation needs a year whose holiday schedule nobody has entered."""

    def __init__(self, year):
        self.year = year
        self.message = (
            f"系统尚无 {year} 年的法定节假日和调休安排，无法按工作日计算。"
            f"请秘书处在“管理后台 → 工作日日历”中录入 {year} 年的安排（国务院办公厅通知公布后），"
            "并勾选“已录入全年安排”后再试。"
        )
        super().__init__(self.message)


def _overrides(start, end):
    from .notices.models import CalendarOverride

    return dict(CalendarOverride.objects.filter(date__range=(start, end)).values_list("date", "is_working_day"))


def _confirmed_years():
    from .notices.models import CalendarYear

    return set(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True))


@lru_cache(maxsize=4096)
def _package_is_workday(day):
    return chinese_calendar.is_workday(day)


def package_knows(year):
    """Whether the installed ``chinesecalendar`` release covers ``year`` (no query)."""
    try:
        _package_is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkingCalendar:
    """A snapshot of the overrides for a span of dates; answers ``is_working_day`` without queries."""

    def __init__(self, start, end):
        self.start, self.end = start, end
        self.overrides = _overrides(start, end)
        self.confirmed = _confirmed_years()

    def is_working_day(self, day):
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.confirmed:
            # The secretariat entered this year; days it did not list follow the weekend rule.
            try:
                return _package_is_workday(day)
            except NotImplementedError:
                return day.weekday() < 5
        try:
            return _package_is_workday(day)
        except NotImplementedError:
            raise UnknownCalendarYear(day.year) from None


def _calendar_from(day):
    return WorkingCalendar(day - dt.timedelta(days=1), day + dt.timedelta(days=_MAX_SCAN_DAYS))


def is_working_day(day):
    return WorkingCalendar(day, day).is_working_day(day)


def nth_working_day(start, n, *, include_start=True):
    """The n-th working day counting from ``start`` (inclusive when it is a working day and
    ``include_start``); n >= 1."""
    if n < 1:
        raise ValueError("n must be at least 1")
    cal = _calendar_from(start)
    day = start if include_start else start + dt.timedelta(days=1)
    counted = 0
    for _ in range(_MAX_SCAN_DAYS):
        if cal.is_working_day(day):
            counted += 1
            if counted == n:
                return day
        day += dt.timedelta(days=1)
    raise ValueError("window too long")


def working_days_between(start, end):
    """Working days in [start, end], both inclusive."""
    if end < start:
        return 0
    cal = WorkingCalendar(start, end)
    return sum(cal.is_working_day(start + dt.timedelta(days=i)) for i in range((end - start).days + 1))


def end_of_day(day):
    """24:00 of ``day`` in the project's timezone, as an aware datetime (= 00:00 of the next day)."""
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def window_last_day(opens_on, length, unit):
    """The last day of a window of ``length`` working (or calendar) days opening on ``opens_on``."""
    from applications.models import PublicityRule

    if unit == PublicityRule.Unit.CALENDAR_DAYS:
        return opens_on + dt.timedelta(days=length - 1)
    return nth_working_day(opens_on, length, include_start=True)


def window_closes_at(opens_on, length, unit):
    """When a window opening on ``opens_on`` closes: 24:00 of its last day."""
    return end_of_day(window_last_day(opens_on, length, unit))


def deadline_after(received_on, working_days):
    """24:00 of the ``working_days``-th working day after ``received_on`` (the receipt day not counted)."""
    return end_of_day(nth_working_day(received_on, working_days, include_start=False))


class DeadlineClock:
    """Working days left to many deadlines from one moment, on one calendar snapshot: a list of deadlines
    costs the same two calendar queries as one."""

    def __init__(self, now=None):
        self.now = now or timezone.now()
        self.today = timezone.localtime(self.now).date()
        self._calendar = None

    def days_left(self, deadline):
        """Working days from today (inclusive, if a working day) to the deadline's last day; 0 when past."""
        last = timezone.localtime(deadline - dt.timedelta(microseconds=1)).date()
        if last < self.today:
            return 0
        if self._calendar is None or last > self._calendar.end:
            self._calendar = WorkingCalendar(self.today, max(last, self.today + dt.timedelta(days=60)))
        return sum(self._calendar.is_working_day(self.today + dt.timedelta(days=i))
                   for i in range((last - self.today).days + 1))


def working_days_left(now, deadline):
    return DeadlineClock(now).days_left(deadline)


def format_day(day):
    """2025年9月28日 (no leading zeros, as official notices write dates)."""
    return f"{day.year}年{day.month}月{day.day}日"


def describe_window(opens_on, last_day, length, unit):
    """The line shown on every notice: "公示期：D 至 E（N个工作日）"."""
    from applications.models import PublicityRule

    unit_label = "个工作日" if unit == PublicityRule.Unit.WORKING_DAYS else "天"
    return f"公示期：{format_day(opens_on)} 至 {format_day(last_day)}（{length}{unit_label}）"


def convention_for(unit):
    """The counting convention shown next to a window computed in ``unit``."""
    from applications.models import PublicityRule

    return CALENDAR_WINDOW_CONVENTION if unit == PublicityRule.Unit.CALENDAR_DAYS else WINDOW_CONVENTION


WINDOW_CONVENTION = ("公示期从发布当日起算（当日为工作日的计入），至最后一个工作日 24:00 止；"
                     "法定节假日和周末不计，调休上班日计入。")
CALENDAR_WINDOW_CONVENTION = "公示期按自然日计算，从发布当日起算（含节假日），至最后一日 24:00 止。"
DEADLINE_CONVENTION = "答复期限自收到异议的次日起算，至第 N 个工作日 24:00 止。"
