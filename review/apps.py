from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "专家评审"

    def ready(self):
        from .eligibility import services as eligibility

        eligibility.install()  # guards on accept / reject and the eligibility review's after-transition hook
        from .panels import rules  # noqa: F401  registers the panel relationship and the recusal veto
        from .prereview import services as prereview

        prereview.register_guards()  # the recommending authority's conditions on "recommend"
        prereview.register_eligibility_plugins()  # its record shown and checked in the secretariat's eligibility review
        prereview.register_dossier_opinions()  # the signed opinions bound into the printed dossier
        from .awards import services as awards
        from .awards import tasks as award_tasks  # noqa: F401  the beat job of the awards registers itself
        from .committee import tasks as committee_tasks  # noqa: F401  the beat job of the committee registers itself
        from .insights import tasks as insights_tasks  # noqa: F401  the calibration's refresh job registers itself

        awards.install()  # the award record, the revocation window and ban
        from .committee import services as committee

        committee.install()  # a tier's seats never beyond its quota, on every path to a seat
        from .scoring.services import install as install_scoring

        install_scoring()  # stage conclusions and the finalist threshold guard the workflow; report PDF builder
        from .scoring import exports as scoring_exports

        scoring_exports.install()  # the score matrix and comment details run in the background when large
        from .scoring import defense

        defense.install()  # 陈述答辩 before on-site review where the document has it (息县 第十八条)
        from .insights import selectors as insights
        from .scoring.services import register_report_context

        # the review report (page and PDF) compares with the applicant's previous released report
        register_report_context(lambda application: {"previous_report": insights.previous_report(application)})
