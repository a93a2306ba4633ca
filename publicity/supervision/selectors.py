"""Who reads what of the supervision group's work.

* reports (举报) and their files: the program's supervisors only (an all-programs supervisor reads every
  program's) — the secretariat and the committee may be what a report is about (息县 第二十五条);
* the supervision group's report on a campaign: its supervisors and the bodies it is sent to, the program's
  committee and secretariat (第二十五条 “向评委会及秘书处报告”);
* a reporter with an account: its own reports' status, never the finding's working notes of others.
Everyone else gets 404.
"""
from django.http import Http404

from applications.models import Campaign
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import role_assignments

from .models import CampaignSupervisionReport, SupervisionReport

NOT_FOUND = "没有找到该记录，或您无权查看。"


def _active(user):
    return bool(user and user.is_authenticated and user.is_active)


def supervised_program_ids(user):
    """Program ids ``user`` supervises; ``None`` means every program (a supervisor without a program)."""
    if not _active(user):
        return set()
    ids = set()
    for a in role_assignments(user):
        if a.role == Role.SUPERVISOR:
            if a.program_id is None:
                return None
            ids.add(a.program_id)
    return ids


def supervises(user, program_id):
    ids = supervised_program_ids(user)
    return ids is None or program_id in ids


def reports_for_user(*, user):
    ids = supervised_program_ids(user)
    qs = SupervisionReport.objects.select_related("program", "campaign", "handled_by")
    if ids is None:
        return qs
    return qs.filter(program_id__in=ids)


def report_for_user_or_404(*, user, pk):
    report = reports_for_user(user=user).filter(pk=pk).first()
    if report is None:
        raise Http404(NOT_FOUND)
    return report


def own_reports(*, user):
    """The reports ``user`` filed while signed in (status and outcome; the finding stays with the group)."""
    if not _active(user):
        return SupervisionReport.objects.none()
    return SupervisionReport.objects.filter(reporter=user).select_related("program", "campaign")


def campaign_report_program_ids(user):
    """Programs whose campaign reports ``user`` reads: supervised, or sat on as committee or secretariat;
    ``None`` means every program."""
    ids = supervised_program_ids(user)
    if ids is None or not _active(user):
        return ids
    return ids | {a.program_id for a in role_assignments(user) if a.role in (Role.COMMITTEE, Role.SECRETARIAT)}


def reads_campaign_reports(user, program_id):
    ids = campaign_report_program_ids(user)
    return ids is None or program_id in ids


def campaign_reports_for_user(*, user):
    ids = campaign_report_program_ids(user)
    qs = CampaignSupervisionReport.objects.select_related("campaign__program", "written_by", "document")
    if ids is None:
        return qs
    return qs.filter(campaign__program_id__in=ids)


def campaign_for_readers_or_404(*, user, pk):
    campaign = Campaign.objects.select_related("program__profile").filter(pk=pk).first()
    if campaign is None or not reads_campaign_reports(user, campaign.program_id):
        raise Http404(NOT_FOUND)
    return campaign


def campaign_report_for_user_or_404(*, user, pk):
    report = campaign_reports_for_user(user=user).filter(pk=pk).first()
    if report is None:
        raise Http404(NOT_FOUND)
    return report
