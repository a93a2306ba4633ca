"""System checks of the portal's own deployment rules."""
from django.conf import settings
from django.core import checks

#: cache backends that keep their data inside one process: counters in them are not shared between
#: gunicorn processes or hosts, so each process would allow the full rate on its own
PER_PROCESS_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


def _per_process_cache(level, check_id):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [level(
        f"CACHES['default'] 使用的是进程内缓存（{backend.rsplit('.', 1)[-1]}）：注册和异议的频率限制"
        "（OBJECTIONS_PER_IP_PER_HOUR）以及确认邮件的发送间隔将按每个进程分别计数，多进程部署时形同虚设。",
        hint="请把 CACHE_URL 设为各 Web 进程共用的 Redis，例如 rediscache://redis:6379/1。", id=check_id)]


@checks.register(checks.Tags.caches)
def shared_cache_in_production(app_configs=None, **kwargs):
    return [] if settings.DEBUG else _per_process_cache(checks.Error, "qualityaward.E001")


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache_for_deployment(app_configs=None, **kwargs):
    return _per_process_cache(checks.Warning, "qualityaward.W001") if settings.DEBUG else []
