"""Per-user cache of the dashboard's sections, invalidated by version keys.

A user's cached dashboard lives under a key built from the user, the roles held and the current
versions of what the sections read:

* one version per program (``dashboard:v:program:<id>``), bumped by every workflow transition
  (``workflow.perform``) and every save or deletion of an application of that program (created,
  edited, withdrawn);
* one version for everything else a section shows (``dashboard:v:other``): panels, pledges, notices,
  objections, votes, awards, campaigns, role assignments, memberships …, bumped by any save or deletion
  of a model of the applications, review and publicity apps or of the accounts' role and membership
  rows (``watch_models``);
* ``dashboard:v:all``, bumped with every program's version, read instead of the program versions by
  users whose sections span every program (applicants, experts, holders of an all-programs role).

A bump happens at once and again after the transaction commits, so a dashboard rebuilt between the two
from data not yet committed is dropped by the second bump. Countdowns and “open now” offers depend on
the clock, so an entry lives at most ``TTL`` seconds.
"""
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

TTL = 60
PREFIX = "dashboard:v:"
ALL = f"{PREFIX}all"
OTHER = f"{PREFIX}other"
# roles whose sections read only the programs their assignments name
PROGRAM_SCOPED_ROLES = {"authority", "secretariat", "supervisor", "committee"}


def _program_key(program_id):
    return f"{PREFIX}program:{program_id}"


def _incr(keys):
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # not there yet (or evicted): any new value differs from what entries were built on
            cache.add(key, 1, timeout=None)


def _bump(keys):
    _incr(keys)
    transaction.on_commit(lambda: _incr(keys))


def bump_program(program_id):
    """What a transition or an application change of ``program_id`` makes stale."""
    _bump([_program_key(program_id), ALL])


def bump_other():
    _bump([OTHER, ALL])


def _version_keys(user, assignments, roles):
    program_ids = {a.program_id for a in assignments}
    if not roles or not set(roles) <= PROGRAM_SCOPED_ROLES or None in program_ids:
        return [ALL, OTHER]
    return [_program_key(pk) for pk in sorted(program_ids)] + [OTHER]


def cached_dashboard(user, assignments, roles, build):
    """``build()`` for ``user``, from the cache while nothing it reads has changed."""
    keys = _version_keys(user, assignments, roles)
    versions = cache.get_many(keys)
    stamp = ".".join(str(versions.get(k, 0)) for k in keys)
    # the day too: countdowns in working days and the calendar warnings turn over at midnight
    key = f"dashboard:user:{user.pk}:{'-'.join(roles)}:{timezone.localdate():%Y%m%d}:{stamp}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=TTL)
    return value


WATCHED_APPS = {"applications", "review", "publicity"}
WATCHED_ACCOUNT_MODELS = {"roleassignment", "organization", "user_organizations", "individualprofile"}


def _changed(sender, instance, **kwargs):
    meta = sender._meta
    if meta.app_label == "applications" and meta.model_name == "application":
        try:
            program_id = instance.campaign.program_id
        except ObjectDoesNotExist:  # deleted with its campaign: invalidate everyone's
            program_id = None
        if program_id is not None:
            bump_program(program_id)
        else:
            bump_other()
        return
    if meta.app_label in WATCHED_APPS or (meta.app_label == "accounts" and meta.model_name in WATCHED_ACCOUNT_MODELS):
        bump_other()


def watch_models():
    """Connect the invalidation to every save and deletion (called once, from the app's ready())."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    post_save.connect(_changed, dispatch_uid="dashboard_cache_save")
    post_delete.connect(_changed, dispatch_uid="dashboard_cache_delete")
    m2m_changed.connect(lambda sender, **kw: _changed(sender, kw.get("instance")), weak=False,
                        dispatch_uid="dashboard_cache_m2m")
