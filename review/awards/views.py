"""Pages of the award decisions, revocations and the winners' self-assessment reports.

Thin views over ``review.awards``. An award the user may not see is a plain 404; a POST by someone who may
see but not act is a 403 that changes nothing.
"""
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from applications import workflow
from applications.documents.xlsx import Sheet, xlsx_response
from applications.models import State
from applications.rules import is_program_secretariat
from applications.selectors import application_for_user_or_404
from qualityaward.accounts.services import Actor
from qualityaward.params import int_param

from . import services as award_svc
from .models import Award


# --- awards ----------------------------------------------------------------------------------------------------------
@login_required
@require_GET
def award_list(request):
    if request.GET.get("format") == "xlsx":
        return xlsx_response("获奖名单", [Sheet(
            title="获奖名单",
            headers=["证书编号", "获奖单位/个人", "奖项", "等级", "奖金（元）", "奖金说明", "授奖日期", "授奖文号", "有效期至",
                     "撤销日期", "撤销理由", "禁止申报至"],
            rows=[[a.certificate_number, a.recipient_name, a.program.name, a.tier.name if a.tier else "",
                   a.prize_amount, a.prize_note, a.decided_on, a.decision_reference, a.valid_until, a.revoked_on,
                   a.revocation_reason, a.ban_until]
                  for a in award_svc.awards_for(request.user).select_related("program", "tier").iterator()],
            number_format={4: "#,##0.00", 6: "yyyy-mm-dd", 8: "yyyy-mm-dd", 9: "yyyy-mm-dd", 11: "yyyy-mm-dd"})])
    awards = list(award_svc.awards_for(request.user).select_related("program", "tier")[:500])
    waiting = list(award_svc.proposed_for(request.user)[:200])
    for app in waiting:  # what the secretariat does next for each: decided by the program's steps
        app.step = award_svc.DECISION_FOR_STATE.get(app.state) or (
            "award" if workflow.first_available(app, workflow.AFTER_PUBLICITY) == "award" else "forward")
    return render(request, "review/awards/list.html", {
        "awards": awards, "waiting": waiting, "today": timezone.localdate(),
        "grounds": Award.Ground.choices,
    })


def _secretariat_app(request, pk, states, action):
    app = application_for_user_or_404(user=request.user, pk=pk)
    if not is_program_secretariat(request.user, app):
        raise PermissionDenied("此操作由本奖项秘书处办理，您没有权限。")
    if app.state not in states:
        raise PermissionDenied(f"该申报当前状态为“{app.get_state_display()}”，不能{action}。请刷新页面查看最新状态。")
    return app


@login_required
@require_POST
def award_decide(request, pk):
    """The secretariat's decisions after the winners' publicity: the award (where the document has no later step),
    the next step after an unopposed publicity, a recorded committee or government decision with its document, or
    不予授奖 with a reason."""
    app = _secretariat_app(request, pk, {State.PROPOSED, *workflow.DECISION_STATES},
                           "作出授奖决定（只有拟授奖公示中或待审定的申报可以）")
    actor = Actor.from_request(request)
    decision = request.POST.get("decision")
    try:
        if decision == "award":
            raw = (request.POST.get("decided_on") or "").strip()
            try:
                decided_on = datetime.date.fromisoformat(raw) if raw else None
            except ValueError:
                raise workflow.GuardFailed("授奖日期格式不正确，请按 年-月-日 填写，或留空表示今天。") from None
            award_svc.award(application=app, actor=actor, decided_on=decided_on,
                            reference=(request.POST.get("reference") or "").strip()[:60])
            messages.success(request, f"已授奖：{app.applicant_name}。证书编号 {app.award.certificate_number}。")
        elif decision == "forward":
            app = award_svc.forward_after_publicity(application=app, actor=actor)
            messages.success(request, f"{app.applicant_name}：{app.get_state_display()}。")
        elif decision == "record":
            app = award_svc.record_decision(
                application=app, actor=actor, kind=award_svc.DECISION_FOR_STATE.get(app.state),
                body=request.POST.get("body", ""), reference=request.POST.get("reference", ""),
                decided_on=request.POST.get("decided_on", ""), approved=request.POST.get("approved") != "no",
                note=request.POST.get("note", ""), document=request.FILES.get("document"))
            messages.success(request, f"已登记决定：{app.applicant_name}，当前状态“{app.get_state_display()}”。")
        elif decision == "not_award":
            award_svc.not_award(application=app, actor=actor, reason=request.POST.get("reason", ""))
            messages.success(request, f"已决定不予授奖：{app.applicant_name}。")
        else:
            messages.error(request, "请选择要办理的决定。")
    except workflow.TransitionError as exc:
        messages.error(request, exc.message)
    return redirect("review:award_list")


@login_required
@require_POST
def award_revoke(request, pk):
    app = _secretariat_app(request, pk, {State.AWARDED}, "撤销奖励（只有已授奖的申报可以）")
    try:
        award_svc.revoke(application=app, actor=Actor.from_request(request), ground=request.POST.get("ground", ""),
                         reason=request.POST.get("reason", ""), reference=request.POST.get("reference", ""))
    except workflow.TransitionError as exc:
        messages.error(request, exc.message)
    else:
        award = Award.objects.get(application=app)
        ban = f"，{award.ban_until:%Y年%m月%d日}前不得再次申报" if award.ban_until else ""
        messages.success(request, f"已撤销{app.applicant_name}的奖励{ban}。")
    award = Award.objects.filter(application=app).first()
    return redirect("review:award_detail", pk=award.pk) if award else redirect("review:award_list")


def _award_or_404(request, pk):
    award = get_object_or_404(award_svc.awards_for(request.user).select_related("application__owner"), pk=pk)
    return award


@login_required
@require_GET
def award_detail(request, pk):
    award = _award_or_404(request, pk)
    return _render_award(request, award)


def _render_award(request, award, *, status=200, errors=None):
    return render(request, "review/awards/detail.html", {
        "award": award, "periods": award_svc.periods(award), "errors": errors or [],
        "is_sec": award_svc.is_program_secretariat(request.user, award),
        "is_winner": award_svc.is_winner(request.user, award), "grounds": Award.Ground.choices,
        "ban_rules": [(label, award.program.profile.ban_years_for(value)) for value, label in Award.Ground.choices],
        "window_grounds": [label for value, label in Award.Ground.choices
                           if award.program.profile.revocation_window_years
                           and value in award.program.profile.grounds("revocation_window_grounds")],
        "recovery": award_svc.recovery_lines(award), "sanctions": list(award.sanctions.select_related("recorded_by")),
        "sanction_kinds": award_svc.sanction_kinds(award), "published": award_svc.notice_grounds_published(award),
        "post": request.POST if request.method == "POST" else {},
    }, status=status)


@login_required
@require_POST
def award_recover(request, pk):
    """The secretariat records a certificate or trophy returned, or prize money recovered, after a revocation."""
    award = _award_or_404(request, pk)
    if not award_svc.is_program_secretariat(request.user, award):
        raise PermissionDenied("收回情况由本奖项秘书处登记，您没有权限。")
    try:
        recovery = award_svc.record_recovery(
            award=award, actor=Actor.from_request(request), item=request.POST.get("item", ""),
            recovered_on=request.POST.get("recovered_on", ""), amount=request.POST.get("amount", ""),
            note=request.POST.get("note", ""))
    except ValidationError as exc:
        return _render_award(request, award, status=400, errors=exc.messages)
    messages.success(request, f"已登记：{award_svc.item_label(award, recovery.item)}"
                              + (f"追回 {recovery.amount:,.2f} 元。" if recovery.amount else "已收回。"))
    return redirect("review:award_detail", pk=award.pk)


@login_required
@require_POST
def award_sanction(request, pk):
    """The secretariat records a 警告 or 通报 the government approved (金水 第二十四条)."""
    award = _award_or_404(request, pk)
    if not award_svc.is_program_secretariat(request.user, award):
        raise PermissionDenied("处理由本奖项秘书处登记，您没有权限。")
    try:
        sanction = award_svc.record_sanction(
            award=award, actor=Actor.from_request(request), kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""), decided_on=request.POST.get("decided_on", ""),
            approval_reference=request.POST.get("approval_reference", ""))
    except ValidationError as exc:
        return _render_award(request, award, status=400, errors=exc.messages)
    messages.success(request, f"已登记{sanction.get_kind_display()}处理：{award.recipient_name}。")
    return redirect("review:award_detail", pk=award.pk)


@login_required
@require_POST
def self_assessment_submit(request, pk):
    award = _award_or_404(request, pk)
    if not award_svc.is_winner(request.user, award):
        raise PermissionDenied("只有获奖单位可以报送自评报告。")
    try:
        award_svc.submit_report(award=award, actor=Actor.from_request(request),
                                period=int_param(request.POST.get("period")),
                                text=request.POST.get("text", ""), uploaded=request.FILES.get("file"))
    except ValidationError as exc:
        return _render_award(request, award, status=400, errors=exc.messages)
    messages.success(request, "自评报告已报送。")
    return redirect("review:award_detail", pk=award.pk)


@login_required
@require_GET
def self_assessment_file(request, pk, period):
    award = _award_or_404(request, pk)
    report = award.self_assessments.filter(period=period).exclude(file="").first()
    if report is None:
        raise Http404
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=report.original_name or "自评报告.pdf",
                        content_type="application/pdf")


@login_required
@require_GET
def self_assessment_overview(request):
    rows = award_svc.overview(awards=award_svc.staff_awards_for(request.user))
    return render(request, "review/awards/self_assessment.html", {"rows": rows})
