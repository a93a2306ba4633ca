"""The printable dossier's URLs: the applicant, the region's authority and the program's secretariat only;
the application's other viewers get 403, strangers 404 (tests/applications/documents/test_dossier_views.py)."""

DOSSIER_READERS = {"owner", "colleague", "authority", "secretariat"}


def _dossier(w, a):
    from applications.models import GeneratedDocument

    return GeneratedDocument.objects.create(application=a, kind=GeneratedDocument.Kind.DOSSIER, content_hash="0" * 64)


ENTRIES = {
    "applications:dossier_request": {"kind": "post", "args": lambda w, a: [a.pk], "actors": DOSSIER_READERS,
                                     "data": lambda w, a: {}},
    "applications:dossier_status": {"kind": "get", "args": lambda w, a: [_dossier(w, a).pk],
                                    "allowed": DOSSIER_READERS},
}
