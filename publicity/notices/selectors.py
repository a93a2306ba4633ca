"""Reads of notices: the public board, one public notice with its lines, and what a user manages."""
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse

from applications.models import Campaign, Program
from review.awards import services as awards
from review.eligibility.services import secretariat_campaigns

from .. import workdays
from .models import Notice, NoticeItem
from .services import AUTHORITY_KINDS, window_line

PUBLIC_STATUSES = (Notice.Status.OPEN, Notice.Status.CLOSED, Notice.Status.SETTLED)


def can_edit_calendar(user):
    """Every secretariat member (the calendar is shared by all programs) and superusers enter the working-day
    calendar in the admin."""
    from qualityaward.accounts.models import Role
    from qualityaward.accounts.selectors import has_role

    return bool(user.is_active and user.is_staff and (user.is_superuser or has_role(user, Role.SECRETARIAT)))


def public_notices():
    return Notice.objects.filter(status__in=PUBLIC_STATUSES).select_related("campaign__program", "corrects")


def public_notice_or_none(pk):
    try:
        return (public_notices().select_related("campaign__program__profile", "region").get(pk=int(pk)))
    except (Notice.DoesNotExist, ValueError, TypeError):
        return None


def board(*, program_code=None, limit=30):
    """Per active program: its open notices and its latest past notices (with their line counts)."""
    programs = list(Program.objects.filter(is_active=True).select_related("profile").order_by("code"))
    if program_code:
        programs = [p for p in programs if p.code == program_code]
    notices = (public_notices().filter(campaign__program__in=programs).annotate(n=Count("items"))
               .order_by("-opens_at", "-pk"))
    clock = workdays.DeadlineClock()
    by_program = {p.pk: {"program": p, "open": [], "past": []} for p in programs}
    for notice in notices:
        entry = by_program[notice.campaign.program_id]
        notice.window_text = window_line(notice)
        if notice.status == Notice.Status.OPEN:
            notice.days_left = workdays_left(notice, clock)
            entry["open"].append(notice)
        elif len(entry["past"]) < limit:
            entry["past"].append(notice)
    return [by_program[p.pk] for p in programs]


def workdays_left(notice, clock=None):
    """Working days left in an open notice's window (None when the calendar does not know the year);
    pass one ``workdays.DeadlineClock`` for a list of notices."""
    try:
        return (clock or workdays.DeadlineClock()).days_left(notice.closes_at)
    except workdays.UnknownCalendarYear:
        return None


def items_of(notice):
    """The lines as plain tuples, in one query whatever their number."""
    return list(NoticeItem.objects.filter(notice=notice).order_by("position")
                .values_list("position", "name", "region_name", "industry", "tier"))


def objection_url(notice):
    """The objection form of this notice when the program takes objections, the window is open and the
    objection module is installed; otherwise None (the page then shows no link)."""
    if notice.status != Notice.Status.OPEN or not notice.campaign.program.profile.objections_allowed:
        return None
    try:
        return reverse("publicity:objection_new", args=[notice.pk])
    except NoReverseMatch:
        return None


def managed_notices(user):
    """Notices the user may manage: its programs' (as secretariat) and its areas' (as recommending authority)."""
    from applications.rules import _authority_scopes

    q = Q(pk__in=[])
    campaigns = list(secretariat_campaigns(user).values_list("pk", flat=True))
    if campaigns:
        q |= Q(campaign__in=campaigns) & ~Q(kind__in=AUTHORITY_KINDS)
    for program_id, region_id in _authority_scopes(user):
        if program_id and region_id:
            q |= Q(campaign__program_id=program_id, region_id=region_id, kind__in=AUTHORITY_KINDS)
    return Notice.objects.filter(q).select_related("campaign__program", "region")


def composable(user):
    """(campaign, kind, region or None) a user may start a notice for, in current campaigns."""
    from applications.rules import _authority_scopes
    from qualityaward.accounts.models import Region

    from .services import kinds_for

    result = []
    for campaign in secretariat_campaigns(user).filter(is_current=True):
        result.extend((campaign, kind, None) for kind in kinds_for(campaign))
    scopes = [(p, r) for p, r in _authority_scopes(user) if p and r]
    if scopes:
        campaigns = {c.program_id: c for c in Campaign.objects.filter(
            is_current=True, program_id__in=[p for p, _ in scopes]).select_related("program__profile")}
        regions = Region.objects.in_bulk([r for _, r in scopes])
        for program_id, region_id in scopes:
            campaign = campaigns.get(program_id)
            if campaign is not None:
                result.extend((campaign, kind, regions[region_id]) for kind in kinds_for(campaign, authority=True))
    return result


# --- revocation notices (息县 第三十三、三十四条 向社会公开, 巩义 第二十五条 向社会公示, 金水 第二十三条 予以曝光) ------------
def revocation_program_or_none(code):
    """The program whose document has revocations made public, or None (then its page is a 404)."""
    program = Program.objects.select_related("profile").filter(code=code).first()
    if program is None or not program.profile.grounds("revocation_notice_grounds"):
        return None
    return program


def revocation_notices(program):
    """The program's public revocation notices, newest first: (award, notice) from public facts only."""
    return [(a, awards.revocation_notice(a)) for a in awards.published_revocations(program)]


def revocation_notice_or_none(program, pk):
    return next(((a, n) for a, n in revocation_notices(program) if a.pk == pk), None)
