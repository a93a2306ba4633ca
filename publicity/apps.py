from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "publicity"
    verbose_name = "公示与异议"

    def ready(self):
        from . import tasks_objections  # noqa: F401  registers the tasks with the worker (not named tasks.py)
        from .objections import settlement_blocker
        from .settlement import register_blocker

        register_blocker(settlement_blocker)  # an undecided or upheld objection holds its application
