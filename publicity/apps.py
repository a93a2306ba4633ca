from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "publicity"
    verbose_name = "公示与异议"

    def ready(self):
        from review.eligibility.services import on_acceptance_list_published, register_prereview_panel
        from review.prereview.services import register_working_days

        from . import internal, tasks_objections  # noqa: F401  registers the tasks with the worker (not named tasks.py)
        from .objections import settlement_blocker
        from .services import create_from_acceptance_list, internal_publicity_panels
        from .settlement import register_blocker

        on_acceptance_list_published(create_from_acceptance_list)  # publishing a 受理名单 opens its notice
        register_prereview_panel(internal_publicity_panels)  # the applicant's own publicity, on the eligibility page
        register_blocker(settlement_blocker)  # an undecided or upheld objection holds its application
        internal.install()  # submit waits for the applicant's internal publicity where the program requires it
        from . import workdays

        # the bureau's own publicity is counted in working days by this app's calendar
        register_working_days(between=workdays.working_days_between, unknown_year=workdays.UnknownCalendarYear)
