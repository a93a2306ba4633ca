"""Who recommends an application, and what counts against a recommender's quota.

Where a program's profile lists its local recommending units (``RecommendingUnit``, kind ``local``; 全国质量标杆
通知抬头: 各省辖市、济源示范区、省直管县（市）工业和信息化主管部门，郑州航空港经济综合实验区经济发展局), an application
belongs to the nearest listed region above it, so a 省直管县（市） (巩义市) recommends on its own and is neither in the
city's area nor in its quota. An applicant may instead go through an other unit (附件3): the application's
``route`` section names it; that unit's own accounts (a 推荐单位 role granted for the unit, ``unit_scopes``)
pre-review and recommend it (通知三: 对申报材料进行初审后，签署推荐意见并加盖单位公章), each unit with its own 原则上 1;
the local department neither acts on it nor counts it, and sees it only as the filing it receives (报备). A program
without listed units keeps the region hierarchy (a town's authority, the county above it, the city bureau above that).
"""
from django.db.models import Q

from qualityaward.accounts.models import Region, Role
from qualityaward.accounts.selectors import role_assignments, scoped, unit_scopes

from .forms.spec import OTHER_UNIT_PREFIX, ROUTE_FIELD, ROUTE_SECTION, filing_targets, route_choices  # noqa: F401
from .models import Application, ApplicationSection, RecommendingUnit


def listed_region_ids(program_id):
    """Regions of the program's listed local recommending units (empty: the region hierarchy applies)."""
    return frozenset(RecommendingUnit.objects.filter(profile__program_id=program_id, kind=RecommendingUnit.Kind.LOCAL)
                     .values_list("region_id", flat=True))


def stated_route(application):
    """The route the applicant stated ('' when the form has no route question or it is unanswered)."""
    row = ApplicationSection.objects.filter(application=application, code=ROUTE_SECTION).first()
    return str(((row.data if row else None) or {}).get(ROUTE_FIELD) or "")


def other_unit_of(application):
    """The 附件3 unit the applicant applies through, or None (the route must be exactly one of the program's choices,
    as ``routed_through_q`` matches it)."""
    route = stated_route(application)
    pk = route[len(OTHER_UNIT_PREFIX):]
    if not route.startswith(OTHER_UNIT_PREFIX) or not pk.isdigit() or str(int(pk)) != pk:
        return None
    return RecommendingUnit.objects.filter(
        pk=int(pk), kind=RecommendingUnit.Kind.OTHER, profile__program_id=application.campaign.program_id).first()


def other_unit_ids(program_id):
    """Ids of the program's other units (附件3)."""
    return list(RecommendingUnit.objects.filter(profile__program_id=program_id, kind=RecommendingUnit.Kind.OTHER)
                .values_list("pk", flat=True))


def routed_through_q(unit_ids, prefix=""):
    """Applications whose stated route is one of ``unit_ids`` (the ``Q`` twin of ``other_unit_of``)."""
    values = [f"{OTHER_UNIT_PREFIX}{pk}" for pk in unit_ids]
    if not values:
        return Q(**{f"{prefix}pk__in": []})
    ids = ApplicationSection.objects.filter(code=ROUTE_SECTION, **{f"data__{ROUTE_FIELD}__in": values})
    return Q(**{f"{prefix}pk__in": ids.values("application_id")})


def through_other_unit_q(prefix=""):
    """Applications whose stated route is an other unit (as a Q over ``prefix`` + Application)."""
    ids = ApplicationSection.objects.filter(code=ROUTE_SECTION, **{f"data__{ROUTE_FIELD}__startswith": OTHER_UNIT_PREFIX})
    return Q(**{f"{prefix}pk__in": ids.values("application_id")})


def authority_area(region):
    """The regions whose authority covers an application from ``region``: the region, its parent and its
    grandparent (a town's own authority, the county above it, the city bureau above that)."""
    ids = [region.pk]
    parent = region.parent
    while parent is not None and len(ids) < 3:
        ids.append(parent.pk)
        parent = parent.parent
    return ids


def authority_scopes(user):
    """(program id, region id) of each 推荐单位 role ``user`` holds for a region (a local department)."""
    return scoped(user, Role.AUTHORITY)


def other_unit_scopes(user):
    """(program id, unit id) of each 推荐单位 role ``user`` holds for an other unit (附件3)."""
    return unit_scopes(user, Role.AUTHORITY)


def recommender_region_id(application, listed=None):
    """The region of the listed unit that recommends ``application`` (None where the program lists none, or no
    listed region covers it)."""
    listed = listed_region_ids(application.campaign.program_id) if listed is None else listed
    if not listed:
        return None
    return next((r for r in authority_area(application.region) if r in listed), None)


def area_regions(region_id, listed=frozenset()):
    """The regions a recommender in ``region_id`` covers: the region and the regions under it (two levels),
    leaving out listed regions below it and their own regions (they recommend on their own). As a subquery."""
    others = [r for r in listed if r != region_id]
    return Region.objects.filter(
        Q(pk=region_id)
        | (Q(parent_id=region_id) & ~Q(pk__in=others))
        | (Q(parent__parent_id=region_id) & ~Q(parent_id__in=others) & ~Q(pk__in=others))).values("pk")


def quota_area(application, user=None):
    """(region id, listed) of the recommender whose quota ``application`` uses: the listed unit's region, or — in
    the region hierarchy — the region of ``user``'s authority covering it (else the region's parent)."""
    listed = listed_region_ids(application.campaign.program_id)
    if listed:
        return recommender_region_id(application, listed), listed
    covering = authority_area(application.region)
    scopes = [region_id for program_id, region_id in authority_scopes(user)
              if program_id == application.campaign.program_id] if user else []
    return next((r for r in covering if r in scopes), covering[1] if len(covering) > 1 else covering[0]), listed


def recommended_count(application, user=None, states=None):
    """How many other applications of the campaign the same recommender has recommended (``states``: the states
    that count; the workflow passes its RECOMMENDED_OR_LATER). An application through an other unit (附件3)
    counts against that unit (通知三 原则上最多只推荐1个, per recommender), never against the local recommender."""
    qs = Application.objects.filter(campaign_id=application.campaign_id, state__in=states).exclude(pk=application.pk)
    unit = other_unit_of(application)
    if unit is not None:
        return qs.filter(routed_through_q([unit.pk])).count()
    region_id, listed = quota_area(application, user)
    if region_id is None:
        return 0
    return (qs.filter(region_id__in=area_regions(region_id, listed))
            .exclude(routed_through_q(other_unit_ids(application.campaign.program_id))).count())


def filings(application):
    """(other unit or None, [(target, unit named, date, document)], [targets without a recorded date])."""
    unit = other_unit_of(application)
    if unit is None:
        return None, [], []
    row = ApplicationSection.objects.filter(application=application, code=ROUTE_SECTION).first()
    data = (row.data if row else None) or {}
    recorded, missing = [], []
    for i, target in enumerate(filing_targets(application.campaign.program.profile), start=1):
        on = str(data.get(f"filed_on_{i}") or "").strip()
        if on:
            recorded.append((target, str(data.get(f"filed_to_{i}") or "").strip(), on,
                             str(data.get(f"filed_doc_{i}") or "").strip()))
        else:
            missing.append(target)
    return unit, recorded, missing


def filing_summary(application):
    """(ok, message) of the filing for the pages; None where the applicant goes through its local recommender."""
    unit, recorded, missing = filings(application)
    if unit is None:
        return None
    done = "；".join(f"{on} 向{named or target}报备" + (f"（{doc}）" if doc else "") for target, named, on, doc in recorded)
    if missing:
        return False, (f"通过其他推荐单位（{unit.name}）申报，尚未登记向{'、'.join(missing)}报备"
                       + (f"；已登记：{done}" if done else "") + "。文件规定应报备（通知三）。")
    return True, f"通过其他推荐单位（{unit.name}）申报：{done}。"


def filing_only_message(application, action="办理初审和推荐"):
    """What the local department is told about an application that goes through an other unit (通知三、附件3)."""
    unit = other_unit_of(application)
    return (f"该申报通过其他推荐单位（{unit.name if unit else '附件所列单位'}）申报，由该单位初审并签署推荐意见；"
            f"当地推荐单位只接收报备，不能{action}。如有疑问请联系该单位或秘书处。")


def authority_unit_name(user, program, region, listed=None):
    """The name of the unit ``user`` acts for as the recommending authority of ``region`` in ``program``: the unit
    recorded on the role (所在单位, e.g. 郑州市市场监督管理局), else the program's listed unit for that region (全国质量标杆
    通知抬头), else the region's name with the profile's generic label."""
    for a in role_assignments(user):
        if (a.role == Role.AUTHORITY and a.program_id == program.pk and a.region_id == region.pk
                and not a.recommending_unit_id and a.unit_name):
            return a.unit_name
    unit = None
    if listed is None or region.pk in listed:  # ``listed``: the program's listed regions, when the caller has them
        unit = RecommendingUnit.objects.filter(profile__program_id=program.pk, kind=RecommendingUnit.Kind.LOCAL,
                                               region_id=region.pk).values_list("name", flat=True).first()
    return unit or f"{region.name}{program.profile.recommender_label}"


def signing_unit_name(application, signer):
    """The unit whose seal a signed initial opinion of ``application`` carries (printed before （盖章）), or None when
    it cannot be told (the pages then keep the profile's generic label). 全国质量标杆 通知三: an application routed
    through an other unit (附件3) is signed by that unit (对申报材料进行初审后，签署推荐意见并加盖单位公章); else by the listed
    local unit covering its region; in the region hierarchy (000 省辖市（区）市场监督管理局, 巩义 所在镇（街道）) by the
    authority of the signer's region covering the application, nearest first."""
    if signer is None:
        return None
    program = application.campaign.program
    unit = other_unit_of(application)
    if unit is not None:
        return unit.name
    listed = listed_region_ids(program.pk)
    held = listed or {region_id for program_id, region_id in authority_scopes(signer) if program_id == program.pk}
    region, steps = application.region, 0  # the applicant's region and the two above it, nearest first
    while region is not None and steps < 3:
        if region.pk in held:
            return authority_unit_name(signer, program, region, listed)
        region, steps = region.parent, steps + 1
    return None
