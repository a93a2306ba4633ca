"""Background jobs the user watches (``BackgroundJob``): a campaign's dossiers built in parallel and zipped, and
Excel exports too large to answer within a request.

A campaign's dossiers: the secretariat starts one job per campaign at a time (a second click returns the running
job; the database holds one running job per campaign). Each application's dossier is a ``GeneratedDocument``
built by its own Celery task (a group, so the workers build them side by side); every task, once its dossier is
ready or has failed for good, counts the job's progress, and the one that finds nothing left to build writes the
zip. A chord would need a result backend, which the portal does not run; counting on the rows is idempotent and
survives a worker lost mid-task (``acks_late``: the task runs again). A failed dossier keeps its reason on its
row; ``retry_failed_dossiers`` queues the failed ones again and the zip is rewritten when they are done.

Exports: each export registers its estimate (rows) and its sheets by name (``register_export``); above
``settings.BACKGROUND_EXPORT_ROWS`` rows the view asks for a job, which writes the workbook to a file, counting
rows as it goes (the progress), for the user who asked only.
"""
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from qualityaward.accounts.services import record_event

from .. import dashboard_cache, jobs
from ..models import Application, BackgroundJob, Campaign, GeneratedDocument
from ..selectors import applications_for_user
from .dossier import prepare_dossier
from .xlsx import Sheet, write_workbook

Status = BackgroundJob.Status
DocStatus = GeneratedDocument.Status


# --- who sees a job ------------------------------------------------------------------------------------------
def may_build_campaign_dossiers(user, campaign):
    """The program's secretariat only (the dossiers print 身份证号 in full, as for the secretariat)."""
    from .prints import is_program_secretariat_of

    return bool(user and user.is_authenticated and user.is_active and is_program_secretariat_of(user, campaign))


def may_see_job(user, job):
    """A dossier job: the program's secretariat; an export: the user who asked for it (its rows are what that
    user's list shows)."""
    if job.kind == BackgroundJob.Kind.DOSSIERS:
        return may_build_campaign_dossiers(user, job.campaign)
    return bool(user and user.is_authenticated and user.is_active and job.requested_by_id == user.pk)


def latest_dossier_job(campaign):
    return BackgroundJob.objects.filter(campaign=campaign, kind=BackgroundJob.Kind.DOSSIERS).first()


def failed_documents(job):
    return list(job.documents.filter(status=DocStatus.FAILED).select_related("application")
                .order_by("application__number", "application_id"))


# --- a campaign's dossiers -----------------------------------------------------------------------------------
def start_campaign_dossiers(*, campaign, actor):
    """Start building every dossier of the campaign (the submitted applications the secretariat sees), or
    return the job already running. Returns (job, started)."""
    running = BackgroundJob.objects.filter(campaign=campaign, kind=BackgroundJob.Kind.DOSSIERS,
                                           status__in=BackgroundJob.ACTIVE).first()
    if running is not None:
        return running, False
    try:
        with transaction.atomic():
            Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
            if BackgroundJob.objects.filter(campaign=campaign, kind=BackgroundJob.Kind.DOSSIERS,
                                            status__in=BackgroundJob.ACTIVE).exists():
                raise IntegrityError("a job is already running")
            apps = list(applications_for_user(user=actor.user).filter(campaign=campaign, submissions__isnull=False)
                        .distinct().select_related("campaign__program__profile").order_by("number", "pk"))
            if not apps:
                raise ValidationError("本届次还没有已提交的申报，没有可生成的推荐材料。")
            list(Application.objects.select_for_update().filter(pk__in=[a.pk for a in apps]))
            job = BackgroundJob.objects.create(
                kind=BackgroundJob.Kind.DOSSIERS, campaign=campaign, requested_by=actor.user, total=len(apps),
                title=f"{campaign.program.name}{campaign.name}推荐材料（{len(apps)} 份）", status=Status.RUNNING)
            documents = [prepare_dossier(application=app, actor=actor)[0] for app in apps]
            job.documents.set(documents)
            record_event(actor=actor, action="dossier:campaign", target=campaign,
                         data={"job": job.pk, "applications": len(apps)})
            jobs.after_commit("campaign_dossiers", job_id=job.pk)
    except IntegrityError:  # a second click in the same instant: the first one's job
        return BackgroundJob.objects.filter(campaign=campaign, kind=BackgroundJob.Kind.DOSSIERS,
                                            status__in=BackgroundJob.ACTIVE).first(), False
    return job, True


def documents_to_build(*, job_id):
    """The job's dossiers not ready yet (the Celery group builds them); counts the job when there are none."""
    ids = list(BackgroundJob.documents.through.objects.filter(backgroundjob_id=job_id).exclude(
        generateddocument__status=DocStatus.READY).values_list("generateddocument_id", flat=True))
    if not ids:
        count_dossier_job(job_id=job_id)
    return ids


def retry_failed_dossiers(*, job, actor):
    """Queue the job's failed dossiers again; the zip is rewritten once they are done (also when a failed
    dossier was built since by the beat's catch-up: the zip then takes it in). Returns how many were queued, or
    None when there was nothing to do (the job still runs, or nothing failed)."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().get(pk=job.pk)
        if job.is_active:
            return None
        failed = list(job.documents.select_for_update().filter(status=DocStatus.FAILED))
        if not failed and job.status != Status.PARTIAL:
            return None
        GeneratedDocument.objects.filter(pk__in=[d.pk for d in failed]).update(status=DocStatus.PENDING, error="")
        dashboard_cache.changed_in_bulk()
        job.status, job.error, job.finished_at = Status.RUNNING, "", None
        job.done = job.documents.filter(status=DocStatus.READY).count()
        job.save(update_fields=["status", "error", "finished_at", "done"])
        record_event(actor=actor, action="dossier:campaign_retry", target=job.campaign,
                     data={"job": job.pk, "documents": [d.pk for d in failed]})
        jobs.after_commit("campaign_dossiers", job_id=job.pk)
    return len(failed)


def count_dossier_job(*, job_id):
    """Count the job's finished dossiers; when none is left to build, write the zip of the ready ones and close
    the job (ready, or partial with the failures listed). Idempotent: a closed job is left as it is."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.is_active:
            return job
        statuses = list(job.documents.values_list("status", flat=True))
        finished = sum(1 for s in statuses if s in (DocStatus.READY, DocStatus.FAILED))
        job.done = finished
        if finished < len(statuses):
            job.save(update_fields=["done"])
            return job
        ready = list(job.documents.filter(status=DocStatus.READY).exclude(file="")
                     .select_related("application").order_by("application__number", "application_id"))
        _write_zip(job, ready)
        failed = len(statuses) - len(ready)
        job.status = Status.PARTIAL if failed else Status.READY
        job.error = f"{failed} 份推荐材料生成失败，见下方列表；可修正后点击“重新生成失败的材料”。" if failed else ""
        job.finished_at = timezone.now()
        job.save()
    return job


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def _write_zip(job, documents):
    """The ready dossiers in one zip, copied file by file (memory stays flat); PDFs are stored, not deflated
    (they are compressed already)."""
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for doc in documents:
                app = doc.application
                name = _UNSAFE.sub("_", f"{app.number or app.pk}-{app.applicant_name}")[:120] + ".pdf"
                with doc.file.open("rb") as source, archive.open(name, "w", force_zip64=True) as target:
                    shutil.copyfileobj(source, target, 1024 * 1024)
        spool.seek(0)
        if job.file:
            job.file.delete(save=False)
        job.file.save(f"dossiers-{job.campaign_id}-{job.pk}.zip", File(spool), save=False)


# --- exports -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Export:
    """``estimate(user, campaign, params)``: the rows the workbook will hold (cheap: counts);
    ``build(user, campaign, params)``: (file name, sheets)."""

    estimate: Callable
    build: Callable


EXPORTS = {}


def register_export(name, *, estimate, build):
    EXPORTS[name] = Export(estimate=estimate, build=build)


def is_large(*, name, user, campaign, params):
    return EXPORTS[name].estimate(user=user, campaign=campaign, params=params) > settings.BACKGROUND_EXPORT_ROWS


def request_export(*, name, actor, campaign=None, params=None):
    """A job writing the export ``name`` for ``actor`` (the same file the immediate download would give)."""
    params = dict(params or {})
    export = EXPORTS[name]
    rows = export.estimate(user=actor.user, campaign=campaign, params=params)
    filename, _sheets = export.build(user=actor.user, campaign=campaign, params=params)
    with transaction.atomic():
        job = BackgroundJob.objects.create(kind=BackgroundJob.Kind.EXPORT, export=name, params=params,
                                           campaign=campaign, requested_by=actor.user, total=rows,
                                           title=filename.removesuffix(".xlsx"))
        record_event(actor=actor, action="export:background", target=campaign,
                     data={"job": job.pk, "export": name, "rows": rows})
        jobs.after_commit("export", job_id=job.pk)
    return job


#: Rows between two progress updates of an export job.
PROGRESS_EVERY = 2000


def run_export(*, job_id):
    """Write the job's workbook (idempotent: a finished job is left as it is; a lost one starts again)."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.is_active:
            return job
        job.status, job.done = Status.RUNNING, 0
        job.save(update_fields=["status", "done"])
    counted = [0]

    def counting(rows):
        for row in rows:
            counted[0] += 1
            if counted[0] % PROGRESS_EVERY == 0:
                BackgroundJob.objects.filter(pk=job_id).update(done=counted[0])
            yield row

    try:
        _filename, sheets = EXPORTS[job.export].build(user=job.requested_by, campaign=job.campaign,
                                                      params=job.params)
        sheets = [Sheet(s.title, s.headers, counting(s.rows), s.widths, s.number_format) for s in sheets]
        with tempfile.TemporaryFile() as spool:
            write_workbook(spool, sheets)
            spool.seek(0)
            job.file.save(f"export-{job.pk}.xlsx", File(spool), save=False)
    except Exception:
        BackgroundJob.objects.filter(pk=job_id).update(
            status=Status.FAILED, finished_at=timezone.now(),
            error="导出失败，请稍后重新导出；如多次失败请联系管理员。")
        dashboard_cache.changed_in_bulk()
        raise
    job.status, job.done, job.finished_at = Status.READY, counted[0], timezone.now()
    job.total = max(job.total, counted[0])
    job.save(update_fields=["file", "status", "done", "total", "finished_at"])
    return job
