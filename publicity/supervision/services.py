"""Writes of the supervision group's work: receiving a report from the public, recording the finding, and
sending the group's report on a campaign to the committee and the secretariat (息县 第二十五条).

Keyword-only services, each audited with ``record_event`` in the transaction that makes the change. The
public form reuses the objections' real-name rules, upload checks, receipt numbering and rate limit.
"""
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applications.models import Program
from qualityaward.accounts.models import Role
from qualityaward.accounts.services import record_event

from ..objections.services import (
    inspect_files, next_receipt_number, send_to, site_link, staff_emails, target_history,
)
from .models import (
    CampaignSupervisionReport, CampaignSupervisionReportFile, SupervisionReport, SupervisionReportFile,
)
from .selectors import supervises

MAX_EVIDENCE_FILES = 10
#: the same report sent again within this many minutes is the same report (a double click)
DUPLICATE_MINUTES = 30
RECEIPT_CODE = "JB"  # 举报


class ReportRefused(Exception):
    """The public form refused a submission; ``message`` is Chinese and says what to do."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def no_supervision_group(program):
    """Why ``program`` has no supervision group that takes reports and reports on the review (Chinese, from its
    rule profile), or ``None``."""
    profile = program.profile
    if profile.supervision_reports:
        return None
    note = profile.supervision_note or "依据文件未设监督组受理举报。"
    return f"{program.name}不设网上向监督组举报。{note}"


def refusal_for_program(program, *, now=None):
    """Why the public form of ``program`` takes no report now, or ``None``: no supervision group, or every
    campaign's review is over and its group dissolved with it (息县 第九条). A program without any campaign yet
    takes reports on the program."""
    refusal = no_supervision_group(program)
    if refusal is None and program.campaigns.exists() and not reportable_campaigns(program, now=now):
        refusal = (f"{program.name}各届评审均已结束，监督组已随评审结束解散，不再受理举报。"
                   f"如需反映问题，请与{program.contact_office or '秘书处'}联系。")
    return refusal


def reportable_campaigns(program, *, now=None):
    """The program's campaigns a report may concern: those whose review has not ended (息县 第九条: the
    supervision group dissolves when the review it supervises is over), newest first."""
    now = now or timezone.now()
    return list(program.campaigns.exclude(review_deadline__lt=now).order_by("-opens_at"))


def _store(row, inspected):
    row.original_name, row.content_type = inspected.safe_name, inspected.content_type
    row.size, row.sha256 = inspected.size, inspected.sha256
    row.file.save(inspected.safe_name, ContentFile(inspected.data), save=False)
    row.save()
    return row


def submit_report(*, program, campaign, reporter, subject, content, files, actor, now=None):
    """Receive one report from the public form. ``reporter``: the real-name fields of ``RealNameForm.objector()``.

    Everything is checked (the program takes reports, the campaign is its own and still under review, each
    file by content) before anything is written; a refusal stores nothing.
    """
    now = now or timezone.now()
    refusal = refusal_for_program(program, now=now)
    if refusal:
        raise ReportRefused(refusal)
    if campaign is not None and (campaign.program_id != program.pk
                                 or campaign.pk not in {c.pk for c in reportable_campaigns(program, now=now)}):
        raise ReportRefused("所选届次不属于本奖项，或该届评审已经结束（监督组随之解散）。请重新选择届次。")
    uploads = inspect_files(files, "evidence", "证明材料", required=False, max_files=MAX_EVIDENCE_FILES)
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    fields = {"reporter_kind": reporter["objector_kind"], "reporter_name": reporter["objector_name"],
              "contact_person": reporter["contact_person"], "phone": reporter["phone"], "address": reporter["address"],
              "email": reporter["email"], "signature": reporter["signature"]}
    local_now = timezone.localtime(now)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                Program.objects.select_for_update().filter(pk=program.pk).first()
                duplicate = SupervisionReport.objects.filter(
                    program=program, phone=fields["phone"], content=content,
                    received_at__gte=now - dt.timedelta(minutes=DUPLICATE_MINUTES)).first()
                if duplicate is not None:  # a second click on "提交": the first receipt stands, nothing is stored
                    return duplicate
                report = SupervisionReport.objects.create(
                    receipt_number=next_receipt_number(program, local_now.year, model=SupervisionReport,
                                                       code=RECEIPT_CODE),
                    program=program, campaign=campaign, reporter=user, subject=subject, content=content,
                    received_at=now, pledged=True, **fields)
                for upload in uploads:
                    _store(SupervisionReportFile(report=report), upload.inspected)
                record_event(actor=actor, action="supervision:receive", target=report,
                             data={"campaign": campaign.pk if campaign else None,
                                   "files": [u.inspected.sha256 for u in uploads]})
                transaction.on_commit(lambda: _mail_supervisors_new_report(report.pk))
            return report
        except IntegrityError:  # two receipts numbered at once on a database without row locks: number again
            continue
    raise ReportRefused("系统繁忙，举报未能登记，请稍后重新提交。")


def record_finding(*, report, finding, conclusion, handled_on, actor):
    """The supervision group's finding on a report; once recorded the report is closed and stays as it is."""
    if not supervises(actor.user, report.program_id):
        raise PermissionDenied("只有本奖项的监督组可以办理举报。")
    if conclusion not in SupervisionReport.Conclusion.values:
        raise ValidationError("请选择办理结论。")
    today = timezone.localdate()
    if handled_on > today:
        raise ValidationError(f"办结日期不能晚于今天（{today:%Y-%m-%d}）。")
    if handled_on < timezone.localtime(report.received_at).date():
        raise ValidationError("办结日期不能早于收到举报的日期。")
    with transaction.atomic():
        report = SupervisionReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
        if not report.is_open:
            raise ValidationError(f"该举报已于 {report.handled_on:%Y-%m-%d} 办结，不能再更改。")
        report.status, report.finding, report.conclusion = SupervisionReport.Status.HANDLED, finding, conclusion
        report.handled_on, report.handled_by = handled_on, actor.user
        report.save(update_fields=["status", "finding", "conclusion", "handled_on", "handled_by"])
        record_event(actor=actor, action="supervision:finding", target=report, reason=finding,
                     from_state=SupervisionReport.Status.RECEIVED, to_state=SupervisionReport.Status.HANDLED,
                     data={"conclusion": conclusion, "handled_on": handled_on.isoformat()})
    return report


def send_campaign_report(*, campaign, title, text, document, actor):
    """Write the supervision group's report on ``campaign`` and send it to the program's committee and
    secretariat (息县 第二十五条): they read it on the campaign's supervision page and are e-mailed."""
    program = campaign.program
    if not supervises(actor.user, program.pk):
        raise PermissionDenied("只有本奖项的监督组可以报告监督情况。")
    refusal = no_supervision_group(program)
    if refusal:
        raise ValidationError(refusal)
    inspected = inspect_files([document] if document else [], "document", "监督情况报告文件", required=False,
                              max_files=1)
    recipients = staff_emails(program.pk, Role.COMMITTEE, Role.SECRETARIAT)
    with transaction.atomic():
        report = CampaignSupervisionReport.objects.create(campaign=campaign, title=title, text=text,
                                                         written_by=actor.user, sent_at=timezone.now(),
                                                         recipients=recipients)
        for upload in inspected:
            _store(CampaignSupervisionReportFile(report=report), upload.inspected)
        record_event(actor=actor, action="supervision:report", target=report,
                     data={"campaign": campaign.pk, "recipients": len(recipients),
                           "files": [u.inspected.sha256 for u in inspected]})
        transaction.on_commit(lambda: _mail_campaign_report(report.pk))
    return report


# --- e-mail ----------------------------------------------------------------------------------------------------
def _mail_supervisors_new_report(report_id):
    report = SupervisionReport.objects.select_related("program").get(pk=report_id)
    send_to(f"监督组收到举报：{report.receipt_number}",
            f"{report.program.name}监督组收到一件举报（受理编号 {report.receipt_number}，举报对象：{report.subject}）。"
            f"请登录平台在“监督组：举报”中查看并记录办理情况：{site_link(reverse('supervision:report_detail', args=[report.pk]))}",
            supervisor_emails(report.program_id))


def supervisor_emails(program_id):
    """The program's supervisors and those of every program (a supervisor role without a program)."""
    return sorted(set(staff_emails(program_id, Role.SUPERVISOR)) | set(staff_emails(None, Role.SUPERVISOR)))


def _mail_campaign_report(report_id):
    report = CampaignSupervisionReport.objects.select_related("campaign__program").get(pk=report_id)
    campaign = report.campaign
    send_to(f"监督情况报告：{campaign.program.short_name}{campaign.name}",
            f"{campaign.program.name}{campaign.name}监督组报告监督情况：《{report.title}》。\n"
            f"请登录平台查看：{site_link(reverse('supervision:campaign', args=[campaign.pk]))}",
            report.recipients)


ACTION_LABELS = {"supervision:receive": "收到举报", "supervision:finding": "记录办理情况并办结",
                 "supervision:report": "报送监督情况报告"}


def history(report):
    """The report's audit trail, oldest first, with Chinese labels."""
    return target_history(report, ACTION_LABELS)
