"""The secretariat's eligibility review: stored checks, the exclusion checklist, the guards on the
decision, the screens, and the acceptance list."""
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from review.eligibility import services as el
from applications import workflow
from applications.models import (AcceptanceList, Application, ApplicationSection, EligibilityReview, State)
from qualityaward.accounts.models import AuditEvent
from qualityaward.accounts.services import Actor


def bureau_prereview(app, authority):
    """The recommending authority's pre-review (signed opinion etc.), when the bureau side requires one."""
    try:
        from demo.review import complete_sample_prereview
    except ImportError:  # the bureau's pre-review is not installed
        return
    complete_sample_prereview(application=app, actor=Actor(user=authority))


def recommended(world, app=None, **basic):
    """A cultivation application (郑州) recommended to the secretariat; ``basic`` overrides 2.1 fields."""
    app = app or world.new_app()
    if basic:
        row = ApplicationSection.objects.get(application=app, code="basic")
        row.data = {**row.data, **basic}
        row.save()
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    bureau_prereview(app, world.authority)
    workflow.perform(application=app, name="recommend", actor=Actor(user=world.authority))
    return app


def in_review(world, app=None, **basic):
    app = recommended(world, app, **basic)
    workflow.perform(application=app, name="start_eligibility_review", actor=Actor(user=world.secretariat))
    return app


def tick_all(world, app, answer=el.ABSENT, note="经核查信用中国、市场监管部门记录，未发现该情形"):
    return el.record_exclusions(application=app, actor=Actor(user=world.secretariat),
                                answers={i.pk: (answer, note) for i in el.exclusion_items(app)})


def snapshot(app):
    return (Application.objects.get(pk=app.pk).state, AuditEvent.objects.count(),
            list(EligibilityReview.objects.filter(application=app).values_list("pk", "decision", "exclusion_ticks")))


# --- starting the review stores the checks ---------------------------------------------------------------------
def test_starting_the_review_computes_and_stores_every_check_for_the_submission(world):
    app = in_review(world)
    review = EligibilityReview.objects.get(application=app)
    assert review.submission == app.submissions.get()
    assert [r["code"] for r in review.results] == el.registered_codes()
    assert review.reviewer == world.secretariat and review.computed_at is not None
    assert {r["status"] for r in review.results} <= {el.PASS, el.NA}
    event = AuditEvent.objects.get(object_id=str(app.pk), action="transition:start_eligibility_review")
    assert event.data["review"] == review.pk and event.data["fail"] == 0


def test_recompute_updates_the_stored_results(world):
    app = in_review(world)
    ApplicationSection.objects.filter(application=app, code="basic").update(
        data={**app.sections.get(code="basic").data, "established_on": "2025-01-01"})  # data fix-up by an admin
    review = el.recompute(application=app, actor=Actor(user=world.secretariat))
    assert {r.code: r.status for r in el.results_of(review)}["years_operating"] == el.FAIL
    assert EligibilityReview.objects.filter(application=app).count() == 1
    assert AuditEvent.objects.filter(object_id=str(app.pk), action="eligibility:compute").exists()


# --- the exclusion checklist ---------------------------------------------------------------------------------
def test_exclusion_present_needs_a_note_and_an_unknown_answer_is_refused(world):
    app = in_review(world)
    items = el.exclusion_items(app)
    before = snapshot(app)
    with pytest.raises(ValidationError) as exc:
        el.record_exclusions(application=app, actor=Actor(user=world.secretariat),
                             answers={items[0].pk: (el.PRESENT, " "), items[1].pk: ("maybe", "")})
    text = " ".join(exc.value.messages)
    assert "须在说明中写明" in text and "请选择“不存在该情形”或“存在该情形”" in text
    assert snapshot(app) == before


def test_partial_ticks_are_saved_and_can_be_completed_later(world):
    app = in_review(world)
    items = el.exclusion_items(app)
    el.record_exclusions(application=app, actor=Actor(user=world.secretariat), answers={items[0].pk: (el.ABSENT, "")})
    review = el.current_review(app)
    assert [i.pk for i in el.unticked_exclusions(app, review)] == [i.pk for i in items[1:]]
    assert review.exclusion_ticks[str(items[0].pk)]["by"] == str(world.secretariat)


def test_only_the_programs_secretariat_may_tick_or_recompute(world):
    app = in_review(world)
    before = snapshot(app)
    for user in (world.secretariat_other, world.authority, world.owner):
        with pytest.raises(PermissionDenied):
            el.record_exclusions(application=app, actor=Actor(user=user),
                                 answers={i.pk: (el.ABSENT, "") for i in el.exclusion_items(app)})
        with pytest.raises(PermissionDenied):
            el.recompute(application=app, actor=Actor(user=user))
    assert snapshot(app) == before


# --- guards on the decision -----------------------------------------------------------------------------------
def test_no_decision_until_the_checklist_is_ticked(world):
    app = in_review(world)
    before = snapshot(app)
    for name, reason in (("accept", ""), ("reject", "材料不符")):
        with pytest.raises(workflow.GuardFailed, match="否决情形清单尚未逐项勾选") as exc:
            workflow.perform(application=app, name=name, actor=Actor(user=world.secretariat), reason=reason)
        assert "（1）近三年来发生质量、安全、环保等重大责任事故的" in exc.value.message
    assert snapshot(app) == before


def test_no_decision_without_every_check_computed_nothing_written(world):
    app = in_review(world)
    tick_all(world, app)
    review = el.current_review(app)
    review.results = [r for r in review.results if r["code"] != "page_limits"]
    review.save()
    before = snapshot(app)
    with pytest.raises(workflow.GuardFailed, match="自动核查尚未完成（材料页数限制）"):
        workflow.perform(application=app, name="accept", actor=Actor(user=world.secretariat))
    with pytest.raises(workflow.GuardFailed, match="自动核查尚未完成"):
        workflow.perform(application=app, name="reject", actor=Actor(user=world.secretariat), reason="不符合")
    assert snapshot(app) == before
    # a check registered after the review started also needs computing
    saved = list(el.CHECKS)
    try:
        el.recompute(application=app, actor=Actor(user=world.secretariat))
        el.register_check("government_opinion", "市级人民政府推荐意见",
                          lambda f: el.CheckResult("government_opinion", "", el.PASS, "已附"))
        with pytest.raises(workflow.GuardFailed, match="市级人民政府推荐意见"):
            workflow.perform(application=app, name="accept", actor=Actor(user=world.secretariat))
        el.recompute(application=app, actor=Actor(user=world.secretariat))
        workflow.perform(application=app, name="accept", actor=Actor(user=world.secretariat))
    finally:
        el.CHECKS[:] = saved
    assert app.state == State.ACCEPTED


def test_an_application_in_review_without_a_review_row_cannot_be_decided(world):
    app = in_review(world)
    EligibilityReview.objects.filter(application=app).delete()
    with pytest.raises(workflow.GuardFailed, match="自动核查尚未完成"):
        workflow.perform(application=app, name="accept", actor=Actor(user=world.secretariat))
    review = el.recompute(application=app, actor=Actor(user=world.secretariat))  # opens a new one
    assert review.submission == app.submissions.get()


def test_accept_refused_while_a_check_fails_but_reject_is_possible(world):
    app = in_review(world, established_on="2024-01-01")
    tick_all(world, app)
    before = snapshot(app)
    with pytest.raises(workflow.GuardFailed) as exc:
        workflow.perform(application=app, name="accept", actor=Actor(user=world.secretariat))
    assert "不能受理" in exc.value.message and "正常运行年限" in exc.value.message and "不予受理" in exc.value.message
    assert snapshot(app) == before
    reason = el.suggested_rejection_reason(app, el.current_review(app))
    assert "正常运行年限" in reason
    workflow.perform(application=app, name="reject", actor=Actor(user=world.secretariat), reason=reason)
    assert app.state == State.REJECTED
    review = EligibilityReview.objects.get(application=app)
    assert (review.decision, review.decision_reason, review.decided_by) == ("rejected", reason, world.secretariat)


def test_accept_refused_when_an_exclusion_is_present(world):
    app = in_review(world)
    items = el.exclusion_items(app)
    el.record_exclusions(application=app, actor=Actor(user=world.secretariat), answers={
        **{i.pk: (el.ABSENT, "") for i in items}, items[2].pk: (el.PRESENT, "2025年被列入严重失信主体名单")})
    with pytest.raises(workflow.GuardFailed, match="存在否决情形：（3）近三年来出现严重失信的（2025年被列入严重失信主体名单）"):
        workflow.perform(application=app, name="accept", actor=Actor(user=world.secretariat))
    assert Application.objects.get(pk=app.pk).state == State.ELIGIBILITY_REVIEW


def test_accept_when_everything_is_clear_records_the_decision(world):
    app = in_review(world)
    tick_all(world, app)
    workflow.perform(application=app, name="accept", actor=Actor(user=world.secretariat), reason="材料齐全，符合条件")
    review = EligibilityReview.objects.get(application=app)
    assert app.state == State.ACCEPTED and review.decision == "accepted" and review.decided_at is not None


def test_return_to_authority_closes_the_review_and_a_new_start_opens_another(world):
    app = in_review(world)
    workflow.perform(application=app, name="return_to_authority", actor=Actor(user=world.secretariat),
                     reason="请补充市级人民政府推荐意见原件")
    assert app.state == State.SUBMITTED
    first = EligibilityReview.objects.get(application=app)
    assert first.decision == "returned" and "原件" in first.decision_reason
    workflow.perform(application=app, name="recommend", actor=Actor(user=world.authority))
    workflow.perform(application=app, name="start_eligibility_review", actor=Actor(user=world.secretariat))
    assert el.current_review(app).pk != first.pk and el.current_review(app).exclusion_ticks == {}


# --- the screens ---------------------------------------------------------------------------------------------
def test_list_and_detail_for_the_secretariat(client, world):
    waiting = recommended(world)
    reviewing = in_review(world, world.new_app(name="第二家申报单位"))
    client.force_login(world.secretariat)
    body = client.get(reverse("review:eligibility_list")).content.decode()
    assert waiting.applicant_name in body and "第二家申报单位" in body and "待审核（已推荐）" in body
    page = client.get(reverse("review:eligibility_detail", args=[waiting.pk])).content.decode()
    assert "开始资格审核" in page and "预览" in page and "正常运行年限" in page
    page = client.get(reverse("review:eligibility_detail", args=[reviewing.pk])).content.decode()
    assert "否决情形清单尚未逐项勾选" in page and "近三年来出现严重失信的" in page and "初审推荐记录" in page
    assert 'data-check="years_operating" data-status="pass"' in page


def test_each_group_pages_on_its_own_and_counts_every_row(client, world, monkeypatch):
    """A campaign of 2,000 applications must not render every accepted row at once: each group shows its
    count, one page of rows, and a pager that keeps the other groups' pages."""
    from review.eligibility import views

    monkeypatch.setattr(views, "GROUP_PAGE_SIZE", 2)
    names = ["甲申报单位", "乙申报单位", "丙申报单位"]
    for name in names:
        recommended(world, world.new_app(name=name))
    in_review(world, world.new_app(name="丁申报单位"))
    client.force_login(world.secretariat)
    body = client.get(reverse("review:eligibility_list")).content.decode()
    assert "待审核（已推荐）（3）" in body and "资格审核中（1）" in body
    assert "甲申报单位" in body and "乙申报单位" in body and "丙申报单位" not in body
    assert "第 1 / 2 页，共 3 件" in body and "waiting_page=2" in body
    second = client.get(reverse("review:eligibility_list"), {"waiting_page": 2}).content.decode()
    assert "丙申报单位" in second and "甲申报单位" not in second and "丁申报单位" in second
    # a page number past the end shows the last page, never an error
    assert "丙申报单位" in client.get(reverse("review:eligibility_list"), {"waiting_page": "99"}).content.decode()


def test_another_programs_secretariat_gets_404_everywhere(client, world):
    app = in_review(world)
    client.force_login(world.secretariat_other)
    assert app.applicant_name not in client.get(reverse("review:eligibility_list")).content.decode()
    assert client.get(reverse("review:eligibility_detail", args=[app.pk])).status_code == 404
    before = snapshot(app)
    for name, args in [("review:eligibility_start", [app.pk]), ("review:eligibility_recompute", [app.pk]),
                       ("review:eligibility_exclusions", [app.pk]), ("review:eligibility_decide", [app.pk, "accept"])]:
        assert client.post(reverse(name, args=args), {"reason": "x"}).status_code == 404, name
    assert snapshot(app) == before


def test_start_tick_and_decide_through_the_screens(client, world):
    app = recommended(world)
    client.force_login(world.secretariat)
    response = client.post(reverse("review:eligibility_start", args=[app.pk]), follow=True)
    assert "已开始资格审核" in response.content.decode()
    items = el.exclusion_items(app)
    # a refused accept: the page says what is missing, nothing changes
    before = snapshot(app)
    response = client.post(reverse("review:eligibility_decide", args=[app.pk, "accept"]), {"reason": ""})
    assert response.status_code == 400 and "否决情形清单尚未逐项勾选" in response.content.decode()
    assert snapshot(app) == before
    # a checklist with a "存在" without a note is refused and keeps what was typed
    data = {f"item_{i.pk}": "absent" for i in items} | {f"item_{items[0].pk}": "present", f"note_{items[1].pk}": "已核"}
    response = client.post(reverse("review:eligibility_exclusions", args=[app.pk]), data)
    assert response.status_code == 400 and "须在说明中写明" in response.content.decode()
    assert 'value="present" checked' in response.content.decode() and ">已核</textarea>" in response.content.decode()
    assert snapshot(app) == before
    data[f"item_{items[0].pk}"] = "absent"
    assert client.post(reverse("review:eligibility_exclusions", args=[app.pk]), data).status_code == 302
    # reject needs a reason
    response = client.post(reverse("review:eligibility_decide", args=[app.pk, "reject"]), {"reason": "  "})
    assert response.status_code == 400 and "请填写理由" in response.content.decode()
    assert client.post(reverse("review:eligibility_decide", args=[app.pk, "nonsense"])).status_code == 404
    response = client.post(reverse("review:eligibility_decide", args=[app.pk, "accept"]), {"reason": ""}, follow=True)
    assert "已完成“受理”" in response.content.decode()
    app.refresh_from_db()
    assert app.state == State.ACCEPTED
    # the review is closed: further posts are refused (403) and change nothing
    before = snapshot(app)
    assert client.post(reverse("review:eligibility_recompute", args=[app.pk])).status_code == 403
    assert client.post(reverse("review:eligibility_exclusions", args=[app.pk]), data).status_code == 403
    assert snapshot(app) == before


def test_the_applicant_sees_the_rejection_reason(client, world):
    app = in_review(world, accidents="yes", accidents_severity="major", accidents_detail="2024年发生重大生产安全事故一起")
    tick_all(world, app)
    client.force_login(world.secretariat)
    page = client.get(reverse("review:eligibility_detail", args=[app.pk])).content.decode()
    assert "2024年发生重大生产安全事故一起" in page and "经资格审核，不符合申报条件" in page  # suggested reason
    client.post(reverse("review:eligibility_decide", args=[app.pk, "reject"]),
                {"reason": "近三年发生生产安全事故，不符合申报条件。"})
    client.force_login(world.owner)
    body = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "近三年发生生产安全事故，不符合申报条件。" in body
    page = client.get(reverse("review:eligibility_detail", args=[app.pk])).content.decode()
    assert "不予受理" in page and "经核查信用中国" not in page  # no internal notes
    assert reverse("review:eligibility_start", args=[app.pk]) not in page  # and no office's buttons


# --- flags: a finding the document does not make absolute needs a person's decision with a reason -----------
def test_a_larger_accident_is_flagged_and_accepted_with_a_written_reason(client, world):
    """000 三（二） excludes 重大责任事故: a declared 较大事故 is flagged, not refused; the secretariat decides."""
    app = in_review(world, accidents="yes", accidents_severity="larger", accidents_detail="2024年发生较大事故一起")
    tick_all(world, app)
    review = el.current_review(app)
    assert [r.code for r, _d in el.flagged_checks(review)] == ["accidents"] and not el.failed_checks(review)
    with pytest.raises(workflow.GuardFailed, match="待研判"):
        workflow.perform(application=app, name="accept", actor=Actor(user=world.secretariat))
    client.force_login(world.secretariat)
    url = reverse("review:eligibility_flag", args=[app.pk])
    before = snapshot(app)
    response = client.post(url, {"code": "accidents", "answer": "clear", "reason": "  "})
    assert response.status_code == 400 and "请写明理由" in response.content.decode()
    assert snapshot(app) == before
    reason = "经核查应急管理部门调查报告，该事故非本单位主体责任，不影响受理。"
    assert client.post(url, {"code": "accidents", "answer": "clear", "reason": reason}).status_code == 302
    event = AuditEvent.objects.get(object_id=str(app.pk), action="eligibility:flag")
    assert event.reason == reason and event.data["answer"] == "clear" and event.data["check"] == "accidents"
    page = client.get(reverse("review:eligibility_detail", args=[app.pk])).content.decode()
    assert "秘书处研判：不影响受理" in page and reason in page
    response = client.post(reverse("review:eligibility_decide", args=[app.pk, "accept"]), {"reason": ""})
    app.refresh_from_db()
    assert response.status_code == 302 and app.state == State.ACCEPTED
    page = client.get(reverse("review:eligibility_detail", args=[app.pk])).content.decode()
    assert "秘书处研判：不影响受理" in page and reason in page  # on the record after the decision


def test_a_flag_decided_against_blocks_acceptance_and_feeds_the_rejection_reason(world):
    app = in_review(world, violations="yes", violations_severity="general", violations_detail="环保处罚一次")
    tick_all(world, app)
    actor = Actor(user=world.secretariat)
    with pytest.raises(ValidationError, match="请选择"):
        el.record_flag_decision(application=app, actor=actor, code="violations", answer="maybe", reason="x")
    with pytest.raises(ValidationError, match="不是“待研判”"):
        el.record_flag_decision(application=app, actor=actor, code="years_operating", answer="clear", reason="x")
    el.record_flag_decision(application=app, actor=actor, code="violations", answer="fail",
                            reason="处罚决定书认定情节严重。")
    review = el.current_review(app)
    assert any("经研判不符合申报条件" in p for p in el.acceptance_blockers(app, review))
    assert "处罚决定书认定情节严重。" in el.suggested_rejection_reason(app, review)
    with pytest.raises(workflow.GuardFailed):
        workflow.perform(application=app, name="accept", actor=actor)


def test_a_recomputed_finding_with_other_evidence_needs_a_new_decision(world):
    app = in_review(world, violations="yes", violations_severity="general", violations_detail="环保处罚一次")
    actor = Actor(user=world.secretariat)
    el.record_flag_decision(application=app, actor=actor, code="violations", answer="clear", reason="已整改。")
    assert not el.undecided_flags(el.current_review(app))
    row = ApplicationSection.objects.get(application=app, code="basic")
    row.data = {**row.data, "violations_detail": "环保处罚两次"}
    row.save()
    el.recompute(application=app, actor=actor)
    assert [r.code for r in el.undecided_flags(el.current_review(app))] == ["violations"]


# --- the acceptance list ---------------------------------------------------------------------------------------
def test_acceptance_list_shows_only_public_fields(client, world):
    app = in_review(world)
    tick_all(world, app)
    workflow.perform(application=app, name="accept", actor=Actor(user=world.secretariat))
    in_review(world, world.new_app(name="未受理的申报单位"))  # still under review: not listed
    client.force_login(world.owner)
    assert client.post(reverse("review:acceptance_lists"), {"campaign": world.campaign.pk}).status_code == 403
    client.force_login(world.secretariat)
    response = client.post(reverse("review:acceptance_lists"), {"campaign": world.campaign.pk, "title": ""})
    lst = AcceptanceList.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("review:acceptance_list", args=[lst.pk])
    assert lst.title == "河南省省长质量奖培育2026年度受理名单" and lst.number == 1
    item = lst.items.get()
    assert (item.applicant_name, item.region_name, item.industry_name) == (app.applicant_name, "郑州市", "金属结构制造")
    # a draft is not public
    client.logout()
    url = reverse("review:acceptance_list", args=[lst.pk])
    assert client.get(url).status_code == 404
    client.force_login(world.secretariat_other)
    assert client.get(url).status_code == 404
    client.force_login(world.secretariat)
    assert "发布受理名单" in client.get(url).content.decode()
    assert client.post(url, {"action": "publish"}).status_code == 302
    assert client.post(url, {"action": "publish"}).status_code == 400  # published once only
    client.logout()
    page = client.get(url).content.decode()
    assert app.applicant_name in page and "郑州市" in page and "金属结构制造" in page and "公示" in page
    assert "未受理的申报单位" not in page
    basic = app.sections.get(code="basic").data
    for private in [world.org.credit_code, basic["credit_code"], basic["contact_phone"], basic["email"],
                    basic["contact_person"], basic["legal_rep"], app.number]:
        assert private not in page, private
    assert "<script" not in page and "css/print/acceptance-list.css" in page  # its print layout
    assert "@media print" in Path(finders.find("css/print/acceptance-list.css")).read_text()


def test_no_acceptance_list_without_accepted_applications(client, world):
    client.force_login(world.secretariat)
    response = client.post(reverse("review:acceptance_lists"), {"campaign": world.campaign.pk})
    assert response.status_code == 400 and "暂无已受理的申报" in response.content.decode()
    response = client.post(reverse("review:acceptance_lists"), {"campaign": "abc"})
    assert response.status_code == 400 and "请从列表中选择届次" in response.content.decode()
    response = client.post(reverse("review:acceptance_lists"), {"campaign": world.xixian_campaign.pk})
    assert response.status_code == 400  # another program's campaign is not offered
    assert not AcceptanceList.objects.exists()


def test_a_reviewed_submission_is_kept_but_the_application_can_still_be_deleted(world):
    from django.db.models import RestrictedError

    app = in_review(world)
    with pytest.raises(RestrictedError):
        app.submissions.get().delete()
    assert EligibilityReview.objects.filter(application=app).exists()
    Application.objects.filter(pk=app.pk).delete()  # the review goes with its application
    assert not EligibilityReview.objects.filter(application_id=app.pk).exists()


def test_the_bureaus_record_is_checked_and_shown_in_the_eligibility_review(client, world, drive):
    app = drive(world.new_app(), State.ELIGIBILITY_REVIEW)
    results = {r.code: r for r in el.compute(app)}
    assert results["prereview_record"].status == el.PASS
    assert "签署" in results["prereview_record"].evidence
    client.force_login(world.secretariat)
    page = client.get(reverse("review:eligibility_detail", args=[app.pk])).content.decode()
    assert "推荐单位初审记录" in page and "征求部门意见" in page and "第1版" in page


def test_xixian_10_a_draft_acceptance_list_keeps_the_number_not_the_name_of_what_one_stepped_aside_from(
        client, world):
    """息县 第十条, 巩义 第十八条: before publication, a recused member of the secretariat sees the line's number as
    "（已回避）" on the page and in the Excel; a colleague sees the name. Once published the list is public."""
    import io

    from openpyxl import load_workbook

    from conformance_support import make_user
    from qualityaward.accounts.models import Role
    from review.panels.models import Recusal

    app = in_review(world)
    tick_all(world, app)
    workflow.perform(application=app, name="accept", actor=Actor(user=world.secretariat))
    lst = el.create_acceptance_list(campaign=world.campaign, actor=Actor(user=world.secretariat), title="")
    Recusal.objects.create(application=app, user=world.secretariat, kind="secretariat", reason="曾任职")
    colleague = make_user("secretariat_b", (Role.SECRETARIAT, {"program": world.cultivation}))
    url = reverse("review:acceptance_list", args=[lst.pk])
    export = reverse("review:acceptance_list_export", args=[lst.pk])

    def cells(user):
        client.force_login(user)
        book = load_workbook(io.BytesIO(b"".join(client.get(export).streaming_content)))
        return [v for row in book.active.iter_rows(values_only=True) for v in row if v is not None]

    client.force_login(world.secretariat)
    page = client.get(url).content.decode()
    assert app.applicant_name not in page and "（已回避）" in page
    assert app.applicant_name not in cells(world.secretariat) and "（已回避）" in cells(world.secretariat)
    client.force_login(colleague)
    assert app.applicant_name in client.get(url).content.decode()
    assert app.applicant_name in cells(colleague)
