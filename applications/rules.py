"""Who may see and act on an application, derived from relationships.

Each relationship is written twice, side by side: as a ``rules`` predicate for one object and
as a ``Q`` for querysets (used by ``applications.selectors``). A parity test checks that the
two agree over a matrix of users and applications.

Relationships other apps own (an expert's panel seat, a recusal) are registered by those apps
in their ``AppConfig.ready`` so that imports keep running one way (applications ← review).
A *veto* (recusal, 回避) removes access that a panel seat, an explicit guardian grant, or a staff role on the
application (the program's secretariat, the recommending authority) would give; it never removes the applicant's
own access, nor a supervisor's or a committee member's (the committee's recusal is its ballot's: see
``review.committee``). Staff who recused themselves neither see the application nor act on it
(``is_program_secretariat``, ``is_region_authority`` and ``workflow.perform`` ask ``is_recused``).
"""
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Callable

import rules
from django.db.models import Exists, OuterRef, Q

from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role, role_assignments

from .models import State
from . import recommenders
from .recommenders import authority_area, authority_scopes  # noqa: F401 (authority_area: read through this module)

NOTHING = Q(pk__in=[])

#: Applications are private to their applicant until submitted.
PRIVATE_STATES = {State.DRAFT}
#: What committee members see: candidates before them and their outcome.
COMMITTEE_STATES = {State.COMMITTEE, State.PROPOSED, State.CANDIDATE_CONFIRMATION, State.GOVERNMENT_DECISION,
                    State.AWARDED, State.NOT_AWARDED, State.REVOKED}
EDITABLE_STATES = {State.DRAFT, State.RETURNED}


@dataclass(frozen=True)
class Relationship:
    name: str
    label: str
    holds: Callable  # (user, application) -> bool
    q: Callable  # (user) -> Q over Application
    vetoable: bool = False


_relationships: dict[str, Relationship] = {}
_vetoes: dict[str, Relationship] = {}


def register(relationship):
    _relationships[relationship.name] = relationship


def register_veto(relationship):
    _vetoes[relationship.name] = relationship


def relationships():
    return list(_relationships.values())


def vetoes():
    return list(_vetoes.values())


# --- base relationships --------------------------------------------------------------------
def _member_org_ids(user):
    cached = getattr(user, "_member_org_ids_cache", None)
    if cached is None:
        cached = frozenset(user.organizations.values_list("pk", flat=True))
        user._member_org_ids_cache = cached
    return cached


def _owner_holds(user, app):
    return app.owner_id == user.pk or (app.organization_id is not None and app.organization_id in _member_org_ids(user))


def _owner_q(user):
    return Q(owner=user) | Q(organization__in=list(_member_org_ids(user)))


_authority_scopes = authority_scopes


def _authority_holds(user, app):
    """Only where the program's document has a recommender step (``has_recommender_step``): an applicant that
    submits to the secretariat (息县 第十五、十七条) has no 推荐单位 looking at it. An application that names an other
    unit as its route (全国质量标杆 通知三、附件3) is that unit's, whatever its region; else, where the program lists
    its local recommending units, only the listed unit covering the application (``recommenders``)."""
    if app.state in PRIVATE_STATES or not app.campaign.program.profile.has_recommender_step:
        return False
    program_id = app.campaign.program_id
    scopes = [r for p, r in _authority_scopes(user) if p == program_id]
    units = [u for p, u in recommenders.other_unit_scopes(user) if p == program_id]
    if not scopes and not units:
        return False
    unit = recommenders.other_unit_of(app)
    if unit is not None:
        return unit.pk in units
    return _local_department_holds(scopes, app)


def _local_department_holds(scopes, app):
    """Whether one of the region ``scopes`` covers ``app`` as its local department."""
    listed = recommenders.listed_region_ids(app.campaign.program_id)
    if listed:
        return recommenders.recommender_region_id(app, listed) in scopes
    regions = set(authority_area(app.region))
    return any(r in regions for r in scopes)


def _campaigns_of(program_ids, **profile):
    from .models import Campaign

    extra = {f"program__profile__{k}": v for k, v in profile.items()}
    return Campaign.objects.filter(program_id__in=program_ids, **extra).values("pk")


def _local_department_q(user):
    """(program id, Q over the applications its regions cover) for each region scope of ``user``."""
    # Subqueries instead of joins, so the (region, state) and (campaign, state) indexes serve the lists.
    for program_id, region_id in _authority_scopes(user):
        listed = recommenders.listed_region_ids(program_id)
        if listed and region_id not in listed:
            continue
        regions = recommenders.area_regions(region_id, listed)
        yield program_id, Q(campaign_id__in=_campaigns_of([program_id], has_recommender_step=True)) & Q(
            region_id__in=regions)


def _authority_q(user):
    q = NOTHING
    for program_id, covered in _local_department_q(user):
        q |= covered & ~recommenders.routed_through_q(recommenders.other_unit_ids(program_id))
    for program_id, unit_id in recommenders.other_unit_scopes(user):
        q |= Q(campaign_id__in=_campaigns_of([program_id], has_recommender_step=True)) & recommenders.routed_through_q(
            [unit_id])
    return q & ~Q(state__in=PRIVATE_STATES)


def _filing_holds(user, app):
    """通知三 通过其他推荐单位申报的应向当地工信部门报备: the local department that would otherwise recommend the
    application reads it (the filing it receives), without acting on it."""
    if app.state in PRIVATE_STATES or not app.campaign.program.profile.has_recommender_step:
        return False
    scopes = [r for p, r in _authority_scopes(user) if p == app.campaign.program_id]
    return bool(scopes) and recommenders.other_unit_of(app) is not None and _local_department_holds(scopes, app)


def _filing_q(user):
    q = NOTHING
    for program_id, covered in _local_department_q(user):
        q |= covered & recommenders.routed_through_q(recommenders.other_unit_ids(program_id))
    return q & ~Q(state__in=PRIVATE_STATES)


def _program_role_holds(role, states=None, exclude_private=True):
    def holds(user, app):
        if exclude_private and app.state in PRIVATE_STATES:
            return False
        if states is not None and app.state not in states:
            return False
        return has_role(user, role, program_id=app.campaign.program_id)

    return holds


def _program_role_q(role, states=None, exclude_private=True):
    def q(user):
        scopes = [a.program_id for a in role_assignments(user) if a.role == role]
        if not scopes:
            return NOTHING
        result = Q() if None in scopes else Q(campaign_id__in=_campaigns_of(scopes))
        if exclude_private:
            result &= ~Q(state__in=PRIVATE_STATES)
        if states is not None:
            result &= Q(state__in=states)
        return result

    return q


def _grant_holds(user, app):
    from .models import ApplicationReadGrant

    return ApplicationReadGrant.objects.filter(user=user, permission__codename="read_application", content_object=app).exists()


def _grant_q(user):
    from .models import ApplicationReadGrant

    return Q(Exists(ApplicationReadGrant.objects.filter(
        user=user, permission__codename="read_application", content_object=OuterRef("pk")
    )))


register(Relationship("owner", "申报人本人或本组织成员", _owner_holds, _owner_q))
register(Relationship("authority", "本区域本奖项的推荐单位，或申报人选择的其他推荐单位", _authority_holds, _authority_q,
                      vetoable=True))
register(Relationship("filing", "报备对象（通过其他推荐单位申报时的当地推荐单位）", _filing_holds, _filing_q, vetoable=True))
register(Relationship("secretariat", "本奖项秘书处", _program_role_holds(Role.SECRETARIAT),
                      _program_role_q(Role.SECRETARIAT), vetoable=True))
register(Relationship("supervisor", "监督组", _program_role_holds(Role.SUPERVISOR), _program_role_q(Role.SUPERVISOR)))
register(Relationship("committee", "评委会委员（审定阶段）", _program_role_holds(Role.COMMITTEE, COMMITTEE_STATES),
                      _program_role_q(Role.COMMITTEE, COMMITTEE_STATES)))
register(Relationship("grant", "单项查阅授权", _grant_holds, _grant_q, vetoable=True))


# --- the composed predicates ------------------------------------------------------------------
#: What a recused person is told when it tries to act on the application (息县 第十条, 巩义 第十八条).
RECUSED = "您已对该申报声明回避，不能办理该申报的事项。请由本奖项其他工作人员办理。"


def is_recused(user, app):
    """Whether a veto (a recusal) holds for ``user`` on ``app``."""
    return bool(user and user.is_authenticated) and any(v.holds(user, app) for v in vetoes())


def vetoed_q(user):
    """The applications a veto holds for ``user`` on (the ``Q`` twin of ``is_recused``)."""
    return reduce(or_, (v.q(user) for v in vetoes()), NOTHING)


def relationship_q(name, user):
    """One relationship's ``Q`` for ``user`` after the vetoes that apply to it (a dashboard section that lists
    what one relationship gives filters by this, so a recused member of the secretariat does not see the
    application there either)."""
    relationship = _relationships[name]
    q = relationship.q(user)
    return q & ~vetoed_q(user) if relationship.vetoable else q


def relationships_held(user, app):
    """Names of the relationships that give ``user`` access to ``app`` (after vetoes)."""
    if not user or not user.is_authenticated or not user.is_active:
        return []
    held = [r for r in relationships() if r.holds(user, app)]
    if any(r.vetoable for r in held) and any(v.holds(user, app) for v in vetoes()):
        held = [r for r in held if not r.vetoable]
    return [r.name for r in held]


@rules.predicate
def can_view(user, app):
    """Like ``relationships_held`` but stops at the first relationship that holds (cheapest first)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if any(r.holds(user, app) for r in relationships() if not r.vetoable):
        return True
    return any(r.holds(user, app) for r in relationships() if r.vetoable) and not any(
        v.holds(user, app) for v in vetoes())


@rules.predicate
def is_owner(user, app):
    return user.is_authenticated and _owner_holds(user, app)


@rules.predicate
def is_region_authority(user, app):
    """The recommending authority of the application's region, unless this person recused itself from it."""
    return user.is_authenticated and _authority_holds(user, app) and not is_recused(user, app)


def receives_filing(user, app):
    """The local department an application through an other unit files with (通知三), unless it recused itself."""
    return bool(user and user.is_authenticated) and _filing_holds(user, app) and not is_recused(user, app)


@rules.predicate
def is_program_secretariat(user, app):
    """A member of the program's secretariat acting on this application, unless it recused itself from it."""
    return (user.is_authenticated and has_role(user, Role.SECRETARIAT, program_id=app.campaign.program_id)
            and not is_recused(user, app))


@rules.predicate
def is_program_committee(user, app):
    return user.is_authenticated and has_role(user, Role.COMMITTEE, program_id=app.campaign.program_id)


@rules.predicate
def is_editable(user, app):
    return app.state in EDITABLE_STATES


rules.add_perm("applications.view_application_obj", can_view)
rules.add_perm("applications.edit_application_obj", is_owner & is_editable)
rules.add_perm("applications.manage_grants_obj", is_region_authority | is_program_secretariat)
