"""Background jobs: a campaign's dossiers built side by side and zipped for the secretariat (000 填报说明: the
推荐材料 printed and bound per application), and large Excel exports run in the background past a threshold."""
import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from applications.documents import background
from applications.documents.tasks import campaign_dossiers
from applications.models import Attachment, BackgroundJob, GeneratedDocument, State
from qualityaward.accounts.services import Actor

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def submitted(world, drive):
    """Two submitted applications of the cultivation campaign (two cities) and a draft the secretariat never
    sees."""
    zhengzhou = drive(world.new_app(), State.SUBMITTED)
    kaifeng = drive(world.new_app(owner=world.stranger, organization=world.other_org), State.SUBMITTED)
    world.new_app(name="草稿中的申报", organization=world.other_org, owner=world.stranger, filled=False)
    return [zhengzhou, kaifeng]


def _zip_names(job):
    job.refresh_from_db()
    with job.file.open("rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as archive:
        names = archive.namelist()
        assert all(archive.read(n).startswith(b"%PDF") for n in names)
    return sorted(names)


def _start(client, world, campaign, capture):
    client.force_login(world.secretariat)
    with capture(execute=True):
        return client.post(reverse("applications:campaign_dossiers_start", args=[campaign.pk]))


def test_the_secretariat_builds_every_dossier_of_the_campaign_into_one_zip(
        client, world, submitted, django_capture_on_commit_callbacks):
    client.force_login(world.secretariat)
    page = client.get(reverse("applications:campaign_dossiers", args=[world.campaign.pk])).content.decode()
    assert "共 2 个" in page and "生成全部推荐材料" in page and "尚未生成" in page

    response = _start(client, world, world.campaign, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job = BackgroundJob.objects.get(campaign=world.campaign)
    assert job.status == BackgroundJob.Status.READY and (job.done, job.total) == (2, 2)
    names = _zip_names(job)
    assert len(names) == 2
    assert any(world.org.name in n for n in names) and any(world.other_org.name in n for n in names)

    # after a reload the page shows the outcome and the download, and polls no more
    page = client.get(reverse("applications:campaign_dossiers", args=[world.campaign.pk])).content.decode()
    assert "已完成" in page and "下载压缩包" in page and "hx-get" not in page
    download = client.get(reverse("applications:job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert len(archive.namelist()) == 2


def test_a_second_click_while_running_starts_nothing_and_a_rerun_rebuilds_nothing(
        client, world, submitted, django_capture_on_commit_callbacks):
    actor = Actor(user=world.secretariat)
    job, started = background.start_campaign_dossiers(campaign=world.campaign, actor=actor)  # queued, not run
    assert started and job.status == BackgroundJob.Status.RUNNING
    client.force_login(world.secretariat)
    page = client.get(reverse("applications:campaign_dossiers", args=[world.campaign.pk])).content.decode()
    assert "已完成 0 / 2 份" in page and f'hx-get="{reverse("applications:job", args=[job.pk])}"' in page
    assert "disabled" in page

    response = client.post(reverse("applications:campaign_dossiers_start", args=[world.campaign.pk]), follow=True)
    assert "正在生成（已完成 0 / 2 份），无需重复点击" in response.content.decode()
    assert BackgroundJob.objects.filter(campaign=world.campaign).count() == 1

    campaign_dossiers.delay(job.pk)  # the queued work runs
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.READY
    first_zip = _zip_names(job)
    # the same message delivered again (acks_late): nothing is rebuilt, the job stays as it is
    campaign_dossiers.delay(job.pk)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.READY and _zip_names(job) == first_zip
    assert set(job.documents.values_list("attempts", flat=True)) == {1}

    # a new click once done: a new job reusing the stored dossiers of unchanged applications
    _start(client, world, world.campaign, django_capture_on_commit_callbacks)
    second = BackgroundJob.objects.filter(campaign=world.campaign).order_by("-pk").first()
    assert second.pk != job.pk and second.status == BackgroundJob.Status.READY
    assert set(second.documents.values_list("pk", flat=True)) == set(job.documents.values_list("pk", flat=True))
    assert set(second.documents.values_list("attempts", flat=True)) == {1}


def test_a_failed_dossier_is_listed_with_its_reason_and_can_be_retried(
        client, world, submitted, django_capture_on_commit_callbacks):
    damaged = Attachment.objects.filter(application=submitted[1], file__endswith=".pdf").order_by("pk").first()
    path = Path(damaged.file.path)
    good = path.read_bytes()
    path.write_bytes(b"%PDF-1.4\n% damaged on disk\n")

    _start(client, world, world.campaign, django_capture_on_commit_callbacks)
    job = BackgroundJob.objects.get(campaign=world.campaign)
    assert job.status == BackgroundJob.Status.PARTIAL and (job.done, job.total) == (2, 2)
    assert len(_zip_names(job)) == 1
    page = client.get(reverse("applications:campaign_dossiers", args=[world.campaign.pk])).content.decode()
    assert "部分失败" in page and "1 份推荐材料生成失败" in page
    assert world.other_org.name in page and "无法读取（文件可能已损坏），请重新上传后再生成" in page
    assert "重新生成失败的材料" in page

    path.write_bytes(good)  # the applicant's file is fixed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:job_retry", args=[job.pk]), follow=True)
    assert "已重新开始生成 1 份失败的推荐材料" in response.content.decode()
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.READY and job.error == ""
    assert len(_zip_names(job)) == 2
    page = client.get(reverse("applications:campaign_dossiers", args=[world.campaign.pk])).content.decode()
    assert "重新生成失败的材料" not in page


def test_a_campaign_without_submitted_applications_is_refused_and_nothing_changes(client, world):
    world.new_app(filled=False)
    client.force_login(world.secretariat)
    response = client.post(reverse("applications:campaign_dossiers_start", args=[world.campaign.pk]))
    assert response.status_code == 400
    assert "本届次还没有已提交的申报" in response.content.decode()
    assert not BackgroundJob.objects.exists()


@pytest.mark.parametrize("who", ["secretariat_other", "supervisor", "owner", "authority", "committee", "expert"])
def test_only_the_programs_secretariat_reaches_the_campaigns_dossiers(client, world, submitted, who):
    job, _started = background.start_campaign_dossiers(campaign=world.campaign, actor=Actor(user=world.secretariat))
    client.force_login(getattr(world, who))
    assert client.get(reverse("applications:campaign_dossiers", args=[world.campaign.pk])).status_code == 404
    assert client.post(reverse("applications:campaign_dossiers_start", args=[world.campaign.pk])).status_code == 404
    assert client.get(reverse("applications:job", args=[job.pk]), **HTMX).status_code == 404
    assert client.get(reverse("applications:job_download", args=[job.pk])).status_code == 404
    assert client.post(reverse("applications:job_retry", args=[job.pk])).status_code == 404
    assert BackgroundJob.objects.count() == 1


# --- exports past the threshold --------------------------------------------------------------------------------
def test_a_small_export_downloads_at_once_and_a_large_one_runs_in_the_background(
        client, world, submitted, settings, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    client.force_login(world.secretariat)
    settings.BACKGROUND_EXPORT_ROWS = 2
    response = client.get(reverse("applications:list_export"))
    assert response.status_code == 200 and response["Content-Type"].endswith("spreadsheetml.sheet")
    assert not BackgroundJob.objects.exists()

    settings.BACKGROUND_EXPORT_ROWS = 1  # two rows are now "large"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("applications:list_export"))
    job = BackgroundJob.objects.get(kind=BackgroundJob.Kind.EXPORT)
    assert response.status_code == 302 and response["Location"] == reverse("applications:job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "已转入后台导出" in page and "下载 Excel" in page and "已完成" in page
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (BackgroundJob.Status.READY, 2, 2)
    download = client.get(reverse("applications:job_download", args=[job.pk]))
    assert download["Content-Type"].endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {world.org.name, world.other_org.name}

    # the rows are what the asker's list shows: nobody else opens the job
    for who in ("secretariat_other", "owner", "supervisor"):
        client.force_login(getattr(world, who))
        assert client.get(reverse("applications:job", args=[job.pk])).status_code == 404
        assert client.get(reverse("applications:job_download", args=[job.pk])).status_code == 404


def test_a_running_export_shows_its_progress_and_a_failed_one_says_what_to_do(client, world, submitted, settings):
    settings.BACKGROUND_EXPORT_ROWS = 0
    job = background.request_export(name="application_list", actor=Actor(user=world.owner))  # not run yet
    client.force_login(world.owner)
    status = client.get(reverse("applications:job", args=[job.pk]), **HTMX).content.decode()
    assert "已写入 0 / 约 1 行" in status and "hx-get" in status
    assert client.get(reverse("applications:job_download", args=[job.pk])).status_code == 404

    BackgroundJob.objects.filter(pk=job.pk).update(status=BackgroundJob.Status.FAILED,
                                                   error="导出失败，请稍后重新导出；如多次失败请联系管理员。")
    status = client.get(reverse("applications:job", args=[job.pk]), **HTMX).content.decode()
    assert "导出失败，请稍后重新导出" in status and "hx-get" not in status


def test_a_job_whose_messages_were_lost_is_finished_by_the_beats_catch_up(world, submitted):
    """A worker host lost with the queue: the beat job (requeue_stale_documents) queues the job's remaining
    dossiers again after ten minutes, and the job closes with its zip."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from applications.documents.tasks import requeue_stale_documents

    job, _started = background.start_campaign_dossiers(campaign=world.campaign, actor=Actor(user=world.secretariat))
    requeue_stale_documents()  # too early: nothing happens
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.RUNNING
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11), tick=True):
        requeue_stale_documents()
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.READY and len(_zip_names(job)) == 2


def test_xixian_10_a_campaigns_zip_with_a_dossier_one_stepped_aside_from_is_a_colleagues_to_download(
        client, world, submitted, django_capture_on_commit_callbacks):
    """息县 第十条, 巩义 第十八条: a member of the secretariat who stepped aside from one of the campaign's applications
    after a colleague built the zip is told to leave the download to that colleague, and gets 403; the
    colleague downloads it."""
    from conformance_support import make_user
    from qualityaward.accounts.models import Role
    from review.panels.models import Recusal

    colleague = make_user("secretariat_b", (Role.SECRETARIAT, {"program": world.cultivation}))
    client.force_login(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:campaign_dossiers_start", args=[world.campaign.pk]))
    job = BackgroundJob.objects.get(campaign=world.campaign)
    Recusal.objects.create(application=submitted[0], user=world.secretariat, kind="secretariat", reason="曾任职")
    client.force_login(world.secretariat)
    page = client.get(reverse("applications:campaign_dossiers", args=[world.campaign.pk])).content.decode()
    assert "请由本奖项其他工作人员下载" in page and reverse("applications:job_download", args=[job.pk]) not in page
    response = client.get(reverse("applications:job_download", args=[job.pk]))
    assert response.status_code == 403 and "请由本奖项其他工作人员下载" in response.content.decode()
    client.force_login(colleague)
    assert client.get(reverse("applications:job_download", args=[job.pk])).status_code == 200
