"""The printable dossier's URLs: the applicant, the region's authority and the program's secretariat only;
the application's other viewers get 403, strangers 404 (tests/applications/documents/test_dossier_views.py)."""


def _dossier(w, a):
    from applications.models import GeneratedDocument

    return GeneratedDocument.objects.create(application=a, kind=GeneratedDocument.Kind.DOSSIER, content_hash="0" * 64)


ENTRIES = {
    "applications:dossier_request": {"kind": "object-staff", "args": lambda w, a: [a.pk]},
    "applications:dossier_status": {"kind": "object-staff", "args": lambda w, a: [_dossier(w, a).pk]},
}
