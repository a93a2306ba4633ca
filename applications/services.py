"""Writes of applications (besides state, which only ``workflow`` writes)."""
import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role
from qualityaward.accounts.services import record_event

from . import jobs
from .models import Application, Campaign, GeneratedDocument, Submission


def content_hash(content):
    """SHA-256 of the canonical JSON of an application's content (key order and spacing fixed)."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


ONLY_APPLICANTS_APPLY = ("只有申报人账号可以创建申报。工作人员、评审专家和监督组的账号不能申报；"
                         "如需为本单位申报，请用单位的申报人账号登录，或在首页注册申报账号。")


def may_apply(user):
    """Only applicant accounts apply; the offices' and experts' accounts never do."""
    return bool(user and user.is_authenticated and user.is_active and has_role(user, Role.APPLICANT))


#: conditions other apps add on who may start an application (``register_creation_check``): each
#: ``check(campaign=, organization=, owner=)`` returns a Chinese sentence saying why not, or "".
CREATION_CHECKS = []


def register_creation_check(check):
    if check not in CREATION_CHECKS:
        CREATION_CHECKS.append(check)


def create_application(*, actor, campaign, kind, applicant_name, region, organization=None, is_little_giant=False,
                       content=None):
    if not may_apply(actor.user):
        raise PermissionDenied(ONLY_APPLICANTS_APPLY)
    if organization is not None and not organization.members.filter(pk=actor.user.pk).exists():
        raise PermissionDenied("只能以您所属的单位申报。如需加入该单位，请联系其已注册的同事邀请您。")
    profile = campaign.program.profile
    if kind == Application.Kind.INDIVIDUAL and not profile.allows_individuals:
        raise ValidationError(f"{campaign.program.name}不接受个人申报。")
    if kind == Application.Kind.ORGANIZATION and not profile.allows_organizations:
        raise ValidationError(f"{campaign.program.name}不接受组织申报。")
    if kind == Application.Kind.ORGANIZATION and organization is None:
        raise ValidationError("组织申报须关联申报组织。")
    for check in CREATION_CHECKS:
        problem = check(campaign=campaign, organization=organization, owner=actor.user)
        if problem:
            raise ValidationError(problem)
    with transaction.atomic():
        app = Application.objects.create(
            campaign=campaign, kind=kind, organization=organization, owner=actor.user,
            applicant_name=applicant_name, region=region, is_little_giant=is_little_giant, content=content or {},
        )
        record_event(actor=actor, action="application:create", target=app, to_state=app.state)
        if not content:
            from .forms.services import prefill_from_registration

            prefill_from_registration(application=app)
    return app


def completeness_problems(*, application):
    """What still keeps the application from being submitted, as Chinese sentences (empty when complete)."""
    from .forms.services import missing_for_submission

    problems = []
    if not application.applicant_name.strip():
        problems.append("请填写申报单位（个人）名称")
    if application.region_id is None:
        problems.append("请选择所在地区")
    problems += [f"{title}：{item}" for _code, title, item in missing_for_submission(application)]
    return problems


def _issue_number(application):
    """The campaign's next number. The counter row is locked; the highest number already issued is a
    floor, so a counter reset (e.g. fixtures reloaded over it) can never hand out a number twice."""
    campaign = Campaign.objects.select_for_update().select_related("program").get(pk=application.campaign_id)
    prefix = f"{campaign.program.number_prefix}{campaign.year}-"
    highest = (Application.objects.filter(campaign=campaign, number__startswith=prefix)
               .aggregate(m=Max("number"))["m"])
    issued = int(highest.removeprefix(prefix)) if highest else 0
    campaign.last_number = max(campaign.last_number, issued) + 1
    Campaign.objects.filter(pk=campaign.pk).update(last_number=campaign.last_number)
    return f"{prefix}{campaign.last_number:05d}"


def record_submission(*, application, actor):
    """Freeze what is being submitted, number the application on first submission, order a receipt."""
    from .forms.services import assemble_content

    if not application.number:
        application.number = _issue_number(application)
    sequence = application.submissions.count() + 1
    content = {
        "number": application.number,
        "applicant_name": application.applicant_name,
        "kind": application.kind,
        "region": application.region.name,
        "program": application.campaign.program.name,
        "campaign": application.campaign.name,
        "is_little_giant": application.is_little_giant,
        "specialized_level": application.specialized_level,
        "form": assemble_content(application),
    }
    submission = Submission.objects.create(
        application=application, sequence=sequence, submitted_by=actor.user, content=content,
        content_hash=content_hash(content),
    )
    document = GeneratedDocument.objects.create(
        application=application, submission=submission, kind=GeneratedDocument.Kind.RECEIPT
    )
    jobs.after_commit("render_document", document_id=document.pk)
    return submission
