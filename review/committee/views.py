"""Pages of the committee vote: opening it, the ballot form, closing, the results and the tier plan.

Thin views over ``review.committee``. A vote the user may not see is a plain 404; a POST by someone who may
see but not act is a 403 that changes nothing.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications import dashboard_cache, workflow
from applications.documents.xlsx import Sheet, xlsx_response
from applications.models import AwardTier, Campaign
from applications.selectors import RECUSED_LABEL, recused_application_ids
from qualityaward.accounts.services import SYSTEM, Actor
from qualityaward.params import int_param

from . import services as svc
from .models import Ballot, VoteSession


def _session_or_404(request, pk):
    session = get_object_or_404(VoteSession.objects.select_related("campaign__program__profile"), pk=pk)
    if not svc.can_see_session(request.user, session):
        raise Http404
    if session.is_open and session.closes_at and session.closes_at <= timezone.now():
        session = svc.close_session(session=session, actor=SYSTEM)  # its time has come; the beat job may lag
    return session


# --- the list --------------------------------------------------------------------------------------------------
@login_required
@require_GET
def committee_list(request):
    user = request.user

    def build():
        sessions = list(svc.sessions_for(user).select_related("campaign__program")[:100])
        voted = set(svc.VoterRoll.objects.filter(voter=user, session__in=sessions)
                    .values_list("session_id", flat=True))
        rows = [{"session": s, "voted": s.pk in voted, "member": svc.is_member(user, s.campaign),
                 "secretariat": svc.is_secretariat(user, s.campaign)} for s in sessions]
        campaigns = [{"campaign": c, "waiting": len(svc.candidate_choices(campaign=c))}
                     for c in svc.secretariat_campaigns(user)]
        return {"rows": rows, "campaigns": campaigns}

    return render(request, "review/committee/list.html", dashboard_cache.cached_fragment(
        request, name="review:committee_list", template="review/committee/_list_body.html", build=build))


# --- opening a vote ------------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def committee_open(request, campaign_pk):
    campaign = get_object_or_404(Campaign.objects.select_related("program__profile"), pk=campaign_pk)
    if not svc.is_secretariat(request.user, campaign):
        raise Http404
    # 息县 第十条, 巩义 第十八条: whoever stepped aside from an application neither sees it here nor puts it to
    # the vote; another member of the secretariat does
    recused = recused_application_ids(user=request.user, campaign=campaign)
    choices = [a for a in svc.candidate_choices(campaign=campaign) if a.pk not in recused]
    tiers = list(AwardTier.objects.filter(profile=campaign.program.profile).order_by("order"))
    errors, posted = [], {}
    if request.method == "POST":
        picked, by_id = [], {t.pk: t for t in tiers}
        for app in choices:
            if request.POST.get(f"take_{app.pk}"):
                tier = by_id.get(int_param(request.POST.get(f"tier_{app.pk}")))
                picked.append((app, tier))
            posted[app.pk] = {"take": bool(request.POST.get(f"take_{app.pk}")),
                              "tier": int_param(request.POST.get(f"tier_{app.pk}"))}
        closes_at = None
        raw = (request.POST.get("closes_at") or "").strip()
        if raw:
            closes_at = parse_datetime(raw)
            if closes_at is None:
                errors.append("定时结束时间格式不正确，请按“年-月-日 时:分”填写，或留空。")
            elif timezone.is_naive(closes_at):
                closes_at = timezone.make_aware(closes_at)
        if not errors:
            try:
                session = svc.open_session(campaign=campaign, actor=Actor.from_request(request), candidates=picked,
                                           title=request.POST.get("title", "")[:120],
                                           note=request.POST.get("note", "")[:2000], closes_at=closes_at)
            except (ValidationError, PermissionDenied) as exc:
                errors = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            except workflow.TransitionError as exc:
                errors = [exc.message]
            else:
                messages.success(request, f"表决已开始：{session.candidates.count()} 个候选对象。评委会委员登录后即可投票。")
                return redirect("review:committee_session", pk=session.pk)
    rows = [{"app": a, "composite": svc.composite_for(a), "take": posted.get(a.pk, {}).get("take", False),
             "tier": posted.get(a.pk, {}).get("tier") or (a.tier_id or (tiers[0].pk if tiers else None))}
            for a in choices]
    return render(request, "review/committee/open.html", {
        "campaign": campaign, "rows": rows, "tiers": tiers, "errors": errors, "post": request.POST,
        "threshold": campaign.program.profile.vote_threshold,
        "members": svc.members_of(campaign.program).count(), "recused_count": len(
            {a.pk for a in svc.candidate_choices(campaign=campaign)} & recused),
    }, status=400 if errors else 200)


# --- one vote ------------------------------------------------------------------------------------------------------
def _render_session(request, session, *, status=200, errors=None, chosen=None):
    user = request.user
    campaign = session.campaign
    is_sec, is_member = svc.is_secretariat(user, campaign), svc.is_member(user, campaign)
    candidates = list(session.candidates.select_related("application__region", "tier").order_by("order"))
    recused = svc.recused_candidates(session=session, user=user) if is_member else set()
    # 息县 第十条, 巩义 第十八条: a candidate this person stepped aside from keeps its number in the list but
    # shows neither who it is nor its figures
    hidden = recused_application_ids(user=user, campaign=campaign)
    for c in candidates:
        c.hidden = c.application_id in hidden
        c.composite = None if c.hidden else svc.composite_for(c.application)
        c.chosen = (chosen or {}).get(c.pk, "")
        c.recused = c.pk in recused
    voted, total = svc.turnout(session=session)
    plans = failed = None
    if not session.is_open and is_sec and not session.is_decided:
        plans, failed = svc.plan(session=session)
        plans = list(plans.values())
        for c in [c for p in plans for c in p.within + p.exempt + p.over] + failed:
            c.hidden = c.application_id in hidden
    return render(request, "review/committee/session.html", {
        "session": session, "candidates": candidates, "is_sec": is_sec, "is_member": is_member,
        "has_voted": svc.has_voted(session=session, user=user) if is_member else False,
        "voted": voted, "total": total, "choices": Ballot.Choice.choices, "errors": errors or [],
        "plans": plans, "failed": failed, "threshold": session.threshold,
        "any_hidden": any(c.hidden for c in candidates),
        "can_vote": is_member and session.is_open and not (session.closes_at and session.closes_at <= timezone.now()),
    }, status=status)


@login_required
@require_GET
def committee_session(request, pk):
    session = _session_or_404(request, pk)
    return _render_session(request, session)


@login_required
@require_POST
def committee_vote(request, pk):
    session = _session_or_404(request, pk)
    if not svc.is_member(request.user, session.campaign):
        raise PermissionDenied("只有本奖项评委会委员可以投票。")
    choices = {}
    for c in session.candidates.all():
        value = request.POST.get(f"c{c.pk}", "")
        if value in svc.CHOICES:
            choices[c.pk] = value
    try:
        svc.cast_ballot(session=session, actor=Actor.from_request(request), choices=choices)
    except ValidationError as exc:
        return _render_session(request, session, status=400, errors=exc.messages, chosen=choices)
    messages.success(request, "您的投票已提交。投票为无记名，系统只记录您已投票，不记录您的选择。")
    return redirect("review:committee_session", pk=session.pk)


@login_required
@require_POST
def committee_close(request, pk):
    session = _session_or_404(request, pk)
    if not svc.is_secretariat(request.user, session.campaign):
        raise PermissionDenied("只有本奖项秘书处可以结束表决。")
    svc.close_session(session=session, actor=Actor.from_request(request))
    messages.success(request, "表决已结束，计票结果如下。请核对后确定拟授奖名单。")
    return redirect("review:committee_session", pk=session.pk)


@login_required
@require_POST
def committee_decide(request, pk):
    session = _session_or_404(request, pk)
    if not svc.is_secretariat(request.user, session.campaign):
        raise PermissionDenied("只有本奖项秘书处可以确定表决结果。")
    try:
        svc.decide(session=session, actor=Actor.from_request(request))
    except ValidationError as exc:
        return _render_session(request, session, status=400, errors=exc.messages)
    except workflow.TransitionError as exc:
        return _render_session(request, session, status=exc.status_code, errors=[exc.message])
    messages.success(request, "已按表决结果和名额确定拟授奖名单，并逐一办理了状态变更。")
    return redirect("review:committee_results", pk=session.pk)


@login_required
@require_GET
def committee_results(request, pk):
    session = _session_or_404(request, pk)
    rows = svc.results(session=session)
    voted, total = svc.turnout(session=session)
    hidden = recused_application_ids(user=request.user, campaign=session.campaign)
    for c in rows or []:
        c.hidden = c.application_id in hidden  # 息县 第十条: its number stays, its name and tally do not
    if rows is not None and request.GET.get("format") == "xlsx":
        return xlsx_response(f"计票结果-{session.campaign.program.short_name}-{session.campaign.name}", [Sheet(
            title="计票结果",
            headers=["序号", "编号", "候选对象", "地区", "拟授等级", "同意", "不同意", "弃权", "投票人数", "表决结果", "确定结果"],
            rows=[[c.order, "", RECUSED_LABEL, "", "", None, None, None, None, "", ""] if c.hidden else
                  [c.order, c.application.number or "", c.application.applicant_name, c.application.region.name,
                   c.tier.name if c.tier else "", c.approve, c.reject, c.abstain, c.voters,
                   "通过" if c.passed else "未通过", c.outcome_reason] for c in rows])])
    return render(request, "review/committee/results.html", {
        "session": session, "rows": rows, "voted": voted, "total": total, "threshold": session.threshold,
    })


