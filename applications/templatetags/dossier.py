"""``{% dossier_panel app %}``: the dossier card (request, progress, page check, download) for those who may."""
from django import template

register = template.Library()


@register.inclusion_tag("applications/partials/dossier_card.html", takes_context=True)
def dossier_panel(context, app):
    from ..documents.dossier import current_dossier, may_request_dossier, page_limits
    from ..documents.views import status_context

    user = context["request"].user
    if not may_request_dossier(user, app):
        return {"can_request": False}
    doc = current_dossier(application=app, user=user)
    if doc is None:  # the newest one, shown as outdated when ready
        doc = app.documents.filter(kind="dossier").order_by("-requested_at").first()
    return {**status_context(doc=doc, application=app, user=user), "can_request": True,
            "limits": page_limits(app), "csrf_token": context.get("csrf_token")}
