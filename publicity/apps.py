from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "publicity"
    verbose_name = "公示与异议"

    def ready(self):
        from review.eligibility.services import on_acceptance_list_published, register_prereview_panel
        from review.prereview.services import register_working_days

        from . import workdays
        from .notices import internal, notifications, tasks  # noqa: F401  the jobs and e-mails register themselves
        from .notices.services import create_from_acceptance_list, internal_publicity_panels
        from .notices.settlement import register_blocker
        from .objections import tasks as objection_tasks  # noqa: F401  registers the tasks with the worker
        from .objections.services import settlement_blocker

        on_acceptance_list_published(create_from_acceptance_list)  # publishing a 受理名单 opens its notice
        register_prereview_panel(internal_publicity_panels)  # the applicant's own publicity, on the eligibility page
        register_blocker(settlement_blocker)  # an undecided or upheld objection holds its application
        internal.install()  # submit waits for the applicant's internal publicity where the program requires it
        # the bureau's own publicity is counted in working days by this app's calendar
        register_working_days(between=workdays.working_days_between, unknown_year=workdays.UnknownCalendarYear)
