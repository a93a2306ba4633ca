"""Rate limits count in the cache every web process shares; a per-process cache is refused in production."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import checks
from django.core.cache import caches
from django.test import RequestFactory

from qualityaward.accounts.checks import shared_cache_for_deployment, shared_cache_in_production

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://redis:6379/1"}}


@pytest.mark.parametrize("debug,caches_setting,ids", [
    (False, LOCMEM, ["qualityaward.E001"]),
    (False, {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}, ["qualityaward.E001"]),
    (False, REDIS, []),
    (True, LOCMEM, ["qualityaward.W001"]),  # development: a warning under check --deploy only
    (True, REDIS, []),
])
def test_a_per_process_cache_is_an_error_in_production(settings, debug, caches_setting, ids):
    settings.DEBUG, settings.CACHES = debug, caches_setting
    found = shared_cache_in_production() + shared_cache_for_deployment()
    assert [c.id for c in found] == ids
    assert all(c.level == (checks.WARNING if debug else checks.ERROR) for c in found)
    assert all("CACHE_URL" in c.hint for c in found)


@pytest.fixture
def two_processes(settings):
    """Two connections to the default cache, as two web processes (or hosts) each open their own."""
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        pytest.skip("the shared cache is Redis: this runs in the PostgreSQL + Redis pass (CACHE_URL=rediscache://…)")
    first, second = caches.create_connection("default"), caches.create_connection("default")
    assert first is not second and first._cache is not second._cache
    yield first, second
    first.close()
    second.close()


def test_objection_submissions_are_counted_across_processes(two_processes, settings, monkeypatch):
    from publicity.objections.services import rate_limited

    settings.OBJECTIONS_PER_IP_PER_HOUR = 2
    first, second = two_processes
    monkeypatch.setattr("django.core.cache.cache", first)
    assert not rate_limited("203.0.113.7") and not rate_limited("203.0.113.7")
    monkeypatch.setattr("django.core.cache.cache", second)
    assert rate_limited("203.0.113.7")  # the third, through the other process, is refused
    assert not rate_limited("203.0.113.8")


def test_registrations_are_counted_across_processes(two_processes, monkeypatch):
    from qualityaward.accounts import views

    monkeypatch.setattr(views, "REGISTRATIONS_PER_IP_PER_HOUR", 1)
    request = RequestFactory().post("/accounts/register/individual/", REMOTE_ADDR="203.0.113.9")
    request.user = AnonymousUser()
    first, second = two_processes
    monkeypatch.setattr(views, "cache", first)
    assert views._registration_allowed(request)
    views._count_registration(request)
    monkeypatch.setattr(views, "cache", second)
    assert not views._registration_allowed(request)
