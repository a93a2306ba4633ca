"""The committee's anonymous vote on a campaign's candidates (评委会审议表决) and the tier quotas applied
after it. Services (writes) and selectors (reads), keyword-only.

What the seed documents say, and what is implemented:

* 息县 第二十一条: "采取无记名投票方式审议决定拟奖名单，得票数应超过投票人数的三分之二（含三分之二）".
  The threshold is the rule profile's ``vote_threshold``; a candidate passes when
  同意 ≥ threshold × 投票人数. 投票人数 is everyone who cast a ballot, so a 弃权 counts as voting (it is
  in the denominator and not in the numerator). The seeds set no quorum, so none is enforced; the
  pages show how many members voted out of how many hold the committee role. A candidate nobody
  voted on does not pass.
* Anonymity: one ballot form per member for all candidates, stored as ``Ballot`` rows with a random
  key and no member or time, inserted in shuffled order in the same transaction that adds the member
  to the ``VoterRoll`` (unique per session; the session row is locked, so a member voting twice at
  once gets one vote). The audit trail says "X voted", never how. When the vote closes, the ballots
  are rewritten once more in a shuffled batch, so neither their position nor the transaction that
  wrote them leads back to the roll.
* A member recused from a candidate (``Recusal``, 回避) casts no ballot on that candidate; each
  candidate's 投票人数 is the number of ballots cast on it.
* Results exist only after the vote closes (the secretariat closes it, or the set time passes):
  before that nobody, the secretariat included, sees a count other than how many have voted.
* Quotas (巩义 第四条 "不超过 5 个（其中面向“专精特新”企业不少于 2 个）…名额可以空缺"; 息县 第二十六条
  two tiers; 金水 three a year): per tier, passed candidates in order of approvals (then the composite
  score where one exists) fill the seats left in the tier's period. Reserved seats go first to the
  candidates they are reserved for (专精特新 at any level, ``Application.is_specialized``); when too few
  of those passed, the reserved seats stay vacant if the profile allows vacancies, otherwise they are opened to everyone.
  A repeat winner after expiry under ``title_only_after_expiry`` (巩义 第二十八条) takes no seat.
"""
import random
from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from applications import workflow
from applications.models import Application, AwardTier, Campaign, RuleProfile, State
from qualityaward.accounts.models import Role, User
from qualityaward.accounts.selectors import has_role, role_assignments
from qualityaward.accounts.services import SYSTEM, record_event

from ..awards.services import earlier_awards
from ..scoring.defense import plenary_problems
from .models import Ballot, VoteCandidate, VoterRoll, VoteSession

CHOICES = dict(Ballot.Choice.choices)
#: Applications a vote can take as candidates: finalists (sent to the committee when the vote opens)
#: and applications the secretariat already sent to the committee.
CANDIDATE_STATES = [State.FINALIST, State.COMMITTEE]
#: States in which an application holds a seat of its tier.
SEATED_STATES = [State.PROPOSED, State.CANDIDATE_CONFIRMATION, State.GOVERNMENT_DECISION, State.AWARDED]


# --- the composite score --------------------------------------------------------------------------------------
_composite_provider = None


def register_composite_provider(provider):
    """The ranking module registers ``provider(application) -> Decimal | None`` here."""
    global _composite_provider
    _composite_provider = provider


def composite_for(application):
    """The application's composite score (综合得分) as the ranking module computes it, or ``None`` when
    no provider is registered or the application has no score yet."""
    if _composite_provider is None:
        return None
    return _composite_provider(application)


# --- who --------------------------------------------------------------------------------------------------------
def is_secretariat(user, campaign):
    return bool(user and user.is_authenticated and user.is_active
                and has_role(user, Role.SECRETARIAT, program_id=campaign.program_id))


def is_member(user, campaign):
    return bool(user and user.is_authenticated and user.is_active
                and has_role(user, Role.COMMITTEE, program_id=campaign.program_id))


def members_of(program):
    """Active users holding the committee role for ``program``."""
    return User.objects.filter(is_active=True, role_assignments__role=Role.COMMITTEE,
                               role_assignments__program=program).distinct()


def secretariat_campaigns(user):
    """Campaigns of programs with a committee stage where ``user`` is the secretariat."""
    programs = [a.program_id for a in role_assignments(user) if a.role == Role.SECRETARIAT and a.program_id]
    return (Campaign.objects.filter(program_id__in=programs, program__profile__has_committee=True)
            .select_related("program__profile").order_by("program__code", "-year"))


def sessions_for(user):
    """Vote sessions ``user`` may see: as the program's secretariat, committee member or supervisor."""
    if not (user and user.is_authenticated and user.is_active):
        return VoteSession.objects.none()
    programs, everything = set(), False
    for a in role_assignments(user):
        if a.role in (Role.SECRETARIAT, Role.COMMITTEE) and a.program_id:
            programs.add(a.program_id)
        elif a.role == Role.SUPERVISOR:
            if a.program_id:
                programs.add(a.program_id)
            else:
                everything = True
    qs = VoteSession.objects.select_related("campaign__program")
    return qs if everything else qs.filter(campaign__program_id__in=programs)


def can_see_session(user, session):
    return sessions_for(user).filter(pk=session.pk).exists()


# --- opening -----------------------------------------------------------------------------------------------------
def candidate_choices(*, campaign):
    """Applications of ``campaign`` that may go before the committee, ranked by composite where known."""
    in_open_vote = VoteCandidate.objects.filter(session__campaign=campaign, session__decided_at__isnull=True)
    apps = list(Application.objects.filter(campaign=campaign, state__in=CANDIDATE_STATES)
                .exclude(pk__in=in_open_vote.values("application_id"))
                .select_related("region", "tier").order_by("number", "pk"))
    return sorted(apps, key=lambda a: _desc(composite_for(a)))


def _desc(value):
    return (value is None, -(value or 0))


def open_session(*, campaign, actor, candidates, title="", note="", closes_at=None):
    """Open a vote on ``candidates`` (``[(application, tier)]``). Finalists move to the committee
    stage through the workflow; everything happens or nothing does."""
    profile = campaign.program.profile
    if not is_secretariat(actor.user, campaign):
        raise PermissionDenied("只有本奖项秘书处可以发起评委会表决。")
    if not profile.has_committee or profile.vote_threshold is None:
        raise ValidationError(f"{campaign.program.name}的规则中没有评委会表决（或未设表决通过比例），请先在规则配置中设置。")
    if not candidates:
        raise ValidationError("请至少选择一个候选申报。")
    if closes_at is not None and closes_at <= timezone.now():
        raise ValidationError("定时结束时间须晚于现在。留空则由秘书处手动结束表决。")
    tiers = {t.pk: t for t in AwardTier.objects.filter(profile=profile)}
    unheard = plenary_problems([app for app, _tier in candidates])  # 息县 第二十一条: 现场展示和陈述答辩, then the vote
    if unheard:
        raise ValidationError("评委会全体会议先组织候选单位现场展示和陈述答辩，再投票。" + "".join(unheard)
                              + "请在各候选申报的“陈述答辩”页登记后再发起表决。")
    for app, tier in candidates:
        if app.campaign_id != campaign.pk:
            raise ValidationError(f"“{app.applicant_name}”不属于{campaign}。")
        if tiers and (tier is None or tier.pk not in tiers):
            raise ValidationError(f"请为“{app.applicant_name}”选择拟授奖励等级。")
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        if VoteSession.objects.filter(campaign=campaign, closed_at__isnull=True).exists():
            raise ValidationError("本届已有一场正在进行的表决，请先结束该表决。")
        busy = set(VoteCandidate.objects.filter(session__campaign=campaign, session__decided_at__isnull=True,
                                                application__in=[a for a, _t in candidates])
                   .values_list("application__applicant_name", flat=True))
        if busy:
            raise ValidationError(f"以下申报已在另一场尚未确定结果的表决中：{'、'.join(sorted(busy))}。")
        session = VoteSession.objects.create(
            campaign=campaign, title=title.strip() or f"{campaign} 评委会表决", note=note.strip(),
            threshold_numerator=profile.vote_threshold_numerator,
            threshold_denominator=profile.vote_threshold_denominator,
            closes_at=closes_at, opened_by=actor.user)
        for order, (app, tier) in enumerate(candidates, start=1):
            app.refresh_from_db()
            if app.state == State.FINALIST:
                workflow.perform(application=app, name="send_to_committee", actor=actor)
            elif app.state != State.COMMITTEE:
                raise ValidationError(f"“{app.applicant_name}”当前状态为“{app.get_state_display()}”，不能提交评委会表决。")
            VoteCandidate.objects.create(session=session, application=app, tier=tier, order=order)
        transaction.on_commit(lambda: notify_members(session_id=session.pk))
        record_event(actor=actor, action="committee:open", target=session,
                     data={"session": session.pk, "candidates": [a.pk for a, _t in candidates],
                           "closes_at": closes_at.isoformat() if closes_at else ""})
    return session


def notify_members(*, session_id):
    """E-mail the program's committee members that a vote is open (after the opening committed)."""
    session = VoteSession.objects.select_related("campaign__program").get(pk=session_id)
    emails = sorted(set(members_of(session.campaign.program).exclude(email="").values_list("email", flat=True)))
    if not emails:
        return
    until = (f"表决将于 {timezone.localtime(session.closes_at):%Y年%m月%d日 %H:%M} 结束。" if session.closes_at
             else "表决由秘书处宣布结束。")
    send_mail(f"评委会表决已开始：{session.title}",
              f"{session.campaign.program.name}{session.campaign.name}的评委会表决已开始，共 "
              f"{session.candidates.count()} 个候选对象。请登录质量奖申报评审平台，在“评委会表决”中投票"
              f"（无记名，每人一次）。{until}\n", settings.DEFAULT_FROM_EMAIL, emails, fail_silently=True)


# --- voting ------------------------------------------------------------------------------------------------------
def has_voted(*, session, user):
    return VoterRoll.objects.filter(session=session, voter=user).exists()


def cast_ballot(*, session, actor, choices):
    """Record one member's ballot for every candidate (``{candidate_id: choice}``), anonymously."""
    user = actor.user
    with transaction.atomic():
        session = VoteSession.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=session.pk)
        if not is_member(user, session.campaign):
            raise PermissionDenied("只有本奖项评委会委员可以投票。")
        if not session.is_open or _due(session):
            raise ValidationError("本次表决已结束，不能再投票。")
        if VoterRoll.objects.filter(session=session, voter=user).exists():
            raise ValidationError("您已在本次表决中投过票，每位委员只能投票一次。")
        recused = recused_candidates(session=session, user=user)
        candidates = [c for c in session.candidates.all() if c.pk not in recused]
        missing = [c for c in candidates if choices.get(c.pk) not in CHOICES]
        if missing:
            raise ValidationError("请对每一位候选对象选择“同意”“不同意”或“弃权”后再提交。")
        try:
            with transaction.atomic():
                VoterRoll.objects.create(session=session, voter=user)
        except IntegrityError:
            raise ValidationError("您已在本次表决中投过票，每位委员只能投票一次。") from None
        ballots = [Ballot(candidate=c, choice=choices[c.pk]) for c in candidates]
        random.SystemRandom().shuffle(ballots)
        Ballot.objects.bulk_create(ballots)
        record_event(actor=actor, action="committee:voted", target=session,
                     data={"session": session.pk})
    return session


def recused_candidates(*, session, user):
    """Candidates ``user`` must not vote on (a declared conflict, 回避): no ballot of theirs is counted there."""
    return set(session.candidates.filter(application__recusals__user=user).values_list("pk", flat=True))


def turnout(*, session):
    """(members who voted, members holding the committee role)."""
    return (session.roll.count(), members_of(session.campaign.program).count())


# --- closing and results -----------------------------------------------------------------------------------------
def _due(session):
    return session.closes_at is not None and session.closes_at <= timezone.now()


def close_session(*, session, actor):
    """End the vote, count it and keep the count. The secretariat closes it, or the system at ``closes_at``."""
    with transaction.atomic():
        session = (VoteSession.objects.select_for_update(of=("self",)).select_related("campaign__program")
                   .get(pk=session.pk))
        if actor.user is None:
            if not _due(session):
                raise ValidationError("表决尚未到定时结束时间。")
        elif not is_secretariat(actor.user, session.campaign):
            raise PermissionDenied("只有本奖项秘书处可以结束表决。")
        if not session.is_open:
            return session
        _reshuffle(session)
        counts = {}
        for cid, choice, n in (Ballot.objects.filter(candidate__session=session).order_by()
                               .values_list("candidate_id", "choice").annotate(n=Count("pk"))):
            counts.setdefault(cid, {})[choice] = n
        threshold = session.threshold
        for c in session.candidates.all():
            got = counts.get(c.pk, {})
            c.approve, c.reject, c.abstain = (got.get(k, 0) for k in ("approve", "reject", "abstain"))
            c.passed = passes(approve=c.approve, voters=c.voters, threshold=threshold)
            c.save(update_fields=["approve", "reject", "abstain", "passed"])
        session.closed_at = timezone.now()
        session.closed_by = actor.user
        session.save(update_fields=["closed_at", "closed_by"])
        record_event(actor=actor, action="committee:close", target=session,
                     data={"session": session.pk, "voters": session.roll.count()})
    return session


def _reshuffle(session):
    """Rewrite the session's ballots in one shuffled batch with fresh keys (see the module docstring)."""
    rows = list(Ballot.objects.filter(candidate__session=session).values_list("candidate_id", "choice"))
    Ballot.objects.filter(candidate__session=session).delete()
    random.SystemRandom().shuffle(rows)
    Ballot.objects.bulk_create([Ballot(candidate_id=cid, choice=choice) for cid, choice in rows])


def close_due_sessions():
    """Close every vote whose set time has passed (the beat job); returns how many it closed."""
    closed = 0
    for session in VoteSession.objects.filter(closed_at__isnull=True, closes_at__lte=timezone.now()):
        close_session(session=session, actor=SYSTEM)
        closed += 1
    return closed


def passes(*, approve, voters, threshold):
    """同意 ≥ threshold × 投票人数 (弃权 counts as voting); nobody voting means not passed."""
    return bool(voters) and Fraction(approve, voters) >= threshold


def results(*, session):
    """The candidates with their tally, or ``None`` while the vote is open."""
    session.refresh_from_db(fields=["closed_at"])
    if session.is_open:
        return None
    return list(session.candidates.select_related("application__region", "tier").order_by("order"))


# --- tier quotas ---------------------------------------------------------------------------------------------------
@dataclass
class TierPlan:
    tier: AwardTier | None
    quota: int | None
    reserved: int
    used: int = 0
    used_reserved: int = 0
    within: list = field(default_factory=list)
    over: list = field(default_factory=list)
    exempt: list = field(default_factory=list)  # repeat winners who take no seat
    vacant_reserved: int = 0

    @property
    def free(self):
        return None if self.quota is None else max(0, self.quota - self.used)


def _seats_used(tier, campaign, exclude):
    scope = Q(campaign=campaign)
    if tier.quota_period == "年":
        scope = Q(campaign__program_id=campaign.program_id, campaign__year=campaign.year)
    qs = (Application.objects.filter(scope, tier=tier, state__in=SEATED_STATES).exclude(pk__in=exclude)
          .exclude(award__uses_quota=False))
    # reserved seats go to 专精特新 enterprises of any level (巩义 第四条), not only the national “小巨人”
    return qs.count(), qs.filter(Q(is_little_giant=True) | ~Q(specialized_level="")).count()


def free_seats(*, tier, campaign, exclude=()):
    """How many seats of ``tier`` are still free in ``campaign``'s period (None: the tier has no ceiling)."""
    if tier.quota is None:
        return None
    return max(0, tier.quota - _seats_used(tier, campaign, list(exclude))[0])


def takes_no_seat(application):
    """A repeat winner after the earlier award's validity, who is given the title without a seat (巩义 第二十八条
    under ``TITLE_ONLY_AFTER_EXPIRY``)."""
    profile = application.campaign.program.profile
    return (profile.repeat_prize_rule == RuleProfile.RepeatPrize.TITLE_ONLY_AFTER_EXPIRY
            and earlier_awards(application).exists())


def guard_seat_free(app, actor, params):
    """The tier's ceiling holds on every path to a seat, not only through the committee's plan: 金水 第四条
    “每年度不超过3个”, 息县 第六条、巩义 第四条 per 届. Reserved seats are the plan's business; this guard only
    refuses a seat beyond the quota."""
    if app.state in SEATED_STATES:
        return  # moving on within its seat (公示 → 政府审定 → 授奖)
    tier = params.get("tier") or app.tier
    if tier is None or takes_no_seat(app):
        return
    if free_seats(tier=tier, campaign=app.campaign, exclude=[app.pk]) == 0:
        period = "本年度" if tier.quota_period == "年" else "本届"
        raise workflow.GuardFailed(f"{tier.name}{period}名额（{tier.quota} 个）已满，不能再确定该申报。"
                          "如评委会另有决定，请先处理已占名额的申报。")


def install():
    workflow.add_guard("propose", guard_seat_free)
    workflow.add_guard("award", guard_seat_free)


def rank_key(candidate):
    return (-(candidate.approve or 0), *_desc(composite_for(candidate.application)), candidate.order)


def plan(*, session):
    """How the passed candidates fill each tier's seats: {tier_id: TierPlan}, plus the failed list."""
    session.refresh_from_db(fields=["closed_at"])
    if session.is_open:
        raise ValidationError("表决尚未结束，不能计算名额。")
    profile: RuleProfile = session.campaign.program.profile
    candidates = list(session.candidates.select_related("application__campaign", "tier"))
    ids = [c.application_id for c in candidates]
    plans, failed = {}, []
    for c in sorted(candidates, key=rank_key):
        if c.application.state != State.COMMITTEE:  # withdrawn or disqualified while the vote ran
            continue
        if not c.passed:
            failed.append(c)
            continue
        p = plans.get(c.tier_id)
        if p is None:
            tier = c.tier
            p = plans[c.tier_id] = TierPlan(tier=tier, quota=tier.quota if tier else None,
                                            reserved=tier.reserved_quota if tier else 0)
            if tier is not None:
                p.used, p.used_reserved = _seats_used(tier, session.campaign, ids)
        if takes_no_seat(c.application):
            p.exempt.append(c)
            continue
        p.within.append(c)  # provisional: allocated below
    for p in plans.values():
        ranked, p.within = p.within, []
        if p.quota is None:
            p.within = ranked
            continue
        reserved_left = max(0, p.reserved - p.used_reserved)
        reserved_pool = [c for c in ranked if c.application.is_specialized][:min(reserved_left, p.free)]
        unfilled = reserved_left - len(reserved_pool)
        general = max(0, p.free - reserved_left) + (0 if profile.vacancies_allowed else unfilled)
        p.vacant_reserved = unfilled if profile.vacancies_allowed else 0
        others = [c for c in ranked if c not in reserved_pool]
        chosen = set(map(id, reserved_pool + others[:general]))
        p.within = [c for c in ranked if id(c) in chosen]
        p.over = [c for c in ranked if id(c) not in chosen]
    return plans, failed


def _fmt_threshold(threshold):
    return f"{threshold.numerator}/{threshold.denominator}"


def decide(*, session, actor):
    """Apply the vote and the quotas: within quota → ``propose`` with the tier (or ``award`` when the
    program has no winner publicity); otherwise → ``not_award`` with the reason. All or nothing."""
    with transaction.atomic():
        session = VoteSession.objects.select_for_update(of=("self",)).select_related("campaign__program__profile").get(
            pk=session.pk)
        if not is_secretariat(actor.user, session.campaign):
            raise PermissionDenied("只有本奖项秘书处可以确定表决结果。")
        if session.is_open:
            raise ValidationError("表决尚未结束，请先结束表决。")
        if session.is_decided:
            raise ValidationError("本次表决结果已经确定，不能重复操作。")
        profile = session.campaign.program.profile
        forward = "propose" if "proposed" in profile.enabled_stages() else "award"
        plans, failed = plan(session=session)
        threshold = _fmt_threshold(session.threshold)
        for p in plans.values():
            label = p.tier.name if p.tier else session.campaign.program.name
            for c in p.within + p.exempt:
                c.outcome = VoteCandidate.Outcome.WITHIN_QUOTA
                c.outcome_reason = (f"表决通过（同意 {c.approve} 票／投票 {c.voters} 人），"
                                    + ("有效期满后再次获奖，不占名额。" if c in p.exempt else f"列入{label}名额。"))
                params = {"tier": c.tier} if c.tier else {}
                workflow.perform(application=c.application, name=forward, actor=actor,
                                 reason=c.outcome_reason, **params)
            for c in p.over:
                c.outcome = VoteCandidate.Outcome.OVER_QUOTA
                period = "本年度" if p.tier and p.tier.quota_period == "年" else "本届"
                c.outcome_reason = (f"表决通过（同意 {c.approve} 票），但{label}{period}名额（{p.quota} 个"
                                    + (f"，其中 {p.reserved} 个预留给{p.tier.reserved_for}" if p.reserved else "")
                                    + "）已满，按得票排序未能入选。")
                workflow.perform(application=c.application, name="not_award", actor=actor, reason=c.outcome_reason)
        for c in failed:
            c.outcome = VoteCandidate.Outcome.FAILED
            c.outcome_reason = (f"评委会表决未通过：同意 {c.approve} 票，投票 {c.voters} 人，"
                                f"未达到投票人数的 {threshold}。")
            workflow.perform(application=c.application, name="not_award", actor=actor, reason=c.outcome_reason)
        handled = [c for p in plans.values() for c in p.within + p.exempt + p.over] + failed
        for c in session.candidates.select_related("application").exclude(pk__in=[c.pk for c in handled]):
            c.outcome_reason = f"表决期间该申报已{c.application.get_state_display()}，未参与名额分配。"
            handled.append(c)
        for c in handled:
            c.save(update_fields=["outcome", "outcome_reason"])
        session.decided_at = timezone.now()
        session.decided_by = actor.user
        session.save(update_fields=["decided_at", "decided_by"])
        record_event(actor=actor, action="committee:decide", target=session,
                     data={"session": session.pk,
                           "vacant_reserved": sum(p.vacant_reserved for p in plans.values())})
    return session
