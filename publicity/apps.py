from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "publicity"
    verbose_name = "公示与异议"

    def ready(self):
        from applications.eligibility import on_acceptance_list_published

        from .services import create_from_acceptance_list

        on_acceptance_list_published(create_from_acceptance_list)  # publishing a 受理名单 opens its notice
