"""A campaign open for applications on the current date, for the demo, generated data and benchmarks.

The shipped campaigns have fixed dates (``fixtures/programs.json``); once a program's latest one has
closed, ``open_campaign`` adds the next one, laid out like the latest: the same day of the month and
the same intervals between opening, application deadline, recommendation deadline and review, its
year, name and data years moved on together. Existing campaigns are never changed, except that the
open one becomes the program's current campaign (a program has one at a time).
"""
import calendar
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Campaign, Program

_DATES = ("opens_at", "application_deadline", "recommendation_deadline", "review_deadline")


def shift_months(moment, months):
    """``moment`` (aware) ``months`` calendar months later in local time; a month's last day stays the last
    day (31 March + 9 months = 31 December, 30 April + 9 months = 31 January)."""
    local = timezone.localtime(moment)
    index = local.year * 12 + local.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    day = last if local.day == calendar.monthrange(local.year, local.month)[1] else min(local.day, last)
    return timezone.make_aware(local.replace(tzinfo=None, year=year, month=month, day=day))


def _is_open(campaign, now):
    return campaign.opens_at <= now <= campaign.application_deadline


def _next_campaign(program, latest, now):
    """An unsaved campaign after ``latest``: it opened in the month before ``now`` (so that submissions,
    pre-reviews and notices a month old still fall within it) on ``latest``'s day of the month."""
    opened = timezone.localtime(latest.opens_at)
    local_now = timezone.localtime(now)
    months = (local_now.year - opened.year) * 12 + local_now.month - opened.month - 1
    dates = {name: getattr(latest, name) and shift_months(getattr(latest, name), months) for name in _DATES}
    years = max(1, timezone.localtime(dates["opens_at"]).year - opened.year)
    name = re.sub(r"\d{4}", lambda m: str(int(m[0]) + years), latest.name)  # 2026年度, 2026—2027届
    campaign = Campaign(program=program, year=latest.year + years, name=name,
                        data_years=[year + years for year in latest.data_years], **dates)
    if not _is_open(campaign, now):
        raise ValidationError(
            f"{program.name}最近一届（{latest.name}）的申报期太短，无法据此安排一届正在申报的届次。"
            "请在管理后台“届次/年度”中新建本届，并设置包含今天的申报时间。")
    return campaign


@transaction.atomic
def open_campaign(program, *, now=None):
    """(campaign, created): ``program``'s campaign open for applications at ``now`` (default: the clock),
    made the current one; the next campaign is created after the latest when none is open."""
    now = now or timezone.now()
    campaigns = list(Campaign.objects.select_for_update().filter(program=program).order_by("-is_current", "-opens_at"))
    campaign = next((c for c in campaigns if _is_open(c, now)), None)
    for c in campaigns:
        c.program = program  # the caller's instance, with what it has already loaded
    created = campaign is None
    if created:
        if not campaigns:
            raise ValidationError(f"{program.name}还没有任何届次。请先运行：manage.py load_seed_data")
        campaign = _next_campaign(program, max(campaigns, key=lambda c: c.opens_at), now)
    if created:
        campaign.full_clean()
    if created or not campaign.is_current:
        Campaign.objects.filter(program=program, is_current=True).update(is_current=False)
        campaign.is_current = True
        campaign.save()
    return campaign, created


def earlier_campaign(campaign):
    """The program's campaign one cycle (``cycle_years``) before ``campaign``: the existing one of that year, or a
    new one laid out like ``campaign`` a cycle earlier, never made current. The demo's earlier round, whose
    finished applications hold that round's seats."""
    program = campaign.program
    years = program.profile.cycle_years or 1
    existing = Campaign.objects.filter(program=program, year=campaign.year - years).order_by("-opens_at").first()
    if existing is not None:
        return existing
    dates = {name: getattr(campaign, name) and shift_months(getattr(campaign, name), -12 * years) for name in _DATES}
    name = re.sub(r"\d{4}", lambda m: str(int(m[0]) - years), campaign.name)
    earlier = Campaign(program=program, year=campaign.year - years, name=name, is_current=False,
                       data_years=[year - years for year in campaign.data_years], **dates)
    earlier.full_clean()
    earlier.save()
    return earlier


def open_campaigns_of_active_programs(*, now=None):
    """[(campaign, created)] of ``open_campaign`` for every active program, in the order of their codes."""
    return [open_campaign(program, now=now)
            for program in Program.objects.filter(is_active=True).select_related("profile", "seat_region")]
