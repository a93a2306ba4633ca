"""Per-user cache of the dashboard's sections, invalidated by version keys.

A user's cached dashboard lives under a key built from the user, the roles held and the current
versions of what the sections read:

* one version per program (``dashboard:v:program:<id>``), bumped by every workflow transition
  (``workflow.perform``) and every save or deletion of an application of that program (created,
  edited, withdrawn);
* one version for everything else a section shows (``dashboard:v:other``): panels, pledges, notices,
  objections, votes, awards, campaigns, role assignments, memberships …, bumped by any save or deletion
  of a model of the applications, review and publicity apps, of the accounts' role and membership
  rows (``watch_models``); an audit event on an application (its history) counts as a change of the
  application;
* ``dashboard:v:all``, bumped with every program's version, read instead of the program versions by
  users whose sections span every program (applicants, experts, holders of an all-programs role).

A bump happens at once and again after the transaction commits, so a dashboard rebuilt between the two
from data not yet committed is dropped by the second bump. Countdowns and “open now” offers depend on
the clock, so an entry lives at most ``TTL`` seconds.

The busiest pages' content (the application list, an application's page, the work lists) is cached the same
way (``cached_fragment``), per user and per query string, on ``dashboard:v:all`` and ``dashboard:v:other``
(a page may show any program's applications): the page around it (navigation, messages) is rendered for every
request, and the forms' CSRF tokens are filled in per request.
"""
import hashlib

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
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


def changed_in_bulk():
    """What a queryset ``update()`` of a watched model makes stale: no signal tells of it, so the services that
    write that way (a document's status, a notice's opening and closing, a sheet's submission) call this."""
    bump_other()


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


#: Rendered into cached fragments in place of the CSRF token, which ``cached_fragment`` fills in per request
#: (the token is the session's, the fragment the user's).
CSRF_PLACEHOLDER = "csrf-token-filled-per-request"


def cached_fragment(request, *, name, template, build, parts=(), keep=()):
    """``template`` rendered with ``build()``'s context for ``request.user``, from the cache while nothing it
    reads has changed (any application, or any other watched model: ``ALL`` and ``OTHER``); ``parts`` tell
    apart the variants of the page (the object, the query string). Returns ``{"body": html}`` with the context
    values named in ``keep`` (what the page around it shows, its title). ``build`` may raise (a 404 for a
    stranger): nothing is cached then, so what was built for a user was that user's to see, and stays so
    while the versions hold (access follows the same watched data)."""
    user = request.user
    keys = [ALL, OTHER]
    versions = cache.get_many(keys)
    stamp = ".".join(str(versions.get(k, 0)) for k in keys)
    variant = hashlib.sha1(repr(list(parts)).encode()).hexdigest()[:16]
    key = f"fragment:{name}:{user.pk}:{variant}:{timezone.localdate():%Y%m%d}:{stamp}"
    value = cache.get(key)
    if value is None:
        context = build()
        html = render_to_string(template, {**context, "csrf_token": CSRF_PLACEHOLDER}, request=request)
        value = {"body": html, **{k: context[k] for k in keep}}
        cache.set(key, value, timeout=TTL)
    return {**value, "body": mark_safe(value["body"].replace(CSRF_PLACEHOLDER, get_token(request)))}


def query_parts(request):
    """The query string as a cache variant (the order of the parameters does not matter)."""
    return sorted((k, tuple(v)) for k, v in request.GET.lists())


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
    if meta.app_label == "accounts" and meta.model_name == "auditevent":
        # an application's 办理记录 (history), on the cached application pages: as a change of the application
        from django.contrib.contenttypes.models import ContentType

        target = instance.content_type_id and ContentType.objects.get_for_id(instance.content_type_id)
        if target and (target.app_label, target.model) == ("applications", "application"):
            from .models import Application

            program_id = (Application.objects.filter(pk=instance.object_id)
                          .values_list("campaign__program_id", flat=True).first())
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
