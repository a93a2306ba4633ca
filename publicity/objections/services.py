"""Objections: receiving them from the public, who may read them, and the secretariat's handling.

Writes are keyword-only services audited with ``record_event``; reads go through
``objections_for_user`` / ``objection_for_user_or_404``. The decision "upheld" disqualifies the
application through the one state machine; the settlement blocker holds an application on its
notice while an objection to it there is undecided or upheld.
"""
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from applications import jobs, workflow
from applications.forms.uploads import inspect_upload
from applications.models import Program
from applications.rules import is_owner
from applications.selectors import recused_applications
from qualityaward.accounts.models import Role, User
from qualityaward.accounts.selectors import has_role, role_assignments
from qualityaward.accounts.services import SYSTEM, record_event

from ..notices.models import Notice
from ..workdays import DEADLINE_CONVENTION, DeadlineClock, UnknownCalendarYear, deadline_after
from .models import Objection, ObjectionFile, ObjectionNote, ObjectionReminder, ObjectionRequest

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 10
MAX_REPLY_FILES = 10
#: the same objection sent again within this many minutes is the same objection (a double click)
DUPLICATE_MINUTES = 30
NOT_FOUND = "没有找到该异议，或您无权查看。"


class ObjectionRefused(Exception):
    """The public form refused a submission; ``message`` is Chinese and says what to do."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- who may read and handle ----------------------------------------------------------------------------
def can_handle(user, program_id):
    """The program's secretariat: the only people who change an objection."""
    return bool(user and user.is_authenticated and user.is_active
                and has_role(user, Role.SECRETARIAT, program_id=program_id))


def can_read(user, program_id):
    """The program's secretariat and supervisors (supervisors read everything, change nothing)."""
    return bool(user and user.is_authenticated and user.is_active and (
        has_role(user, Role.SECRETARIAT, program_id=program_id) or has_role(user, Role.SUPERVISOR, program_id=program_id)))


def readable_program_ids(user):
    """Program ids whose objections ``user`` reads; ``None`` means every program (an unscoped supervisor)."""
    if not user or not user.is_authenticated or not user.is_active:
        return set()
    ids = set()
    for a in role_assignments(user):
        if a.role == Role.SUPERVISOR and a.program_id is None:
            return None
        if a.role in (Role.SECRETARIAT, Role.SUPERVISOR):
            ids.add(a.program_id)
    return ids


def handled_program_ids(user):
    if not user or not user.is_authenticated or not user.is_active:
        return set()
    return {a.program_id for a in role_assignments(user) if a.role == Role.SECRETARIAT}


def objections_for_user(*, user):
    ids = readable_program_ids(user)
    # 息县 第十条, 巩义 第十八条: an objection against an application the user stepped aside from is a colleague's
    qs = Objection.objects.select_related("notice__campaign__program__profile", "application__region", "item").exclude(
        application__in=recused_applications(user=user))
    if ids is None:
        return qs
    return qs.filter(notice__campaign__program_id__in=ids)


def objection_for_user_or_404(*, user, pk):
    objection = objections_for_user(user=user).filter(pk=pk).first()
    if objection is None:
        raise Http404(NOT_FOUND)
    return objection


def requests_for_applicant(*, user, application):
    """The requests addressed to the application, for its applicant only (never the objector's identity)."""
    if not user or not user.is_authenticated or not is_owner(user, application):
        return ObjectionRequest.objects.none()
    return (ObjectionRequest.objects.filter(objection__application=application)
            .select_related("objection__notice").prefetch_related("files").order_by("-created_at"))


def request_for_applicant_or_404(*, user, pk):
    req = ObjectionRequest.objects.select_related("objection__application__campaign__program").filter(pk=pk).first()
    if req is None or not (user.is_authenticated and is_owner(user, req.objection.application)):
        raise Http404("没有找到该事项，或您无权查看。")
    return req


def _require_handler(actor, objection):
    if not can_handle(actor.user, objection.notice.campaign.program_id):
        raise PermissionDenied("只有本奖项秘书处可以办理异议；监督组可以查阅，不能更改。")


# --- the public form ---------------------------------------------------------------------------------------
def refusal_for_notice(notice, *, now=None):
    """Why ``notice`` does not take objections now (Chinese), or ``None`` when it does."""
    now = now or timezone.now()
    profile = notice.campaign.program.profile
    if not profile.objections_allowed:
        return f"{notice.campaign.program.name}的公示不设网上异议受理。如有意见，请按公示中的联系方式与发布单位联系。"
    if notice.status != Notice.Status.OPEN or now < notice.opens_at:
        if now < notice.opens_at or notice.status in (Notice.Status.DRAFT, Notice.Status.SCHEDULED):
            return "该公示尚未发布，暂不受理异议。请在公示期内提出。"
        return (f"该公示已于 {timezone.localtime(notice.closes_at):%Y年%m月%d日 %H:%M} 截止，公示期满后不再受理异议。"
                if notice.closes_at <= now or notice.status in (Notice.Status.CLOSED, Notice.Status.SETTLED)
                else "该公示当前不受理异议。")
    if now >= notice.closes_at:
        return (f"该公示已于 {timezone.localtime(notice.closes_at):%Y年%m月%d日 %H:%M} 截止，"
                "公示期满后不再受理异议。")
    return None


def rate_limit_key(ip, scope="objections"):
    return f"publicity:{scope}:{ip or 'unknown'}"


def rate_limited(ip, *, scope="objections"):
    """Count one submission attempt of a public form (``scope``) from ``ip``; True when the hourly limit is
    already used up. Every public real-name form has the same limit per network address."""
    from django.core.cache import cache

    key, limit = rate_limit_key(ip, scope), settings.OBJECTIONS_PER_IP_PER_HOUR
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, 3600)
        count = 1
    return count > limit


RATE_LIMITED_MESSAGE = ("同一网络 1 小时内提交异议的次数已达上限，请稍后再试。"
                        "如需提交大量材料，请按公示中的联系方式直接与秘书处联系。")


@dataclass
class Upload:
    kind: str
    inspected: object


def inspect_files(files, kind, label, *, required, max_files):
    """Judge each upload by its content (``inspect_upload``) before anything is written; Chinese refusals."""
    files = [f for f in files if f]
    if required and not files:
        raise ValidationError(f"请上传{label}。")
    if len(files) > max_files:
        raise ValidationError(f"{label}最多上传 {max_files} 个文件，您选择了 {len(files)} 个。请合并后再上传。")
    return [Upload(kind, inspect_upload(uploaded=f, field_label=label, max_bytes=MAX_FILE_BYTES)) for f in files]


def _store_file(objection, upload, *, request=None):
    f = upload.inspected
    row = ObjectionFile(objection=objection, request=request, kind=upload.kind, original_name=f.safe_name,
                        content_type=f.content_type, size=f.size, pages=f.pages, sha256=f.sha256)
    row.file.save(f.safe_name, ContentFile(f.data), save=False)
    row.save()
    return row


def next_receipt_number(program, year, *, model=Objection, code="YY"):
    """The next receipt number of a public submission (``model`` has ``receipt_number``): PY-YY2026-0001."""
    prefix = f"{program.number_prefix}-{code}{year}-"
    last = (model.objects.filter(receipt_number__startswith=prefix).order_by("-receipt_number")
            .values_list("receipt_number", flat=True).first())
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def compute_deadline(objection):
    """Set ``answer_deadline`` from the snapshot of working days; a year nobody entered leaves it open
    with the reason shown to the secretariat (the reminder job tries again)."""
    if not objection.answer_working_days:
        objection.answer_deadline, objection.deadline_problem = None, ""
        return
    try:
        objection.answer_deadline = deadline_after(objection.received_on, objection.answer_working_days)
        objection.deadline_problem = ""
    except UnknownCalendarYear as exc:
        objection.answer_deadline, objection.deadline_problem = None, exc.message[:300]


def submit_objection(*, notice, item_id, objector, grounds, files, actor, now=None):
    """Receive one objection from the public form. ``files``: {"identity"|"sealed_letter"|"evidence": [uploads]}.

    Everything is checked (window, item, identity, every file by content) before anything is written.
    """
    now = now or timezone.now()
    refusal = refusal_for_notice(notice, now=now)
    if refusal:
        raise ObjectionRefused(refusal)
    item = notice.items.filter(pk=item_id).select_related("application").first()
    if item is None:
        raise ObjectionRefused("所选项目不在本公示名单中，请从名单中选择。")
    kind = objector["objector_kind"]
    uploads = []
    if kind == Objection.ObjectorKind.INDIVIDUAL:
        uploads += inspect_files(files.get("identity", []), ObjectionFile.Kind.IDENTITY,
                                 "身份证明（身份证正反面或其他身份证件）",
                            required=True, max_files=2)
    else:
        uploads += inspect_files(files.get("sealed_letter", []), ObjectionFile.Kind.SEALED_LETTER,
                            "加盖单位公章的异议书", required=True, max_files=3)
    uploads += inspect_files(files.get("evidence", []), ObjectionFile.Kind.EVIDENCE, "证明材料", required=True,
                        max_files=MAX_EVIDENCE_FILES)
    program = notice.campaign.program
    local_now = timezone.localtime(now)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                Program.objects.select_for_update().filter(pk=program.pk).first()
                duplicate = Objection.objects.filter(
                    notice=notice, item=item, phone=objector["phone"], grounds=grounds,
                    received_at__gte=now - dt.timedelta(minutes=DUPLICATE_MINUTES)).first()
                if duplicate is not None:  # a second click on "提交": the first receipt stands, nothing is stored
                    return duplicate
                objection = Objection(
                    receipt_number=next_receipt_number(program, local_now.year), notice=notice, item=item,
                    application=item.application, grounds=grounds, received_at=now, received_on=local_now.date(),
                    answer_working_days=program.profile.objection_answer_working_days, pledged=True, **objector)
                compute_deadline(objection)
                objection.save()
                for upload in uploads:
                    _store_file(objection, upload)
                record_event(actor=actor, action="objection:receive", target=objection,
                             data={"notice": notice.pk, "application": item.application_id,
                                   "files": [u.inspected.sha256 for u in uploads]})
            return objection
        except IntegrityError:  # two receipts numbered at once on a database without row locks: number again
            continue
    raise ObjectionRefused("系统繁忙，异议未能登记，请稍后重新提交。")


# --- handling --------------------------------------------------------------------------------------------------
def _lock(objection):
    return Objection.objects.select_for_update(of=("self",)).select_related(
        "notice__campaign__program__profile", "application").get(pk=objection.pk)


def _refuse_if_decided(objection):
    if not objection.is_open:
        raise ValidationError(f"该异议已于 {timezone.localtime(objection.decided_at):%Y-%m-%d %H:%M} 办结"
                              f"（{objection.get_status_display()}），不能再更改。")


def add_note(*, objection, text, actor):
    _require_handler(actor, objection)
    with transaction.atomic():
        objection = _lock(objection)
        _refuse_if_decided(objection)
        note = ObjectionNote.objects.create(objection=objection, text=text, created_by=actor.user)
        if objection.status == Objection.Status.RECEIVED:
            objection.status = Objection.Status.INVESTIGATING
            objection.save(update_fields=["status"])
        record_event(actor=actor, action="objection:note", target=objection, data={"note": note.pk})
    return note


def send_request(*, objection, grounds, question, reply_by, actor):
    """Ask the applicant for an explanation; the applicant is e-mailed and answers on its application page."""
    _require_handler(actor, objection)
    text = grounds + question
    if any(v and v in text for v in (objection.objector_name, objection.phone, objection.email, objection.contact_person)):
        raise ValidationError("告知申报单位的内容中含有异议人的名称或联系方式。请删去异议人的身份信息后再发出。")
    with transaction.atomic():
        objection = _lock(objection)
        _refuse_if_decided(objection)
        deadline = None
        if reply_by:
            if reply_by < timezone.localdate():
                raise ValidationError("答复截止日期不能早于今天。")
            deadline = dt.datetime.combine(reply_by + dt.timedelta(days=1), dt.time.min,
                                           tzinfo=timezone.get_default_timezone())
        req = ObjectionRequest.objects.create(objection=objection, grounds=grounds, question=question, reply_by=deadline,
                                              created_by=actor.user)
        if objection.status == Objection.Status.RECEIVED:
            objection.status = Objection.Status.INVESTIGATING
            objection.save(update_fields=["status"])
        record_event(actor=actor, action="objection:request", target=objection, data={"request": req.pk})
        transaction.on_commit(lambda: _mail_applicant_request(req.pk))
    return req


def reply_to_request(*, request, text, files, actor):
    """The applicant's explanation, with uploads; once given it cannot be changed (a new request asks again)."""
    application = request.objection.application
    if not is_owner(actor.user, application):
        raise PermissionDenied("只有申报单位的账号可以答复。")
    uploads = inspect_files(files, ObjectionFile.Kind.REPLY, "说明材料", required=False, max_files=MAX_REPLY_FILES)
    with transaction.atomic():
        req = ObjectionRequest.objects.select_for_update(of=("self",)).select_related("objection").get(pk=request.pk)
        if req.replied_at:
            raise ValidationError(f"该事项已于 {timezone.localtime(req.replied_at):%Y-%m-%d %H:%M} 答复，不能重复答复。"
                                  "如需补充，请联系秘书处。")
        if not req.objection.is_open:
            raise ValidationError("该异议已办结，不再接收说明。如有疑问请联系秘书处。")
        req.reply_text, req.replied_at, req.replied_by = text, timezone.now(), actor.user
        req.save(update_fields=["reply_text", "replied_at", "replied_by"])
        for upload in uploads:
            _store_file(req.objection, upload, request=req)
        record_event(actor=actor, action="objection:reply", target=req.objection,
                     data={"request": req.pk, "files": [u.inspected.sha256 for u in uploads]})
        transaction.on_commit(lambda: _mail_secretariat_reply(req.pk))
    return req


def decide(*, objection, decision, finding, answer_text, actor):
    """Decide the objection and write the answer. Upheld: the application is disqualified through the
    workflow (no backfill unless the profile says so); unfounded or inadmissible: the settlement blocker
    releases it."""
    _require_handler(actor, objection)
    if decision not in (Objection.Status.UNFOUNDED, Objection.Status.UPHELD, Objection.Status.INADMISSIBLE):
        raise ValidationError("请选择审查结论。")
    with transaction.atomic():
        objection = _lock(objection)
        _refuse_if_decided(objection)
        open_requests = objection.requests.filter(replied_at__isnull=True).count()
        now = timezone.now()
        objection.status, objection.decided_at, objection.decided_by = decision, now, actor.user
        objection.finding, objection.answer_text = finding, answer_text
        profile = objection.notice.campaign.program.profile
        data = {"decision": decision, "unanswered_requests": open_requests,
                "late": bool(objection.answer_deadline and now > objection.answer_deadline)}
        if decision == Objection.Status.UPHELD:
            app = objection.application
            if app.state in workflow.TERMINAL_STATES:
                data["application_state"] = app.state  # already out (withdrawn, disqualified by another objection)
            else:
                workflow.perform(application=app, name="disqualify", actor=actor,
                                 reason=f"公示异议成立（受理编号 {objection.receipt_number}）：{finding}")
            objection.backfill_due = profile.backfill_after_disqualification
        objection.save()
        record_event(actor=actor, action="objection:decide", target=objection, reason=finding, data=data)
        transaction.on_commit(lambda: _after_decision(objection.pk))
    return objection


def record_backfill(*, objection, note, actor):
    _require_handler(actor, objection)
    with transaction.atomic():
        objection = _lock(objection)
        if not objection.backfill_due:
            raise ValidationError("该异议没有需要办理的递补。")
        if objection.backfill_done_at:
            raise ValidationError("递补已登记办理，不能重复登记。")
        objection.backfill_done_at, objection.backfill_note = timezone.now(), note
        objection.save(update_fields=["backfill_done_at", "backfill_note"])
        record_event(actor=actor, action="objection:backfill", target=objection, data={"note": note})
    return objection


# --- the settlement blocker ------------------------------------------------------------------------------------
def settlement_blocker(*, notice, application):
    """Hold ``application`` on ``notice`` while an objection there is undecided or upheld."""
    statuses = list(Objection.objects.filter(notice=notice, application=application)
                    .exclude(status__in=Objection.RELEASING_STATUSES).values_list("status", flat=True))
    if not statuses:
        return None
    undecided = sum(1 for s in statuses if s in Objection.OPEN_STATUSES)
    if undecided:
        return f"有 {undecided} 件异议尚未办结"
    return f"有 {len(statuses)} 件异议经调查成立"


# --- deadlines ------------------------------------------------------------------------------------------------
def deadline_label(deadline):
    """A deadline as people read it: "2026年11月27日 24:00" (stored as 00:00 of the next day)."""
    if deadline is None:
        return ""
    last_day = timezone.localtime(deadline - dt.timedelta(microseconds=1)).date()
    return f"{last_day:%Y年%m月%d日} 24:00"


def deadline_info(objection, *, now=None, clock=None):
    """What the register shows next to the deadline: working days left, due today, overdue."""
    clock = clock or DeadlineClock(now)
    now = clock.now
    info = {"deadline": objection.answer_deadline, "label": deadline_label(objection.answer_deadline),
            "days_left": None, "overdue": False, "due_today": False, "text": "", "late": False}
    if objection.answer_deadline is None:
        info["text"] = objection.deadline_problem or "文件未规定答复时限"
        return info
    if not objection.is_open:
        info["late"] = objection.decided_at > objection.answer_deadline
        info["text"] = "超期办结" if info["late"] else "按期办结"
        return info
    if now >= objection.answer_deadline:
        info["overdue"] = True
        info["text"] = "已超过答复期限"
        return info
    try:
        left = clock.days_left(objection.answer_deadline)
    except UnknownCalendarYear as exc:
        info["text"] = exc.message
        return info
    info["days_left"] = left
    last_day = timezone.localtime(objection.answer_deadline - dt.timedelta(microseconds=1)).date()
    info["due_today"] = last_day == timezone.localtime(now).date()
    info["text"] = "今日到期" if info["due_today"] else f"剩 {left} 个工作日"
    return info


def deadline_convention(objection):
    if objection.answer_working_days:
        return DEADLINE_CONVENTION.replace("第 N 个", f"第 {objection.answer_working_days} 个")
    return ""


# --- e-mail ----------------------------------------------------------------------------------------------------
def send_to(subject, body, recipients):
    """One e-mail to ``recipients`` (empty addresses dropped); a mail-server failure never fails the caller."""
    recipients = [r for r in recipients if r]
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
    return recipients


def site_link(path):
    """An absolute link when the portal's address is configured (SITE_URL), else the path."""
    from urllib.parse import urljoin

    site = getattr(settings, "SITE_URL", "")
    return urljoin(site, path) if site else path


def _applicant_emails(application):
    emails = [application.owner.email]
    if application.organization_id:
        emails += list(application.organization.members.exclude(email="").values_list("email", flat=True))
    return sorted(set(e for e in emails if e))


def _mail_applicant_request(request_id):
    req = ObjectionRequest.objects.select_related("objection__application__owner",
                                                  "objection__application__campaign__program").get(pk=request_id)
    app = req.objection.application
    by = f"，请于 {timezone.localtime(req.reply_by - dt.timedelta(seconds=1)):%Y年%m月%d日} 前答复" if req.reply_by else ""
    send_to(f"公示异议需要您说明：{app.number or app.applicant_name}",
          f"您的{app.campaign.program.name}申报（{app.applicant_name}）在公示期间收到异议，秘书处请您就有关事项作出说明{by}。"
          f"\n请登录平台，在“申报详情”页面的“公示异议：请说明的事项”中查看并答复（可上传说明材料）。"
          f"\n链接：{site_link(reverse('applications:detail', args=[app.pk]))}",
          _applicant_emails(app))


def _mail_secretariat_reply(request_id):
    req = ObjectionRequest.objects.select_related("objection__notice__campaign__program", "objection__item").get(
        pk=request_id)
    o = req.objection
    send_to(f"申报单位已答复异议调查：{o.receipt_number}",
          f"{o.notice.campaign.program.name}：对“{o.item.name}”的异议（受理编号 {o.receipt_number}），申报单位已于 "
          f"{timezone.localtime(req.replied_at):%Y年%m月%d日 %H:%M} 答复秘书处的询问。请登录平台在“异议登记簿”中查看："
          f"{site_link(reverse('publicity:objection_detail', args=[o.pk]))}",
          _secretariat_emails(o.notice.campaign.program_id))


def _after_decision(objection_id):
    objection = Objection.objects.select_related("application__owner", "application__campaign__program").get(
        pk=objection_id)
    app = objection.application
    if objection.status == Objection.Status.UNFOUNDED:
        outcome = "经调查，异议不成立，不影响您的申报继续参加评审。"
    elif objection.status == Objection.Status.INADMISSIBLE:
        outcome = "该异议不予受理，不影响您的申报继续参加评审。"
    else:
        outcome = "经调查，异议成立，您的申报资格已被取消。理由可登录平台在申报详情页查看。"
    send_to(f"公示异议处理结果：{app.number or app.applicant_name}",
          f"您的{app.campaign.program.name}申报（{app.applicant_name}）在公示期间收到的异议"
          f"（受理编号 {objection.receipt_number}）已办结。{outcome}", _applicant_emails(app))
    if objection.email:
        jobs.now("publicity.deliver_answer", objection_id=objection.pk)  # ``publicity.objections.tasks``


def deliver_answer_now(*, objection_id):
    """E-mail the written answer to the objector once; the time is recorded where the secretariat sees it."""
    with transaction.atomic():
        objection = Objection.objects.select_for_update(of=("self",)).select_related("notice__campaign__program").get(
            pk=objection_id)
        if objection.answer_emailed_at or not objection.email or objection.is_open:
            return False
        program = objection.notice.campaign.program
        send_mail(f"异议处理结果书面答复（受理编号 {objection.receipt_number}）",
                  f"{objection.objector_name}：\n\n您于 {timezone.localtime(objection.received_at):%Y年%m月%d日} "
                  f"对“{objection.notice.title}”中“{objection.item.name}”提出的异议，答复如下：\n\n"
                  f"{objection.answer_text}\n\n{program.organizer}\n{timezone.localtime(objection.decided_at):%Y年%m月%d日}",
                  settings.DEFAULT_FROM_EMAIL, [objection.email], fail_silently=False)
        objection.answer_emailed_at = timezone.now()
        objection.save(update_fields=["answer_emailed_at"])
        record_event(actor=SYSTEM, action="objection:answer_emailed", target=objection)
    return True


def staff_emails(program_id, *roles):
    """E-mail addresses of the active holders of ``roles`` for the program (``None``: roles held without a
    program, i.e. for every program)."""
    return sorted(set(User.objects.filter(role_assignments__role__in=roles, role_assignments__program_id=program_id,
                                          is_active=True).exclude(email="").values_list("email", flat=True)))


def _secretariat_emails(program_id):
    return staff_emails(program_id, Role.SECRETARIAT)


REMINDER_TEXT = {
    ObjectionReminder.Kind.TWO_DAYS: ("异议答复期限还剩 2 个工作日", "距答复期限还剩 2 个工作日"),
    ObjectionReminder.Kind.DUE_DAY: ("异议答复今日到期", "今日 24:00 为答复期限"),
    ObjectionReminder.Kind.OVERDUE: ("异议答复已超期", "已超过答复期限，请尽快办结并书面答复"),
}


def due_reminder(objection, *, clock):
    """Which reminder, if any, is due for an open objection now (each kind is sent once)."""
    info = deadline_info(objection, clock=clock)
    if info["deadline"] is None:
        return None
    if info["overdue"]:
        return ObjectionReminder.Kind.OVERDUE
    if info["due_today"]:
        return ObjectionReminder.Kind.DUE_DAY
    if info["days_left"] is not None and info["days_left"] <= 2:
        return ObjectionReminder.Kind.TWO_DAYS
    return None


def send_due_reminders(*, now=None):
    """Remind the program's secretariat of deadlines; returns the reminders sent. Safe to run any number of times."""
    clock = DeadlineClock(now)
    now = clock.now
    sent = []
    open_ones = Objection.objects.filter(status__in=Objection.OPEN_STATUSES).select_related(
        "notice__campaign__program", "application", "item")
    for objection in open_ones:
        if objection.answer_deadline is None and objection.answer_working_days:
            compute_deadline(objection)  # the missing year may have been entered since
            if objection.answer_deadline:
                objection.save(update_fields=["answer_deadline", "deadline_problem"])
        kind = due_reminder(objection, clock=clock)
        if kind is None or objection.reminders.filter(kind=kind).exists():
            continue
        program = objection.notice.campaign.program
        recipients = _secretariat_emails(program.pk)
        try:
            with transaction.atomic():
                ObjectionReminder.objects.create(objection=objection, kind=kind, recipients=recipients)
        except IntegrityError:  # another run recorded it first
            continue
        subject, line = REMINDER_TEXT[kind]
        send_to(f"{subject}：{objection.receipt_number}",
              f"{program.name}：对“{objection.item.name}”的异议（受理编号 {objection.receipt_number}）{line}"
              f"（答复期限 {deadline_label(objection.answer_deadline)}）。\n请登录平台在“异议登记簿”中办理："
              f"{site_link(reverse('publicity:objection_detail', args=[objection.pk]))}", recipients)
        sent.append((objection.pk, kind))
    return sent


ACTION_LABELS = {
    "objection:receive": "收到异议", "objection:note": "记录调查情况", "objection:request": "请申报单位说明",
    "objection:reply": "申报单位答复", "objection:decide": "作出结论并书面答复",
    "objection:answer_emailed": "书面答复邮件已发送", "objection:backfill": "登记递补办理情况",
}


def target_history(target, labels):
    """The audit trail of one record, oldest first, each action by its Chinese label in ``labels``."""
    from django.contrib.contenttypes.models import ContentType

    from qualityaward.accounts.models import AuditEvent

    events = AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(target),
                                       object_id=str(target.pk)).order_by("created_at", "pk")
    return [{"at": e.created_at, "who": e.actor_label, "what": labels.get(e.action, "其他办理事项")} for e in events]


def history(objection):
    """The objection's audit trail, oldest first, with Chinese labels."""
    return target_history(objection, ACTION_LABELS)


# --- the register as rows ------------------------------------------------------------------------------------
EXPORT_HEADERS = ["受理编号", "奖项", "公示", "被异议的申报", "申报编号", "异议人类型", "异议人", "单位联系人", "联系电话",
                  "通讯地址", "电子邮箱", "异议事由", "收到时间", "答复期限", "期限情况", "状态", "调查结论", "书面答复",
                  "办结时间", "答复邮件发送时间", "请申报单位说明（次）", "需递补", "递补办理情况"]


def export_rows(objections, *, now=None):
    clock = DeadlineClock(now)
    for o in objections:
        info = deadline_info(o, clock=clock)
        yield [o.receipt_number, o.notice.campaign.program.short_name, o.notice.title, o.item.name,
               o.application.number or "", o.get_objector_kind_display(), o.objector_name, o.contact_person, o.phone,
               o.address, o.email, o.grounds, o.received_at, o.answer_deadline, info["text"], o.get_status_display(),
               o.finding, o.answer_text, o.decided_at, o.answer_emailed_at, o.request_count,
               o.backfill_due, o.backfill_note]
