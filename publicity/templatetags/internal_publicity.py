"""``{% internal_publicity_status app %}``: on the applicant's form overview, whether the internal
publicity the program requires before submission is recorded and valid (nothing when not required)."""
from django import template

from ..notices.internal import internal_status

register = template.Library()


@register.inclusion_tag("publicity/_internal_status.html", takes_context=True)
def internal_publicity_status(context, app):
    return {"app": app, "status": internal_status(app), "editable": context.get("editable")}
