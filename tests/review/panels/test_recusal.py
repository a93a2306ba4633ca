"""Staff recusals (回避): 息县 第十条 “参与县长质量奖评审的单位和个人与申报单位（组织）存在利害关系的，应当回避”,
巩义 第十八条 “与申请组织有利害关系的评审员、工作人员应当回避”. A member of the secretariat or of the recommending
authority declares it with a reason on the application page; from then on that person (and only that person)
neither sees nor acts on the application, like a recused expert; the page names who stepped aside and, when the
whole secretariat has, says someone else must act. Nobody withdraws a recusal in the portal."""
import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse

from applications import workflow
from applications.models import State
from applications.rules import can_view
from applications.selectors import applications_for_user
from qualityaward.accounts.models import AuditEvent, Role
from qualityaward.accounts.services import Actor
from review.eligibility.services import ABSENT, exclusion_items, record_exclusions
from review.panels import services as ex
from review.panels.models import Recusal

from conformance_support import make_user

RECUSE_BUTTON = "声明回避"


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def _detail(client, user, app):
    client.force_login(user)
    return client.get(reverse("applications:detail", args=[app.pk]))


@pytest.fixture
def in_review(world, drive):
    """A cultivation application in the secretariat's eligibility review, and a second secretariat member."""
    app = drive(world.new_app(name="资格审核中的回避测试公司"), State.ELIGIBILITY_REVIEW)
    world.secretariat_b = make_user("secretariat_b", (Role.SECRETARIAT, {"program": world.cultivation}))
    return app


def test_xixian_10_a_secretariat_member_recuses_from_the_page(client, world, in_review):
    page = _detail(client, world.secretariat, in_review).content.decode()
    assert RECUSE_BUTTON in page and reverse("review:recuse_staff", args=[in_review.pk]) in page
    response = client.post(reverse("review:recuse_staff", args=[in_review.pk]), {"reason": "近亲属在申报单位任职"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    recusal = Recusal.objects.get(application=in_review, user=world.secretariat)
    assert recusal.kind == Recusal.Kind.SECRETARIAT and recusal.reason == "近亲属在申报单位任职"
    event = AuditEvent.objects.get(action="recusal:secretariat", object_id=str(in_review.pk))
    assert event.actor == world.secretariat and event.reason == "近亲属在申报单位任职"
    # the recused member: no page, no list row, no dashboard row, no transition, no eligibility decision
    me = _fresh(world.secretariat)
    assert not can_view(me, in_review)
    assert not applications_for_user(user=me).filter(pk=in_review.pk).exists()
    assert _detail(client, me, in_review).status_code == 404
    assert in_review.applicant_name not in client.get(reverse("dashboard")).content.decode()
    assert in_review.applicant_name not in client.get(reverse("applications:list")).content.decode()
    assert workflow.available_transitions(in_review, Actor(user=me)) == []
    with pytest.raises(workflow.NotPermitted, match="回避"):
        workflow.perform(application=in_review, name="accept", actor=Actor(user=me))
    with pytest.raises(PermissionDenied, match="回避"):
        record_exclusions(application=in_review, actor=Actor(user=me),
                          answers={item.pk: (ABSENT, "") for item in exclusion_items(in_review)})
    in_review.refresh_from_db()
    assert in_review.state == State.ELIGIBILITY_REVIEW
    # everyone else: unchanged; the other member acts and sees who stepped aside, and why
    other = _fresh(world.secretariat_b)
    assert {t.name for t in workflow.available_transitions(in_review, Actor(user=other))} >= {"accept", "reject"}
    page = _detail(client, other, in_review).content.decode()
    assert world.secretariat.display_name in page and "近亲属在申报单位任职" in page and "秘书处工作人员" in page
    assert "均已回避" not in page
    # the applicant's side never learns who stepped aside
    page = _detail(client, world.owner, in_review).content.decode()
    assert world.secretariat.display_name not in page and RECUSE_BUTTON not in page


def test_only_secretariat_and_authority_staff_get_the_button(client, world, in_review):
    for user in (world.secretariat, world.authority):
        assert RECUSE_BUTTON in _detail(client, user, in_review).content.decode(), user.username
    for user in (world.owner, world.supervisor):
        assert RECUSE_BUTTON not in _detail(client, user, in_review).content.decode(), user.username
        client.force_login(user)
        response = client.post(reverse("review:recuse_staff", args=[in_review.pk]), {"reason": "测试"})
        assert response.status_code == 403, user.username
    client.force_login(world.stranger)
    assert client.post(reverse("review:recuse_staff", args=[in_review.pk]), {"reason": "测试"}).status_code == 404
    assert not Recusal.objects.filter(application=in_review).exists()


def test_a_recusal_needs_a_reason_and_changes_nothing_without_one(client, world, in_review):
    client.force_login(world.secretariat)
    response = client.post(reverse("review:recuse_staff", args=[in_review.pk]), {"reason": "  "}, follow=True)
    assert "请填写回避事由" in response.content.decode()
    assert not Recusal.objects.filter(application=in_review).exists()
    with pytest.raises(ValidationError, match="最多 200 字"):
        ex.recuse_staff(application=in_review, actor=Actor(user=world.secretariat), reason="利" * 201)
    assert can_view(_fresh(world.secretariat), in_review)


def test_gongyi_18_an_authority_member_recuses_and_another_recommends(world, drive):
    app = drive(world.new_app(name="推荐单位回避测试公司"), State.SUBMITTED)
    colleague = make_user("authority_zz_b", (Role.AUTHORITY, {"program": world.cultivation,
                                                              "region": world.zhengzhou}))
    assert "recommend" in {t.name for t in workflow.available_transitions(app, Actor(user=world.authority))}
    recusal = ex.recuse_staff(application=app, actor=Actor(user=world.authority), reason="曾为其提供咨询服务")
    assert recusal.kind == Recusal.Kind.AUTHORITY
    me = _fresh(world.authority)
    assert not can_view(me, app) and not applications_for_user(user=me).filter(pk=app.pk).exists()
    for name in ("recommend", "return_for_correction"):
        with pytest.raises(workflow.NotPermitted, match="回避"):
            workflow.perform(application=app, name=name, actor=Actor(user=me), reason="测试")
    assert {"recommend", "return_for_correction"} <= {
        t.name for t in workflow.available_transitions(app, Actor(user=_fresh(colleague)))}
    assert AuditEvent.objects.filter(action="recusal:authority", object_id=str(app.pk), actor=world.authority).exists()


def test_when_the_whole_secretariat_recused_the_page_says_someone_else_must_act(client, world, in_review):
    client.force_login(world.secretariat_b)
    client.post(reverse("review:recuse_staff", args=[in_review.pk]), {"reason": "与申报单位负责人系近亲属"})
    assert "均已回避" not in _detail(client, world.supervisor, in_review).content.decode()
    client.force_login(world.secretariat)
    response = client.post(reverse("review:recuse_staff", args=[in_review.pk]), {"reason": "曾在申报单位任职"},
                           follow=True)
    assert "秘书处工作人员均已回避" in response.content.decode()  # told at once, on the dashboard
    page = _detail(client, world.supervisor, in_review).content.decode()
    assert "秘书处工作人员均已对该申报声明回避，须由其他工作人员办理" in page
    assert world.secretariat.display_name in page and world.secretariat_b.display_name in page


def test_a_recusal_is_not_withdrawn_in_the_portal(world, in_review):
    recusal = ex.recuse_staff(application=in_review, actor=Actor(user=world.secretariat), reason="曾在申报单位任职")
    request = RequestFactory().get("/")
    request.user = type(world.secretariat).objects.create_superuser(username="root", password="x", email="r@example.cn",
                                                                    full_name="系统超级用户")
    model_admin = admin.site._registry[Recusal]
    assert not model_admin.has_delete_permission(request, recusal)
    assert not model_admin.has_change_permission(request, recusal)
    with pytest.raises(ValidationError, match="已对该申报声明回避"):
        ex.recuse_staff(application=in_review, actor=Actor(user=_fresh(world.secretariat)), reason="再次声明")
    assert Recusal.objects.filter(application=in_review).count() == 1
