"""Background jobs: a campaign's dossiers are the program's secretariat's alone (404 to everyone else, the other
program's secretariat included); an export job is its asker's alone (tests/applications/documents/
test_background_jobs.py covers both in detail)."""


def _dossier_job(w, status="ready"):
    """A finished dossier job of the cultivation campaign, its zip stored; ``partial``: one dossier failed."""
    from django.core.files.base import ContentFile

    from applications.models import BackgroundJob, GeneratedDocument

    app = w.apps["panel"]
    doc = GeneratedDocument.objects.create(application=app, kind=GeneratedDocument.Kind.DOSSIER, content_hash="1" * 64,
                                           status=GeneratedDocument.Status.FAILED, error="“证书”无法读取，请重新上传后再生成。")
    job = BackgroundJob(kind=BackgroundJob.Kind.DOSSIERS, campaign=w.campaign, requested_by=w.secretariat, total=1,
                        done=1, status=status, title="推荐材料")
    job.file.save("dossiers.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    job.save()
    job.documents.add(doc)
    return job


def _export_job(w):
    from django.core.files.base import ContentFile

    from applications.models import BackgroundJob

    job = BackgroundJob(kind=BackgroundJob.Kind.EXPORT, export="application_list", requested_by=w.owner, total=1,
                        done=1, status=BackgroundJob.Status.READY, title="申报列表")
    job.file.save("export.xlsx", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    job.save()
    return job


SECRETARIAT = {"secretariat"}

ENTRIES = {
    "applications:campaign_dossiers": {"kind": "get", "app": None, "args": lambda w, a: [w.campaign.pk],
                                       "allowed": SECRETARIAT},
    "applications:campaign_dossiers_start": {"kind": "post", "app": None, "args": lambda w, a: [w.campaign.pk],
                                             "actors": SECRETARIAT, "data": lambda w, a: {}},
    "applications:job": {"kind": "get", "app": None, "args": lambda w, a: [_dossier_job(w).pk],
                         "allowed": SECRETARIAT},
    "applications:job#export": {"kind": "get", "app": None, "url": "applications:job",
                                "args": lambda w, a: [_export_job(w).pk], "allowed": {"owner"}},
    "applications:job_download": {"kind": "get", "app": None, "args": lambda w, a: [_dossier_job(w).pk],
                                  "allowed": SECRETARIAT},
    "applications:job_download#export": {"kind": "get", "app": None, "url": "applications:job_download",
                                         "args": lambda w, a: [_export_job(w).pk], "allowed": {"owner"}},
    "applications:job_retry": {"kind": "post", "app": None, "args": lambda w, a: [_dossier_job(w, "partial").pk],
                               "actors": SECRETARIAT, "data": lambda w, a: {}},
}
