"""After the committee: the award record, revocation, and the winners' annual self-assessment reports.

* ``award`` (by the secretariat, or by the system when the winner publicity closes without objection)
  records an ``Award`` in the same transaction: tier, prize by tier under the profile's repeat-prize
  rule (息县 第二十七条: no money for a repeat of the same kind of award; 巩义 第二十八条: after expiry,
  title and certificate only, no money, no seat), the decision date, ``valid_until`` from
  ``validity_years`` and a certificate number.
* ``revoke`` records the ground, the reason and the ban: ``ban_years`` for the grounds the profile's
  ``ban_grounds`` names (息县 第三十三条: only fraud bans, for 5 years; 第三十四条 revokes without a ban;
  巩义 第二十五条: every ground bans for 4 years). The eligibility check ``check_revocation_ban`` reads
  ``Award.ban_until`` (see ``revocation_bans``) and refuses a later application while it runs. A revocation on the ground of
  an incident after the award is possible only within ``revocation_window_years`` of the award
  (息县 第三十四条, 巩义 第二十五条（二）); fraud has no time limit.
* Self-assessment reports (巩义 第二十九条, ``annual_self_assessment_report``): one per year of validity,
  year k running from the k-1-th to the k-th anniversary of the award and due on its last day. A beat
  job (every six hours) e-mails the winner once when a report falls due within ``REMINDER_LEAD_DAYS``
  and once when it is overdue, and records each reminder so it is never sent twice.
"""
import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications import rules as access
from applications import workflow
from applications.forms.uploads import inspect_upload
from applications.models import Application, Program, RuleProfile, State
from applications.selectors import recused_applications
from applications.services import register_creation_check
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role, role_assignments
from qualityaward.accounts.services import SYSTEM, record_event

from ..eligibility.services import add_years
from .models import Award, ProcedureDecision, Recovery, Sanction, SelfAssessmentReminder, SelfAssessmentReport

REMINDER_LEAD_DAYS = 30
logger = logging.getLogger(__name__)
REPORT_KINDS = ("pdf",)
DECISION_DOCUMENT_KINDS = ("pdf", "jpeg", "png")
#: The decision that lets an application leave each waiting state (see ``workflow.DECISION_STATES``).
DECISION_FOR_STATE = {State.CANDIDATE_CONFIRMATION: ProcedureDecision.Kind.COMMITTEE,
                      State.GOVERNMENT_DECISION: ProcedureDecision.Kind.GOVERNMENT}



def _as_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise workflow.GuardFailed("授奖日期格式不正确，请按 年-月-日 填写。") from None


def valid_until(decided_on, validity_years):
    """The last day of validity: the day before the ``validity_years``-th anniversary."""
    if not validity_years:
        return None
    return add_years(decided_on, validity_years) - datetime.timedelta(days=1)


def earlier_awards(application):
    """Unrevoked earlier awards of this program to the same organization (or the same individual)."""
    q = Q(program_id=application.campaign.program_id, revoked_on__isnull=True)
    if application.organization_id:
        q &= Q(organization_id=application.organization_id)
    else:
        q &= Q(organization__isnull=True, application__owner_id=application.owner_id)
    return Award.objects.filter(q).exclude(application_id=application.pk).order_by("decided_on")


def prize_for(application, tier, decided_on):
    """(prize amount, note, uses a seat) under the profile's repeat-prize rule.

    息县 第二十七条 “曾获得县长质量奖和县长质量奖提名奖的单位（组织），再次获得同类奖项的，县政府不再给予资金奖励”:
    同类 is the same award — a second 县长质量奖 after a 县长质量奖, a second 提名奖 after a 提名奖 — so only an earlier
    award of the same tier takes the money away (a 提名奖 holder who later wins the 县长质量奖 is paid its prize).
    巩义 第二十八条 “再次获得该奖的” counts any earlier award of the program."""
    profile = application.campaign.program.profile
    amount = tier.prize_amount if tier else None
    earlier = list(earlier_awards(application))
    if amount is None or not earlier:
        return amount, "", True
    last = earlier[-1]
    if profile.repeat_prize_rule == RuleProfile.RepeatPrize.NO_MONEY_FOR_REPEAT:
        same = [a for a in earlier if tier is not None and a.tier_id == tier.pk]
        if not same:
            return amount, "", True
        last = same[-1]
        return (None, f"曾于 {last.decided_on:%Y年%m月%d日} 获得{last.tier}（证书 {last.certificate_number}），"
                      "再次获得同类奖项，不再给予资金奖励。", True)
    if profile.repeat_prize_rule == RuleProfile.RepeatPrize.TITLE_ONLY_AFTER_EXPIRY:
        return (None, f"曾于 {last.decided_on:%Y年%m月%d日} 获奖（证书 {last.certificate_number}），有效期满后再次获奖，"
                      "授予证书和称号，不授予奖金，不占名额。", False)
    return amount, "", True


def _certificate_number(program, year):
    Program.objects.select_for_update().get(pk=program.pk)  # one number at a time per program
    prefix = f"{program.number_prefix}{year}-"
    taken = Award.objects.filter(certificate_number__startswith=prefix).values_list("certificate_number", flat=True)
    last = max((int(n[len(prefix):]) for n in taken if n[len(prefix):].isdigit()), default=0)
    return f"{prefix}{last + 1:03d}"


# --- workflow hooks -------------------------------------------------------------------------------------------
def _decision_guard(approved):
    """Leaving a waiting state needs its decision on record: the committee's formal candidate list (金水 第十六条)
    before the government is asked, the government's decision (息县 第二十二条, 巩义 第十七条（八）, 金水 第十六条)
    before the award and its certificate exist; a refusal (``approved`` False) before 未获奖."""

    def guard(app, actor, params):
        kind = DECISION_FOR_STATE.get(app.state)
        if kind is None or ProcedureDecision.objects.filter(application=app, kind=kind, approved=approved).exists():
            return
        who = app.campaign.program.profile.government_decision_body or "政府"
        what = "评委会确定正式候选名单" if kind == ProcedureDecision.Kind.COMMITTEE else f"{who}审定"
        raise workflow.GuardFailed(f"尚未登记{what}的{'结果' if approved else '未通过决定'}。请秘书处在“获奖管理”中"
                                   "登记决定（机关或会议、会议名称或文号、日期，并上传决定文件）后再继续。")

    return guard


_approved_decision, _refusal_decision = _decision_guard(True), _decision_guard(False)


def record_award(app, actor, params, reason):
    """Effect of ``award``: the Award row, in the transition's transaction. Where the government decided, the
    award carries its date and 文号."""
    decision = ProcedureDecision.objects.filter(application=app, kind=ProcedureDecision.Kind.GOVERNMENT,
                                                approved=True).first()
    if decision is not None:
        params = {**params, "decided_on": decision.decided_on, "reference": decision.reference}
    decided_on = _as_date(params.get("decided_on")) or timezone.localdate()
    if decided_on > timezone.localdate():
        raise workflow.GuardFailed("授奖日期不能晚于今天。")
    program = app.campaign.program
    profile = program.profile
    amount, note, uses_quota = prize_for(app, app.tier, decided_on)
    award = Award.objects.create(
        application=app, program=program, organization=app.organization, recipient_name=app.applicant_name,
        tier=app.tier, prize_amount=amount, prize_note=note, uses_quota=uses_quota, decided_on=decided_on,
        decision_reference=str(params.get("reference") or "")[:60],
        valid_until=valid_until(decided_on, profile.validity_years),
        certificate_number=_certificate_number(program, app.campaign.year),
    )
    return {"award": award.pk, "certificate": award.certificate_number,
            "prize": str(amount) if amount is not None else ""}


def guard_revocation(app, actor, params):
    ground = params.get("ground") or ""
    if ground and ground not in Award.Ground.values:
        raise workflow.GuardFailed("请选择撤销情形。")
    award = Award.objects.filter(application=app).first()
    profile = app.campaign.program.profile
    window = profile.revocation_window_years
    # 息县 第三十四条: 自获奖之日起 3 年内发生重大事故，或者存在严重违法、违规、违纪情形的 — the window covers every
    # ground the profile's ``revocation_window_grounds`` names; fraud (第三十三条) has none
    if award and ground and window and ground in profile.grounds("revocation_window_grounds"):
        ends = add_years(award.decided_on, window)
        if timezone.localdate() > ends:
            raise workflow.GuardFailed(
                f"该奖励于 {award.decided_on:%Y年%m月%d日} 授予，本奖项规定“{Award.Ground(ground).label}”须在获奖后 "
                f"{window} 年内（至 {ends:%Y年%m月%d日}）发生方可撤销，已超过期限。如属以不正当手段获奖，请选择相应情形。")


def record_revocation(app, actor, params, reason):
    award = Award.objects.select_for_update().filter(application=app).first()
    if award is None:
        return {}
    profile = app.campaign.program.profile
    award.revoked_on = timezone.localdate()
    award.revocation_ground = params.get("ground") or ""
    award.revocation_reason = reason
    award.revocation_reference = str(params.get("reference") or "").strip()[:60]
    years = profile.ban_years_for(award.revocation_ground)
    award.ban_until = add_years(award.revoked_on, years) if years else None
    award.save(update_fields=["revoked_on", "revocation_ground", "revocation_reason", "ban_until",
                              "revocation_reference"])
    return {"ban_until": award.ban_until.isoformat() if award.ban_until else ""}


def revocation_bans(application_ids):
    """{application id: (ground label, revoked_on, ban_until or None)} of the revoked awards among
    ``application_ids``; plugged into the eligibility facts (``eligibility.register_revocation_source``)."""
    rows = Award.objects.filter(application_id__in=list(application_ids), revoked_on__isnull=False)
    return {a.application_id: (a.get_revocation_ground_display() if a.revocation_ground else "", a.revoked_on,
                               a.ban_until)
            for a in rows}


def _holders_awards(*, program_id, organization_id, owner_id, exclude_application_id=None):
    """Unrevoked awards of the program to the organization (or, applying as an individual, to the person)."""
    holder = Q(application__organization_id=organization_id) if organization_id else Q(
        application__owner_id=owner_id, application__organization__isnull=True)
    return list(Award.objects.filter(holder, application__campaign__program_id=program_id, revoked_on__isnull=True)
                .exclude(application_id=exclude_application_id).select_related("application__campaign"))


def _still_valid(awards, deadline):
    # an award without a validity (the document sets none, e.g. 息县) does not bar a repeat: the repeat-prize rule
    # decides what a second award brings
    return [a for a in awards if a.valid_until is not None and a.valid_until >= deadline]


def _valid_award_sentence(running, deadline):
    lines = [f"申报 {a.application.number or '（未编号）'}（{a.application.campaign}）已获本奖项，"
             f"有效期至 {a.valid_until:%Y-%m-%d}" for a in running]
    return "；".join(lines) + f"。本届申报截止日 {deadline:%Y-%m-%d} 仍在有效期内，不能再次申报本奖项"


def valid_award_problem(*, campaign, organization, owner, exclude_application_id=None):
    """Why the holder may not start or submit an application to ``campaign`` (巩义 第二十八条 有效期满后可再次申请,
    金水 第二十条 期满可重新申报: not before the award's validity ends), or ""."""
    deadline = _as_date(campaign.application_deadline)
    if deadline is None:
        return ""
    running = _still_valid(_holders_awards(program_id=campaign.program_id,
                                           organization_id=organization.pk if organization else None,
                                           owner_id=owner.pk, exclude_application_id=exclude_application_id),
                           deadline)
    if not running:
        return ""
    return _valid_award_sentence(running, deadline) + "。有效期满后方可重新申报；如有疑问请联系本奖项秘书处。"


def guard_no_valid_award(app, actor, params):
    """``submit``: refused while the holder's award of the program is still valid at the deadline."""
    problem = valid_award_problem(campaign=app.campaign, organization=app.organization, owner=app.owner,
                                  exclude_application_id=app.pk)
    if problem:
        raise workflow.GuardFailed(f"不能提交：{problem}")


def check_valid_award(facts):
    """Eligibility check: an organization (or person) holding an award of this program still valid at this
    campaign's application deadline does not apply again for it (a second award while the first is valid)."""
    from ..eligibility.services import FAIL, NA, PASS, CheckResult

    app = facts.application
    label = "本奖项获奖有效期"
    awards = _holders_awards(program_id=app.campaign.program_id, organization_id=app.organization_id,
                             owner_id=app.owner_id, exclude_application_id=app.pk)
    if not awards:
        return CheckResult("valid_award", label, PASS, "未发现本奖项尚在有效期内的获奖记录。")
    if facts.deadline is None:
        return CheckResult("valid_award", label, NA, "本届未设申报截止日期，无法核对获奖有效期，请人工核对。")
    running = _still_valid(awards, facts.deadline)
    if running:
        return CheckResult("valid_award", label, FAIL, _valid_award_sentence(running, facts.deadline) + "。")
    return CheckResult("valid_award", label, PASS, "；".join(
        f"申报 {a.application.number or '（未编号）'} 的获奖" + (
            f"有效期已于 {a.valid_until:%Y-%m-%d} 届满" if a.valid_until else "未规定有效期（按重复获奖规则处理）")
        for a in awards) + "。")


def install():
    from ..eligibility import services as eligibility

    eligibility.register_check("valid_award", "本奖项获奖有效期", check_valid_award)
    register_creation_check(valid_award_problem)
    workflow.add_guard("submit", guard_no_valid_award)
    workflow.add_guard("submit_to_government", _approved_decision)
    workflow.add_guard("award", _approved_decision)
    workflow.add_guard("not_award", _refusal_decision)
    workflow.add_effect("award", record_award)
    workflow.add_guard("revoke", guard_revocation)
    workflow.add_effect("revoke", record_revocation)


# --- secretariat actions -------------------------------------------------------------------------------------------
def award(*, application, actor, decided_on=None, reference=""):
    return workflow.perform(application=application, name="award", actor=actor,
                            reason=f"授奖文号：{reference}" if reference else "",
                            decided_on=decided_on.isoformat() if decided_on else "", reference=reference)


def record_decision(*, application, actor, kind, body, reference, decided_on, approved, document, note=""):
    """The secretariat records the committee's or the government's decision with its document, and the application
    moves on in the same transaction: approved, to the next step (the government's decision, or the award and its
    certificate); not approved, to 未获奖. Anything refused stores nothing."""
    if not (actor.user and access.is_program_secretariat(actor.user, application)):
        raise PermissionDenied("审定结果由本奖项秘书处登记。")
    if DECISION_FOR_STATE.get(application.state) != kind:
        raise workflow.InvalidTransition(
            f"该申报当前状态为“{application.get_state_display()}”，不能登记此项决定。请刷新页面查看最新状态。")
    body, reference, note = (body or "").strip()[:60], (reference or "").strip()[:60], (note or "").strip()
    if not body:
        raise workflow.GuardFailed("请填写作出决定的机关或会议（如：县政府常务会议）。")
    if not reference:
        raise workflow.GuardFailed("请填写会议名称或决定文号。")
    decided_on = _as_date(decided_on)
    if decided_on is None:
        raise workflow.GuardFailed("请填写决定日期。")
    if decided_on > timezone.localdate():
        raise workflow.GuardFailed("决定日期不能晚于今天。")
    if not approved and not note:
        raise workflow.GuardFailed("未通过的，请写明决定内容或理由。")
    if document is None:
        raise workflow.GuardFailed("请上传决定文件（会议纪要或批准文件的 PDF 或扫描图片）。")
    try:
        inspected = inspect_upload(uploaded=document, field_label="决定文件", allowed=DECISION_DOCUMENT_KINDS)
    except ValidationError as exc:
        raise workflow.GuardFailed("；".join(exc.messages)) from None
    from django.core.files.base import ContentFile

    decision = ProcedureDecision(application=application, kind=kind, body=body, reference=reference,
                                 decided_on=decided_on, approved=approved, note=note,
                                 original_name=inspected.safe_name[:120], sha256=inspected.sha256,
                                 recorded_by=actor.user)
    decision.document.save(inspected.safe_name, ContentFile(inspected.data), save=False)
    try:
        return _decide(decision, actor)
    except Exception:
        decision.document.delete(save=False)  # a refused decision leaves no file behind
        raise


def _decide(decision, actor):
    application, kind, body, reference = decision.application, decision.kind, decision.body, decision.reference
    with transaction.atomic():
        decision.save()
        record_event(actor=actor, action=f"decision:{kind}", target=application, data={
            "body": body, "reference": reference, "decided_on": decision.decided_on.isoformat(),
            "approved": decision.approved, "sha256": decision.sha256})
        label = ProcedureDecision.Kind(kind).label
        if not decision.approved:
            return workflow.perform(application=application, name="not_award", actor=actor,
                                    reason=f"{body}（{reference}）{label}未通过：{decision.note}")
        forward = workflow.first_available(application, workflow.AFTER_PUBLICITY)
        return workflow.perform(application=application, name=forward, actor=actor,
                                reason=f"{body}（{reference}，{decision.decided_on:%Y年%m月%d日}）{label}通过")


def forward_after_publicity(*, application, actor):
    """The secretariat moves an application on after its publicity ended unopposed (e.g. a publicity run in the
    media rather than on this portal): to the committee's confirmation or to the government's decision."""
    name = workflow.first_available(application, workflow.AFTER_PUBLICITY)
    if name in (None, "award"):
        raise workflow.InvalidTransition("该申报没有待提请的审定步骤，请直接作出授奖决定。")
    return workflow.perform(application=application, name=name, actor=actor, reason="拟授奖名单公示期满无异议")


def decisions_of(application):
    return list(ProcedureDecision.objects.filter(application=application))


def not_award(*, application, actor, reason):
    return workflow.perform(application=application, name="not_award", actor=actor, reason=reason)


def revoke(*, application, actor, ground, reason, reference=""):
    """``reference``: the government's approval of the revocation (息县 第三十三条 提请县政府批准撤销), printed on the
    public notice; ``reason`` stays internal (it may touch the holder's business secrets)."""
    profile = application.campaign.program.profile
    if not profile.provides_revocation:  # 000 and 003 provide for no revocation
        raise workflow.InvalidTransition(f"{application.campaign.program.name}的文件未规定撤销，本平台不办理撤销。")
    if ground not in Award.Ground.values:
        raise workflow.GuardFailed("请选择撤销情形。")
    return workflow.perform(application=application, name="revoke", actor=actor, reason=reason, ground=ground,
                            reference=(reference or "").strip()[:60])


# --- selectors ---------------------------------------------------------------------------------------------------
def awards_for(user):
    """Awards ``user`` may see: the program's secretariat, committee and supervisors; the winner's own."""
    if not (user and user.is_authenticated and user.is_active):
        return Award.objects.none()
    programs, everything = set(), False
    for a in role_assignments(user):
        if a.role in (Role.SECRETARIAT, Role.COMMITTEE, Role.SUPERVISOR) and a.program_id:
            programs.add(a.program_id)
        elif a.role in (Role.SUPERVISOR, Role.ADMIN):
            everything = True
    # 息县 第十条, 巩义 第十八条: an award of an application the user stepped aside from is not theirs to read
    qs = Award.objects.select_related("program__profile", "tier", "application__campaign").exclude(
        application__in=recused_applications(user=user))
    if everything:
        return qs
    return qs.filter(Q(program_id__in=programs) | Q(application__in=Application.objects.filter(
        access._owner_q(user))))


def staff_awards_for(user):
    """Awards ``user`` oversees by role (not the ones the user merely won)."""
    if not (user and user.is_authenticated and user.is_active):
        return Award.objects.none()
    staff = [a for a in role_assignments(user) if a.role in (Role.SECRETARIAT, Role.COMMITTEE, Role.SUPERVISOR,
                                                              Role.ADMIN)]
    awards = Award.objects.exclude(application__in=recused_applications(user=user))  # 息县 第十条
    if any(a.role in (Role.SUPERVISOR, Role.ADMIN) and not a.program_id for a in staff):
        return awards
    return awards.filter(program_id__in={a.program_id for a in staff if a.program_id})


def is_program_secretariat(user, award):
    return bool(user and user.is_authenticated and has_role(user, Role.SECRETARIAT, program_id=award.program_id))


def is_winner(user, award):
    return bool(user and user.is_authenticated and access.is_owner(user, award.application))


def proposed_for(user):
    """Applications awaiting the award decision (or the decision before it) in the user's programs as secretariat."""
    programs = [a.program_id for a in role_assignments(user) if a.role == Role.SECRETARIAT and a.program_id]
    return (Application.objects.filter(campaign__program_id__in=programs,
                                       state__in=[State.PROPOSED, *workflow.DECISION_STATES])
            .exclude(pk__in=recused_applications(user=user))  # 息县 第十条: not for whoever stepped aside
            .select_related("campaign__program__profile", "region", "tier").order_by("campaign", "number"))


# --- self-assessment reports -----------------------------------------------------------------------------------------
@dataclass
class Period:
    number: int
    starts: datetime.date
    ends: datetime.date
    report: SelfAssessmentReport | None
    today: datetime.date

    @property
    def due(self):
        return self.ends

    @property
    def started(self):
        return self.starts <= self.today

    @property
    def overdue(self):
        return self.report is None and self.today > self.ends

    @property
    def due_soon(self):
        return self.report is None and self.started and 0 <= (self.ends - self.today).days <= REMINDER_LEAD_DAYS

    @property
    def status(self):
        if self.report is not None:
            return "已报送"
        if not self.started:
            return "未开始"
        if self.overdue:
            return "已逾期"
        return "待报送"


def owes_reports(award):
    profile = award.program.profile
    return bool(profile.annual_self_assessment_report and profile.validity_years and not award.is_revoked)


def periods(award, *, today=None):
    """The award's report years (empty when the program asks for no reports)."""
    if not owes_reports(award):
        return []
    today = today or timezone.localdate()
    reports = {r.period: r for r in award.self_assessments.all()}
    years = award.program.profile.validity_years
    return [Period(k, add_years(award.decided_on, k - 1), add_years(award.decided_on, k) - datetime.timedelta(days=1),
                   reports.get(k), today) for k in range(1, years + 1)]


def submit_report(*, award, actor, period, text="", uploaded=None):
    """The winner writes or uploads (PDF) the report for year ``period``; a later save replaces it."""
    if not is_winner(actor.user, award):
        raise PermissionDenied("只有获奖单位可以报送自评报告。")
    if not owes_reports(award):
        raise ValidationError("该奖项无须报送年度自评报告。")
    match = next((p for p in periods(award) if p.number == period), None)
    if match is None:
        raise ValidationError("没有这一年度的自评报告，请从列表中选择。")
    if not match.started:
        raise ValidationError(f"第{period}年度自 {match.starts:%Y年%m月%d日} 开始，届时再报送。")
    text = (text or "").strip()
    inspected = inspect_upload(uploaded=uploaded, field_label="自评报告", allowed=REPORT_KINDS) if uploaded else None
    if not text and inspected is None and match.report is None:
        raise ValidationError("请填写自评报告正文或上传 PDF 格式的自评报告。")
    if text and len(text) < 200 and inspected is None and not (match.report and match.report.file):
        raise ValidationError("自评报告正文不少于 200 字（应按 GB/T 19580 各类目说明自评情况），或上传 PDF 文件。")
    from django.core.files.base import ContentFile

    with transaction.atomic():
        report = SelfAssessmentReport.objects.select_for_update().filter(award=award, period=period).first()
        report = report or SelfAssessmentReport(award=award, period=period)
        report.submitted_by = actor.user
        if text:
            report.text = text
        if inspected is not None:
            report.file.save(inspected.safe_name, ContentFile(inspected.data), save=False)
            report.original_name = inspected.safe_name
            report.size, report.pages, report.sha256 = inspected.size, inspected.pages, inspected.sha256
        report.save()
        record_event(actor=actor, action="award:self_assessment", target=award.application,
                     data={"award": award.pk, "period": period, "sha256": report.sha256})
    return report


def overview(*, awards, today=None):
    """Rows for the secretariat: each award owing reports with its years and whether any is overdue."""
    rows = []
    for award in awards.prefetch_related("self_assessments").select_related("program__profile"):
        ps = periods(award, today=today)
        if ps:
            rows.append({"award": award, "periods": ps, "overdue": [p for p in ps if p.overdue],
                         "submitted": sum(1 for p in ps if p.report is not None)})
    return rows


def _recipients(award):
    app = award.application
    emails = {app.owner.email} if app.owner.email else set()
    if app.organization_id:
        emails |= set(app.organization.members.filter(is_active=True).exclude(email="")
                      .values_list("email", flat=True))
    return sorted(emails)


def send_reminders(*, today=None):
    """E-mail each winner once per report year when the report falls due soon and once when overdue.
    Idempotent: a sent reminder is recorded and never sent again. Returns the reminders sent."""
    today = today or timezone.localdate()
    sent = []
    candidates = (Award.objects.filter(revoked_on__isnull=True, program__profile__annual_self_assessment_report=True,
                                       program__profile__validity_years__isnull=False)
                  .select_related("program__profile", "application__owner", "application__organization"))
    for award in candidates:
        for p in periods(award, today=today):
            kind = (SelfAssessmentReminder.Kind.OVERDUE if p.overdue
                    else SelfAssessmentReminder.Kind.UPCOMING if p.due_soon else None)
            if kind is None:
                continue
            try:
                if _remind(award, p, kind):
                    sent.append((award.pk, p.number, kind))
            except Exception:  # one unreachable mailbox must not stop the others; retried on the next run
                logger.exception("self-assessment reminder for award %s failed", award.pk)
    return sent


def _remind(award, p, kind):
    with transaction.atomic():
        Award.objects.select_for_update().get(pk=award.pk)
        if SelfAssessmentReminder.objects.filter(award=award, period=p.number, kind=kind).exists():
            return False
        to = _recipients(award)
        if to:
            what = "已逾期" if kind == SelfAssessmentReminder.Kind.OVERDUE else "即将到期"
            send_mail(
                f"{award.program.name}年度自评报告{what}：第{p.number}年度",
                f"{award.recipient_name}：\n\n您单位获得的{award.tier or award.program}（证书编号 "
                f"{award.certificate_number}）在有效期内每年应报送卓越绩效自评报告。第{p.number}年度"
                f"（{p.starts:%Y年%m月%d日}至{p.ends:%Y年%m月%d日}）的自评报告应于 {p.ends:%Y年%m月%d日} "
                f"前报送，目前尚未收到。请登录质量奖申报评审平台，在“获奖管理”中填写或上传。\n",
                settings.DEFAULT_FROM_EMAIL, to)
        SelfAssessmentReminder.objects.create(award=award, period=p.number, kind=kind, recipients=", ".join(to))
        record_event(actor=SYSTEM, action="award:self_assessment_reminder", target=award.application,
                     data={"award": award.pk, "period": p.number, "kind": kind, "to": to})
    return True


# --- after a revocation: what is taken back, and the public notice ---------------------------------------------------
#: the profile field naming the grounds on which each item is taken back
RECOVERY_FIELDS = {Recovery.Item.CERTIFICATE: "recovers_certificate_grounds",
                   Recovery.Item.TROPHY: "recovers_trophy_grounds",
                   Recovery.Item.PRIZE: "recovers_prize_grounds"}


def item_label(award, item):
    return award.program.profile.trophy_label if item == Recovery.Item.TROPHY else Recovery.Item(item).label


@dataclass
class RecoveryLine:
    """One item the revocation takes back (only what the program's document names for the ground)."""
    item: str
    label: str
    records: list
    owed: object = None  # the prize money to recover (Decimal), None for the certificate and the trophy
    recovered: object = None

    @property
    def outstanding(self):
        if self.item == Recovery.Item.PRIZE:
            return max(self.owed - self.recovered, 0)
        return not self.records

    @property
    def done(self):
        return not self.outstanding


def recovery_lines(award):
    """The items to take back after ``award``'s revocation, each with its records and what is still outstanding:
    息县 第三十三条 (fraud) 收回证书、奖牌和奖金, 第三十四条 收回证书、奖牌; 巩义 第二十五条 收回证书和奖杯、追缴奖金;
    金水 第二十三条 (fraud) 收回奖牌（奖杯）、证书，追缴奖金. Prize money is owed only where some was paid."""
    if not award.is_revoked:
        return []
    profile = award.program.profile
    records = list(award.recoveries.select_related("recorded_by"))
    lines = []
    for item, field in RECOVERY_FIELDS.items():
        if award.revocation_ground and award.revocation_ground not in profile.grounds(field):
            continue
        if not award.revocation_ground and not profile.grounds(field):
            continue
        mine = [r for r in records if r.item == item]
        if item == Recovery.Item.PRIZE:
            if not award.prize_amount:
                continue
            lines.append(RecoveryLine(item, item_label(award, item), mine, owed=award.prize_amount,
                                      recovered=sum((r.amount for r in mine), 0)))
        else:
            lines.append(RecoveryLine(item, item_label(award, item), mine))
    return lines


def record_recovery(*, award, actor, item, recovered_on, amount=None, note=""):
    """The secretariat records an item returned (证书, 奖牌) or prize money recovered (an amount, possibly in parts).
    Only items the program's document names for the revocation's ground; anything refused stores nothing."""
    from decimal import Decimal, InvalidOperation

    if not is_program_secretariat(actor.user, award):
        raise PermissionDenied("收回情况由本奖项秘书处登记。")
    if not award.is_revoked:
        raise ValidationError("该奖励尚未撤销，不能登记收回。")
    lines = {line.item: line for line in recovery_lines(award)}
    if item not in lines:
        named = "、".join(line.label for line in lines.values()) or "无"
        raise ValidationError(f"本奖项文件对此撤销情形规定收回的是：{named}。请从中选择。")
    line = lines[item]
    try:
        recovered_on = _as_date(recovered_on)
    except workflow.GuardFailed:
        raise ValidationError("收回日期格式不正确，请按 年-月-日 填写。") from None
    if recovered_on is None:
        raise ValidationError("请填写收回日期。")
    if recovered_on > timezone.localdate():
        raise ValidationError("收回日期不能晚于今天。")
    if recovered_on < award.revoked_on:
        raise ValidationError(f"收回日期不能早于撤销日期 {award.revoked_on:%Y年%m月%d日}。")
    if item == Recovery.Item.PRIZE:
        try:
            amount = Decimal(str(amount).replace(",", "").strip()) if amount not in (None, "") else None
        except InvalidOperation:
            amount = Decimal("NaN")
        if amount is None or not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValidationError("请填写追回的金额（元，大于 0，最多两位小数）。")
        if amount > line.outstanding:
            raise ValidationError(f"追回金额超过尚未追回的 {line.outstanding:,.2f} 元，请核对。")
    else:
        if line.records:
            raise ValidationError(f"{line.label}已于 {line.records[0].recovered_on:%Y年%m月%d日} 登记收回。")
        amount = None
    with transaction.atomic():
        Award.objects.select_for_update().get(pk=award.pk)  # two clerks never recover past the amount
        if item == Recovery.Item.PRIZE:
            done = sum(award.recoveries.filter(item=item).values_list("amount", flat=True), Decimal(0))
            if amount > line.owed - done:
                raise ValidationError(f"追回金额超过尚未追回的 {line.owed - done:,.2f} 元，请刷新页面后核对。")
        elif award.recoveries.filter(item=item).exists():
            raise ValidationError(f"{line.label}已登记收回，请刷新页面。")
        recovery = Recovery.objects.create(award=award, item=item, amount=amount, recovered_on=recovered_on,
                                           note=(note or "").strip()[:200], recorded_by=actor.user)
        record_event(actor=actor, action="award:recovery", target=award.application, data={
            "award": award.pk, "item": item, "amount": str(amount) if amount is not None else "",
            "recovered_on": recovered_on.isoformat()})
    return recovery


def notice_grounds_published(award):
    profile = award.program.profile
    return award.is_revoked and (not award.revocation_ground
                                 or award.revocation_ground in profile.grounds("revocation_notice_grounds")) \
        and bool(profile.grounds("revocation_notice_grounds"))


def published_revocations(program=None):
    """Revoked awards whose program's document has the revocation made public (息县 第三十三、三十四条 向社会公开,
    巩义 第二十五条 向社会公示, 金水 第二十三条 予以曝光), newest first. Public pages read only what
    ``revocation_notice`` composes from these: never the internal reason."""
    qs = (Award.objects.filter(revoked_on__isnull=False)
          .select_related("program__profile", "tier").order_by("-revoked_on", "-pk"))
    if program is not None:
        qs = qs.filter(program=program)
    return [a for a in qs if notice_grounds_published(a)]


def revocation_notice(award):
    """The public notice's sentences, from public facts only (name, award, certificate, ground, the approval, what
    is taken back, the ban); the secretariat's written reason stays internal."""
    what = "、".join(line.label for line in recovery_lines(award))
    title = award.tier.name if award.tier else award.program.name
    approval = f"经{award.program.profile.government_decision_body or '政府'}批准（{award.revocation_reference}），" \
        if award.revocation_reference else ""
    ground = f"因{award.get_revocation_ground_display()}，" if award.revocation_ground else ""
    body = (f"{award.recipient_name}于 {award.decided_on:%Y年%m月%d日} 获得{title}（证书编号 {award.certificate_number}）。"
            f"{ground}{approval}自 {award.revoked_on:%Y年%m月%d日} 起撤销其{title}称号")
    body += f"，收回{what}。" if what else "。"
    if award.ban_until:
        body += f"该单位（组织）在 {award.ban_until:%Y年%m月%d日} 前不得再次申报{award.program.name}。"
    return {"title": f"关于撤销{award.recipient_name}{title}称号的公告", "body": body}


# --- sanctions (金水 第二十四条 警告、通报) -----------------------------------------------------------------------------
def sanction_kinds(award):
    """(value, label) of the sanctions the program's document allows."""
    allowed = award.program.profile.sanction_kind_set
    return [(value, label) for value, label in Sanction.Kind.choices if value in allowed]


def record_sanction(*, award, actor, kind, reason, decided_on, approval_reference=""):
    """The secretariat records a sanction the government approved against a holder during the award's validity
    (金水 第二十四条: 在区长质量奖有效时限内 … 经区政府批准，分别给予警告、通报处理). Refused: a kind the program's
    document does not name, no reason, a date outside the validity, a revoked award. Audited."""
    if not is_program_secretariat(actor.user, award):
        raise PermissionDenied("处理由本奖项秘书处登记。")
    allowed = dict(sanction_kinds(award))
    if not allowed:
        raise ValidationError(f"{award.program.name}的文件未规定对获奖单位的警告、通报等处理，不能登记。")
    if award.is_revoked:
        raise ValidationError("该奖励已撤销，不能再登记警告、通报处理。")
    if kind not in allowed:
        raise ValidationError(f"请选择处理：{'、'.join(allowed.values())}。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请写明事由（如：用户投诉、重大质量事故、监督抽查不合格的情况）。")
    if len(reason) > 2000:
        raise ValidationError("事由不超过 2000 字。")
    try:
        decided_on = _as_date(decided_on)
    except workflow.GuardFailed:
        raise ValidationError("处理日期格式不正确，请按 年-月-日 填写。") from None
    if decided_on is None:
        raise ValidationError("请填写处理日期。")
    if decided_on > timezone.localdate():
        raise ValidationError("处理日期不能晚于今天。")
    if decided_on < award.decided_on:
        raise ValidationError(f"处理日期不能早于授奖日期 {award.decided_on:%Y年%m月%d日}。")
    if award.valid_until and decided_on > award.valid_until:
        raise ValidationError(f"该奖励的有效期至 {award.valid_until:%Y年%m月%d日}，有效时限外不能按本条给予处理。")
    with transaction.atomic():
        sanction = Sanction.objects.create(award=award, kind=kind, reason=reason, decided_on=decided_on,
                                           approval_reference=(approval_reference or "").strip()[:60],
                                           recorded_by=actor.user)
        record_event(actor=actor, action="award:sanction", target=award.application, reason=reason, data={
            "award": award.pk, "kind": kind, "decided_on": decided_on.isoformat(),
            "approval_reference": sanction.approval_reference})
    return sanction
