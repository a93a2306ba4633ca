from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qualityaward.accounts"
    label = "accounts"
    verbose_name = "用户、角色与审计"

    def ready(self):
        from qualityaward import checks  # noqa: F401  (registers the deployment checks)
