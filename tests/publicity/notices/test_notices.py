"""Composing notices, what the public sees, the frozen window, and the beat job settling windows
exactly once — also after an outage and when an objection holds a line."""
import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from review.eligibility.services import create_acceptance_list, publish_acceptance_list
from applications.models import PublicityRule, State
from publicity.notices import services
from publicity.notices.models import Notice, NoticeItem
from qualityaward.accounts.models import AuditEvent
from qualityaward.accounts.services import Actor

pytestmark = pytest.mark.usefixtures("next_year_known")


def compose(world, apps, kind="acceptance", length=5, actor=None, **kw):
    return services.compose_notice(campaign=world.campaign, kind=kind, actor=Actor(user=actor or world.secretariat),
                                   application_ids=[a.pk for a in apps], window_length=length, **kw)


def publish_now(world, notice, actor=None):
    services.schedule_notice(notice=notice, actor=Actor(user=actor or world.secretariat), opens_at=timezone.now())
    notice.refresh_from_db()
    return notice


def events(action):
    """Audit events written by the system (the job), not by people driving applications in the setup."""
    return AuditEvent.objects.filter(action=action, actor__isnull=True).count()


def state_of(app):
    app.refresh_from_db()
    return app.state


# --- composing ------------------------------------------------------------------------------------------
def test_items_carry_public_fields_only(world, accepted_apps, client):
    notice = publish_now(world, compose(world, accepted_apps))
    services.run_due()
    items = list(notice.items.order_by("position"))
    assert [i.name for i in items] == [a.applicant_name for a in accepted_apps]
    assert [i.region_name for i in items] == ["郑州市", "郑州市", "开封市"]
    assert items[0].industry  # the 小类 name from the form's basic section
    body = client.get(reverse("publicity:notice", args=[notice.pk])).content.decode()
    for app in accepted_apps:
        assert app.applicant_name in body
        assert app.organization.credit_code not in body  # no 统一社会信用代码
        assert app.owner.email not in body  # no contacts
        assert app.number not in body
    basic = accepted_apps[0].sections.get(code="basic").data
    for key in ("contact_mobile", "contact_phone", "contact_email", "legal_representative"):
        if basic.get(key):
            assert str(basic[key]) not in body, key
    assert "分" not in body.split("<table", 1)[1].split("</table>", 1)[0]  # no scores in the list


def test_window_defaults_to_the_rule_minimum_and_cannot_go_below(world, accepted_apps, acceptance_rule):
    notice = compose(world, accepted_apps, length=None)
    assert (notice.window_length, notice.window_unit) == (5, PublicityRule.Unit.WORKING_DAYS)
    with pytest.raises(ValidationError) as exc:
        compose(world, accepted_apps, length=4)
    assert "不少于 5工作日" in exc.value.messages[0] or "不少于 5" in exc.value.messages[0]
    longer = compose(world, accepted_apps, length=7)
    assert longer.window_length == 7


def test_a_rule_without_a_minimum_asks_for_the_length(world, accepted_apps):
    with pytest.raises(ValidationError) as exc:
        compose(world, accepted_apps, length=None)
    assert "请填写公示时长" in exc.value.messages[0]


def test_only_eligible_applications_and_only_the_programs_secretariat(world, accepted_apps, drive):
    submitted = drive(world.new_app(name="刚提交的申报"), State.SUBMITTED)
    with pytest.raises(ValidationError):
        compose(world, [accepted_apps[0], submitted])
    with pytest.raises(PermissionDenied):
        compose(world, accepted_apps, actor=world.secretariat_other)
    with pytest.raises(PermissionDenied):
        compose(world, accepted_apps, actor=world.owner)
    with pytest.raises(ValidationError) as exc:  # 培育 has no 拟授奖名单公示 (its list is the 入库名单)
        compose(world, accepted_apps, kind="winners")
    assert "没有" in exc.value.messages[0]
    assert not Notice.objects.exists()


def test_window_and_items_cannot_change_after_opening(world, accepted_apps, client):
    notice = publish_now(world, compose(world, accepted_apps))
    services.update_notice(notice=notice, actor=Actor(user=world.secretariat), window_length=6)  # scheduled: fine
    services.run_due()
    notice.refresh_from_db()
    assert notice.status == Notice.Status.OPEN and notice.window_length == 6
    with pytest.raises(services.NoticeFrozen) as exc:
        services.update_notice(notice=notice, actor=Actor(user=world.secretariat), window_length=8)
    assert "不能再修改" in exc.value.messages[0] and "更正公示" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        NoticeItem.objects.filter(notice=notice).first().save()
    notice.last_day = notice.last_day + dt.timedelta(days=3)
    with pytest.raises(ValidationError):
        notice.save()
    client.force_login(world.secretariat)
    response = client.post(reverse("publicity:notice_edit", args=[notice.pk]),
                           {"title": "改", "window_length": "9", "applications": [accepted_apps[0].pk]})
    assert response.status_code == 409
    assert "公示期和公示名单不能再修改" in response.content.decode()
    fresh = Notice.objects.get(pk=notice.pk)
    assert (fresh.window_length, fresh.items.count()) == (6, 3)


def test_a_correction_is_a_new_notice_linked_to_the_first(world, accepted_apps, client):
    notice = publish_now(world, compose(world, accepted_apps))
    services.run_due()
    correction = services.create_correction(notice=Notice.objects.get(pk=notice.pk), actor=Actor(user=world.secretariat))
    assert correction.corrects_id == notice.pk and correction.status == Notice.Status.DRAFT
    assert correction.items.count() == 3
    publish_now(world, correction)
    services.run_due()
    page = client.get(reverse("publicity:notice", args=[notice.pk])).content.decode()
    assert "本公示已发布更正" in page and correction.title in page


def test_notices_of_a_window_crossing_an_unknown_year_are_refused(world, accepted_apps):
    from publicity.notices.models import CalendarYear

    CalendarYear.objects.all().delete()
    with pytest.raises(ValidationError) as exc:
        compose(world, accepted_apps, opens_at=timezone.make_aware(dt.datetime(2027, 3, 1, 9)))
    assert "2027 年" in exc.value.messages[0]


# --- the job ---------------------------------------------------------------------------------------------
def test_acceptance_window_opens_closes_and_moves_applications_on(world, accepted_apps, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    notice = publish_now(world, compose(world, accepted_apps))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_due()["opened"] == 1
    assert {state_of(a) for a in accepted_apps} == {State.ACCEPTANCE_PUBLICITY}
    opened_mail = [m for m in mailoutbox if m.subject.startswith("您的申报已列入公示")]
    assert sorted(m.to[0] for m in opened_mail) == sorted(a.owner.email for a in accepted_apps)
    assert "公示期：" in opened_mail[0].body and "个工作日" in opened_mail[0].body
    notice.refresh_from_db()
    assert services.run_due(now=notice.closes_at - dt.timedelta(seconds=1))["closed"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        result = services.run_due(now=notice.closes_at)
    assert (result["closed"], result["settled"], result["notices_settled"]) == (1, 3, 1)
    assert {state_of(a) for a in accepted_apps} == {State.MATERIAL_REVIEW}
    closed_mail = [m for m in mailoutbox if m.subject.startswith("公示期已满")]
    assert len(closed_mail) == 3 and "进入材料评审" in closed_mail[0].body
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SETTLED


def test_catching_up_after_an_outage_settles_each_window_exactly_once(world, accepted_apps, drive):
    """Beat was down for the whole window: the next run opens and closes it; later runs do nothing."""
    proposed = [drive(world.new_app(name=f"拟入库单位{i}", organization=world.org), State.PROPOSED) for i in range(2)]
    start = timezone.now() + dt.timedelta(hours=1)
    acceptance = compose(world, accepted_apps)
    database = compose(world, proposed, kind="database")
    for notice in (acceptance, database):
        services.schedule_notice(notice=notice, actor=Actor(user=world.secretariat), opens_at=start)
    assert services.run_due() == {"opened": 0, "closed": 0, "settled": 0, "blocked": 0, "notices_settled": 0}
    acceptance.refresh_from_db()
    database.refresh_from_db()
    late = max(acceptance.closes_at, database.closes_at) + dt.timedelta(days=3)
    first = services.run_due(now=late)
    assert first == {"opened": 2, "closed": 2, "settled": 5, "blocked": 0, "notices_settled": 2}
    for _ in range(3):
        assert services.run_due(now=late + dt.timedelta(minutes=1)) == {
            "opened": 0, "closed": 0, "settled": 0, "blocked": 0, "notices_settled": 0}
    assert {state_of(a) for a in accepted_apps} == {State.MATERIAL_REVIEW}
    assert {state_of(a) for a in proposed} == {State.AWARDED}  # 纳入培育库
    assert events("transition:open_acceptance_publicity") == 3
    assert events("transition:start_material_review") == 3
    assert events("transition:award") == 2
    assert (events("notice:open"), events("notice:close"), events("notice:settle")) == (2, 2, 2)
    assert events("notice:settle_item") == 5
    assert NoticeItem.objects.filter(settled_at__isnull=True).count() == 0
    # opening or closing the same notice again is a no-op
    assert services.open_notice(notice_id=acceptance.pk, now=late) == 0
    assert services.close_notice(notice_id=acceptance.pk, now=late) == 0


def test_blocked_lines_wait_and_settle_on_a_later_run(world, accepted_apps, blockers):
    notice = publish_now(world, compose(world, accepted_apps))
    services.run_due()
    notice.refresh_from_db()
    held = accepted_apps[1]
    blockers.add(held.pk)
    result = services.run_due(now=notice.closes_at)
    assert (result["settled"], result["blocked"], result["notices_settled"]) == (2, 1, 0)
    assert state_of(held) == State.ACCEPTANCE_PUBLICITY
    item = NoticeItem.objects.get(notice=notice, application=held)
    assert item.settled_at is None and item.blocked_reason == "有 1 件异议尚未办结"
    assert services.run_due(now=notice.closes_at + dt.timedelta(minutes=1))["blocked"] == 1
    notice.refresh_from_db()
    assert notice.status == Notice.Status.CLOSED
    blockers.discard(held.pk)  # the objection was decided: not upheld
    result = services.run_due(now=notice.closes_at + dt.timedelta(days=2))
    assert (result["settled"], result["blocked"], result["notices_settled"]) == (1, 0, 1)
    assert state_of(held) == State.MATERIAL_REVIEW
    assert events("transition:start_material_review") == 3
    item.refresh_from_db()
    assert item.settled_at is not None and item.blocked_reason == ""


def test_a_line_disqualified_meanwhile_is_settled_without_moving_it(world, accepted_apps, drive):
    proposed = [drive(world.new_app(name=f"拟入库单位{i}"), State.PROPOSED) for i in range(2)]
    notice = publish_now(world, compose(world, proposed, kind="database"))
    services.run_due()
    from applications import workflow

    workflow.perform(application=proposed[0], name="disqualify", actor=Actor(user=world.secretariat),
                     reason="异议查实：存在弄虚作假")
    notice.refresh_from_db()
    services.run_due(now=notice.closes_at)
    assert state_of(proposed[0]) == State.DISQUALIFIED
    assert state_of(proposed[1]) == State.AWARDED
    item = NoticeItem.objects.get(notice=notice, application=proposed[0])
    assert "取消资格" in item.outcome and "未执行" in item.outcome


def test_publishing_an_acceptance_list_publishes_its_notice(world, accepted_apps, acceptance_rule,
                                                            django_capture_on_commit_callbacks):
    lst = create_acceptance_list(campaign=world.campaign, actor=Actor(user=world.secretariat))
    with django_capture_on_commit_callbacks(execute=True):
        publish_acceptance_list(acceptance_list=lst, actor=Actor(user=world.secretariat))
    notice = Notice.objects.get(acceptance_list=lst)
    assert notice.status == Notice.Status.OPEN  # the job ran on commit (eager here, the worker in production)
    assert notice.window_length == 5 and notice.items.count() == 3
    assert {state_of(a) for a in accepted_apps} == {State.ACCEPTANCE_PUBLICITY}


def test_an_acceptance_list_without_a_rule_length_leaves_a_draft(world, accepted_apps):
    lst = create_acceptance_list(campaign=world.campaign, actor=Actor(user=world.secretariat))
    publish_acceptance_list(acceptance_list=lst, actor=Actor(user=world.secretariat))
    notice = Notice.objects.get(acceptance_list=lst)
    assert notice.status == Notice.Status.DRAFT
    services.update_notice(notice=notice, actor=Actor(user=world.secretariat), window_length=5)
    notice.refresh_from_db()
    assert notice.window_length == 5


def test_the_bureau_publishes_its_own_areas_applicants(world, drive):
    from review.prereview.models import AuthorityPublicity

    mine = drive(world.new_app(name="郑州待推荐单位"), State.SUBMITTED)
    other = drive(world.new_app(owner=world.stranger, organization=world.other_org), State.SUBMITTED)
    bureau = Actor(user=world.authority)
    with pytest.raises(PermissionDenied):  # no region: not its notice
        compose(world, [mine], kind="authority", actor=world.authority)
    with pytest.raises(ValidationError):  # 开封's applicant is not in its area
        compose(world, [mine, other], kind="authority", actor=world.authority, region=world.zhengzhou)
    notice = compose(world, [mine], kind="authority", actor=world.authority, region=world.zhengzhou)
    assert "郑州" in notice.title and notice.region == world.zhengzhou
    services.schedule_notice(notice=notice, actor=bureau, opens_at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.update_notice(notice=notice, actor=Actor(user=world.authority_other_city), title="改")
    services.run_due()
    record = AuthorityPublicity.objects.get(application=mine)
    notice.refresh_from_db()
    assert record.ends_on == notice.last_day and "公示公告栏" in record.channel
    assert state_of(mine) == State.SUBMITTED  # its publicity moves nothing; the bureau recommends


def test_each_program_publishes_the_notices_its_rules_name(world):
    """Kinds and lengths come from the programs' PublicityRule rows, never from code."""
    from applications.models import Campaign

    def kinds(code):
        campaign = Campaign.objects.get(program__code=code, is_current=True)
        return [(k, services.rule_for(campaign, k).min_length, services.rule_for(campaign, k).unit)
                for k in services.kinds_for(campaign)]

    assert kinds("henan-cultivation") == [("acceptance", None, "working_days"), ("database", None, "working_days")]
    assert kinds("xixian") == [("acceptance", 5, "working_days"), ("winners", 5, "working_days")]
    assert kinds("gongyi") == [("candidates", 5, "working_days")]
    assert kinds("jinshui") == [("winners", 14, "calendar_days")]  # 不少于两周, in natural days
    assert kinds("quality-benchmark") == []
    assert [k for k in services.kinds_for(world.campaign, authority=True)] == ["authority"]


def test_the_secretariat_s_cached_notice_list_shows_the_opening_and_the_close_at_once(world, accepted_apps, client):
    """Opening and closing write with ``update()`` (no save signal): the cached 公示管理 page must not keep saying
    “待发布” or “公示中” after the notice job has moved the notice on."""
    notice = publish_now(world, compose(world, accepted_apps))
    client.force_login(world.secretariat)

    def listed():  # the notices' table (the page's CSRF token changes with every response)
        return re.search(r"<table.*?</table>", client.get(reverse("publicity:manage")).content.decode(), re.S)[0]

    before = listed()
    assert listed() == before  # served from the cache
    services.open_notice(notice_id=notice.pk, now=notice.opens_at)
    opened = listed()
    assert opened != before and "公示中" in opened
    notice.refresh_from_db()
    services.close_notice(notice_id=notice.pk, now=notice.closes_at)
    assert listed() != opened
