"""The state machine: every transition from every state by every kind of actor, plus the guards.

Expected sources are written out here by hand from the programs' stage lists, not computed with
the module under test.
"""
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications import rules, workflow
from applications.models import Application, Submission
from applications.models import State as S
from qualityaward.accounts.models import AuditEvent
from qualityaward.accounts.services import Actor
from demo.review import complete_sample_defense, complete_sample_prereview
from procedure_support import decision_document, score_stage


ACTIVE = {S.SUBMITTED, S.RETURNED, S.RECOMMENDED, S.ELIGIBILITY_REVIEW, S.ACCEPTED, S.ACCEPTANCE_PUBLICITY,
          S.MATERIAL_REVIEW, S.ONSITE_REVIEW, S.FINALIST, S.COMMITTEE, S.PROPOSED, S.CANDIDATE_CONFIRMATION,
          S.GOVERNMENT_DECISION}

#: Cultivation program (000): acceptance publicity, material review only, no committee, winner publicity.
CULTIVATION_SOURCES = {
    "submit": {S.DRAFT},
    "return_for_correction": {S.SUBMITTED},
    "resubmit": {S.RETURNED},
    "recommend": {S.SUBMITTED},
    "start_eligibility_review": {S.RECOMMENDED},
    "return_to_authority": {S.RECOMMENDED, S.ELIGIBILITY_REVIEW},
    "accept": {S.ELIGIBILITY_REVIEW},
    "reject": {S.ELIGIBILITY_REVIEW},
    "open_acceptance_publicity": {S.ACCEPTED},
    "start_material_review": {S.ACCEPTANCE_PUBLICITY},
    "start_onsite_review": set(),
    "declare_finalist": {S.MATERIAL_REVIEW},
    "declare_not_finalist": {S.MATERIAL_REVIEW},
    "send_to_committee": set(),
    "propose": {S.FINALIST},
    "await_candidate_confirmation": set(),  # 000 has no committee after its publicity
    "submit_to_government": set(),  # nor a government decision: 五（五） ends with the 入库 list
    "award": {S.PROPOSED},
    "not_award": {S.PROPOSED},
    "withdraw": {S.DRAFT} | ACTIVE,
    "disqualify": set(ACTIVE),
    "revoke": set(),  # 000 provides for no revocation of 入库 (息县 第三十三条 and the others do)
}

OWNERS = {"owner", "colleague"}
SECRETARIAT = {"secretariat"}
WHO = {
    "submit": OWNERS, "resubmit": OWNERS, "withdraw": OWNERS,
    "return_for_correction": {"authority"}, "recommend": {"authority"},
    **{name: SECRETARIAT for name in [
        "start_eligibility_review", "return_to_authority", "accept", "reject", "open_acceptance_publicity",
        "start_material_review", "start_onsite_review", "declare_finalist", "declare_not_finalist",
        "send_to_committee", "propose", "await_candidate_confirmation", "submit_to_government", "award",
        "not_award", "disqualify", "revoke"]},
}
SYSTEM_MAY = {"open_acceptance_publicity", "start_material_review", "await_candidate_confirmation",
              "submit_to_government", "award"}
ACTORS = ["owner", "colleague", "stranger", "authority", "authority_other_city", "authority_other_program",
          "secretariat", "secretariat_other", "supervisor", "committee", "expert", "system"]

#: How to reach each state on the cultivation program: (state on the main path, then a branch).
BRANCHES = {
    S.RETURNED: (S.SUBMITTED, "return_for_correction", "authority"),
    S.REJECTED: (S.ELIGIBILITY_REVIEW, "reject", "secretariat"),
    S.NOT_FINALIST: (S.MATERIAL_REVIEW, "declare_not_finalist", "secretariat"),
    S.NOT_AWARDED: (S.PROPOSED, "not_award", "secretariat"),
    S.WITHDRAWN: (S.DRAFT, "withdraw", "owner"),
    S.DISQUALIFIED: (S.ACCEPTANCE_PUBLICITY, "disqualify", "secretariat"),
}
CULTIVATION_STATES = [S.DRAFT, S.SUBMITTED, S.RETURNED, S.RECOMMENDED, S.ELIGIBILITY_REVIEW, S.ACCEPTED, S.REJECTED,
                      S.ACCEPTANCE_PUBLICITY, S.MATERIAL_REVIEW, S.FINALIST, S.NOT_FINALIST, S.PROPOSED, S.AWARDED,
                      S.NOT_AWARDED, S.WITHDRAWN, S.DISQUALIFIED]


def app_in_state(world, drive, state):
    app = world.new_app()
    if state in BRANCHES:
        base, name, who = BRANCHES[state]
        drive(app, base)
        workflow.perform(application=app, name=name, actor=Actor(user=getattr(world, who)), reason="测试理由")
        app.refresh_from_db()
    else:
        drive(app, state)
    if state == S.SUBMITTED:  # ready to be recommended: the bureau's pre-review is done
        complete_sample_prereview(application=app, actor=Actor(user=world.authority))
    assert app.state == state
    return app


def tick_exclusions(app, user):
    """The secretariat ticks the exclusion checklist (required before accept / reject) and, where the program has
    it, records the departments' answers to its consultation (息县 第十七条, 巩义 第十七条（三）)."""
    from demo.review import complete_sample_consultation
    from review.eligibility.services import ABSENT, exclusion_items, record_exclusions

    record_exclusions(application=app, actor=Actor(user=user),
                      answers={item.pk: (ABSENT, "") for item in exclusion_items(app)})
    complete_sample_consultation(application=app, actor=Actor(user=user))


def actor_of(world, name):
    return Actor() if name == "system" else Actor(user=getattr(world, name), ip="10.1.2.3")


class Rollback(Exception):
    pass


def attempt(app, name, actor, **params):
    """Try a transition and undo it; return the exception class or None when it went through."""
    try:
        with transaction.atomic():
            workflow.perform(application=app, name=name, actor=actor, reason="测试理由", **params)
            raise Rollback
    except Rollback:
        app.refresh_from_db()
        return None
    except workflow.TransitionError as exc:
        return type(exc)


@pytest.mark.parametrize("state", CULTIVATION_STATES, ids=lambda s: s.value)
def test_every_transition_by_every_actor_from(world, drive, state):
    app = app_in_state(world, drive, state)
    tier = app.campaign.program.profile.tiers.first()
    events_before = AuditEvent.objects.count()
    for name in workflow.TRANSITIONS:
        for who in ACTORS:
            params = {"tier": tier} if name in ("propose", "award") else {}
            outcome = attempt(app, name, actor_of(world, who), **params)
            permitted = (who == "system" and name in SYSTEM_MAY) or who in WHO[name]
            if who == "authority" and state == S.DRAFT:
                permitted = False  # a draft is private to its applicant
            in_source = state in CULTIVATION_SOURCES[name]
            if not permitted:
                expected = workflow.NotPermitted
            elif not in_source:
                expected = workflow.InvalidTransition
            else:
                expected = None
            assert outcome is expected, f"{name} by {who} from {state}: got {outcome}, expected {expected}"
            assert app.state == state
    assert AuditEvent.objects.count() == events_before, "refused or rolled-back transitions must write nothing"


def test_full_pipeline_on_a_program_with_onsite_review_and_committee(world):
    secretariat = world.secretariat_other
    from qualityaward.accounts.models import Role
    from qualityaward.accounts.services import grant_role

    authority = world.authority_other_program
    grant_role(user=authority, role=Role.AUTHORITY, program=world.xixian, region=world.xixian_county)
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county)
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    # 息县 第十五、十七条: submitted to the secretariat; no 推荐单位 step, whoever holds a bureau role there
    assert attempt(app, "recommend", Actor(user=authority)) is workflow.NotPermitted
    assert attempt(app, "recommend", Actor(user=secretariat)) is workflow.NotPermitted
    assert not rules.is_region_authority(authority, app)
    assert "recommend" not in {t.name for t in workflow.available_transitions(app, Actor(user=authority))}
    steps = [("start_eligibility_review", secretariat),
             ("accept", secretariat), ("open_acceptance_publicity", secretariat),
             ("start_material_review", secretariat), ("start_onsite_review", secretariat),
             ("declare_finalist", secretariat), ("send_to_committee", secretariat)]
    for name, user in steps:
        if name == "accept":
            tick_exclusions(app, user)
        if name == "recommend":  # the bureau's pre-review (review.prereview guards "recommend")
            complete_sample_prereview(application=app, actor=Actor(user=user))
        if name in ("start_onsite_review", "declare_finalist"):  # 息县 第十八、十九条: scored stages
            score_stage(app)
        if name == "start_onsite_review":  # 息县 第十八条: 陈述答辩 between material and on-site review
            complete_sample_defense(application=app, actor=Actor(user=user), kind="panel")
        workflow.perform(application=app, name=name, actor=Actor(user=user))
    assert app.state == S.COMMITTEE
    # from material review the next stage is on-site review, so finalist must wait for it
    assert attempt(app, "propose", Actor(user=secretariat)) is workflow.GuardFailed  # tier required
    tier = world.xixian.profile.tiers.order_by("order").first()
    workflow.perform(application=app, name="propose", actor=Actor(user=secretariat), tier=tier)
    assert app.state == S.PROPOSED and app.tier == tier
    # 息县 第二十二条: the publicity closing unopposed asks the 县政府常务会议; nobody awards before it decides
    assert attempt(app, "award", Actor()) is workflow.InvalidTransition
    workflow.perform(application=app, name="submit_to_government", actor=Actor())
    assert app.state == S.GOVERNMENT_DECISION
    assert attempt(app, "award", Actor(user=secretariat)) is workflow.GuardFailed  # no decision on record
    from review.awards.services import record_decision

    record_decision(application=app, actor=Actor(user=secretariat), kind="government", body="县政府常务会议",
                    reference="县政府第12次常务会议", decided_on="2026-11-18", approved=True,
                    document=decision_document("纪要.pdf"))
    app.refresh_from_db()
    assert app.state == S.AWARDED and app.award.decided_on.isoformat() == "2026-11-18"
    trail = list(AuditEvent.objects.filter(object_id=str(app.pk), action__startswith="transition:")
                 .order_by("id").values_list("to_state", flat=True))
    assert trail[-4:] == ["committee", "proposed", "government_decision", "awarded"]


def test_committee_can_refuse_a_candidate(world):
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county)
    app.campaign.program.profile  # noqa: B018 - loaded for the skip below
    sec = world.secretariat_other
    for name, user in [("submit", world.owner), ("start_eligibility_review", sec), ("accept", sec),
                       ("open_acceptance_publicity", sec), ("start_material_review", sec)]:
        if name == "accept":
            tick_exclusions(app, user)
        if name == "recommend":  # the bureau's pre-review (review.prereview guards "recommend")
            complete_sample_prereview(application=app, actor=Actor(user=user))
        workflow.perform(application=app, name=name, actor=Actor(user=user))
    # xixian has on-site review: finalist cannot be declared straight from material review
    assert attempt(app, "declare_finalist", Actor(user=sec)) is workflow.InvalidTransition
    for name in ["start_onsite_review", "declare_finalist", "send_to_committee"]:
        if name != "send_to_committee":
            score_stage(app)
        if name == "start_onsite_review":  # 息县 第十八条: 陈述答辩 between material and on-site review
            complete_sample_defense(application=app, actor=Actor(user=sec), kind="panel")
        workflow.perform(application=app, name=name, actor=Actor(user=sec))
    workflow.perform(application=app, name="not_award", actor=Actor(user=sec), reason="表决未达到到会委员三分之二")
    assert app.state == S.NOT_AWARDED


def test_program_without_review_stages_goes_from_accepted_to_awarded(world):
    from qualityaward.accounts.models import Role
    from qualityaward.accounts.services import grant_role

    authority = world.authority_other_program
    grant_role(user=authority, role=Role.AUTHORITY, program=world.benchmark, region=world.zhengzhou)
    sec = world.secretariat_other
    grant_role(user=sec, role=Role.SECRETARIAT, program=world.benchmark)
    app = world.new_app(campaign=world.benchmark_campaign)
    for name, user in [("submit", world.owner), ("recommend", authority), ("start_eligibility_review", sec),
                       ("accept", sec)]:
        if name == "accept":
            tick_exclusions(app, user)
        if name == "recommend":  # the bureau's pre-review (review.prereview guards "recommend")
            complete_sample_prereview(application=app, actor=Actor(user=user))
        workflow.perform(application=app, name=name, actor=Actor(user=user))
    for refused in ["open_acceptance_publicity", "start_material_review", "declare_finalist", "propose"]:
        assert attempt(app, refused, Actor(user=sec), tier=world.benchmark.profile.tiers.first()) is \
            workflow.InvalidTransition, refused
    workflow.perform(application=app, name="award", actor=Actor(user=sec), tier=world.benchmark.profile.tiers.first())
    assert app.state == S.AWARDED


# --- guards ---------------------------------------------------------------------------------------
def test_submit_after_the_deadline_is_refused_with_the_date(world):
    app = world.new_app()
    world.campaign.application_deadline = timezone.now() - timedelta(minutes=1)
    world.campaign.save()
    with pytest.raises(workflow.GuardFailed, match="截止"):
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    app.refresh_from_db()
    assert app.state == S.DRAFT and app.number is None and not Submission.objects.filter(application=app).exists()


def test_000_applicants_submit_by_their_own_deadline_and_the_bureau_recommends_by_its_later_one(world, drive):
    """000 五（三）: 11月20日 is when the bureaus report; applicants hand in earlier so the bureau can
    review, consult and publicise. Between the two deadlines submitting is refused, recommending is not."""
    from demo.review import complete_sample_prereview

    submitted = drive(world.new_app(name="按时提交的组织"), S.SUBMITTED)
    complete_sample_prereview(application=submitted, actor=Actor(user=world.authority))
    late = world.new_app(name="逾期的组织")
    world.campaign.opens_at = timezone.now() - timedelta(days=30)
    world.campaign.application_deadline = timezone.now() - timedelta(hours=1)
    world.campaign.recommendation_deadline = timezone.now() + timedelta(days=20)
    world.campaign.full_clean()
    world.campaign.save()
    with pytest.raises(workflow.GuardFailed, match="申报已于"):
        workflow.perform(application=late, name="submit", actor=Actor(user=world.owner))
    workflow.perform(application=submitted, name="recommend", actor=Actor(user=world.authority))
    assert submitted.state == S.RECOMMENDED


def test_the_applicant_deadline_must_come_before_the_bureaus(world):
    world.campaign.application_deadline = world.campaign.recommendation_deadline
    with pytest.raises(ValidationError) as exc:
        world.campaign.full_clean()
    assert "申报人提交截止须早于推荐单位的推荐截止" in exc.value.message_dict["application_deadline"][0]


def test_submit_needs_the_declaration_that_the_material_is_true_and_complete(world):
    """000 附件1 填报说明1 “所填数据及提供资料必须真实、准确”; 息县 第十五条."""
    from applications.forms import services as fs
    from applications.models import ApplicationSection

    app = world.new_app()
    row = ApplicationSection.objects.get(application=app, code="declaration")
    assert row.data["true_and_complete"] == "confirmed"  # what a complete form has
    result = fs.save_section(application=app, code="declaration", data={**row.data, "true_and_complete": ""},
                             base_version=row.version, actor=Actor(user=world.owner))
    assert not result.errors
    with pytest.raises(workflow.GuardFailed, match="申报承诺"):
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    assert Application.objects.get(pk=app.pk).state == S.DRAFT
    row.refresh_from_db()
    fs.save_section(application=app, code="declaration", data={**row.data, "true_and_complete": "confirmed"},
                    base_version=row.version, actor=Actor(user=world.owner))
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    frozen = Submission.objects.get(application=app).content["form"]["sections"]["declaration"]
    assert frozen["true_and_complete"] == "confirmed"  # the declaration is part of what was submitted


def test_submit_before_the_campaign_opens_is_refused(world):
    app = world.new_app()
    world.campaign.opens_at = timezone.now() + timedelta(days=1)
    world.campaign.save()
    with pytest.raises(workflow.GuardFailed, match="开始"):
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))


def test_recommending_after_the_recommendation_deadline_is_refused(world, drive):
    app = drive(world.new_app(), S.SUBMITTED)
    world.campaign.recommendation_deadline = timezone.now() - timedelta(hours=1)
    world.campaign.application_deadline = timezone.now() - timedelta(hours=2)
    world.campaign.opens_at = timezone.now() - timedelta(days=30)
    world.campaign.save()
    with pytest.raises(workflow.GuardFailed, match="推荐已于"):
        workflow.perform(application=app, name="recommend", actor=Actor(user=world.authority))
    assert Application.objects.get(pk=app.pk).state == S.SUBMITTED


def test_reason_is_required_where_the_transition_says_so(world, drive):
    app = drive(world.new_app(), S.SUBMITTED)
    with pytest.raises(workflow.GuardFailed, match="须填写理由"):
        workflow.perform(application=app, name="return_for_correction", actor=Actor(user=world.authority),
                         reason="   ")
    assert Application.objects.get(pk=app.pk).state == S.SUBMITTED


def test_incomplete_application_cannot_be_submitted(world):
    app = world.new_app()
    Application.objects.filter(pk=app.pk).update(applicant_name=" ")
    with pytest.raises(workflow.GuardFailed, match="不完整"):
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))


def test_individual_cannot_apply_to_an_organizations_only_program(world):
    app = world.new_app(campaign=world.xixian_campaign, region=world.xixian_county)
    Application.objects.filter(pk=app.pk).update(kind=Application.Kind.INDIVIDUAL)
    with pytest.raises(workflow.GuardFailed, match="不接受个人申报"):
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))


def test_recommendation_quota_per_authority(world):
    from qualityaward.accounts.models import Role
    from qualityaward.accounts.services import grant_role

    authority = world.authority_other_program
    grant_role(user=authority, role=Role.AUTHORITY, program=world.benchmark, region=world.zhengzhou)
    quota = world.benchmark.profile.recommendation_quota
    assert quota == 1
    first, second = world.new_app(campaign=world.benchmark_campaign), world.new_app(campaign=world.benchmark_campaign)
    for app in (first, second):
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    complete_sample_prereview(application=first, actor=Actor(user=authority))
    workflow.perform(application=first, name="recommend", actor=Actor(user=authority))
    with pytest.raises(workflow.GuardFailed, match="最多推荐 1 个"):
        workflow.perform(application=second, name="recommend", actor=Actor(user=authority))
    assert Application.objects.get(pk=second.pk).state == S.SUBMITTED


def test_unknown_transition_is_a_clear_error(world):
    with pytest.raises(workflow.UnknownTransition, match="没有这个操作"):
        workflow.perform(application=world.new_app(), name="teleport", actor=Actor(user=world.owner))


def test_inactive_user_may_do_nothing(world):
    app = world.new_app()
    world.owner.is_active = False
    world.owner.save()
    with pytest.raises(workflow.NotPermitted):
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))


# --- effects ---------------------------------------------------------------------------------------
def test_submission_numbers_freezes_content_and_audits(world):
    app = world.new_app()
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner, ip="10.0.0.7"))
    assert re.fullmatch(r"PY2026-\d{5}", app.number)
    sub = app.submissions.get()
    assert sub.content["applicant_name"] == world.org.name and len(sub.content_hash) == 64
    event = AuditEvent.objects.get(object_id=str(app.pk), action="transition:submit")
    assert (event.actor, event.from_state, event.to_state, event.ip) == (world.owner, "draft", "submitted", "10.0.0.7")
    # returned, corrected, resubmitted: the number stays, a second frozen version is kept
    workflow.perform(application=app, name="return_for_correction", actor=Actor(user=world.authority),
                     reason="请补充第三年的财务数据")
    from applications.forms.services import save_section

    row = app.sections.get(code="overview")
    save_section(application=app, code="overview", data={"text": "已补充"}, base_version=row.version,
                 actor=Actor(user=world.owner))
    app.refresh_from_db()
    number = app.number
    workflow.perform(application=app, name="resubmit", actor=Actor(user=world.colleague))
    assert app.number == number
    assert list(app.submissions.values_list("sequence", flat=True)) == [1, 2]
    assert app.submissions.get(sequence=2).content["form"]["sections"]["overview"] == {"text": "已补充"}
    assert app.submissions.get(sequence=1).content_hash != app.submissions.get(sequence=2).content_hash


def test_numbers_are_sequential_per_campaign(world):
    numbers = []
    for _ in range(3):
        app = world.new_app()
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
        numbers.append(app.number)
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3]


def test_no_code_outside_the_workflow_writes_the_state():
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("*/**/*.py"):
        rel = path.relative_to(root)
        if rel.parts[0] in {".venv", "tests"} or "migrations" in rel.parts:
            continue
        if rel.as_posix() in {"applications/workflow.py", "applications/management/commands/generate_data.py"}:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\.state\s*=[^=]|\.state_changed_at\s*=|update\([^)]*\bstate\s*=", text):
            offenders.append(rel.as_posix())
    assert offenders == []
