"""Supervision URLs (supervision namespace; 息县 第九条、第二十五条). The report form and its receipt are public;
"my reports" and the supervision group's register are login pages that list only the user's own (none for
others). Every object page follows its relationship, asserted person by person in
tests/publicity/supervision/test_supervision.py:

* a report, its files and its finding: the program's supervisors only (the matrix's supervisor serves every
  program); everyone else 404, the secretariat and the committee included (a report may concern them);
* the campaign's supervision report page and its document: the program's supervisors, committee and
  secretariat (the report is sent to them); only the supervisors write one (403 to the readers, 404 to others).
"""
from django.core import signing
from django.utils import timezone


def _report(w, a):
    from publicity.supervision.models import SupervisionReport

    report = SupervisionReport.objects.filter(program=w.xixian).first()
    if report is None:
        report = SupervisionReport.objects.create(
            receipt_number="XX-JB2026-9001", program=w.xixian, campaign=w.xixian_campaign, reporter_kind="individual",
            reporter_name="访问测试举报人", phone="13800138000", address="信阳市息县", signature="访问测试举报人",
            pledged=True, subject="材料评审专家组", content="访问测试的举报内容。", received_at=timezone.now())
    return report


def _report_file(w, a):
    from django.core.files.base import ContentFile

    from publicity.supervision.models import SupervisionReportFile

    report = _report(w, a)
    row = report.files.first()
    if row is None:
        row = SupervisionReportFile(report=report, original_name="证据.pdf", content_type="application/pdf", size=13,
                                    sha256="0" * 64)
        row.file.save("evidence.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        row.save()
    return row


def _campaign_report_file(w, a):
    from django.core.files.base import ContentFile

    from publicity.supervision.models import CampaignSupervisionReport, CampaignSupervisionReportFile

    report = CampaignSupervisionReport.objects.filter(campaign=w.xixian_campaign).first()
    if report is None:
        report = CampaignSupervisionReport.objects.create(
            campaign=w.xixian_campaign, title="监督情况报告（访问测试）", text="未发现违规情形。",
            written_by=w.supervisor, sent_at=timezone.now())
        row = CampaignSupervisionReportFile(report=report, original_name="报告.pdf", content_type="application/pdf",
                                            size=13, sha256="0" * 64)
        row.file.save("report.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        row.save()
    return report.document


READERS = {"supervisor", "secretariat_other", "committee_xx"}  # 息县's supervisors, secretariat and committee

ENTRIES = {
    "supervision:report_new": {"kind": "public", "args": lambda w, a: [w.xixian.code]},
    "supervision:receipt": {"kind": "public",
                            "args": lambda w, a: [signing.dumps(_report(w, a).pk, salt="publicity.supervision-receipt")]},
    "supervision:mine": {"kind": "login"},
    "supervision:report_list": {"kind": "login"},
    "supervision:report_detail": {"kind": "get", "app": None, "args": lambda w, a: [_report(w, a).pk],
                                  "allowed": {"supervisor"}},
    "supervision:report_file": {"kind": "get", "app": None, "args": lambda w, a: [_report_file(w, a).pk],
                                "allowed": {"supervisor"}},
    "supervision:report_finding": {"kind": "post", "app": None, "args": lambda w, a: [_report(w, a).pk],
                                   "actors": {"supervisor"},
                                   "data": lambda w, a: {"finding": "经核实，情况不属实。", "conclusion": "unfounded",
                                                         "handled_on": timezone.localdate().isoformat(),
                                                         "confirm": "on"}},
    "supervision:campaign": {"kind": "get", "app": None, "args": lambda w, a: [w.xixian_campaign.pk],
                             "allowed": READERS},
    "supervision:campaign_report_new": {"kind": "post", "app": None, "args": lambda w, a: [w.xixian_campaign.pk],
                                        "actors": {"supervisor"},
                                        "data": lambda w, a: {"title": "监督情况报告", "text": "全程监督，未发现违规情形。"}},
    "supervision:campaign_report_file": {"kind": "get", "app": None,
                                         "args": lambda w, a: [_campaign_report_file(w, a).pk], "allowed": READERS},
}
