import axes.apps
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qualityaward.accounts"
    label = "accounts"
    verbose_name = "用户、角色与审计"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)


class AxesConfig(axes.apps.AppConfig):
    """django-axes (failed logins and lock-outs) under a Chinese name in the admin; its labels are
    translated in qualityaward/locale (the package ships no Chinese catalogue)."""

    default = False
    verbose_name = "登录保护（失败登录与锁定）"
