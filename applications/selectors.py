"""Reads of applications: every list and every detail page goes through ``applications_for_user``,
so that what a user can list and what a user can open never disagree (see ``applications.rules``).
"""
from functools import reduce
from operator import or_

from django.http import Http404
from django.utils import timezone

from . import rules as access
from .models import Application, Campaign


def visible_q(user):
    """The Q of all applications ``user`` may see, after vetoes."""
    if not user or not user.is_authenticated or not user.is_active:
        return access.NOTHING
    plain = [r.q(user) for r in access.relationships() if not r.vetoable]
    vetoable = [r.q(user) for r in access.relationships() if r.vetoable]
    q = reduce(or_, plain, access.NOTHING)
    if vetoable:
        q |= reduce(or_, vetoable) & ~access.vetoed_q(user)
    return q


def applications_for_user(*, user):
    return Application.objects.filter(visible_q(user))


#: What a campaign-wide page or export shows instead of an application's name (and figures) to someone who
#: stepped aside from it (息县 第十条, 巩义 第十八条).
RECUSED_LABEL = "（已回避）"


def recused_applications(*, user):
    """The applications ``user`` stepped aside from (a veto holds), for lists that span campaigns to leave out."""
    if not user or not user.is_authenticated:
        return Application.objects.none()
    return Application.objects.filter(access.vetoed_q(user))


def recused_application_ids(*, user, campaign):
    """Ids of ``campaign``'s applications ``user`` stepped aside from (息县 第十条, 巩义 第十八条: 回避).

    Campaign-wide pages and exports (the ranking, panel draws, the committee's vote, score exports) keep such
    an application's place where numbering matters, showing ``RECUSED_LABEL`` instead of its name and
    figures, and leave its row out elsewhere."""
    if not user or not user.is_authenticated or campaign is None:
        return set()
    campaign_id = getattr(campaign, "pk", campaign)
    return set(recused_applications(user=user).filter(campaign_id=campaign_id).values_list("pk", flat=True))


def application_for_user_or_404(*, user, pk):
    """One application the user may see; anything else (missing or not theirs) is a plain 404.

    A single object is checked with the predicate (the parity test keeps it equal to the queryset):
    one query for the row, and the applicant's own access is decided without another.
    """
    try:
        app = Application.objects.select_related("campaign__program__profile", "region", "organization").get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该申报，或您无权查看。")
    if not access.can_view(user, app):
        raise Http404("没有找到该申报，或您无权查看。")
    return app


def open_campaigns(*, now=None):
    now = now or timezone.now()
    return (
        Campaign.objects.filter(is_current=True, program__is_active=True, opens_at__lte=now,
                                application_deadline__gte=now)
        .select_related("program__profile")
        .order_by("application_deadline")
    )


def current_campaigns():
    return Campaign.objects.filter(is_current=True).select_related("program__profile").order_by("program__code")





def territory_ids(region):
    """The region and every region above it (a program is open to its seat region and what lies inside)."""
    from qualityaward.accounts.models import Region

    parents = dict(Region.objects.values_list("pk", "parent_id"))
    ids, current = [], region.pk if region else None
    while current is not None and current not in ids:
        ids.append(current)
        current = parents.get(current)
    return ids


def within_territory(*, program, region):
    """Whether ``region`` lies inside the program's seat region (a county award is for that county's
    organizations and people; the province's award for the whole province)."""
    return region is not None and program.seat_region_id in territory_ids(region)


def territory_regions(program):
    """The regions an application to ``program`` may give as its location (the seat and all inside it)."""
    from qualityaward.accounts.models import Region

    children, seen, todo = {}, [], [program.seat_region_id]
    for pk, parent in Region.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    while todo:
        pk = todo.pop()
        seen.append(pk)
        todo.extend(children.get(pk, []))
    return Region.objects.filter(pk__in=seen)


def applicant_subject(*, user, program):
    """Who ``user`` would apply as to ``program``: (organization or None, person profile or None), choosing
    among the user's organizations one inside the program's territory when there is one."""
    from qualityaward.accounts.models import IndividualProfile

    organizations = list(user.organizations.select_related("region"))
    inside = [o for o in organizations if within_territory(program=program, region=o.region)]
    organization = (inside or organizations or [None])[0]
    person = IndividualProfile.objects.filter(user=user).select_related("region").first()
    return organization, person


def campaign_offers(*, user, campaigns=None):
    """Each open campaign with the reason the user cannot apply to it ("" when it can): the dashboard
    offers the first kind and explains the second instead of letting an applicant run into a refusal."""
    offers = []
    for campaign in (open_campaigns() if campaigns is None else campaigns).select_related("program__seat_region"):
        profile, program = campaign.program.profile, campaign.program
        organization, person = applicant_subject(user=user, program=program)
        if organization is not None and profile.allows_organizations:
            subject, region = "贵单位", organization.region
        elif person is not None and profile.allows_individuals:
            subject, region = "您", person.region
        elif organization is not None:
            offers.append((campaign, "本奖项只受理个人申报。"))
            continue
        else:
            offers.append((campaign, "本奖项只受理组织申报；请以所在单位的账号申报。"))
            continue
        if not within_territory(program=program, region=region):
            offers.append((campaign, f"本奖项只受理{program.seat_region.name}辖区内的申报，"
                                     f"{subject}所在地区为{region.name if region else '未填写'}。"))
            continue
        offers.append((campaign, ""))
    return offers
