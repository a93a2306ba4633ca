"""Requesting the dossier from the applicant's pages: who may, progress by htmx, the page check shown."""
import re

import pytest
from django.urls import reverse

from applications.documents.dossier import request_dossier
from applications.models import GeneratedDocument
from qualityaward.accounts.services import Actor

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_owner_requests_a_preview_and_sees_the_page_check_and_download(
        client, world, django_capture_on_commit_callbacks):
    app = world.new_app()
    client.force_login(world.owner)
    page = client.get(reverse("applications:form", args=[app.pk])).content.decode()
    assert "生成预览并检查页数" in page and "推荐表不超过 200 页，证实性材料不超过 100 页" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:dossier_request", args=[app.pk]), **HTMX)
    assert response.status_code == 200
    doc = GeneratedDocument.objects.get(application=app, kind=GeneratedDocument.Kind.DOSSIER)
    body = response.content.decode()
    # the job was queued on commit; the partial polls until it is done
    assert f'hx-get="{reverse("applications:dossier_status", args=[doc.pk])}"' in body
    status = client.get(reverse("applications:dossier_status", args=[doc.pk])).content.decode()
    assert "页数符合要求" in status and "hx-get" not in status
    assert re.search(r"推荐表（含初审推荐意见）</th><td>\d+ 页</td><td>上限 200 页", status)
    download = client.get(reverse("applications:document_download", args=[doc.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    # the pages show the finished dossier next time
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "下载推荐材料（PDF）" in page


def test_over_limit_is_reported_before_submission(client, world, django_capture_on_commit_callbacks):
    app = world.new_app()
    profile = app.campaign.program.profile
    profile.form_page_limit_organization = 2
    profile.save()
    client.force_login(world.owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:dossier_request", args=[app.pk]), **HTMX)
    doc = GeneratedDocument.objects.get(application=app, kind=GeneratedDocument.Kind.DOSSIER)
    status = client.get(reverse("applications:dossier_status", args=[doc.pk])).content.decode()
    form_pages = doc.page_report["form"]
    assert "页数超出上限" in status
    assert f"推荐表共 {form_pages} 页，超过上限 2 页 {form_pages - 2} 页" in status


def test_a_changed_application_shows_its_dossier_as_outdated(client, world, django_capture_on_commit_callbacks):
    from applications.forms.services import save_section
    from applications.models import ApplicationSection

    app = world.new_app()
    with django_capture_on_commit_callbacks(execute=True):
        doc = request_dossier(application=app, actor=Actor(user=world.owner))
    row = ApplicationSection.objects.get(application=app, code="overview")
    save_section(application=app, code="overview", data={"text": "新的概述"}, base_version=row.version,
                 actor=Actor(user=world.owner))
    client.force_login(world.owner)
    status = client.get(reverse("applications:dossier_status", args=[doc.pk])).content.decode()
    assert "此文件为修改前的版本" in status


def test_a_failed_job_says_why_and_offers_to_try_again(client, world):
    app = world.new_app()
    doc = GeneratedDocument.objects.create(application=app, kind=GeneratedDocument.Kind.DOSSIER,
                                           status=GeneratedDocument.Status.FAILED,
                                           error="“证书”无法读取（文件可能已损坏），请重新上传后再生成。")
    client.force_login(world.owner)
    status = client.get(reverse("applications:dossier_status", args=[doc.pk])).content.decode()
    assert "推荐材料生成失败：“证书”无法读取" in status


@pytest.mark.parametrize("who, expected", [
    ("owner", 200), ("colleague", 200), ("authority", 200), ("secretariat", 200),
    ("expert", 403), ("supervisor", 403), ("grantee", 403),
    ("stranger", 404), ("authority_other_city", 404), ("secretariat_other", 404), ("recused_expert", 404),
])
def test_who_may_request_and_watch_the_dossier(client, world, panel_app, who, expected):
    doc = GeneratedDocument.objects.create(application=panel_app, kind=GeneratedDocument.Kind.DOSSIER,
                                           status=GeneratedDocument.Status.PENDING)
    client.force_login(getattr(world, who))
    status = client.get(reverse("applications:dossier_status", args=[doc.pk]))
    assert status.status_code == expected
    request = client.post(reverse("applications:dossier_request", args=[panel_app.pk]), **HTMX)
    assert request.status_code == expected
    created = GeneratedDocument.objects.filter(application=panel_app, kind="dossier").exclude(pk=doc.pk).exists()
    assert created == (expected == 200)
    if expected != 200:
        assert "生成预览并检查页数" not in client.get(reverse("applications:detail", args=[panel_app.pk])).content.decode()


def test_a_dossier_download_is_for_those_who_may_request_it(client, world, panel_app):
    from django.core.files.base import ContentFile

    doc = GeneratedDocument.objects.create(application=panel_app, kind=GeneratedDocument.Kind.DOSSIER,
                                           status=GeneratedDocument.Status.READY)
    doc.file.save("dossier.pdf", ContentFile(b"%PDF-1.7 test"))
    url = reverse("applications:document_download", args=[doc.pk])
    for who, expected in (("owner", 200), ("authority", 200), ("secretariat", 200), ("expert", 403),
                          ("stranger", 404)):
        client.force_login(getattr(world, who))
        assert client.get(url).status_code == expected, who


def test_a_long_wait_is_explained(client, world):
    from datetime import timedelta

    from django.utils import timezone

    app = world.new_app()
    doc = GeneratedDocument.objects.create(application=app, kind=GeneratedDocument.Kind.DOSSIER)
    client.force_login(world.owner)
    url = reverse("applications:dossier_status", args=[doc.pk])
    assert "已等待超过 3 分钟" not in client.get(url).content.decode()
    GeneratedDocument.objects.filter(pk=doc.pk).update(requested_at=timezone.now() - timedelta(minutes=5))
    body = client.get(url).content.decode()
    assert "已等待超过 3 分钟" in body and "hx-get" in body  # still watching
