"""The one state machine of an application's life. Nothing outside this module writes ``state``.

Each transition names who may perform it, the states it leaves from, its guard, and what it
does besides changing the state. ``perform`` runs it atomically (row locked), writes the audit
event in the same transaction, and schedules notifications and jobs after commit.

The review pipeline after acceptance is the same for every program, but a program's rule profile
switches optional stages off (e.g. the cultivation program has no on-site review, no committee);
forward transitions then leave from the nearest enabled stage before them.
"""
from dataclasses import dataclass, field, replace
from typing import Callable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qualityaward.accounts.services import record_event

from . import dashboard_cache
from . import rules as access
from .models import Application, State


class TransitionError(Exception):
    """A refused transition. ``message`` is Chinese and tells the user what to do."""

    status_code = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class UnknownTransition(TransitionError):
    status_code = 400


class InvalidTransition(TransitionError):
    """The application is not in a state this transition leaves from."""

    status_code = 409


class NotPermitted(TransitionError):
    status_code = 403


class GuardFailed(TransitionError):
    status_code = 400


# --- the pipeline ---------------------------------------------------------------------------------
#: Stages after acceptance, in order. Optional ones are switched by the rule profile.
PIPELINE = [
    State.ACCEPTED,
    State.ACCEPTANCE_PUBLICITY,
    State.MATERIAL_REVIEW,
    State.ONSITE_REVIEW,
    State.FINALIST,
    State.COMMITTEE,
    State.PROPOSED,
    State.CANDIDATE_CONFIRMATION,
    State.GOVERNMENT_DECISION,
    State.AWARDED,
]
#: Waiting states left only with a decision on record (see ``review.awards``): the committee's confirmation of the
#: formal candidates (金水 第十六条) and the government's decision (息县 第二十二条, 巩义 第十七条（八）, 金水 第十六条).
DECISION_STATES = {State.CANDIDATE_CONFIRMATION, State.GOVERNMENT_DECISION}
REVIEW_STAGES = {State.MATERIAL_REVIEW, State.ONSITE_REVIEW}
TERMINAL_STATES = {State.REJECTED, State.NOT_FINALIST, State.AWARDED, State.NOT_AWARDED, State.WITHDRAWN,
                   State.DISQUALIFIED, State.REVOKED}
ACTIVE_AFTER_SUBMISSION = [
    State.SUBMITTED, State.RETURNED, State.RECOMMENDED, State.ELIGIBILITY_REVIEW, State.ACCEPTED,
    State.ACCEPTANCE_PUBLICITY, State.MATERIAL_REVIEW, State.ONSITE_REVIEW, State.FINALIST, State.COMMITTEE,
    State.PROPOSED, State.CANDIDATE_CONFIRMATION, State.GOVERNMENT_DECISION,
]


def enabled_pipeline(profile):
    optional = profile.enabled_stages()
    stages = []
    for stage in PIPELINE:
        if stage == State.FINALIST:
            if optional & {"material_review", "onsite_review"}:
                stages.append(stage)
        elif stage in (State.ACCEPTED, State.AWARDED) or stage.value in optional:
            stages.append(stage)
    return stages


def _predecessor(target):
    def sources(profile):
        stages = enabled_pipeline(profile)
        if target not in stages:
            return set()
        i = stages.index(target)
        return {stages[i - 1]} if i > 0 else set()

    return sources


def _fixed(*states):
    return lambda profile: set(states)


def _revocation_sources(profile):
    """An award is revoked only where the document provides for it (RuleProfile.provides_revocation)."""
    return {State.AWARDED} if profile.provides_revocation else set()


def _with_recommender(*states):
    """Only where the document has a recommender step (``has_recommender_step``)."""
    return lambda profile: set(states) if profile.has_recommender_step else set()


def _eligibility_sources(profile):
    """Where the secretariat's eligibility review starts: the recommended application, or — where applicants
    submit to the secretariat (息县 第十五、十七条; 金水 第十四、十五条) — the submitted one."""
    return {State.RECOMMENDED} if profile.has_recommender_step else {State.SUBMITTED}


def awaiting_eligibility_states(profile):
    """States in which an application waits for the secretariat to start the eligibility review."""
    return _eligibility_sources(profile)


def awaiting_eligibility_q(prefix=""):
    """The same over applications (``prefix`` for a related lookup, e.g. ``"application__"``)."""
    flag = f"{prefix}campaign__program__profile__has_recommender_step"
    return Q(**{f"{prefix}state": State.RECOMMENDED, flag: True}) | Q(**{f"{prefix}state": State.SUBMITTED,
                                                                          flag: False})


def _return_sources(profile):
    """The recommender returns a submission; without one, the secretariat returns it to the applicant, also
    during its eligibility review."""
    if profile.has_recommender_step:
        return {State.SUBMITTED}
    return {State.SUBMITTED, State.ELIGIBILITY_REVIEW}


def _not_finalist_sources(profile):
    """From the stage before 入围; also from material review where only those passing it go on site
    (``material_review_eliminates``, 巩义 第十七条（五）)."""
    sources = _predecessor(State.FINALIST)(profile)
    if profile.material_review_eliminates and State.MATERIAL_REVIEW in enabled_pipeline(profile):
        sources.add(State.MATERIAL_REVIEW)
    return sources


def _not_awarded_sources(profile):
    """The committee, the publicity, the committee's confirmation and the government may each end it."""
    stages = enabled_pipeline(profile)
    sources = _predecessor(State.AWARDED)(profile)
    return sources | {s for s in (State.COMMITTEE, State.PROPOSED, *DECISION_STATES) if s in stages}


# --- who --------------------------------------------------------------------------------------------
def _owner(user, app):
    return access.is_owner(user, app)


def _authority(user, app):
    return access.is_region_authority(user, app)


def _secretariat(user, app):
    """The program's secretariat, except a member who recused itself from this application (回避)."""
    return access.is_program_secretariat(user, app)


def _first_reviewer(user, app):
    """Who checks a submission first: the recommender where the document has one, else the secretariat."""
    if app.campaign.program.profile.has_recommender_step:
        return _authority(user, app)
    return _secretariat(user, app)


# --- guards ------------------------------------------------------------------------------------------
def _campaign_accepting(app, actor, params):
    now = timezone.now()
    campaign = app.campaign
    if now < campaign.opens_at:
        raise GuardFailed(f"本届申报将于 {timezone.localtime(campaign.opens_at):%Y年%m月%d日 %H:%M} 开始，请届时再提交。")
    if now > campaign.application_deadline:
        raise GuardFailed(
            f"本届申报已于 {timezone.localtime(campaign.application_deadline):%Y年%m月%d日 %H:%M} 截止，"
            "不能再提交。如有特殊情况请联系推荐单位。"
        )


def _kind_allowed(app, actor, params):
    profile = app.campaign.program.profile
    if app.kind == Application.Kind.INDIVIDUAL and not profile.allows_individuals:
        raise GuardFailed(f"{app.campaign.program.name}不接受个人申报。")
    if app.kind == Application.Kind.ORGANIZATION and not profile.allows_organizations:
        raise GuardFailed(f"{app.campaign.program.name}不接受组织申报。")


def _complete(app, actor, params):
    from .services import completeness_problems

    problems = completeness_problems(application=app)
    if problems:
        raise GuardFailed("申报材料尚不完整，请补全后再提交：" + "；".join(problems))


def _before_resubmission_deadline(app, actor, params):
    """Corrections after a recommender's return are bound by the recommendation deadline; where there is no
    recommender step the document sets no such deadline, and the secretariat that returned it decides."""
    if not app.campaign.program.profile.has_recommender_step:
        return
    if timezone.now() > app.campaign.recommendation_deadline:
        raise GuardFailed(
            f"本届推荐已于 {timezone.localtime(app.campaign.recommendation_deadline):%Y年%m月%d日} 截止，"
            "不能再重新提交。"
        )


def _before_recommendation_deadline(app, actor, params):
    deadline = app.campaign.recommendation_deadline
    if timezone.now() > deadline:
        raise GuardFailed(f"本届推荐已于 {timezone.localtime(deadline):%Y年%m月%d日 %H:%M} 截止，不能再推荐。")


def _within_recommendation_quota(app, actor, params):
    """At most ``recommendation_quota`` per recommender per campaign (``recommenders``: a listed local unit's area
    without the listed regions under it, else the authority's region and the regions under it); an application
    through an other unit (全国质量标杆 附件3) counts against that unit, never against the local recommender."""
    quota = app.campaign.program.profile.recommendation_quota
    if quota is None:
        return
    from . import recommenders
    from .models import Campaign

    # Lock the campaign row: two staff recommending at once are serialised here.
    Campaign.objects.select_for_update().filter(pk=app.campaign_id).first()
    already = recommenders.recommended_count(app, actor.user, states=RECOMMENDED_OR_LATER)
    if already >= quota:
        profile = app.campaign.program.profile
        if not profile.recommendation_quota_in_principle:
            raise GuardFailed(f"每个推荐单位本届最多推荐 {quota} 个，您已推荐 {already} 个，不能再推荐。")
        # 全国质量标杆 通知三 "原则上最多只推荐1个": a principle the recommender may depart from in writing
        if not str(params.get("quota_reason") or "").strip():
            raise GuardFailed(f"本奖项原则上每个推荐单位本届最多推荐 {quota} 个，您已推荐 {already} 个。"
                              "如确需超出，请填写超出名额推荐的书面理由后再推荐。")


def _has_tier(app, actor, params):
    tier = params.get("tier")
    if tier is not None:
        if tier.profile_id != app.campaign.program.profile.pk:
            raise GuardFailed("所选奖励等级不属于本奖项。")
        app.tier = tier
    if app.campaign.program.profile.tiers.exists() and app.tier_id is None:
        raise GuardFailed("请先选择拟授予的奖励等级。")


RECOMMENDED_OR_LATER = [
    State.RECOMMENDED, State.ELIGIBILITY_REVIEW, State.ACCEPTED, State.ACCEPTANCE_PUBLICITY,
    State.MATERIAL_REVIEW, State.ONSITE_REVIEW, State.FINALIST, State.NOT_FINALIST, State.COMMITTEE,
    State.PROPOSED, State.CANDIDATE_CONFIRMATION, State.GOVERNMENT_DECISION, State.AWARDED, State.NOT_AWARDED,
    State.REVOKED, State.REJECTED, State.DISQUALIFIED,
]


# --- effects -----------------------------------------------------------------------------------------
def _on_submit(app, actor, params):
    from .services import record_submission

    now = timezone.now()
    if app.submitted_at is None:
        app.submitted_at = now
    return record_submission(application=app, actor=actor)


def _on_return(app, actor, params):
    """Reopen exactly the sections the reviewer named (all of them when none are named)."""
    from .forms.spec import form_for

    codes = [s.code for s in form_for(app).sections if s.filled_by == "applicant"]
    named = params.get("sections") or []
    unknown = [c for c in named if c not in codes]
    if unknown:
        raise GuardFailed(f"退回修改时指定的部分不存在：{'、'.join(unknown)}。请重新选择。")
    app.reopened_sections = [c for c in codes if c in named] if named else codes
    return None


def _on_resubmit(app, actor, params):
    app.reopened_sections = []
    return _on_submit(app, actor, params)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: Callable  # (profile) -> set of states
    target: State
    who: str  # label shown in the UI and docs
    permitted: Callable | None  # (user, app) -> bool; None: only the system
    system_allowed: bool = False
    reason_required: bool = False
    guards: tuple = ()
    effect: Callable | None = None
    extra_guards: list = field(default_factory=list)
    extra_effects: list = field(default_factory=list)

    def sources_for(self, app):
        return self.sources(app.campaign.program.profile)

    def label_for(self, app):
        """The label in the program's own words (入库, 推荐参加全国遴选 where the outcome is not an award)."""
        return app.campaign.program.profile.word(self.name, self.label)

    def allowed_for(self, actor, app):
        if actor.user is None:
            return self.system_allowed
        if not actor.user.is_active:
            return False
        return self.permitted is not None and bool(self.permitted(actor.user, app))


_T = Transition
TRANSITIONS = {t.name: t for t in [
    _T("submit", "提交申报", _fixed(State.DRAFT), State.SUBMITTED, "申报人", _owner,
       guards=(_kind_allowed, _campaign_accepting, _complete), effect=_on_submit),
    _T("return_for_correction", "退回修改", _return_sources, State.RETURNED, "推荐单位（未设推荐环节的，秘书处）",
       _first_reviewer, reason_required=True, effect=_on_return),
    _T("resubmit", "修改后重新提交", _fixed(State.RETURNED), State.SUBMITTED, "申报人", _owner,
       guards=(_before_resubmission_deadline, _complete), effect=_on_resubmit),
    _T("recommend", "推荐上报", _with_recommender(State.SUBMITTED), State.RECOMMENDED, "推荐单位", _authority,
       guards=(_before_recommendation_deadline, _within_recommendation_quota)),
    _T("start_eligibility_review", "开始资格审核", _eligibility_sources, State.ELIGIBILITY_REVIEW, "秘书处",
       _secretariat),
    _T("return_to_authority", "退回推荐单位", _with_recommender(State.RECOMMENDED, State.ELIGIBILITY_REVIEW),
       State.SUBMITTED,
       "秘书处", _secretariat, reason_required=True),
    _T("accept", "受理", _fixed(State.ELIGIBILITY_REVIEW), State.ACCEPTED, "秘书处", _secretariat),
    _T("reject", "不予受理", _fixed(State.ELIGIBILITY_REVIEW), State.REJECTED, "秘书处", _secretariat,
       reason_required=True),
    _T("open_acceptance_publicity", "发布受理名单公示", _predecessor(State.ACCEPTANCE_PUBLICITY),
       State.ACCEPTANCE_PUBLICITY, "秘书处或系统", _secretariat, system_allowed=True),
    _T("start_material_review", "进入材料评审", _predecessor(State.MATERIAL_REVIEW), State.MATERIAL_REVIEW,
       "秘书处或系统（公示期满）", _secretariat, system_allowed=True),
    _T("start_onsite_review", "进入现场评审", _predecessor(State.ONSITE_REVIEW), State.ONSITE_REVIEW,
       "秘书处", _secretariat),
    _T("declare_finalist", "确定入围", _predecessor(State.FINALIST), State.FINALIST, "秘书处", _secretariat),
    _T("declare_not_finalist", "确定未入围", _not_finalist_sources, State.NOT_FINALIST, "秘书处", _secretariat,
       reason_required=True),
    _T("send_to_committee", "提交评委会审定", _predecessor(State.COMMITTEE), State.COMMITTEE, "秘书处",
       _secretariat),
    _T("propose", "确定拟授奖并公示", _predecessor(State.PROPOSED), State.PROPOSED, "秘书处", _secretariat,
       guards=(_has_tier,)),
    _T("await_candidate_confirmation", "提交评委会确定正式候选名单", _predecessor(State.CANDIDATE_CONFIRMATION),
       State.CANDIDATE_CONFIRMATION, "秘书处或系统（公示期满无异议）", _secretariat, system_allowed=True),
    _T("submit_to_government", "提请政府审定", _predecessor(State.GOVERNMENT_DECISION), State.GOVERNMENT_DECISION,
       "秘书处或系统（公示期满无异议；须先登记评委会确定正式候选名单的，登记后）", _secretariat, system_allowed=True),
    _T("award", "授奖", _predecessor(State.AWARDED), State.AWARDED,
       "秘书处或系统（公示期满无异议；设政府审定的，秘书处登记政府审定结果后）",
       _secretariat, system_allowed=True, guards=(_has_tier,)),
    _T("not_award", "不予授奖", _not_awarded_sources, State.NOT_AWARDED, "秘书处", _secretariat,
       reason_required=True),
    _T("withdraw", "撤回申报", _fixed(State.DRAFT, *ACTIVE_AFTER_SUBMISSION), State.WITHDRAWN, "申报人", _owner),
    _T("disqualify", "取消资格", _fixed(*ACTIVE_AFTER_SUBMISSION), State.DISQUALIFIED, "秘书处（异议查实等）",
       _secretariat, reason_required=True),
    _T("revoke", "撤销奖励", _revocation_sources, State.REVOKED, "秘书处", _secretariat, reason_required=True),
]}


#: What follows an unopposed winners' publicity, in the documents' order: the committee's formal candidate list
#: (金水 第十六条), the government's decision (息县 第二十二条, 巩义 第十七条（八）), or the outcome itself where the
#: document has neither (000 五（五） 入库).
AFTER_PUBLICITY = ("await_candidate_confirmation", "submit_to_government", "award")


def first_available(application, names):
    """The first of ``names`` that leaves from the application's current state under its program, or None."""
    return next((n for n in names if application.state in TRANSITIONS[n].sources_for(application)), None)


def add_guard(transition_name, guard):
    """Let a later app (review, publicity) add a guard to a transition without editing this module."""
    if guard not in TRANSITIONS[transition_name].extra_guards:
        TRANSITIONS[transition_name].extra_guards.append(guard)


def add_effect(transition_name, effect):
    """Let a later app record its own data in the same transaction as a transition.

    ``effect(app, actor, params, reason)`` runs after the state changed and before the audit event is
    written; a dict it returns is added to the event's data.
    """
    if effect not in TRANSITIONS[transition_name].extra_effects:
        TRANSITIONS[transition_name].extra_effects.append(effect)


def available_transitions(application, actor):
    """Transitions the actor could attempt now (state and permission; guards are checked on perform)."""
    result = []
    for t in TRANSITIONS.values():
        if application.state in t.sources_for(application) and t.allowed_for(actor, application):
            result.append(replace(t, label=t.label_for(application)))
    return result


def perform(*, application, name, actor, reason="", **params):
    """Run transition ``name`` on ``application`` for ``actor``; return the updated application.

    Raises a ``TransitionError`` subclass (with a Chinese message) and writes nothing when refused.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise UnknownTransition("没有这个操作，请刷新页面后重试。")
    reason = (reason or "").strip()
    with transaction.atomic():
        app = (
            Application.objects.select_for_update(of=("self",))
            .select_related("campaign__program__profile", "region")
            .get(pk=application.pk)
        )
        label = transition.label_for(app)
        if not transition.allowed_for(actor, app):
            if actor.user is not None and access.is_recused(actor.user, app):
                # 息县 第十条, 巩义 第十八条: whoever has a conflict with the applicant steps aside
                raise NotPermitted(f"您已对该申报声明回避，不能办理“{label}”。请由本奖项其他工作人员办理。")
            if actor.user is not None and access.receives_filing(actor.user, app):
                # 全国质量标杆 通知三: through an other unit (附件3), the local department only receives the filing
                from . import recommenders

                raise NotPermitted(recommenders.filing_only_message(app, f"执行“{label}”"))
            raise NotPermitted(f"您没有权限对该申报执行“{label}”（此操作由{transition.who}执行）。")
        if app.state not in transition.sources_for(app):
            raise InvalidTransition(
                f"该申报当前状态为“{app.get_state_display()}”，不能执行“{label}”。请刷新页面查看最新状态。"
            )
        if transition.reason_required and not reason:
            raise GuardFailed(f"“{label}”须填写理由。")
        for guard in (*transition.guards, *transition.extra_guards):
            guard(app, actor, params)
        from_state = app.state
        app.state = transition.target
        app.state_changed_at = timezone.now()
        result = transition.effect(app, actor, params) if transition.effect else None
        app.save()
        extra = {}
        for effect in transition.extra_effects:
            extra.update(effect(app, actor, params, reason) or {})
        record_event(
            actor=actor,
            action=f"transition:{transition.name}",
            target=app,
            from_state=from_state,
            to_state=app.state,
            reason=reason,
            data={k: (v if isinstance(v, (list, str, int)) else str(v)) for k, v in params.items()}
            | ({"result": str(result.pk)} if result is not None else {}) | extra,
        )
        transaction.on_commit(lambda: _after_commit(app.pk, transition.name))
        # every dashboard that reads this program is stale now (the application's save bumps it too; this
        # keeps the transition's own invalidation explicit whatever the save does)
        dashboard_cache.bump_program(app.campaign.program_id)
    application.refresh_from_db()
    return application


def _after_commit(application_id, transition_name):
    from . import notifications

    notifications.transition_done(application_id=application_id, transition_name=transition_name)
