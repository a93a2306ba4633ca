from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "奖项与申报"

    def ready(self):
        from .documents import dossier, exports, prints, tasks  # noqa: F401  tasks: the document jobs register themselves

        from . import dashboard_cache

        dashboard_cache.watch_models()  # the dashboard's cached sections follow every change
        dossier.install()  # the dossier's PDF builder
        prints.install()  # the certificate builder, and a certificate ordered when an application is awarded
        exports.install()  # the application list runs in the background when large
