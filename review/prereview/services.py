"""Writes of the recommending authority's pre-review (推荐单位初审, seed 000 五 初审推荐意见).

The bureau verifies the submitted material section by section, returns it for correction naming
the sections and why, consults the departments its rule profile lists for the applicant, publicises
the applicants it means to recommend, writes and signs its initial opinion, uploads the city
government's recommendation opinion where the program requires one, and recommends.

Every write here: keyword-only arguments; the application row is locked; the actor must be the
application's recommending authority and the application in the bureau's stage (else
``PermissionDenied``); bad input raises ``ValidationError`` (Chinese, says what to do) and writes
nothing; each change is audited with ``record_event`` in the same transaction. Recommending goes
through ``applications.workflow``, whose ``recommend`` transition gets this module's guards
(registered in ``ReviewConfig.ready``).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.json import KT
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from applications import rules as access
from applications import workflow
from applications.forms.spec import form_for
from applications.forms.uploads import inspect_upload
from applications.models import (
    Application, ApplicationSection, DepartmentOpinionRule, PublicityRule, State, Submission,
)
from qualityaward.accounts.services import record_event

from . import pool
from .models import (
    AuthorityPublicity, DepartmentOpinion, GovernmentOpinion, InitialOpinion, ReturnedSection, ReturnRequest,
    SectionCheck,
)

#: States in which the bureau works on an application (returned: while the applicant corrects it).
BUREAU_STATES = frozenset({State.SUBMITTED, State.RETURNED})
#: States in which it signs and recommends: the material in front of it is final.
SIGNING_STATES = frozenset({State.SUBMITTED})
SCAN_KINDS = ("pdf", "jpeg")
MAX_NOTE = 2000
MAX_PART = 3000
READ_PERMISSION = "applications.read_application"


class AlreadySigned(workflow.TransitionError):
    """A write aimed at a signed initial opinion (editing it, signing it again)."""

    status_code = 409


# --- helpers ----------------------------------------------------------------------------------------

def _fmt_date(d):
    return f"{d.year}年{d.month}月{d.day}日"


def _locked(application):
    return (Application.objects.select_for_update(of=("self",))
            .select_related("campaign__program__profile", "region").get(pk=application.pk))


def is_bureau(user, application):
    """The application's recommending authority (region and program), whatever the state."""
    return bool(user and user.is_authenticated and user.is_active and access.is_region_authority(user, application))


def require_bureau(application, actor, *, states=BUREAU_STATES, action="办理初审事项"):
    if actor.user is None or not is_bureau(actor.user, application):
        if actor.user is not None and access.receives_filing(actor.user, application):
            from applications.recommenders import filing_only_message

            raise PermissionDenied(filing_only_message(application, action))
        raise PermissionDenied(f"只有本区域、本奖项的推荐单位可以{action}。")
    if application.state not in states:
        if states == SIGNING_STATES and application.state == State.RETURNED:
            raise PermissionDenied(f"该申报已退回修改，申报人重新提交后才能{action}。")
        raise PermissionDenied(
            f"该申报当前状态为“{application.get_state_display()}”，不在推荐单位初审阶段，不能{action}。")


def latest_submission(application):
    return Submission.objects.filter(application=application).order_by("-sequence").first()


def applicant_sections(application):
    return [s for s in form_for(application).sections if s.filled_by == "applicant"]


def _clean_text(value, label, *, required=False, limit=MAX_NOTE):
    value = (value or "").replace("\r\n", "\n").strip()
    if required and not value:
        raise ValidationError(f"请填写{label}。")
    if len(value) > limit:
        raise ValidationError(f"{label}限 {limit} 字，当前 {len(value)} 字，请删减。")
    return value


def _not_in_future(value, label):
    if value is None:
        raise ValidationError(f"请填写{label}。")
    if value > timezone.localdate():
        raise ValidationError(f"{label}（{_fmt_date(value)}）不能晚于今天，请核对。")
    return value


def _store_scan(row, inspected):
    row.original_name = inspected.safe_name
    row.content_type = inspected.content_type
    row.size = inspected.size
    row.pages = inspected.pages
    row.sha256 = inspected.sha256
    row.file.save(inspected.safe_name, ContentFile(inspected.data), save=False)


# --- 1. verification checklist ----------------------------------------------------------------------
def save_checklist(*, application, actor, entries):
    """Save the bureau's per-section verification of the latest submission (a working draft).

    ``entries``: {section code: (verdict, note)}, verdict "", "ok" or "problem"; a problem needs a note.
    """
    sections = {s.code: s for s in form_for(application).sections}
    verdicts = set(SectionCheck.Verdict.values)
    clean = {}
    for code, (verdict, note) in entries.items():
        if code not in sections:
            raise ValidationError("核实清单中有不存在的部分，请刷新页面后重试。")
        title = f"{sections[code].number} {sections[code].title}"
        if verdict not in verdicts:
            raise ValidationError(f"“{title}”的核实结果无效，请重新选择。")
        note = _clean_text(note, f"“{title}”的核实说明")
        if verdict == SectionCheck.Verdict.PROBLEM and not note:
            raise ValidationError(f"“{title}”标记为有问题，请写明存在的问题（退回修改时将作为修改要求）。")
        clean[code] = (verdict, note)
    with transaction.atomic():
        app = _locked(application)
        require_bureau(app, actor, action="核实申报材料")
        submission = latest_submission(app)
        existing = {c.section: c for c in SectionCheck.objects.filter(submission=submission)}
        changed = {}
        for code, (verdict, note) in clean.items():
            row = existing.get(code)
            if row is None:
                if not verdict and not note:
                    continue
                row = SectionCheck(submission=submission, section=code)
            elif row.verdict == verdict and row.note == note:
                continue
            row.verdict, row.note, row.updated_by = verdict, note, actor.user
            row.save()
            changed[code] = verdict or "unchecked"
        if changed:
            record_event(actor=actor, action="prereview:checklist", target=app,
                         data={"submission": submission.sequence, "sections": changed})
    return changed


# --- 2. return for correction with a reason per section ----------------------------------------------
def return_for_correction(*, application, actor, reasons):
    """Return the application naming the sections to correct, each with its reason.

    ``reasons``: {section code: reason}. Stores a ReturnRequest (the applicant sees the reasons per
    section), then runs the workflow's ``return_for_correction`` with exactly those sections reopened.
    """
    sections = {s.code: s for s in applicant_sections(application)}
    named = {}
    for code, reason in reasons.items():
        if code not in sections:
            raise ValidationError("退回修改时指定的部分不存在，请刷新页面后重新选择。")
        title = f"{sections[code].number} {sections[code].title}"
        reason = _clean_text(reason, f"“{title}”的修改要求")
        if reason:
            named[code] = (title, reason)
    if not named:
        raise ValidationError("请至少选择一个需要修改的部分，并逐项写明修改要求。")
    order = [c for c in sections if c in named]
    combined = "；".join(f"{named[c][0]}：{named[c][1]}" for c in order)
    with transaction.atomic():
        app = _locked(application)
        require_bureau(app, actor, states=SIGNING_STATES, action="退回修改")
        submission = latest_submission(app)
        workflow.perform(application=app, name="return_for_correction", actor=actor, reason=combined,
                         sections=order)
        request = ReturnRequest.objects.create(application=app, submission=submission, created_by=actor.user)
        ReturnedSection.objects.bulk_create([
            ReturnedSection(request=request, code=c, title=named[c][0], reason=named[c][1], order=n)
            for n, c in enumerate(order)])
        record_event(actor=actor, action="prereview:return", target=app, reason=combined,
                     data={"request": request.pk, "submission": submission.sequence, "sections": order})
    application.refresh_from_db()
    return request


# --- 3. department opinions ----------------------------------------------------------------------------
def org_type_of(application):
    """组织类型 (section "basic", field "org_type") as submitted last; "" for individuals or when absent."""
    if application.kind == Application.Kind.INDIVIDUAL:
        return ""
    value = (Submission.objects.filter(application=application).order_by("-sequence")
             .values_list(KT("content__form__sections__basic__org_type"), flat=True).first())
    if value is None:
        row = ApplicationSection.objects.filter(application=application, code="basic").first()
        value = (row.data or {}).get("org_type") if row else ""
    return value or ""


def required_department_rules(application):
    """The departments the rule profile says to consult for this applicant's kind and 组织类型."""
    org_type = org_type_of(application)
    rules = DepartmentOpinionRule.objects.filter(
        profile__program_id=application.campaign.program_id, applicant_kind=application.kind).order_by("order", "pk")
    return [r for r in rules if not r.org_type or r.org_type == org_type]


def department_rows(application):
    """Every department to consult (in the profile's order), with its opinion row when there is one,
    then opinions on record for departments no longer required (e.g. the 组织类型 changed)."""
    opinions = {o.department: o for o in DepartmentOpinion.objects.filter(application=application, consulted_by=AUTHORITY)
                .select_related("reader")}
    rows = []
    for rule in required_department_rules(application):
        rows.append({"department": rule.department, "rule": rule, "opinion": opinions.pop(rule.department, None),
                     "required": True})
    rows += [{"department": name, "rule": None, "opinion": op, "required": False} for name, op in opinions.items()]
    return rows


def pending_departments(application):
    return [r["department"] for r in department_rows(application)
            if r["required"] and not (r["opinion"] and r["opinion"].answered)]


def find_reader(identifier):
    """The active account named by a username or e-mail address (for a department contact)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(username=identifier).first() or users.filter(email__iexact=identifier).first()
    if user is None:
        raise ValidationError(f"没有找到账号“{identifier[:40]}”（用户名或邮箱）。请确认部门联系人已注册并启用账号。")
    return user


def _grant_reader(app, opinion, reader, actor):
    assign_perm(READ_PERMISSION, reader, app)
    record_event(actor=actor, action="grant:read_application", target=app,
                 data={"user": reader.pk, "username": reader.username, "department": opinion.department})


def _revoke_reader(app, opinion, actor):
    reader = opinion.reader
    still_needed = (DepartmentOpinion.objects
                    .filter(application=app, reader=reader, answer=DepartmentOpinion.Answer.PENDING,
                            reader_revoked_at__isnull=True)
                    .exclude(pk=opinion.pk).exists())
    opinion.reader_revoked_at = timezone.now()
    if not still_needed:
        remove_perm(READ_PERMISSION, reader, app)
    record_event(actor=actor, action="grant:revoke_read_application", target=app,
                 data={"user": reader.pk, "username": reader.username, "department": opinion.department,
                       "kept_for_other_department": still_needed})


AUTHORITY = DepartmentOpinion.ConsultedBy.AUTHORITY
SECRETARIAT = DepartmentOpinion.ConsultedBy.SECRETARIAT
EVALUATION = DepartmentOpinion.ConsultedBy.EVALUATION
#: The secretariat's consultations: the profile switch, where it stands in the procedure, what it comes before.
SECRETARIAT_CONSULTATIONS = {
    SECRETARIAT: ("secretariat_consults_departments", "资格审查前", "受理"),
    EVALUATION: ("consults_after_evaluation", "专家评估后", "确定名单并公示"),
}
DEPARTMENT_MAX_CHARS = 40


def secretariat_consultation_states(profile):
    """Where the secretariat consults the departments: while the application waits for its eligibility review
    and during it (息县 第十七条 “在征求县直有关部门意见的基础上，进行资格审查”)."""
    return frozenset({State.ELIGIBILITY_REVIEW, *workflow.awaiting_eligibility_states(profile)})


def evaluation_consultation_states(application):
    """Where the consultation after the expert evaluation happens: the evaluation concluded, before the transition
    into the winners' (入库) publicity (000 五（五） 专家评估 → 征求意见 → 社会公示)."""
    return frozenset(workflow.TRANSITIONS["propose"].sources_for(application))


def consultation_states(application, by):
    if by == EVALUATION:
        return evaluation_consultation_states(application)
    return secretariat_consultation_states(application.campaign.program.profile)


def require_consulter(application, actor, *, by, action):
    """The bureau in its stage, or the program's secretariat where its profile has the consultation and the
    application stands where the document puts it."""
    if by == AUTHORITY:
        return require_bureau(application, actor, action=action)
    flag, when, _before = SECRETARIAT_CONSULTATIONS[by]
    if not getattr(application.campaign.program.profile, flag):
        raise PermissionDenied(f"本奖项文件未规定秘书处在{when}征求意见，不能{action}。")
    if actor.user is None or not access.is_program_secretariat(actor.user, application):
        raise PermissionDenied(f"只有本奖项秘书处可以{action}。")
    if application.state not in consultation_states(application, by):
        raise PermissionDenied(
            f"该申报当前状态为“{application.get_state_display()}”，不在{when}征求意见的阶段，不能{action}。")


def secretariat_opinions(application, by=SECRETARIAT):
    """The secretariat's consultation (before eligibility, or after the expert evaluation), in the order asked."""
    return list(DepartmentOpinion.objects.filter(application=application, consulted_by=by)
                .select_related("reader").order_by("asked_on", "pk"))


def secretariat_consultation_problems(application, by=SECRETARIAT):
    """Why the secretariat's consultation does not yet allow the next step (empty where it does or the document
    has no such consultation)."""
    flag, when, before = SECRETARIAT_CONSULTATIONS[by]
    if not getattr(application.campaign.program.profile, flag):
        return []
    opinions = secretariat_opinions(application, by)
    if not opinions:
        if by == EVALUATION:
            return ["尚未征求意见。本奖项文件规定经专家评估、征求意见、社会公示等程序确定名单，"
                    "请在“专家评估后征求意见”页登记征求意见的单位及其答复后，再确定名单并公示。"]
        return ["尚未征求有关部门意见。本奖项文件规定在征求有关部门意见的基础上进行资格审查，"
                "请在资格审核页登记征求的部门，各部门答复后再受理。"]
    pending = [o.department for o in opinions if not o.answered]
    if pending:
        return ["以下单位尚未答复意见：" + "、".join(pending) + f"。请登记各单位的答复后再{before}。"]
    return []


def guard_consultation_after_evaluation(app, actor, params):
    """000 五（五）: 经专家评估、征求意见、社会公示 — the 入库 publicity only after the opinions are in."""
    problems = secretariat_consultation_problems(app, EVALUATION)
    if problems:
        raise workflow.GuardFailed(problems[0])


def guard_secretariat_consultation(app, actor, params):
    """息县 第十七条, 巩义 第十七条（三）: accepted only on the basis of the departments' opinions."""
    problems = secretariat_consultation_problems(app)
    if problems:
        raise workflow.GuardFailed(problems[0])


def solicit_opinion(*, application, actor, department, asked_on, reader=None, by=AUTHORITY):
    """Record that ``department`` was asked on ``asked_on``; optionally let its contact ``reader`` read
    this one application until the answer is recorded. ``by``: the bureau (departments its profile lists
    for the applicant) or the secretariat before eligibility (the departments it names; the documents name none)."""
    _not_in_future(asked_on, "征求日期")
    department = (department or "").strip()
    if by != AUTHORITY:
        if not department:
            raise ValidationError("请填写征求意见的部门名称。")
        if len(department) > DEPARTMENT_MAX_CHARS:
            raise ValidationError(f"部门名称限 {DEPARTMENT_MAX_CHARS} 字，请精简。")
    with transaction.atomic():
        app = _locked(application)
        require_consulter(app, actor, by=by, action="征求部门意见")
        rule = None
        if by == AUTHORITY:
            rule = next((r for r in required_department_rules(app) if r.department == department), None)
            if rule is None:
                raise ValidationError(f"“{department[:40]}”不在本申报须征求意见的部门之列，请刷新页面。")
        existing = DepartmentOpinion.objects.filter(application=app, consulted_by=by, department=department).first()
        if existing is not None:
            raise ValidationError(f"已于 {_fmt_date(existing.asked_on)} 征求{department}意见，不必重复登记。")
        if reader is not None:
            if access.is_owner(reader, app):
                raise ValidationError("该账号属于申报单位本身，不能作为征求意见部门的联系人。")
            if reader.pk == actor.user.pk:
                raise ValidationError("部门联系人不能是您本人，请填写部门联系人的账号。")
        opinion = DepartmentOpinion.objects.create(application=app, rule=rule, department=department,
                                                   consulted_by=by, asked_on=asked_on, reader=reader,
                                                   created_by=actor.user)
        record_event(actor=actor, action="prereview:solicit", target=app,
                     data={"department": department, "asked_on": asked_on.isoformat(),
                           "reader": reader.username if reader else "", "by": by})
        if reader is not None:
            _grant_reader(app, opinion, reader, actor)
    return opinion


def record_answer(*, application, actor, opinion_id, answer, content, answered_on, letter=None, by=AUTHORITY):
    """Record a department's answer (and its reply letter, PDF/JPG); the contact's read grant ends."""
    if answer not in (DepartmentOpinion.Answer.NO_OBJECTION, DepartmentOpinion.Answer.OBJECTION):
        raise ValidationError("请选择部门的答复：无异议或有异议。")
    content = _clean_text(content, "意见内容")
    if answer == DepartmentOpinion.Answer.OBJECTION and not content:
        raise ValidationError("部门有异议时，请填写异议的具体内容。")
    _not_in_future(answered_on, "答复日期")
    inspected = inspect_upload(uploaded=letter, field_label="部门复函", allowed=SCAN_KINDS) if letter else None
    with transaction.atomic():
        app = _locked(application)
        require_consulter(app, actor, by=by, action="登记部门意见")
        opinion = (DepartmentOpinion.objects.select_for_update(of=("self",))
                   .filter(pk=opinion_id, application=app, consulted_by=by).order_by().first())
        if opinion is None:
            raise ValidationError("没有找到该部门的征求意见记录，请刷新页面。")
        if answered_on < opinion.asked_on:
            raise ValidationError(
                f"答复日期（{_fmt_date(answered_on)}）不能早于征求日期（{_fmt_date(opinion.asked_on)}），请核对。")
        previous = opinion.answer
        opinion.answer, opinion.content, opinion.answered_on = answer, content, answered_on
        if inspected is not None:
            _store_scan(opinion, inspected)
        if opinion.reader_id and opinion.reader_revoked_at is None:
            _revoke_reader(app, opinion, actor)
        opinion.save()
        record_event(actor=actor, action="prereview:answer", target=app,
                     data={"department": opinion.department, "answer": answer, "previous": previous, "by": by,
                           "answered_on": answered_on.isoformat(),
                           "letter_sha256": inspected.sha256 if inspected else ""})
    return opinion


# --- 4. the bureau's publicity ---------------------------------------------------------------------------
#: The working-day calendar (holidays and the secretariat's overrides) belongs to publicity, which plugs it in
#: from ``PublicityConfig.ready``: ``between(start, end)`` counts working days and raises ``unknown_year``
#: for a year the calendar does not know.
WORKING_DAYS = {}


def register_working_days(*, between, unknown_year):
    WORKING_DAYS.update(between=between, unknown_year=unknown_year)


def publicity_shortfall(profile, starts_on, ends_on):
    """A Chinese sentence when the window is shorter than the profile's authority publicity rule, else
    None. Working days come from ``chinese_calendar``; a year it does not know is refused, not guessed."""
    rule = PublicityRule.objects.filter(profile=profile, kind=PublicityRule.Kind.AUTHORITY).first()
    if rule is None or not rule.min_length:
        return None
    if rule.unit == PublicityRule.Unit.CALENDAR_DAYS:
        days, unit = (ends_on - starts_on).days + 1, "个自然日"
    else:
        try:
            days, unit = WORKING_DAYS["between"](starts_on, ends_on), "个工作日"
        except WORKING_DAYS["unknown_year"]:
            raise ValidationError(f"系统尚未收录 {starts_on.year}—{ends_on.year} 年的法定节假日安排，无法计算工作日。"
                                  "请联系秘书处在“工作日日历”中录入后再登记。")
    if days >= rule.min_length:
        return None
    return (f"本奖项推荐单位公示不少于 {rule.min_length}{unit}，{_fmt_date(starts_on)}至{_fmt_date(ends_on)}"
            f"只有 {days}{unit}，请延长公示期。")


def save_publicity(*, application, actor, starts_on, ends_on, channel, objections_received=0,
                   objections_summary="", handling=""):
    if not starts_on or not ends_on:
        raise ValidationError("请填写公示开始和结束日期。")
    if ends_on < starts_on:
        raise ValidationError("公示结束日期不能早于开始日期，请核对。")
    _not_in_future(starts_on, "公示开始日期")
    channel = _clean_text(channel, "公示途径", required=True, limit=200)
    objections_summary = _clean_text(objections_summary, "异议内容摘要")
    handling = _clean_text(handling, "异议处理情况")
    if objections_received is None or objections_received < 0:
        raise ValidationError("收到异议的件数须为 0 或正整数。")
    if objections_received and not handling:
        raise ValidationError(f"公示期间收到异议 {objections_received} 件，请写明处理情况。")
    if objections_received and not objections_summary:
        raise ValidationError("请简要写明收到的异议内容。")
    with transaction.atomic():
        app = _locked(application)
        require_bureau(app, actor, action="登记公示情况")
        shortfall = publicity_shortfall(app.campaign.program.profile, starts_on, ends_on)
        if shortfall:
            raise ValidationError(shortfall)
        record, created = AuthorityPublicity.objects.update_or_create(application=app, defaults={
            "starts_on": starts_on, "ends_on": ends_on, "channel": channel, "objections_received": objections_received,
            "objections_summary": objections_summary, "handling": handling, "updated_by": actor.user})
        record_event(actor=actor, action="prereview:publicity", target=app, data={
            "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "channel": channel,
            "objections_received": objections_received, "created": created})
    return record


# --- 5. the initial opinion: drafts, signing, corrections ---------------------------------------------------
def signed_opinions(application):
    """(the latest signed initial opinion, the latest government opinion), each None when absent: what the
    printed dossier binds (registered with ``applications.documents.dossier``)."""
    initial = (InitialOpinion.objects.filter(application=application, signed_at__isnull=False)
               .select_related("signed_by").order_by("-version").first())
    government = GovernmentOpinion.objects.filter(application=application).order_by("-uploaded_at", "-pk").first()
    return initial, government


def signed_versions(application):
    """The signed versions, newest first, with what each one's page line reads (signer, its unit, the submission)."""
    return (InitialOpinion.objects.signed().filter(application=application)
            .select_related("signed_by", "submission", "supersedes", "application__campaign__program__profile",
                            "application__region__parent")
            .order_by("-version"))


def current_opinion(application):
    """The signed version in force: the highest signed version (a correction supersedes the one before)."""
    return signed_versions(application).first()


def opinion_draft(application):
    return InitialOpinion.objects.filter(application=application, signed_at__isnull=True).first()


def _already_signed(opinion):
    return AlreadySigned(
        f"第{opinion.version}版初审意见已于 {timezone.localtime(opinion.signed_at):%Y-%m-%d %H:%M} 由"
        f"{opinion.signed_by}签署，不能修改或重复签署。如需更正，请起草更正版本并重新签署。")


def save_opinion_draft(*, application, actor, parts, draft_id=None):
    """Create or update the one draft. With no draft and a signed version in force, the new draft is
    its correction (``supersedes``). ``draft_id``: the draft the form was showing, if any."""
    clean = {key: _clean_text(parts.get(key, ""), label, limit=MAX_PART)
             for key, label in InitialOpinion.parts_for(application.kind)}
    with transaction.atomic():
        app = _locked(application)
        require_bureau(app, actor, action="起草初审意见")
        if draft_id:
            target = InitialOpinion.objects.filter(pk=draft_id, application=app).select_related("signed_by").first()
            if target is None:
                raise ValidationError("没有找到这一版初审意见，请刷新页面。")
            if target.is_signed:
                raise _already_signed(target)
        draft = (InitialOpinion.objects.select_for_update(of=("self",)).filter(application=app, signed_at__isnull=True)
                 .order_by().first())
        created = draft is None
        if created:
            current = current_opinion(app)
            number = (InitialOpinion.objects.filter(application=app).aggregate(m=Max("version"))["m"] or 0) + 1
            draft = InitialOpinion(application=app, version=number, supersedes=current, created_by=actor.user)
        for key, value in clean.items():
            setattr(draft, key, value)
        draft.save()
        record_event(actor=actor, action="prereview:opinion_draft", target=app,
                     data={"version": draft.version, "created": created,
                           "supersedes": draft.supersedes.version if draft.supersedes_id else None})
    return draft


def _sign(app, opinion, actor):
    missing = [label for key, label in InitialOpinion.parts_for(app.kind) if not getattr(opinion, key).strip()]
    if missing:
        raise ValidationError("初审意见的以下部分尚未填写，不能签署：" + "、".join(missing) + "。")
    pending = pending_departments(app)
    if pending:
        raise ValidationError("以下部门尚未答复意见，签署前请先登记答复：" + "、".join(pending) + "。")
    current = current_opinion(app)
    if (current.pk if current else None) != opinion.supersedes_id:
        raise ValidationError("该草稿起草后已有新的版本签署，请刷新页面后重新起草。")
    opinion.submission = latest_submission(app)
    opinion.text = opinion.compose_text()
    opinion.text_sha256 = InitialOpinion.digest(opinion.text)
    opinion.signed_by = actor.user
    opinion.signed_at = timezone.now()
    opinion.save()
    record_event(actor=actor, action="prereview:sign", target=app, data={
        "version": opinion.version, "sha256": opinion.text_sha256, "submission": opinion.submission.sequence,
        "supersedes": opinion.supersedes.version if opinion.supersedes_id else None})
    return opinion


def sign_opinion(*, application, actor, opinion_id, password):
    """Sign one draft: the signer confirms with the login password; text, SHA-256, signer and time are
    stored and the version is final."""
    if actor.user is None or not actor.user.check_password(password or ""):
        raise ValidationError("登录密码不正确，初审意见未签署。请输入您本人的登录密码确认签署。")
    with transaction.atomic():
        app = _locked(application)
        require_bureau(app, actor, states=SIGNING_STATES, action="签署初审意见")
        opinion = (InitialOpinion.objects.select_for_update(of=("self",)).select_related("signed_by")
                   .filter(pk=opinion_id, application=app).first())
        if opinion is None:
            raise ValidationError("没有找到这一版初审意见，请刷新页面。")
        if opinion.is_signed:
            raise _already_signed(opinion)
        return _sign(app, opinion, actor)


CLAUSE_END = "。；;，,.!！?？ \n"


def _clause(text):
    """Recorded text as a clause of a composed sentence: its own closing punctuation is dropped, so joining
    never doubles it (“。；”, “。。”)."""
    return (text or "").strip().rstrip(CLAUSE_END)


def suggested_parts(application):
    """Draft text for the four parts, composed from what the bureau recorded (it edits before signing)."""
    app = application
    submission = latest_submission(app)
    checks = list(SectionCheck.objects.filter(submission=submission)) if submission else []
    titles = {s.code: f"{s.number} {s.title}" for s in form_for(app).sections}
    problems = [f"{titles.get(c.section, c.section)}：{_clause(c.note)}" for c in checks if c.verdict == "problem"]
    returns = ReturnRequest.objects.filter(application=app).count()
    verification = "我局对申报材料的完整性、真实性、准确性、合法性进行了审核。"
    if returns:
        verification += f"申报材料经 {returns} 次退回修改，申报单位已按要求修改后重新提交（第{submission.sequence}次提交）。"
    verification += ("经核实，仍存在以下问题：" + "；".join(problems) + "。") if problems else \
        "经核实，申报材料齐全，内容真实、准确，符合有关法律法规要求。"

    rows = department_rows(app)
    required = [r for r in rows if r["required"]]
    if not required:
        consultation = "本奖项对该类申报主体未规定须征求意见的部门。"
    else:
        said = []
        for r in required:
            op = r["opinion"]
            if op is None:
                said.append(f"{r['department']}（尚未征求）")
            elif not op.answered:
                said.append(f"{r['department']}（{_fmt_date(op.asked_on)}征求，尚未答复）")
            else:
                tail = f"：{_clause(op.content)}" if _clause(op.content) else ""
                said.append(f"{r['department']}（{_fmt_date(op.asked_on)}征求，{_fmt_date(op.answered_on)}答复）"
                            f"{op.get_answer_display()}{tail}")
        consultation = "我局统一征求了" + "、".join(r["department"] for r in required) + "的意见。" + "；".join(said) + "。"

    record = AuthorityPublicity.objects.filter(application=app).first()
    if record is None:
        publicity = ("（请先登记本部门公示情况。）" if app.kind == Application.Kind.INDIVIDUAL
                     else "（请先登记本部门公示情况；推荐组织的内部公示情况一并说明。）")
    else:
        publicity = (f"我局于{_fmt_date(record.starts_on)}至{_fmt_date(record.ends_on)}通过{record.channel}进行了公示。"
                     + (f"公示期间收到异议 {record.objections_received} 件：{_clause(record.objections_summary)}。"
                        f"处理情况：{_clause(record.handling)}。"
                        if record.objections_received else "公示期间未收到异议。"))
    opinion = f"经初审，同意推荐{app.applicant_name}参加{app.campaign.program.name}（{app.campaign.name}）。"
    return {"verification": verification, "consultation": consultation, "publicity": publicity, "opinion": opinion}


# --- 6. the city government's opinion and the recommendation ------------------------------------------------
def upload_government_opinion(*, application, actor, uploaded, issued_on):
    profile = application.campaign.program.profile
    if not profile.requires_government_opinion:
        raise ValidationError("本奖项不需要市级人民政府推荐意见，无须上传。")
    _not_in_future(issued_on, "落款日期")
    if uploaded is None:
        raise ValidationError("请选择盖章的市级人民政府推荐意见扫描件（PDF 或 JPG）。")
    inspected = inspect_upload(uploaded=uploaded, field_label="市级人民政府推荐意见", allowed=SCAN_KINDS)
    with transaction.atomic():
        app = _locked(application)
        require_bureau(app, actor, action="上传市级人民政府推荐意见")
        row = GovernmentOpinion(application=app, issued_on=issued_on, uploaded_by=actor.user)
        _store_scan(row, inspected)
        row.save()
        record_event(actor=actor, action="prereview:government_opinion", target=app,
                     data={"issued_on": issued_on.isoformat(), "sha256": inspected.sha256, "pages": inspected.pages})
    return row


QUOTA_REASON_MAX_CHARS = 500


def recommend(*, application, actor, quota_reason="", pool_reason=""):
    """Recommend to the secretariat through the workflow (deadline, quota and this module's guards).
    ``quota_reason``: the written reason for recommending beyond a quota the document sets only in principle;
    ``pool_reason``: for recommending one not on a list the document names only in principle (``pool``). Both
    are recorded with the transition's audit event."""
    params = {}
    for key, value, what in (("quota_reason", quota_reason, "超出名额推荐的理由"),
                             ("pool_reason", pool_reason, "推荐名单外单位的理由")):
        value = (value or "").strip()
        if len(value) > QUOTA_REASON_MAX_CHARS:
            raise workflow.GuardFailed(f"{what}不能超过 {QUOTA_REASON_MAX_CHARS} 字，请精简后再推荐。")
        if value:
            params[key] = value
    return workflow.perform(application=application, name="recommend", actor=actor, **params)


# --- guards on "recommend" ---------------------------------------------------------------------------------------
def guard_signed_opinion(app, actor, params):
    current = current_opinion(app)
    if current is None:
        raise workflow.GuardFailed("尚未签署初审意见。请在初审工作台填写并签署初审意见后再推荐。")
    latest = latest_submission(app)
    if latest is not None and current.submission_id != latest.pk:
        raise workflow.GuardFailed(
            f"现行初审意见（第{current.version}版）针对的是第{current.submission.sequence}次提交的材料，"
            f"申报人此后重新提交了第{latest.sequence}次。请核实新材料后签署更正版本，再推荐。")


def unverified_sections(application):
    """Titles of the latest submission's sections the bureau has not marked 无问题 or 有问题."""
    submission = latest_submission(application)
    if submission is None:
        return []
    done = set(SectionCheck.objects.filter(submission=submission).exclude(verdict="").values_list("section", flat=True))
    return [f"{s.number} {s.title}" for s in applicant_sections(application) if s.code not in done]


def guard_sections_verified(app, actor, params):
    """000 五（三）: the bureau 审核 the material before it recommends; every section of the submission under
    review carries its verdict (a problem may stand, written into the opinion)."""
    pending = unverified_sections(app)
    if pending:
        raise workflow.GuardFailed(f"材料核实清单中仍有 {len(pending)} 个部分未核实（{'、'.join(pending[:5])}"
                                   f"{'等' if len(pending) > 5 else ''}）。请逐项标记“无问题”或“有问题”后再推荐。")


def guard_government_opinion(app, actor, params):
    if app.campaign.program.profile.requires_government_opinion and not GovernmentOpinion.objects.filter(
            application=app).exists():
        raise workflow.GuardFailed("本奖项须附所在地市级人民政府推荐意见。请上传盖章扫描件后再推荐。")


def guard_department_answers(app, actor, params):
    pending = pending_departments(app)
    if pending:
        raise workflow.GuardFailed("以下部门尚未答复意见：" + "、".join(pending) + "。请登记各部门的答复后再推荐。")


def guard_authority_publicity(app, actor, params):
    """000 五（三）: the bureau 统一征求有关单位意见后向社会公示 before it recommends, where the program's rules have
    a 推荐单位公示; the window recorded must have ended."""
    if not PublicityRule.objects.filter(profile__program_id=app.campaign.program_id,
                                        kind=PublicityRule.Kind.AUTHORITY).exists():
        return
    record = AuthorityPublicity.objects.filter(application=app).first()
    if record is None:
        raise workflow.GuardFailed("本奖项推荐前须向社会公示。请在初审工作台登记公示情况（公示期满后）再推荐。")
    if record.ends_on > timezone.localdate():
        raise workflow.GuardFailed(f"公示期至 {_fmt_date(record.ends_on)} 结束，公示期满后方可推荐。")


RECOMMEND_GUARDS = (guard_sections_verified, guard_signed_opinion, guard_government_opinion,
                    guard_department_answers, guard_authority_publicity, pool.guard_candidate_pool)


def register_guards():
    registered = workflow.TRANSITIONS["recommend"].extra_guards
    for guard in RECOMMEND_GUARDS:
        if guard not in registered:
            workflow.add_guard("recommend", guard)
    workflow.add_guard("accept", guard_secretariat_consultation)
    workflow.add_guard("propose", guard_consultation_after_evaluation)


#: A readiness line that informs without stopping the recommendation (通知三 sets no consequence for a missing filing).
FILING_LABEL = "报备（不影响推荐）"
ADVISORY_LABELS = frozenset({FILING_LABEL})


def readiness(application):
    """What stands between the application and a recommendation, for the workspace: (label, ok, message)."""
    from .selectors import quota_usage

    result = []
    deadline = application.campaign.recommendation_deadline
    if timezone.now() > deadline:
        result.append(("推荐截止时间", False,
                       f"本届推荐已于 {timezone.localtime(deadline):%Y年%m月%d日 %H:%M} 截止，不能再推荐。"))
    else:
        result.append(("推荐截止时间", True, f"{timezone.localtime(deadline):%Y年%m月%d日 %H:%M} 截止"))
    usage = quota_usage(application)
    if usage is not None:
        used, quota = usage
        result.append(("推荐名额", used < quota, f"本届最多推荐 {quota} 个，已推荐 {used} 个"))
    in_pool = pool.pool_status(application)
    if in_pool is not None:
        result.append(("推荐对象名单", *in_pool))
    from applications.recommenders import filing_summary

    filing = filing_summary(application)
    if filing is not None:
        result.append((FILING_LABEL, *filing))
    for label, guard in (("材料逐项核实", guard_sections_verified), ("初审意见已签署", guard_signed_opinion), ("市级人民政府推荐意见", guard_government_opinion),
                         ("部门意见均已答复", guard_department_answers),
                         ("推荐前社会公示", guard_authority_publicity)):
        if label == "市级人民政府推荐意见" and not application.campaign.program.profile.requires_government_opinion:
            continue
        try:
            guard(application, None, {})
        except workflow.GuardFailed as exc:
            result.append((label, False, exc.message))
        else:
            result.append((label, True, "已完成"))
    return result


# --- what the secretariat sees of the pre-review (applications.eligibility plug-ins) ----------------------
def check_prereview_record(facts):
    """Eligibility check: the recommending authority's record is complete (signed opinion on the
    submission under review, the government opinion where required, every department answered)."""
    from ..eligibility.services import FAIL, NA, PASS, CheckResult

    app = facts.application
    if not app.campaign.program.profile.has_recommender_step:
        return CheckResult("prereview_record", "推荐单位初审记录", NA,
                           "本奖项申报人直接向秘书处提交，文件未设推荐单位初审。")
    problems = []
    for guard in (guard_signed_opinion, guard_government_opinion, guard_department_answers):
        try:
            guard(app, None, {})
        except workflow.GuardFailed as exc:
            problems.append(exc.message)
    label = "推荐单位初审记录"
    if problems:
        return CheckResult("prereview_record", label, FAIL, "；".join(problems) + " 请退回推荐单位补正。")
    opinion = current_opinion(app)
    return CheckResult("prereview_record", label, PASS,
                       f"初审意见第{opinion.version}版已于 {timezone.localtime(opinion.signed_at):%Y-%m-%d %H:%M} 由"
                       f"{opinion.signed_by}签署（SHA-256 {opinion.text_sha256[:12]}…）；部门意见均已答复。")


def check_other_unit_filing(facts):
    """通知三 “通过其他推荐单位申报的应向当地工信部门、省工业和信息化厅报备”: recorded filings pass; a missing one
    is for the secretariat to decide with a written reason (the document sets no consequence)."""
    from applications.recommenders import filing_summary

    from ..eligibility.services import FLAG, NA, PASS, CheckResult

    label = "通过其他推荐单位申报的报备"
    summary = filing_summary(facts.application)
    if summary is None:
        return CheckResult("other_unit_filing", label, NA, "通过所在地推荐单位申报，或本奖项未设其他推荐单位。")
    ok, message = summary
    if ok:
        return CheckResult("other_unit_filing", label, PASS, message)
    return CheckResult("other_unit_filing", label, FLAG,
                       message + "文件未规定未报备的后果：请秘书处向报备对象核实，作出决定并写明理由。")


def record_panels(application, user):
    """The bureau's record on the secretariat's eligibility page (none where there is no recommender step), and
    the secretariat's own consultation of the departments where the profile has it."""
    profile = application.campaign.program.profile
    panels = []
    if profile.has_recommender_step:
        panels.append({"template": "review/prereview/_record.html", "opinion": current_opinion(application),
                       "departments": department_rows(application), "readiness": readiness(application)})
    if profile.secretariat_consults_departments:
        panels.append(consultation_panel(application, user, SECRETARIAT))
    return panels


CONSULTATION_TEXTS = {
    SECRETARIAT: {
        "title": "秘书处征求有关部门意见（资格审查前）", "asked": "部门",
        "intro": "本奖项文件规定在征求有关部门意见的基础上进行资格审查；文件未点名部门，由秘书处登记所征求的部门。"
                 "所征求的部门均已答复后方可受理。",
        "solicit": "review:eligibility_consult_solicit", "answer": "review:eligibility_consult_answer"},
    EVALUATION: {
        "title": "专家评估后征求意见", "asked": "单位或部门",
        "intro": "本奖项文件规定经专家评估、征求意见、社会公示等程序确定名单（五（五））；文件未点名征求谁的意见，"
                 "由秘书处登记所征求的单位或部门。均已答复后方可确定名单并公示。",
        "solicit": "review:evaluation_consult_solicit", "answer": "review:evaluation_consult_answer"},
}


def consultation_panel(application, user, by):
    """What the page shows of one of the secretariat's consultations, and whether ``user`` may record in it."""
    from django.urls import reverse

    texts = CONSULTATION_TEXTS[by]
    may_act = bool(user and user.is_authenticated and access.is_program_secretariat(user, application)
                   and application.state in consultation_states(application, by))
    return {"template": "review/prereview/_secretariat_consultation.html", "app": application,
            "opinions": secretariat_opinions(application, by), "may_act": may_act,
            "problems": secretariat_consultation_problems(application, by), **texts,
            "solicit_url": reverse(texts["solicit"], args=[application.pk]),
            "answer_url": reverse(texts["answer"], args=[application.pk])}


def register_eligibility_plugins():
    from ..eligibility import services as eligibility

    eligibility.register_check("prereview_record", "推荐单位初审记录", check_prereview_record)
    eligibility.register_check("other_unit_filing", "通过其他推荐单位申报的报备", check_other_unit_filing)
    eligibility.register_prereview_panel(record_panels)
    from ..awards.services import revocation_bans

    eligibility.register_revocation_source(revocation_bans)


def register_dossier_opinions():
    from applications.documents import dossier

    dossier.register_opinions(signed=signed_opinions, parts=InitialOpinion.parts_for)
