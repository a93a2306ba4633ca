"""Links to the scoring pages from the application detail page, for those who have a part in them."""
from django import template

from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role

from ..panels.models import Panel, PanelMember, Recusal
from ..panels.rules import SEATED
from ..scoring.models import ReportRelease

register = template.Library()


@register.inclusion_tag("review/scoring/_detail_links.html")
def scoring_links(app, user):
    program_id = app.campaign.program_id
    staff = has_role(user, Role.SECRETARIAT, program_id=program_id) or has_role(user, Role.SUPERVISOR,
                                                                               program_id=program_id)
    panels = list(Panel.objects.filter(application=app))
    links = []
    if panels:
        recused = Recusal.objects.filter(application=app, user=user).exists()
        seats = {} if recused else dict(PanelMember.objects.filter(
            panel__in=panels, expert=user, role__in=SEATED).values_list("panel__stage", "role"))
        for panel in panels:
            if staff or panel.stage in seats:
                role = dict(PanelMember.Role.choices).get(seats.get(panel.stage), "")
                links.append((panel, role))
    released = ReportRelease.objects.filter(application=app).exists()
    owner = app.owner_id == user.pk or user.organizations.filter(pk=app.organization_id).exists()
    # a program without expert stages (全国质量标杆: the province checks and recommends) has no report or ranking
    profile = app.campaign.program.profile
    if not (profile.has_material_review or profile.has_onsite_review):
        return {"app": app, "links": links, "report": False, "staff": False}
    return {"app": app, "links": links, "report": staff or (owner and released), "staff": staff}
