"""An expert sees an application through an active (non-reserve) panel seat, and only once the
expert has accepted the confidentiality pledge for that panel without declaring a conflict; a
recusal vetoes that seat and any explicit grant."""
from django.db.models import Exists, OuterRef, Q

from applications import rules as access

from .models import PanelMember, Pledge, Recusal

SEATED = [PanelMember.Role.LEADER, PanelMember.Role.MEMBER]


def _pledged_seats(user):
    """Seats of ``user`` whose panel holds the user's pledge with no conflict declared."""
    return PanelMember.objects.filter(
        expert=user, role__in=SEATED,
        panel__in=Pledge.objects.filter(expert=user, conflict_declared=False).values("panel"))


def _seat_holds(user, app):
    return _pledged_seats(user).filter(panel__application=app).exists()


def _seat_q(user):
    return Q(Exists(_pledged_seats(user).filter(panel__application=OuterRef("pk"))))


def _recused_holds(user, app):
    return Recusal.objects.filter(application=app, user=user).exists()


def _recused_q(user):
    return Q(Exists(Recusal.objects.filter(application=OuterRef("pk"), user=user)))


access.register(access.Relationship("panel", "评审组专家（已签署承诺书）", _seat_holds, _seat_q, vetoable=True))
access.register_veto(access.Relationship("recusal", "回避", _recused_holds, _recused_q))
