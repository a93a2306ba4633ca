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
        vetoed = reduce(or_, (v.q(user) for v in access.vetoes()), access.NOTHING)
        q |= reduce(or_, vetoable) & ~vetoed
    return q


def applications_for_user(*, user):
    return Application.objects.filter(visible_q(user))


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



