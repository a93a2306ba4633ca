"""An expert sees an application through an active (non-reserve) panel seat; a recusal vetoes that
seat and any explicit grant."""
from django.db.models import Exists, OuterRef, Q

from applications import rules as access

from .models import PanelMember, Recusal

SEATED = [PanelMember.Role.LEADER, PanelMember.Role.MEMBER]


def _seat_holds(user, app):
    return PanelMember.objects.filter(panel__application=app, expert=user, role__in=SEATED).exists()


def _seat_q(user):
    return Q(Exists(PanelMember.objects.filter(panel__application=OuterRef("pk"), expert=user, role__in=SEATED)))


def _recused_holds(user, app):
    return Recusal.objects.filter(application=app, user=user).exists()


def _recused_q(user):
    return Q(Exists(Recusal.objects.filter(application=OuterRef("pk"), user=user)))


access.register(access.Relationship("panel", "评审组专家", _seat_holds, _seat_q, vetoable=True))
access.register_veto(access.Relationship("recusal", "回避", _recused_holds, _recused_q))
