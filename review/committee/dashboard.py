"""Dashboard additions of the committee vote and the awards: votes waiting for a member's ballot, the
secretariat's entry points, and a winner's self-assessment reports due. Each adds one or two queries."""
from django.urls import reverse

from applications import dashboard as base

from ..awards import services as award_svc
from .models import VoterRoll, VoteSession
from .services import sessions_for


def committee_section(user):
    section = base.committee_section(user)
    waiting = list(sessions_for(user).filter(closed_at__isnull=True)
                   .exclude(pk__in=VoterRoll.objects.filter(voter=user).values("session_id"))
                   .values_list("pk", "title")[:base.LIST_LIMIT])
    section.links = [(f"待投票：{title}", reverse("review:committee_session", args=[pk])) for pk, title in waiting]
    section.links.append(("评委会表决（无记名投票、计票结果）", reverse("review:committee_list")))
    return section


def secretariat_section(user):
    section = base.secretariat_section(user)
    open_votes = VoteSession.objects.filter(closed_at__isnull=True, pk__in=sessions_for(user).values("pk")).count()
    section.links = [*section.links,
                     (f"评委会表决（发起、结束、确定拟授奖名单）{f'：{open_votes} 场进行中' if open_votes else ''}",
                      reverse("review:committee_list")),
                     ("获奖管理（授奖决定、撤销、年度自评报告）", reverse("review:award_list"))]
    return section


def applicant_section(user):
    section = base.applicant_section(user)
    mine = list(award_svc.awards_for(user).filter(revoked_on__isnull=True,
                                                  program__profile__annual_self_assessment_report=True)[:5])
    for award in mine:
        due = [p for p in award_svc.periods(award) if p.report is None and p.started]
        if due:
            section.links.insert(0, (f"年度自评报告待报送：{award.program.short_name}（第{due[0].number}年度，"
                                     f"{due[0].due:%Y-%m-%d} 前）", reverse("review:award_detail", args=[award.pk])))
    if not mine and award_svc.awards_for(user).exists():
        section.links.append(("我的获奖记录", reverse("review:award_list")))
    return section
