"""The public notice board and notice pages (no login), the composing pages of the secretariat and the
bureau, the applicant's internal publicity record, the dashboard countdown and the calendar admin."""
import datetime as dt
import io
import sys
import types

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, include, path, reverse
from django.utils import timezone
from PIL import Image

from applications.models import State
from publicity.notices import services
from publicity.notices.models import CalendarOverride, InternalPublicity, Notice
from qualityaward.accounts.services import Actor

pytestmark = pytest.mark.usefixtures("next_year_known")


def open_notice(world, apps, kind="acceptance", length=5):
    notice = services.compose_notice(campaign=world.campaign, kind=kind, actor=Actor(user=world.secretariat),
                                     application_ids=[a.pk for a in apps], window_length=length,
                                     contact="秘书处 0371-12345678")
    services.schedule_notice(notice=notice, actor=Actor(user=world.secretariat), opens_at=timezone.now())
    services.run_due()
    notice.refresh_from_db()
    return notice


def jpeg(name="公示照片.jpg"):
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 180, 160)).save(buf, "JPEG")
    buf.seek(0)
    buf.name = name
    return buf


# --- public pages ---------------------------------------------------------------------------------------
def test_board_and_notice_need_no_login(client, world, accepted_apps):
    notice = open_notice(world, accepted_apps)
    board = client.get(reverse("publicity:index"))
    assert board.status_code == 200
    text = board.content.decode()
    assert notice.title in text and "公示中" in text and "还剩" in text
    assert "调休上班日计入" in text  # the convention next to the computed windows
    page = client.get(reverse("publicity:notice", args=[notice.pk])).content.decode()
    assert services.window_line(notice) in page and "截止日 24:00 止" in page
    assert "法定节假日和周末不计" in page
    assert "秘书处 0371-12345678" in page
    printable = client.get(reverse("publicity:notice_print", args=[notice.pk]))
    assert printable.status_code == 200 and "<script" not in printable.content.decode()
    assert all(a.applicant_name in printable.content.decode() for a in accepted_apps)


def test_drafts_and_scheduled_notices_are_not_public(client, world, accepted_apps):
    notice = services.compose_notice(campaign=world.campaign, kind="acceptance", actor=Actor(user=world.secretariat),
                                     application_ids=[a.pk for a in accepted_apps], window_length=5)
    assert client.get(reverse("publicity:notice", args=[notice.pk])).status_code == 404
    services.schedule_notice(notice=notice, actor=Actor(user=world.secretariat),
                             opens_at=timezone.now() + dt.timedelta(hours=2))
    assert client.get(reverse("publicity:notice_print", args=[notice.pk])).status_code == 404
    assert notice.title not in client.get(reverse("publicity:index")).content.decode()


def test_past_notices_stay_on_the_board(client, world, accepted_apps):
    notice = open_notice(world, accepted_apps)
    services.run_due(now=notice.closes_at)
    text = client.get(reverse("publicity:index") + "?program=henan-cultivation").content.decode()
    assert "往期公示" in text and notice.title in text and "已办结" in text


def test_the_notice_links_the_objection_form(client, world, accepted_apps):
    notice = open_notice(world, accepted_apps)
    page = client.get(reverse("publicity:notice", args=[notice.pk])).content.decode()
    url = reverse("publicity:objection_new", args=[notice.pk])
    assert f'href="{url}"' in page and "对本公示提出异议" in page
    assert 'id="objection-form"' in client.get(url).content.decode()


def _urlconf_with_objection_form():
    """The project's URLs plus an objection form under the publicity namespace (as the objection module adds)."""
    from django.http import HttpResponse

    import publicity.urls
    import qualityaward.urls

    module = types.ModuleType("publicity_test_urls_with_objections")
    extra = [path("<int:pk>/objection/", lambda request, pk: HttpResponse("异议表"), name="objection_new")]
    module.urlpatterns = [
        p for p in qualityaward.urls.urlpatterns if getattr(p, "namespace", None) != "publicity"
    ] + [path("notices/", include((publicity.urls.urlpatterns + extra, "publicity")))]
    sys.modules[module.__name__] = module
    return module.__name__


def test_objection_link_when_the_form_exists_the_program_allows_it_and_the_window_is_open(client, world,
                                                                                         accepted_apps):
    notice = open_notice(world, accepted_apps)
    with override_settings(ROOT_URLCONF=_urlconf_with_objection_form()):
        clear_url_caches()
        try:
            page = client.get(f"/notices/{notice.pk}/").content.decode()
            assert f'href="/notices/{notice.pk}/objection/"' in page
            profile = world.cultivation.profile
            profile.objections_allowed = False
            profile.save()
            assert "objection/" not in client.get(f"/notices/{notice.pk}/").content.decode()
            profile.objections_allowed = True
            profile.save()
            services.run_due(now=notice.closes_at)
            assert "objection/" not in client.get(f"/notices/{notice.pk}/").content.decode()
        finally:
            clear_url_caches()
    clear_url_caches()


# --- composing pages ---------------------------------------------------------------------------------------
def test_secretariat_composes_previews_and_schedules(client, world, accepted_apps, acceptance_rule):
    client.force_login(world.secretariat)
    manage = client.get(reverse("publicity:manage")).content.decode()
    compose_url = reverse("publicity:compose", args=[world.campaign.pk, "acceptance"])
    assert compose_url in manage
    form = client.get(compose_url).content.decode()
    assert "不少于 5 个工作日" in form and 'value="5"' in form
    assert accepted_apps[0].organization.credit_code not in form
    short = client.post(compose_url, {"window_length": "3", "applications": [a.pk for a in accepted_apps]})
    assert short.status_code == 400 and "不少于 5 个工作日" in short.content.decode()
    assert not Notice.objects.exists()
    created = client.post(compose_url, {"window_length": "5", "title": "",
                                        "applications": [a.pk for a in accepted_apps[:2]]})
    notice = Notice.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse("publicity:manage_notice", args=[notice.pk])
    preview = client.get(created["Location"]).content.decode()
    assert "预览" in preview and accepted_apps[0].applicant_name in preview
    assert accepted_apps[2].applicant_name not in preview.split("预览", 1)[1].split("发布</div>", 1)[0]
    assert "（5个工作日）" in preview and "法定节假日和周末不计" in preview
    later = timezone.localtime(timezone.now() + dt.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    response = client.post(reverse("publicity:notice_schedule", args=[notice.pk]),
                           {"when": "later", "opens_at": later.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SCHEDULED and timezone.localtime(notice.opens_at) == later
    past = client.post(reverse("publicity:notice_schedule", args=[notice.pk]),
                       {"when": "later", "opens_at": "2020-01-01T09:00"})
    assert past.status_code == 400 and "不能早于当前时间" in past.content.decode()
    client.post(reverse("publicity:notice_unschedule", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT


def test_strangers_to_a_notice_get_404(client, world, accepted_apps):
    notice = open_notice(world, accepted_apps)
    for user in (world.secretariat_other, world.authority, world.owner, world.expert):
        client.force_login(user)
        assert client.get(reverse("publicity:manage_notice", args=[notice.pk])).status_code == 404
        assert client.post(reverse("publicity:notice_correct", args=[notice.pk])).status_code == 404
        assert client.get(reverse("publicity:compose", args=[world.campaign.pk, "acceptance"])).status_code == 404
    assert Notice.objects.count() == 1


def test_bureau_composes_for_its_area(client, world, drive):
    app = drive(world.new_app(name="郑州拟推荐单位"), State.SUBMITTED)
    client.force_login(world.authority)
    url = reverse("publicity:compose", args=[world.campaign.pk, "authority"])
    assert url in client.get(reverse("publicity:manage")).content.decode()
    response = client.post(url, {"window_length": "5", "applications": [app.pk]})
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.region == world.zhengzhou and notice.kind == "authority"
    client.force_login(world.authority_other_city)
    assert client.get(reverse("publicity:manage_notice", args=[notice.pk])).status_code == 404


# --- the applicant's internal publicity ----------------------------------------------------------------------
def test_internal_publicity_is_checked_in_working_days(client, world):
    from applications.models import PublicityRule

    PublicityRule.objects.filter(profile__program=world.cultivation, kind="internal").update(min_length=5)
    app = world.new_app()
    InternalPublicity.objects.filter(application=app).delete()  # not recorded yet (the sample form records one)
    url = reverse("publicity:internal", args=[app.pk])
    client.force_login(world.owner)
    # Fri 26 Sep – Thu 2 Oct 2025: Sun 28 is a working day, 1–2 Oct are National Day: only 4 working days
    short = client.post(url, {"starts_on": "2025-09-26", "ends_on": "2025-10-02", "place": "公司一楼公告栏",
                              "objections_received": "0", "evidence": jpeg()})
    assert short.status_code == 400
    assert "不少于 5个工作日" in short.content.decode() and "只有 4个工作日" in short.content.decode()
    assert not InternalPublicity.objects.exists()
    no_file = client.post(url, {"starts_on": "2025-09-26", "ends_on": "2025-10-09", "place": "公告栏",
                                "objections_received": "0"})
    assert no_file.status_code == 400 and "请上传公示证明材料" in no_file.content.decode()
    ok = client.post(url, {"starts_on": "2025-09-26", "ends_on": "2025-10-09", "place": "公司一楼公告栏",
                           "objections_received": "0", "evidence": jpeg()})
    assert ok.status_code == 302
    record = InternalPublicity.objects.get(application=app)
    assert record.content_type == "image/jpeg" and len(record.sha256) == 64
    page = client.get(url).content.decode()
    assert "（5个工作日）" in page
    download = client.get(reverse("publicity:internal_file", args=[app.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    client.force_login(world.stranger)
    assert client.get(url).status_code == 404
    assert client.get(reverse("publicity:internal_file", args=[app.pk])).status_code == 404


def test_internal_publicity_refuses_a_fake_image_and_other_people(client, world, drive):
    from demo.content import record_sample_internal_publicity
    from qualityaward.accounts.services import Actor

    app = world.new_app()
    InternalPublicity.objects.filter(application=app).delete()  # not recorded yet (the sample form records one)
    url = reverse("publicity:internal", args=[app.pk])
    client.force_login(world.owner)
    fake = io.BytesIO(b"MZ\x90\x00 not a picture")
    fake.name = "photo.jpg"
    response = client.post(url, {"starts_on": "2025-09-26", "ends_on": "2025-10-09", "place": "公告栏",
                                 "objections_received": "0", "evidence": fake})
    assert response.status_code == 400 and not InternalPublicity.objects.exists()
    record_sample_internal_publicity(application=app, actor=Actor(user=world.owner))  # submission needs one
    drive(app, State.SUBMITTED)
    client.force_login(world.authority)
    assert client.post(url, {"starts_on": "2025-09-26"}).status_code == 403


# --- dashboard and admin -------------------------------------------------------------------------------------
def test_dashboard_shows_open_and_scheduled_notices_with_countdown(client, world, accepted_apps):
    notice = open_notice(world, accepted_apps)
    client.force_login(world.secretariat)
    text = client.get(reverse("dashboard")).content.decode()
    assert notice.title in text and "还剩" in text and "个工作日" in text
    client.force_login(world.secretariat_other)
    assert notice.title not in client.get(reverse("dashboard")).content.decode()


def test_secretariat_enters_the_calendar_in_the_admin(client, world):
    client.force_login(world.secretariat)
    index = client.get(reverse("admin:index")).content.decode()
    assert "工作日日历调整" in index and "工作日日历年度" in index
    response = client.post(reverse("admin:publicity_calendaroverride_add"),
                           {"date": "2027-01-01", "is_working_day": "", "note": "元旦"})
    assert response.status_code == 302
    assert CalendarOverride.objects.get(date=dt.date(2027, 1, 1)).is_working_day is False
    listing = client.get(reverse("admin:publicity_calendaroverride_changelist")).content.decode()
    assert "星期五" in listing
    client.force_login(world.owner)
    assert client.get(reverse("admin:publicity_calendaroverride_changelist")).status_code == 302


def test_the_secretariat_sees_the_internal_publicity_in_the_eligibility_review(client, world, drive):
    from applications.models import PublicityRule

    PublicityRule.objects.filter(profile__program=world.cultivation, kind="internal").update(min_length=5)
    app = world.new_app()
    InternalPublicity.objects.filter(application=app).delete()  # not recorded yet (the sample form records one)
    client.force_login(world.owner)
    client.post(reverse("publicity:internal", args=[app.pk]), {
        "starts_on": "2026-02-11", "ends_on": "2026-02-24", "place": "公司内网公告", "objections_received": "1",
        "handling": "经核实异议不成立，已书面答复", "evidence": jpeg()})
    drive(app, State.ELIGIBILITY_REVIEW)
    client.force_login(world.secretariat)
    page = client.get(reverse("review:eligibility_detail", args=[app.pk])).content.decode()
    assert "申报单位内部公示" in page
    assert "2026年2月11日 至 2026年2月24日（5个工作日）" in page  # across the Spring Festival
    assert "经核实异议不成立" in page


def test_xixian_10_a_recused_secretariat_member_composes_without_that_application(client, world, accepted_apps,
                                                                                  acceptance_rule):
    """息县 第十条, 巩义 第十八条: whoever stepped aside from an application neither sees it among the applications a
    notice may list nor lists it; a colleague does."""
    from conformance_support import make_user
    from qualityaward.accounts.models import Role
    from review.panels.models import Recusal

    recused = accepted_apps[0]
    Recusal.objects.create(application=recused, user=world.secretariat, kind="secretariat", reason="曾任职")
    colleague = make_user("secretariat_b", (Role.SECRETARIAT, {"program": world.cultivation}))
    url = reverse("publicity:compose", args=[world.campaign.pk, "acceptance"])
    client.force_login(world.secretariat)
    form = client.get(url).content.decode()
    assert recused.applicant_name not in form and accepted_apps[1].applicant_name in form
    response = client.post(url, {"window_length": "5", "applications": [recused.pk, accepted_apps[1].pk]})
    assert response.status_code == 400 and not Notice.objects.exists()
    assert recused.applicant_name not in response.content.decode()
    client.force_login(colleague)
    assert recused.applicant_name in client.get(url).content.decode()


def test_xixian_10_a_recused_member_reading_a_colleagues_draft_sees_the_line_as_recused(client, world, accepted_apps,
                                                                                        acceptance_rule):
    """息县 第十条, 巩义 第十八条: a draft notice is internal, so whoever stepped aside from an application on it sees
    only its place (（已回避）) on the draft's page and proof, and can neither take it off nor put it back; once
    published the notice is public and names it."""
    from conformance_support import make_user
    from publicity.notices.prints import notice_context
    from qualityaward.accounts.models import Role
    from review.panels.models import Recusal

    recused, other = accepted_apps[0], accepted_apps[1]
    colleague = make_user("secretariat_b", (Role.SECRETARIAT, {"program": world.cultivation}))
    notice = services.compose_notice(campaign=world.campaign, kind="acceptance", actor=Actor(user=colleague),
                                     application_ids=[recused.pk, other.pk], window_length=5)
    Recusal.objects.create(application=recused, user=world.secretariat, kind="secretariat", reason="曾任职")

    client.force_login(world.secretariat)
    page = client.get(reverse("publicity:manage_notice", args=[notice.pk])).content.decode()
    assert recused.applicant_name not in page and "（已回避）" in page and other.applicant_name in page
    proof = notice_context(notice, world.secretariat)
    assert [row[1] for row in proof["rows"]] == ["（已回避）", other.applicant_name]

    # taking the line off is refused in Chinese and changes nothing; keeping it saves the other fields
    edit = reverse("publicity:notice_edit", args=[notice.pk])
    refused = client.post(edit, {"window_length": "5", "title": "改过的标题", "applications": [other.pk]})
    assert refused.status_code == 400 and "您已回避的申报" in refused.content.decode()
    assert recused.applicant_name not in refused.content.decode()
    assert set(notice.items.values_list("application_id", flat=True)) == {recused.pk, other.pk}
    kept = client.post(edit, {"window_length": "5", "title": "改过的标题", "applications": [recused.pk, other.pk]})
    assert kept.status_code == 302
    notice.refresh_from_db()
    assert notice.title == "改过的标题" and notice.items.count() == 2

    client.force_login(colleague)
    assert recused.applicant_name in client.get(reverse("publicity:manage_notice", args=[notice.pk])).content.decode()
    services.schedule_notice(notice=notice, actor=Actor(user=colleague), opens_at=timezone.now())
    services.run_due()
    notice.refresh_from_db()
    client.logout()
    assert recused.applicant_name in client.get(reverse("publicity:notice", args=[notice.pk])).content.decode()
    client.force_login(world.secretariat)
    assert recused.applicant_name in client.get(reverse("publicity:manage_notice", args=[notice.pk])).content.decode()
    assert notice_context(notice, world.secretariat)["rows"][0][1] == recused.applicant_name
