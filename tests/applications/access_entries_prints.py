"""Access entries for printed documents and Excel exports (see test_access.py for what each kind asserts).

* the exports answer every signed-in user with the rows their list page would show them (possibly none):
  tests/applications/documents/test_exports.py checks filters and visibility;
* the certificate request is the award holder's and the secretariat's, and only once awarded: the panel
  application (material review) is refused with 403 to its viewers and 404 to strangers
  (tests/applications/documents/test_certificate.py covers the holder's side);
* a campaign's decision is for the program's secretariat and supervisors ("staff-campaign": 404 to
  everyone else; tests/applications/documents/test_decision.py);
* a published notice's PDF is public (tests/publicity/notices/test_notice_pdf.py covers drafts).
"""
import datetime as dt


def _published_notice(w):
    from django.utils import timezone

    from publicity.notices.models import Notice

    now = timezone.now()
    return Notice.objects.create(
        campaign=w.campaign, kind=Notice.Kind.ACCEPTANCE, title="受理名单公示", body="现予公示。",
        issuer="河南省质量强省战略工作领导小组办公室", window_length=5, opens_at=now,
        last_day=timezone.localdate() + dt.timedelta(days=7), closes_at=now + dt.timedelta(days=8),
        status=Notice.Status.OPEN, opened_at=now)


def _published_acceptance_list(w):
    from django.utils import timezone

    from applications.models import AcceptanceList

    return AcceptanceList.objects.create(campaign=w.campaign, number=1, title="测试受理名单",
                                         created_by=w.secretariat, published_at=timezone.now())


def _certificate(w, a):
    from django.core.files.base import ContentFile

    from applications.models import GeneratedDocument

    doc = GeneratedDocument(application=a, kind=GeneratedDocument.Kind.CERTIFICATE,
                            status=GeneratedDocument.Status.READY)
    doc.file.save("certificate.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    doc.save()
    return doc


ENTRIES = {
    "applications:list_export": {"kind": "login"},
    # the award holder and the secretariat order the certificate of an awarded application
    "applications:certificate_request": {"kind": "post", "app": "awarded", "args": lambda w, a: [a.pk],
                                         "actors": {"owner", "colleague", "secretariat"}, "data": lambda w, a: {}},
    # the certificate itself: the holder and the secretariat only
    "applications:document_download#certificate": {
        "kind": "get", "app": "awarded", "url": "applications:document_download",
        "args": lambda w, a: [_certificate(w, a).pk], "allowed": {"owner", "colleague", "secretariat"}},
    "applications:decision": {"kind": "get", "app": None, "args": lambda w, a: [w.campaign.pk],
                              "allowed": {"secretariat", "supervisor"}},
    "review:prereview_export": {"kind": "login"},
    "review:eligibility_export": {"kind": "login"},
    "review:acceptance_list_export": {"kind": "public", "args": lambda w, a: [_published_acceptance_list(w).pk]},
    "publicity:notice_pdf": {"kind": "public", "args": lambda w, a: [_published_notice(w).pk]},
}
