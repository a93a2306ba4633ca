"""Reads of the accounts app: which roles a user holds, cached on the user object per request."""
from .models import Role, RoleAssignment


def role_assignments(user):
    """All of the user's role rows (fetched once per user object)."""
    if not user or not user.is_authenticated:
        return ()
    cached = getattr(user, "_role_assignments_cache", None)
    if cached is None:
        cached = tuple(RoleAssignment.objects.filter(user=user).select_related("program", "region", "recommending_unit"))
        user._role_assignments_cache = cached
    return cached


def has_role(user, role, *, program_id=None):
    if role == Role.ADMIN and getattr(user, "is_superuser", False):
        return True
    return any(
        a.role == role and (program_id is None or a.program_id in (None, program_id)) for a in role_assignments(user)
    )


def roles_of(user):
    """The distinct roles a user holds, in the order of Role's choices."""
    held = {a.role for a in role_assignments(user)}
    if getattr(user, "is_superuser", False):
        held.add(Role.ADMIN)
    return [r for r in Role if r in held]


def scoped(user, role):
    """(program_id, region_id) pairs of one role the user holds (a grant for an other recommending unit has no
    region: see ``unit_scopes``)."""
    return [(a.program_id, a.region_id) for a in role_assignments(user) if a.role == role
            and not a.recommending_unit_id]


def unit_scopes(user, role):
    """(program_id, recommending unit id) pairs of one role the user holds for a program's other unit (附件3)."""
    return [(a.program_id, a.recommending_unit_id) for a in role_assignments(user) if a.role == role
            and a.recommending_unit_id]
