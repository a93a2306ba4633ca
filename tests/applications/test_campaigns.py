"""``applications.campaigns.open_campaign``: a program always has a campaign open for applications today,
the shipped one while it is open, else the next one, laid out like the latest and named like it."""
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from applications.campaigns import open_campaign, open_campaigns_of_active_programs, shift_months
from applications.models import Campaign, Program
from applications.selectors import open_campaigns

pytestmark = pytest.mark.django_db

LATER = "2027-06-01T10:00:00+08:00"  # the shipped campaigns closed for applications on 2027-03-31


def local(moment):
    return timezone.localtime(moment).replace(tzinfo=None)


def test_month_shift_keeps_the_last_day_of_a_month():
    start = timezone.make_aware(dt.datetime(2027, 3, 31, 23, 59, 59))
    assert local(shift_months(start, 9)) == dt.datetime(2027, 12, 31, 23, 59, 59)
    assert local(shift_months(timezone.make_aware(dt.datetime(2027, 4, 30)), 10)) == dt.datetime(2028, 2, 29)
    assert local(shift_months(timezone.make_aware(dt.datetime(2026, 9, 1)), -13)) == dt.datetime(2025, 8, 1)


def test_while_the_shipped_campaign_is_open_it_is_the_one(seeded):
    program = Program.objects.get(code="xixian")
    campaign, created = open_campaign(program)
    assert not created and campaign == Campaign.objects.get(program=program, is_current=True)
    assert campaign.name == "2026—2027届"


def test_later_the_next_campaign_is_named_and_laid_out_like_the_latest(seeded):
    shipped = {c.pk: c for c in Campaign.objects.all()}
    with time_machine.travel(LATER, tick=True):
        now = timezone.now()
        opened = dict((c.program.code, (c, created)) for c, created in open_campaigns_of_active_programs())
        xixian, created = opened["xixian"]
        assert created and xixian.is_current and xixian.opens_at <= now <= xixian.application_deadline
        assert (xixian.name, xixian.year, xixian.data_years) == ("2027—2028届", 2027, [2024, 2025, 2026])
        # the shipped layout (opens on the 1st, applications until the end of March, recommendations until
        # the end of April, review until the end of September) moved on by whole months
        assert [local(getattr(xixian, f)) for f in ("opens_at", "application_deadline", "recommendation_deadline",
                                                     "review_deadline")] == [
            dt.datetime(2027, 5, 1), dt.datetime(2027, 11, 30, 23, 59, 59), dt.datetime(2027, 12, 31, 23, 59, 59),
            dt.datetime(2028, 5, 31, 23, 59, 59)]
        assert opened["henan-cultivation"][0].name == "2027年度"
        assert {c.program.code for c in open_campaigns()} == set(Program.objects.values_list("code", flat=True))
        # a second call finds them open and creates nothing
        assert not any(created for _c, created in open_campaigns_of_active_programs())
    assert Campaign.objects.count() == len(shipped) + 5
    for pk, before in shipped.items():  # the shipped campaigns keep their dates; only "current" moved on
        after = Campaign.objects.get(pk=pk)
        assert (after.name, after.opens_at, after.application_deadline, after.data_years) == (
            before.name, before.opens_at, before.application_deadline, before.data_years)
        assert not after.is_current
