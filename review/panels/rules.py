"""An expert sees an application through an active (non-reserve) panel seat, only once the expert has
accepted the confidentiality pledge for that panel without declaring a conflict, and only until the
campaign's decision (the panel dissolves, 息县 第九条); a recusal (回避) vetoes that seat, any explicit grant
and the staff roles (secretariat, recommending authority) on the application."""
from django.db.models import Exists, OuterRef, Q

from applications import rules as access
from applications.workflow import TERMINAL_STATES

from .models import Panel, PanelMember, Pledge, Recusal

SEATED = [PanelMember.Role.LEADER, PanelMember.Role.MEMBER]

#: Shown where a dissolved panel's expert would look for the application (my tasks, the dashboard, the pledge).
DISSOLVED = "本批次已审定，评审材料不再开放"


def _open_reviews(campaign_id):
    """Applications of the campaign that had an expert panel and have no final outcome yet."""
    return Panel.objects.filter(application__campaign_id=campaign_id).exclude(application__state__in=TERMINAL_STATES)


def campaign_decided(campaign_id):
    """Whether the campaign's decision has been made, after which its panels are dissolved.

    息县 第九条 “当次评审结束后，评审组和监督组自动解散”: a panel exists for one round of review. The campaign
    has no “closed” switch to read, and the decision the documents end with (the 表彰/入库/推荐决定, printed from
    the applications' states) is made once every application the experts reviewed has its outcome. So: the
    campaign is decided when every application of it that had a panel is in a final state
    (``workflow.TERMINAL_STATES``: awarded, not awarded, not finalist, rejected, withdrawn, disqualified,
    revoked). Applications that never reached expert review (drafts, returns) do not hold it open, and while
    any reviewed application still waits (for the committee, the publicity, the government) the experts keep
    reading what they scored, in case the secretariat asks them about it.
    """
    return not _open_reviews(campaign_id).exists()


def undecided_q(campaign_ref="campaign_id"):
    """The ``Q`` twin of ``not campaign_decided``; ``campaign_ref`` is the path to the campaign's id from the
    model filtered (``"panel__application__campaign_id"`` for seats)."""
    return Q(Exists(Panel.objects.filter(application__campaign_id=OuterRef(campaign_ref))
                    .exclude(application__state__in=TERMINAL_STATES)))


def _pledged_seats(user):
    """Seats of ``user`` whose panel holds the user's pledge with no conflict declared."""
    return PanelMember.objects.filter(
        expert=user, role__in=SEATED,
        panel__in=Pledge.objects.filter(expert=user, conflict_declared=False).values("panel"))


def _seat_holds(user, app):
    return _pledged_seats(user).filter(panel__application=app).exists() and not campaign_decided(app.campaign_id)


def _seat_q(user):
    return Q(Exists(_pledged_seats(user).filter(panel__application=OuterRef("pk")))) & undecided_q()


def _recused_holds(user, app):
    return Recusal.objects.filter(application=app, user=user).exists()


def _recused_q(user):
    return Q(Exists(Recusal.objects.filter(application=OuterRef("pk"), user=user)))


access.register(access.Relationship("panel", "评审组专家（已签署承诺书）", _seat_holds, _seat_q, vetoable=True))
access.register_veto(access.Relationship("recusal", "回避", _recused_holds, _recused_q))
