"""``{% objection_requests app %}``: on the application page, the objection requests addressed to the
applicant (never who objected); for the program's secretariat and supervisors, the objections to it
with links to the register; nothing for anyone else."""
from django import template

from ..objections.models import Objection
from ..objections.services import can_read, deadline_info, requests_for_applicant

register = template.Library()


@register.inclusion_tag("publicity/objections/_applicant_requests.html", takes_context=True)
def objection_requests(context, app):
    request = context.get("request")
    user = getattr(request, "user", None)
    staff_rows = []
    if user is not None and can_read(user, app.campaign.program_id):
        staff_rows = [{"o": o, "deadline": deadline_info(o)}
                      for o in Objection.objects.filter(application=app).select_related("notice").order_by("-received_at")]
    return {"app": app, "requests": list(requests_for_applicant(user=user, application=app)) if user else [],
            "staff_rows": staff_rows, "csrf_token": context.get("csrf_token")}
