"""The review steps of the demo and of tests' sample applications: a bureau's whole pre-review and a panel's
whole scoring of a stage, with plausible content, done through the review services."""
import datetime as dt
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from applications.models import RuleProfile
from qualityaward.accounts.models import Role
from qualityaward.accounts.services import Actor, grant_role
from review.panels.models import Panel, PanelMember
from review.prereview import services as pre
from review.prereview.models import (
    AuthorityPublicity, CandidatePoolEntry, DepartmentOpinion, GovernmentOpinion, InitialOpinion,
)
from review.scoring import services as sc
from review.scoring.models import OnsiteVisit, PanelItemScore, StageResult

from .content import pdf_bytes


def list_sample_in_pool(application):
    """The demo's companies are on the secretariat's list where the program names one (全国质量标杆 通知三
    历年河南省质量标杆): an entry of the year before the campaign, as the secretariat's import would leave it."""
    if not application.campaign.program.profile.candidate_pool_rule or application.organization_id is None:
        return
    org = application.organization
    CandidatePoolEntry.objects.get_or_create(
        program_id=application.campaign.program_id, credit_code=org.credit_code,
        year=timezone.localtime(application.campaign.opens_at).year - 1,
        defaults={"name": org.name, "title": f"{org.name}推进全面质量管理的经验"})


def complete_sample_prereview(*, application, actor, on=None):
    """Do the bureau's whole pre-review with plausible content, through the services above (no password
    step: the caller stands for the bureau). Leaves the application ready for ``recommend`` (its company on the
    program's candidate list, ``list_sample_in_pool``)."""
    on = on or timezone.localdate()
    list_sample_in_pool(application)
    pre.save_checklist(application=application, actor=actor,
                       entries={s.code: ("ok", "") for s in pre.applicant_sections(application)})
    for row in pre.department_rows(application):
        if not row["required"]:
            continue
        opinion = row["opinion"] or pre.solicit_opinion(application=application, actor=actor,
                                                    department=row["department"], asked_on=on)
        if not opinion.answered:
            pre.record_answer(application=application, actor=actor, opinion_id=opinion.pk,
                          answer=DepartmentOpinion.Answer.NO_OBJECTION, content="", answered_on=on)
    if not AuthorityPublicity.objects.filter(application=application).exists():
        pre.save_publicity(application=application, actor=actor, starts_on=on - timedelta(days=14), ends_on=on,
                       channel="本局门户网站")
    current = pre.current_opinion(application)
    latest = pre.latest_submission(application)
    if current is None or current.submission_id != latest.pk:
        draft = pre.save_opinion_draft(application=application, actor=actor, parts=pre.suggested_parts(application))
        with transaction.atomic():
            app = pre._locked(application)
            pre.require_bureau(app, actor, states=pre.SIGNING_STATES, action="签署初审意见")
            pre._sign(app, InitialOpinion.objects.select_for_update().get(pk=draft.pk), actor)
    profile = application.campaign.program.profile
    if profile.requires_government_opinion and not GovernmentOpinion.objects.filter(application=application).exists():
        pre.upload_government_opinion(application=application, actor=actor, issued_on=on,
                                  uploaded=SimpleUploadedFile("市政府推荐意见.pdf", pdf_bytes(1), "application/pdf"))
    return application


#: The departments the demo's secretariat asks before its eligibility review (the documents say “有关部门”).
SAMPLE_CONSULTED_DEPARTMENTS = ("生态环境分局", "应急管理局")


#: Whom the demo's secretariat asks after the expert evaluation (000 五（五） names none).
SAMPLE_CONSULTED_AFTER_EVALUATION = ("省质量强省战略工作领导小组相关成员单位",)


def complete_sample_consultation(*, application, actor, on=None, by=None):
    """One of the secretariat's consultations where the profile has it, through the services: before eligibility
    (息县 第十七条, 巩义 第十七条（三）; the default) or after the expert evaluation (``by=pre.EVALUATION``,
    000 五（五）). Each sample department is asked and answers 无异议."""
    by = by or pre.SECRETARIAT
    flag = pre.SECRETARIAT_CONSULTATIONS[by][0]
    if not getattr(application.campaign.program.profile, flag):
        return application
    on = on or timezone.localdate()
    asked = {o.department: o for o in pre.secretariat_opinions(application, by)}
    names = SAMPLE_CONSULTED_DEPARTMENTS if by == pre.SECRETARIAT else SAMPLE_CONSULTED_AFTER_EVALUATION
    for department in names:
        opinion = asked.get(department) or pre.solicit_opinion(application=application, actor=actor,
                                                               department=department, asked_on=on, by=by)
        if not opinion.answered:
            pre.record_answer(application=application, actor=actor, opinion_id=opinion.pk, by=by,
                              answer=DepartmentOpinion.Answer.NO_OBJECTION, content="", answered_on=on)
    return application


def complete_sample_defense(*, application, actor, kind, on=None):
    """A 陈述答辩 scheduled and held with plausible notes where the program has it (息县 第十八条 ``kind="panel"``,
    第二十一条 ``kind="plenary"``), through the services; nothing where the document has no 陈述答辩."""
    from review.scoring import defense

    if not application.campaign.program.profile.has_defense:
        return application
    row = defense.defense_of(application, kind)
    if row is not None and row.held:
        return application
    on = on or timezone.localdate()
    if row is None:
        defense.schedule_defense(application=application, actor=actor, kind=kind, scheduled_on=on,
                                 place="评委会秘书处会议室")
    notes = ("申报单位主要负责人陈述卓越绩效管理实践，评审组就战略部署、过程管理和经营结果提问，答辩清楚。"
             if kind == defense.PANEL else "候选单位现场展示质量管理成果并陈述答辩，评委会成员提问，回答清楚。")
    defense.record_defense(application=application, actor=actor, kind=kind, held_on=on, notes=notes)
    return application


SAMPLE_EXPERTS = [("sample_expert_1", "评审专家（示例）甲"), ("sample_expert_2", "评审专家（示例）乙")]


def complete_sample_scoring(*, application, percent=65):
    """The demo's review of the stage the application is in: every seated expert submits a sheet, the
    leader records the consensus (and the on-site visit) and concludes. Two sample experts join a panel
    smaller than three, the first as leader when it has none. Does nothing outside a review stage."""
    stage = {v: k for k, v in sc.STAGE_STATE.items()}.get(application.state)
    panel = Panel.objects.filter(application=application, stage=stage).first() if stage else None
    if panel is None or StageResult.objects.filter(panel=panel).exists():
        return None
    panel.application = application
    User = get_user_model()
    for username, name in SAMPLE_EXPERTS:
        if len(sc.seated_members(panel)) >= 3:
            break
        user, created = User.objects.get_or_create(username=username, defaults={"full_name": name,
                                                                              "email": f"{username}@example.com"})
        if created:
            user.set_unusable_password()
            user.save()
            grant_role(user=user, role=Role.EXPERT)
        has_leader = PanelMember.objects.filter(panel=panel, role=PanelMember.Role.LEADER).exists()
        PanelMember.objects.get_or_create(panel=panel, expert=user, defaults={
            "role": PanelMember.Role.MEMBER if has_leader else PanelMember.Role.LEADER})
    items = sc.scored_items(application.campaign.program.profile.scoring_scheme_id)
    for n, member in enumerate(sc.seated_members(panel)):
        actor = Actor(user=member.expert)
        sheet = sc.sheet_for(panel=panel, expert=member.expert)
        if sheet.is_submitted:
            continue
        data = {str(item.pk): {"percent": str(max(0, min(100, percent + 5 * ((n + i) % 3 - 1)))),
                               "strengths": "方法系统，展开较充分，已形成定期评价与改进机制。",
                               "opportunities": "与行业标杆的对比数据不足，改进成果的分享有待加强。"}
                for i, item in enumerate(items)}
        sheet, _errors = sc.save_sheet(sheet=sheet, data=data, base_version=sheet.version, actor=actor)
        sc.submit_sheet(sheet=sheet, base_version=sheet.version, actor=actor)
    leader = PanelMember.objects.get(panel=panel, role=PanelMember.Role.LEADER).expert
    acc, actor = sc.access_for(user=leader, panel=panel), Actor(user=leader)
    if panel.stage == Panel.Stage.ONSITE and not OnsiteVisit.objects.filter(panel=panel).exists():
        sc.record_onsite_visit(acc=acc, visited_on=timezone.localdate() - dt.timedelta(days=3), visited_until=None,
                            places="生产车间、质量检验中心、研发中心、营销服务部", issues="部分过程的测量数据未形成趋势分析。",
                            actor=actor)
    if application.campaign.program.profile.aggregation == RuleProfile.Aggregation.CONSENSUS:
        current = set(PanelItemScore.objects.filter(panel=panel, is_current=True).values_list("item_id", flat=True))
        for item in items:
            if item.pk not in current:
                sc.record_panel_score(acc=acc, item=item, percent=str(percent), reason="经合议，采纳多数专家意见", actor=actor)
    return sc.conclude(acc=acc, actor=actor)


STRENGTHS = ["方法系统、展开充分，形成了定期评价和改进的机制。", "关键绩效指标连续三年保持良好趋势。",
             "高层领导亲自推动，战略目标分解到部门和岗位。", "建立了顾客满意度第三方测评并据此改进。"]
OPPORTUNITIES = ["与行业标杆的对比数据不足。", "方法在子公司的展开程度不一。", "改进成果的分享和推广机制尚不健全。",
                 "部分过程缺少量化的测量指标。"]


def sign_pledges(*, panel):
    """Every seated expert of ``panel`` signs the pledge (承诺书: no conflict declared, confidentiality), as each
    would on the pledge page: the pledge rows with the text and its SHA-256, and each signature's audit event."""
    from qualityaward.accounts.services import record_event
    from review.panels.models import PLEDGE_TEXT, Pledge

    signed = set(Pledge.objects.filter(panel=panel).values_list("expert_id", flat=True))
    members = [m for m in sc.seated_members(panel) if m.expert_id not in signed]
    Pledge.objects.bulk_create([Pledge(panel=panel, expert=m.expert, text=PLEDGE_TEXT,
                                       text_sha256=Pledge.digest(PLEDGE_TEXT)) for m in members])
    for m in members:
        record_event(actor=Actor(user=m.expert), action="pledge:accept", target=panel.application,
                     data={"panel": panel.pk})


def score_in_bulk(*, panel, percent=65):
    """The whole review of one stage for the demo: pledges signed, every seated expert's submitted sheet (item
    scores in 5 % steps around ``percent`` with strengths and opportunities), the panel's consensus per item
    and the on-site record, written in a few statements; then the leader concludes through the service, which
    checks that everything a conclusion needs is there."""
    from review.scoring.models import ItemScore, ScoreSheet

    sign_pledges(panel=panel)
    profile = panel.application.campaign.program.profile
    items = sc.scored_items(profile.scoring_scheme_id)
    members = sc.seated_members(panel)
    now = timezone.now()
    sheets = ScoreSheet.objects.bulk_create([
        ScoreSheet(panel=panel, expert=m.expert, status=ScoreSheet.Status.SUBMITTED, version=2, submitted_at=now)
        for m in members])
    ItemScore.objects.bulk_create([
        ItemScore(sheet=sheet, item=item, percent=max(0, min(100, percent + 5 * ((n + i) % 3 - 1))),
                  strengths=STRENGTHS[(n + i) % len(STRENGTHS)],
                  opportunities=OPPORTUNITIES[(n + i) % len(OPPORTUNITIES)])
        for n, sheet in enumerate(sheets) for i, item in enumerate(items)])
    leader = next(m.expert for m in members if m.role == PanelMember.Role.LEADER)
    if profile.aggregation == RuleProfile.Aggregation.CONSENSUS:
        PanelItemScore.objects.bulk_create([
            PanelItemScore(panel=panel, item=item, percent=percent, source=PanelItemScore.Source.CONSENSUS,
                           reason="经合议，评审组意见一致", recorded_by=leader) for item in items])
    if panel.stage == Panel.Stage.ONSITE:
        OnsiteVisit.objects.create(panel=panel, visited_on=timezone.localdate() - dt.timedelta(days=3),
                                   places="生产车间、质量检验中心、研发中心、营销服务部",
                                   issues="部分过程的测量数据未形成趋势分析。", recorded_by=leader)
    return sc.conclude(acc=sc.access_for(user=leader, panel=panel), actor=Actor(user=leader))
