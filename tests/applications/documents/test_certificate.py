"""Certificates (获奖证书): ordered when an application is awarded, rendered by the document job, shown to
the award holder and the program's secretariat only."""

import pytest
from django.urls import reverse

from applications.documents import services as documents, prints
from applications import workflow
from applications.models import GeneratedDocument, State
from qualityaward.accounts.services import Actor

from pdf_support import in_order, pdf_text

#: as in test_access.py (test modules cannot import each other)
PEOPLE = ["owner", "colleague", "stranger", "authority", "authority_other_city", "authority_other_program",
          "secretariat", "secretariat_other", "supervisor", "committee", "expert", "recused_expert",
          "reserve_expert", "grantee", "recused_grantee", "admin"]
HOLDERS = {"owner", "colleague", "secretariat"}


@pytest.fixture(autouse=True)
def _an_awarding_program(world):
    """Only an award comes with a certificate (息县 第二十六条, 巩义 第十七条（八）, 金水 第十六条); 000's 入库 does
    not (tests/conformance/test_henan_cultivation.py), so the world's program stands for an awarding one here."""
    profile = world.cultivation.profile
    profile.outcome = profile.Outcome.AWARD
    profile.revocation_window_years = 3  # and may revoke it (息县 第三十四条)
    profile.save()


def file_text(doc):
    with doc.file.open("rb") as fh:
        return pdf_text(fh.read())


@pytest.fixture
def awarded(world, drive):
    return drive(world.new_app(name="河南省获奖装备制造有限公司"), State.AWARDED)


def built(app):
    doc = GeneratedDocument.objects.get(application=app, kind=GeneratedDocument.Kind.CERTIFICATE)
    documents.build_document(document_id=doc.pk)
    doc.refresh_from_db()
    return doc


def test_awarding_orders_a_certificate_whose_pdf_names_holder_program_tier_number_issuer_and_date(world, awarded):
    doc = GeneratedDocument.objects.get(application=awarded, kind=GeneratedDocument.Kind.CERTIFICATE)
    assert doc.status == GeneratedDocument.Status.PENDING  # ordered in the award's transaction
    doc = built(awarded)
    assert doc.status == GeneratedDocument.Status.READY, doc.error
    text = file_text(doc)
    awarded.refresh_from_db()
    day, number = awarded.award.decided_on, awarded.award.certificate_number
    expected_in_order = ["荣誉证书", "河南省省长质量奖培育", world.campaign.name, "河南省获奖装备制造有限公司",
                         "纳入河南省省长质量奖培育库", awarded.tier.name, f"证书编号：{number}",
                         "河南省质量强省战略工作领导小组办公室", f"{day.year}年{day.month}月{day.day}日"]
    assert in_order(text, expected_in_order)
    assert "有效期" not in text  # the cultivation program sets no validity


def test_a_validity_line_when_the_profile_sets_validity_years(world, drive):
    profile = world.cultivation.profile
    profile.validity_years = 4  # validity is decided when the award is made, so set it first
    profile.save()
    awarded = drive(world.new_app(name="河南省有效期内获奖有限公司"), State.AWARDED)
    text = file_text(built(awarded))
    awarded.refresh_from_db()
    day = awarded.award.decided_on
    assert f"有效期：{day.year}年{day.month}月{day.day}日至{day.year + 4}年" in text and "（4年）" in text


def test_the_certificate_prints_the_award_records_number_not_a_second_numbering(world, awarded):
    awarded.refresh_from_db()
    text = file_text(built(awarded))
    assert f"证书编号：{awarded.award.certificate_number}" in text
    assert awarded.award.certificate_number.startswith(f"{world.cultivation.number_prefix}{world.campaign.year}-")


def test_only_the_holder_and_the_secretariat_see_the_certificate(client, world, awarded):
    doc = built(awarded)
    download = reverse("applications:document_download", args=[doc.pk])
    status = reverse("applications:document_status", args=[doc.pk])
    assert client.get(download).status_code == 302  # anonymous: to the login page
    for name in PEOPLE:
        client.force_login(getattr(world, name))
        response = client.get(download)
        expected = 200 if name in HOLDERS else 404
        assert response.status_code == expected, (name, response.status_code)
        assert client.get(status).status_code == expected, name
        if expected == 200:
            assert b"".join(response.streaming_content).startswith(b"%PDF")
        page = client.get(reverse("applications:detail", args=[awarded.pk]))
        if page.status_code == 200:
            assert ("获奖证书" in page.content.decode()) == (name in HOLDERS), name


def test_a_certificate_is_refused_with_a_message_before_the_award(client, world, panel_app):
    url = reverse("applications:certificate_request", args=[panel_app.pk])
    for name in ("owner", "secretariat"):
        client.force_login(getattr(world, name))
        response = client.post(url)
        assert response.status_code == 403 and "尚未授奖，不能生成获奖证书" in response.content.decode()
    client.force_login(world.stranger)
    assert client.post(url).status_code == 404
    assert not GeneratedDocument.objects.filter(application=panel_app, kind="certificate").exists()


def test_requesting_again_is_idempotent_and_a_missing_certificate_is_ordered(client, world, awarded,
                                                                          django_capture_on_commit_callbacks):
    GeneratedDocument.objects.filter(application=awarded, kind="certificate").delete()  # awarded before the feature
    client.force_login(world.owner)
    page = client.get(reverse("applications:detail", args=[awarded.pk])).content.decode()
    assert "生成获奖证书" in page
    url = reverse("applications:certificate_request", args=[awarded.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    doc = GeneratedDocument.objects.get(application=awarded, kind="certificate")
    assert doc.status == GeneratedDocument.Status.READY, doc.error  # the job ran (eagerly here)
    client.post(url)
    assert GeneratedDocument.objects.filter(application=awarded, kind="certificate").count() == 1
    first = doc.file.name
    documents.build_document(document_id=doc.pk)  # a ready certificate is left as it is
    doc.refresh_from_db()
    assert doc.file.name == first
    page = client.get(reverse("applications:detail", args=[awarded.pk])).content.decode()
    assert reverse("applications:document_download", args=[doc.pk]) in page


def test_a_revoked_award_withdraws_the_certificate(client, world, awarded):
    doc = built(awarded)
    workflow.perform(application=awarded, name="revoke", actor=Actor(user=world.secretariat), reason="发生重大质量事故")
    client.force_login(world.owner)
    response = client.get(reverse("applications:document_download", args=[doc.pk]))
    assert response.status_code == 403 and "获奖证书已失效" in response.content.decode()
    page = client.get(reverse("applications:detail", args=[awarded.pk])).content.decode()
    assert "获奖证书已收回" in page


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_certificate_through_the_real_worker(celery_real_worker, world, drive):
    """With QA_REAL_CELERY=1 the award commits, the job crosses Redis to a worker process and the holder
    downloads the result; otherwise the job runs eagerly."""
    import time

    from django.test import Client

    app = drive(world.new_app(name="河南省真实队列获奖公司"), State.PROPOSED)
    workflow.perform(application=app, name="award", actor=Actor(user=world.secretariat))  # commits, then enqueues
    doc = GeneratedDocument.objects.get(application=app, kind=GeneratedDocument.Kind.CERTIFICATE)
    started = time.monotonic()
    while time.monotonic() - started < 60:
        doc.refresh_from_db()
        if doc.status in (GeneratedDocument.Status.READY, GeneratedDocument.Status.FAILED):
            break
        time.sleep(0.2)
    assert doc.status == GeneratedDocument.Status.READY, f"status {doc.status}: {doc.error}"
    client = Client()
    client.force_login(world.owner)
    response = client.get(reverse("applications:document_download", args=[doc.pk]))
    assert "河南省真实队列获奖公司" in pdf_text(b"".join(response.streaming_content))
