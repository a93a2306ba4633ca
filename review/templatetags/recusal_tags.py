"""The recusals (回避) on the application page: who stepped aside, the button to declare one's own, and the
warning when the whole secretariat of the program has stepped aside."""
from django import template

from applications.rules import relationships_held
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role

from ..panels import services as panels
from ..panels.models import Recusal

register = template.Library()


@register.inclusion_tag("review/_recusals.html")
def recusal_panel(app, user):
    if set(relationships_held(user, app)) <= {"owner"}:  # the applicant's side never learns who stepped aside
        return {"show": False}
    program_id = app.campaign.program_id
    staff = list(panels.staff_recusals(app))
    # the experts' recusals are the secretariat's and supervisors' business (the panel pages show them too)
    experts = []
    if any(has_role(user, role, program_id=program_id) for role in (Role.SECRETARIAT, Role.SUPERVISOR)):
        experts = list(Recusal.objects.filter(application=app, kind=Recusal.Kind.EXPERT).select_related("user")
                       .order_by("created_at", "pk"))
    kind = panels.staff_recusal_kind(user=user, application=app)
    return {"show": True, "app": app, "recusals": staff + experts, "can_recuse": kind is not None,
            "kind_label": Recusal.Kind(kind).label if kind else "",
            "all_recused": bool(staff) and panels.secretariat_all_recused(app), "reason_max": panels.REASON_MAX}
