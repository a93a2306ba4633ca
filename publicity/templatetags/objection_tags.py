"""``{% objection_requests app %}``: on the application page, the objection requests addressed to the
applicant (never who objected); nothing for anyone else."""
from django import template

from publicity.objections import requests_for_applicant

register = template.Library()


@register.inclusion_tag("publicity/objections/_applicant_requests.html", takes_context=True)
def objection_requests(context, app):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"app": app, "requests": list(requests_for_applicant(user=user, application=app)) if user else [],
            "csrf_token": context.get("csrf_token")}
