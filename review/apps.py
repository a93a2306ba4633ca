from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "专家评审"

    def ready(self):
        from . import rules  # noqa: F401  registers the panel relationship and the recusal veto
        from .prereview import register_eligibility_plugins, register_guards

        register_guards()  # the recommending authority's conditions on "recommend"
        register_eligibility_plugins()  # its record shown and checked in the secretariat's eligibility review
        from . import awards, committee_tasks  # noqa: F401  the beat jobs of the committee and the awards

        awards.install()  # the award record, the revocation window and ban
        from .scoring import install as install_scoring

        install_scoring()  # stage conclusions and the finalist threshold guard the workflow; report PDF builder
