"""Printed documents of a campaign's outcome: the decision (表彰决定/入库决定) in GB/T 9704 layout and the
certificates (获奖证书) of awarded applications.

Selectors and services with keyword-only arguments; views and the Celery task stay thin. Certificates are
``GeneratedDocument`` rows of kind CERTIFICATE built by ``applications.documents.build_document`` (the
builder is registered in ``install()``); one is ordered automatically when an application is awarded.
"""
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role
from qualityaward.accounts.services import record_event

from .. import jobs
from ..models import Application, GeneratedDocument, RuleProfile, State
from ..rules import is_owner, is_program_secretariat

_PARENTHETICAL = re.compile(r"[（(][^）)]*[）)]")

#: Wording of the decision by the program's outcome (never by the program itself).
DECISION_WORDS = {
    RuleProfile.Outcome.AWARD: {"title": "获奖名单", "kind": "表彰决定", "verb": "授予",
                                "closing": "希望受到表彰的组织珍惜荣誉，发挥示范引领作用，持续提升质量管理水平。"
                                           "各地、各部门要认真学习借鉴获奖组织的先进质量管理经验，推动质量强省（市、县、区）建设。"},
    RuleProfile.Outcome.CULTIVATION: {"title": "入库名单", "kind": "入库决定", "verb": "纳入",
                                      "closing": "入库组织要对照卓越绩效评价准则持续开展自我评价，加强质量管理体系建设；"
                                                 "各推荐单位要加强跟踪指导，做好培育服务工作。"},
    RuleProfile.Outcome.RECOMMENDATION: {"title": "推荐名单", "kind": "推荐决定", "verb": "推荐",
                                         "closing": "被推荐组织要认真准备后续遴选材料，持续提升质量管理水平。"},
}


def issuer_name(program):
    """The issuing body as printed (the organizer without the note in brackets, e.g. where its office sits)."""
    name = _PARENTHETICAL.sub("", program.organizer or "").strip()
    return name or program.organizer or program.name


#: Width of the GB/T 9704 text block in points (156 mm).
TEXT_BLOCK_PT = 156 / 25.4 * 72


def version_head(issuer, suffix=""):
    """The red issuer mark (发文机关标志) and its size: as large as 30 pt but never wider than the text block."""
    mark = f"{issuer}{suffix}"
    size = min(30.0, int(TEXT_BLOCK_PT * 0.98 / (max(len(mark), 1) * 1.05) * 10) / 10)
    return {"mark": mark, "mark_size": size}


# --- the decision --------------------------------------------------------------------------------------------
@dataclass
class TierGroup:
    name: str
    applications: list = field(default_factory=list)


def awarded_by_tier(campaign):
    """The campaign's awarded applications grouped by tier in the profile's tier order (no tier last)."""
    apps = list(Application.objects.filter(campaign=campaign, state=State.AWARDED)
                .select_related("tier", "region").order_by("tier__order", "tier_id", "number", "pk"))
    groups, by_key = [], {}
    for app in apps:
        key = app.tier_id
        if key not in by_key:
            by_key[key] = TierGroup(app.tier.name if app.tier else "未定等级")
            groups.append(by_key[key])
        by_key[key].applications.append(app)
    groups.sort(key=lambda g: g.name == "未定等级")
    return groups


def can_print_decision(user, campaign):
    return bool(user and user.is_authenticated and user.is_active and any(
        has_role(user, role, program_id=campaign.program_id) for role in (Role.SECRETARIAT, Role.SUPERVISOR)))


def is_program_secretariat_of(user, campaign):
    return bool(user and user.is_authenticated and has_role(user, Role.SECRETARIAT, program_id=campaign.program_id))


CHINESE_ORDINALS = "一二三四五六七八九十"


#: The steps a decision may name, in the procedure's order, each by the transition that holds it (a step is printed
#: only when the audit trail shows it was held for the applications the decision lists).
HELD_STEPS = (
    ("transition:submit", "申报"),
    ("transition:recommend", "推荐"),
    ("transition:start_eligibility_review", "资格审核"),
    ("transition:open_acceptance_publicity", "受理公示"),
    ("transition:start_material_review", "材料评审"),
    ("review:defense_session", "陈述答辩"),
    ("transition:start_onsite_review", "现场评审"),
    ("transition:send_to_committee", "评审委员会审定"),
    ("transition:propose", "社会公示"),
    ("transition:await_candidate_confirmation", "评审委员会确定正式候选名单"),
    ("transition:submit_to_government", "政府审定"),
)


def held_stages(campaign, applications):
    """The labels of the steps held for ``applications`` (the campaign's applications when there are none), read
    from the audit trail: a program's optional stage that was switched off or skipped is never printed."""
    from django.contrib.contenttypes.models import ContentType

    from qualityaward.accounts.models import AuditEvent

    ids = [str(a.pk) for a in applications] or [
        str(pk) for pk in Application.objects.filter(campaign=campaign).values_list("pk", flat=True)]
    done = set(AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Application), object_id__in=ids,
        action__in=[action for action, _label in HELD_STEPS]).values_list("action", flat=True).distinct())
    body = campaign.program.profile.government_decision_body
    return [(body + "审定" if label == "政府审定" and body else label)
            for action, label in HELD_STEPS if action in done]


def decision_context(*, campaign, doc_number="", signed_on=None, copy_to=""):
    program = campaign.program
    profile = program.profile
    words = DECISION_WORDS.get(profile.outcome, DECISION_WORDS[RuleProfile.Outcome.AWARD])
    groups = awarded_by_tier(campaign)
    for n, group in enumerate(groups):
        group.ordinal = CHINESE_ORDINALS[n] if n < len(CHINESE_ORDINALS) else str(n + 1)
    total = sum(len(g.applications) for g in groups)
    apps = [a for g in groups for a in g.applications]
    stages = held_stages(campaign, apps)
    signed_on = signed_on or timezone.localdate()
    issuer = issuer_name(program)
    return {
        **version_head(issuer, "文件"), "issuer": issuer, "doc_number": doc_number, "signed_on": signed_on, "copy_to": copy_to,
        "printed_by": program.issuer.removesuffix("印制") or issuer, "printed_on": signed_on,
        "title": f"关于{campaign.name}{program.name}{words['title']}的决定",
        "words": words, "program": program, "profile": profile, "campaign": campaign, "groups": groups,
        "total": total, "stages": "、".join(stages),
        # the program's own words: 已入库 / 入库 (000), 已推荐参加全国遴选 / 推荐参加全国遴选 (003)
        "awarded_label": profile.word(State.AWARDED, State.AWARDED.label),
        "award_label": profile.word("award", "授奖"),
    }


def parse_decision_params(params):
    """Clean the secretariat's choices for the printed decision; a bad date is a clear message."""
    doc_number = (params.get("doc_number") or "").strip()[:60]
    copy_to = (params.get("copy_to") or "").strip().rstrip("。")[:200]
    raw = (params.get("signed_on") or "").strip()
    signed_on = None
    if raw:
        try:
            signed_on = dt.date.fromisoformat(raw)
        except ValueError:
            raise ValidationError(f"成文日期“{raw[:20]}”无法识别，请按 2026-05-20 的格式填写。") from None
    return {"doc_number": doc_number, "copy_to": copy_to, "signed_on": signed_on}


def decision_pdf(*, campaign, **params):
    from .services import render_pdf

    return render_pdf("pdf/decision.html", decision_context(campaign=campaign, **params))


# --- certificates ----------------------------------------------------------------------------------------------
def award_record(application):
    """The award row the ``award`` transition wrote (review.Award: certificate number, date, validity)."""
    try:
        return application.award
    except AttributeError:  # no award recorded for this application
        return None


def outcome_text(profile, tier):
    """The outcome as the certificate states it: the profile's label; when the label names alternatives
    (“授予……或……”), the verb with the tier actually awarded."""
    label = profile.outcome_label or profile.get_outcome_display()
    if tier is not None and "或" in label:
        verb = next((w["verb"] for w in DECISION_WORDS.values() if label.startswith(w["verb"])), "授予")
        return f"{verb}{tier.name}"
    return label


def certificate_context(application):
    """What a certificate prints; number, date and validity come from the award record, the one place
    they are decided (see review.awards)."""
    program = application.campaign.program
    award = award_record(application)
    if award is None:
        raise ValueError("application has no award record")
    return {
        "app": application, "program": program, "profile": program.profile, "campaign": application.campaign,
        "outcome_text": outcome_text(program.profile, award.tier or application.tier),
        "number": award.certificate_number, "issuer": issuer_name(program), "awarded_on": award.decided_on,
        "valid_until": award.valid_until, "tier": award.tier or application.tier,
    }


def _certificate_pdf(document):
    from .services import render_pdf

    app = Application.objects.select_related("campaign__program__profile", "tier", "region").get(
        pk=document.application_id)
    if app.state != State.AWARDED:
        raise ValueError("application is not awarded")
    return render_pdf("pdf/certificate.html", certificate_context(app))


def can_see_certificate(user, application):
    """The award holder (owner or its organization's members) and the program's secretariat."""
    return bool(user and user.is_authenticated and user.is_active
                and (is_owner(user, application) or is_program_secretariat(user, application)))


def certificate_of(application):
    return (GeneratedDocument.objects.filter(application=application, kind=GeneratedDocument.Kind.CERTIFICATE)
            .order_by("-requested_at", "-pk").first())


def _order_certificate(application):
    """Create the certificate row if missing (call inside a transaction); enqueue on commit. Idempotent."""
    existing = certificate_of(application)
    if existing is not None:
        return existing, False
    doc = GeneratedDocument.objects.create(application=application, kind=GeneratedDocument.Kind.CERTIFICATE)
    jobs.after_commit("render_document", document_id=doc.pk)
    return doc, True


def request_certificate(*, application, actor):
    """Order the certificate of an awarded application (the holder or the secretariat); a failed one is
    queued again. Returns the document. Refused with a Chinese message when not awarded."""
    if not can_see_certificate(actor.user, application):
        raise PermissionDenied("获奖证书仅提供给获奖单位（个人）和本奖项秘书处。")
    program = application.campaign.program
    if not program.profile.issues_certificate:
        raise PermissionDenied(f"{program.name}的文件未规定颁发证书，本平台不生成证书。")
    if application.state != State.AWARDED:
        raise PermissionDenied(f"该申报当前状态为“{application.get_state_display()}”，尚未授奖，不能生成获奖证书。")
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        doc, created = _order_certificate(application)
        if not created and doc.status == GeneratedDocument.Status.FAILED:
            jobs.after_commit("render_document", document_id=doc.pk)
        record_event(actor=actor, action="certificate:request", target=application,
                     data={"document": doc.pk, "created": created})
    return doc


def _effect_award(app, actor, params, reason):
    if not app.campaign.program.profile.issues_certificate:  # 入库 (000), a national recommendation (003)
        return {}
    doc, _created = _order_certificate(app)
    return {"certificate": doc.pk}


def install():
    from . import services as documents
    from .. import workflow

    documents.BUILDERS[GeneratedDocument.Kind.CERTIFICATE] = _certificate_pdf
    workflow.add_effect("award", _effect_award)
