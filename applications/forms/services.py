"""Writes and reads of the applicant's form: section saves with conflict detection, uploads, progress.

Views and tests call these; nothing here knows about HTTP.
"""
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, F, Max, Sum

from qualityaward.accounts.services import record_event

from ..models import Application, ApplicationSection, Attachment, State
from . import richtext
from .spec import clean_section, consistency_warnings, form_for, missing_in_section, section_chars
from .uploads import check_total_pages, inspect_upload


class SectionConflict(Exception):
    """The section changed since the page was loaded (another tab or a colleague saved)."""

    def __init__(self, current):
        super().__init__("conflict")
        self.current = current


@dataclass
class SaveResult:
    section: ApplicationSection
    errors: dict
    warnings: list
    missing: list
    chars: int
    suggestion: dict | None = None


def editable_section_codes(application):
    """Sections the applicant may change now: all of a draft; only the reopened ones when returned, and the
    declaration, which speaks for the corrected material too."""
    from .spec import DECLARATION_SECTION

    spec = form_for(application)
    if application.state == State.DRAFT:
        return [s.code for s in spec.sections if s.filled_by == "applicant"]
    if application.state == State.RETURNED:
        reopened = set(application.reopened_sections or []) | {DECLARATION_SECTION}
        return [s.code for s in spec.sections if s.code in reopened]
    return []


def _section_data(application, code):
    row = ApplicationSection.objects.filter(application=application, code=code).first()
    return (row.data, row.version) if row else ({}, 0)


def upload_counts(application):
    return dict(Attachment.objects.filter(application=application).values_list("slot").annotate(n=Count("pk")))


def save_section(*, application, code, data, base_version, actor):
    """Save one section if it is valid by type and limits and nobody saved it since ``base_version``.

    Returns a SaveResult; when ``errors`` is not empty nothing was written. Raises SectionConflict
    when the stored version moved on, PermissionDenied when the section is closed for editing.
    """
    spec = form_for(application)
    section = spec.section(code)
    if section is None:
        raise ValidationError("没有这一部分，请刷新页面。")
    if code not in editable_section_codes(application):
        raise PermissionDenied("这一部分当前不能修改（已提交或未被退回修改）。")
    clean, errors = clean_section(section, data, images=narrative_images(application))
    with transaction.atomic():
        row, _ = ApplicationSection.objects.select_for_update().get_or_create(application=application, code=code)
        if row.version != base_version:
            raise SectionConflict(row)
        if not errors:
            row.data = clean
            row.version += 1
            row.updated_by = actor.user
            row.save()
            Application.objects.filter(pk=application.pk).update(content_version=F("content_version") + 1)
            if code == "conditions":
                _sync_stated_status(application, clean)
            record_event(actor=actor, action="form:save", target=application, data={"section": code,
                                                                                   "version": row.version})
    if code == "conditions" and not errors:
        application.__dict__.pop("_formspec_cache", None)  # which opinions apply follows what was stated
    suggestion = org_size_suggestion(application) if code in ("basic", "performance") and not errors else None
    return SaveResult(row, errors, consistency_warnings(section, clean),
                      missing_in_section(section, clean, upload_counts(application)), section_chars(section, clean),
                      suggestion)


def _sync_stated_status(application, clean):
    """专精特新 as stated in 申报条件 is what the reserved seats (any level) and the “小巨人” reductions read."""
    if not clean.get("specialized_level"):
        return  # not answered yet: the status chosen when the application was created stands
    level = clean["specialized_level"] if clean["specialized_level"] in ("province", "little_giant") else ""
    Application.objects.filter(pk=application.pk).update(specialized_level=level,
                                                         is_little_giant=level == "little_giant")
    application.specialized_level, application.is_little_giant = level, level == "little_giant"


def org_size_suggestion(application):
    """组织规模 suggested by 国统字〔2017〕213号 from the applicant's own figures: the industry and
    employees of 2.1 and the latest year's revenue and assets of 2.4. None until they are filled in."""
    from ..classifications import org_size_rule_text, suggest_org_size
    from .spec import ORG_SIZES

    stored = {s.code: s.data for s in ApplicationSection.objects.filter(
        application=application, code__in=["basic", "performance"])}
    basic, grid = stored.get("basic", {}), (stored.get("performance", {}) or {}).get("indicators", {})
    years = application.campaign.data_years
    latest = str(years[-1]) if years else ""

    def cell(row):
        value = str((grid.get(row) or {}).get(latest, "")).strip()
        return value or None

    revenue = cell("main_revenue")
    if revenue is not None and cell("other_revenue") is not None:
        try:
            revenue = str(Decimal(revenue) + Decimal(cell("other_revenue")))
        except InvalidOperation:
            pass
    try:
        label = suggest_org_size(basic.get("industry", ""), employees=basic.get("employees") or None,
                                 revenue=revenue, assets=cell("total_assets"))
    except ValueError:
        return None
    if label is None:
        return None
    key = next(k for k, v in ORG_SIZES if v == label)
    return {"key": key, "label": label, "year": latest,
            "basis": "；".join(org_size_rule_text(basic.get("industry", ""))[:2])}


def progress(application):
    """Per section, in form order: its missing items, whether it is complete, and its budget (字数 against the
    section's cap, pages against each capped slot). Three queries whatever the form size."""
    spec = form_for(application)
    stored = {s.code: s.data for s in ApplicationSection.objects.filter(application=application)}
    counts = upload_counts(application)
    pages = dict(Attachment.objects.filter(application=application).values_list("slot").annotate(p=Sum("pages")))
    result = []
    for section in spec.sections:
        data = stored.get(section.code, {})
        missing = missing_in_section(section, data, counts)
        budget = [(pages.get(i.key) or 0, i.page_limit, i.label) for i in section.items
                  if getattr(i, "page_limit", None)]
        result.append({"section": section, "missing": missing, "complete": not missing,
                       "chars": section_chars(section, data) if section.total_max_chars else None,
                       "pages": budget})
    return result


def missing_for_submission(application, entries=None):
    """Everything still missing, as (section code, section title, item) for the checklist; ``entries`` is
    ``progress(application)`` when the caller already has it."""
    out = []
    entries = progress(application) if entries is None else entries
    for entry in entries:
        for item in entry["missing"]:
            out.append((entry["section"].code, f"{entry['section'].number} {entry['section'].title}", item))
    for pages, limit, label in (b for entry in entries for b in entry["pages"]):
        if pages > limit:
            out.append(("evidence", "证实性材料", f"{label}共 {pages} 页，超过 {limit} 页的上限"))
    return out


def declared_trade_secrets(application):
    """What the applicant declared a 商业秘密 in its latest submission ('' when nothing, or not submitted):
    shown to the secretariat and the seated experts with their duty of confidentiality (息县 第十条,
    巩义 第二十六条, 金水 第二十五条); public notices and exported lists carry no form content at all."""
    from ..models import Submission
    from .spec import DECLARATION_SECTION, TRADE_SECRETS_FIELD

    content = (Submission.objects.filter(application=application).order_by("-sequence")
               .values_list("content", flat=True).first()) or {}
    sections = (content.get("form") or {}).get("sections") or {}
    return str((sections.get(DECLARATION_SECTION) or {}).get(TRADE_SECRETS_FIELD) or "").strip()


def assemble_content(application):
    """The whole form as one JSON object, with the uploads' manifest (what a submission freezes)."""
    spec = form_for(application)
    stored = {s.code: s.data for s in ApplicationSection.objects.filter(application=application)}
    files = [
        {"slot": a.slot, "title": a.title, "name": a.original_name, "sha256": a.sha256, "pages": a.pages}
        for a in Attachment.objects.filter(application=application).order_by("slot", "order", "pk")
    ]
    return {"form": spec.code, "sections": {s.code: stored.get(s.code, {}) for s in spec.sections}, "files": files}


# --- uploads ----------------------------------------------------------------------------------------
def _slot(application, slot_key):
    for section in form_for(application).sections:
        for item in section.items:
            if getattr(item, "type", "") == "upload" and item.key == slot_key:
                return section, item
    raise ValidationError("没有这一类材料，请刷新页面。")


def add_attachment(*, application, slot_key, uploaded, title, actor):
    section, slot = _slot(application, slot_key)
    if section.code not in editable_section_codes(application):
        raise PermissionDenied("这一部分当前不能修改（已提交或未被退回修改）。")
    title = (title or "").strip()[:100]
    if slot.titled and not title:
        raise ValidationError(f"请为“{slot.label}”填写材料标题（用于生成目录）。")
    inspected = inspect_upload(uploaded=uploaded, field_label=slot.label, allowed=slot.kinds,
                               min_image_side=slot.min_image_side)
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        existing = Attachment.objects.filter(application=application, slot=slot_key)
        stats = existing.aggregate(n=Count("pk"), pages=Sum("pages"), last=Max("order"))
        if stats["n"] >= slot.max_files:
            raise ValidationError(f"“{slot.label}”最多 {slot.max_files} 个文件，已上传 {stats['n']} 个。请先删除不需要的文件。")
        if slot.page_limit:
            check_total_pages(existing_pages=stats["pages"] or 0, new_pages=inspected.pages, limit=slot.page_limit,
                              label=slot.label)
        attachment = Attachment(application=application, slot=slot_key, title=title, order=(stats["last"] or 0) + 1,
                                original_name=inspected.safe_name, content_type=inspected.content_type,
                                size=inspected.size, pages=inspected.pages, sha256=inspected.sha256,
                                uploaded_by=actor.user)
        attachment.file.save(inspected.safe_name, ContentFile(inspected.data), save=False)
        attachment.save()
        record_event(actor=actor, action="form:upload", target=application,
                     data={"slot": slot_key, "attachment": attachment.pk, "sha256": inspected.sha256})
    return attachment


def narrative_images(application):
    """(application id, ids of its narrative images): what its richtext fields may show."""
    return application.pk, set(Attachment.objects.filter(application=application, slot=richtext.IMAGE_SLOT)
                               .values_list("pk", flat=True))


def add_narrative_image(*, application, uploaded, actor):
    """An image inserted into a narrative (000 附件1 三: 必要时使用图表; 附件2: 可附图片、图表): judged by its
    content and re-encoded like every upload, kept as an Attachment of the application; the narrative
    refers to it by ``richtext.image_url``."""
    if not editable_section_codes(application):
        raise PermissionDenied("申报材料当前不能修改（已提交或未被退回修改），不能插入图片。")
    inspected = inspect_upload(uploaded=uploaded, field_label="插入的图片", allowed=richtext.IMAGE_KINDS,
                               max_bytes=richtext.IMAGE_MAX_BYTES)
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        existing = Attachment.objects.filter(application=application, slot=richtext.IMAGE_SLOT)
        stats = existing.aggregate(n=Count("pk"), last=Max("order"))
        if stats["n"] >= richtext.MAX_IMAGES:
            raise ValidationError(f"每份申报最多插入 {richtext.MAX_IMAGES} 张图片，已插入 {stats['n']} 张。"
                                  "请把多张图表合并为一张后再插入。")
        attachment = Attachment(application=application, slot=richtext.IMAGE_SLOT, title="",
                                order=(stats["last"] or 0) + 1, original_name=inspected.safe_name,
                                content_type=inspected.content_type, size=inspected.size, pages=1,
                                sha256=inspected.sha256, uploaded_by=actor.user)
        attachment.file.save(inspected.safe_name, ContentFile(inspected.data), save=False)
        attachment.save()
        record_event(actor=actor, action="form:upload", target=application,
                     data={"slot": richtext.IMAGE_SLOT, "attachment": attachment.pk, "sha256": inspected.sha256})
    return attachment


def remove_attachment(*, attachment, actor):
    section, _slot_item = _slot(attachment.application, attachment.slot)
    if section.code not in editable_section_codes(attachment.application):
        raise PermissionDenied("这一部分当前不能修改（已提交或未被退回修改）。")
    with transaction.atomic():
        record_event(actor=actor, action="form:remove_upload", target=attachment.application,
                     data={"slot": attachment.slot, "name": attachment.original_name, "sha256": attachment.sha256})
        attachment.delete()
    # the stored file stays: a submitted version may refer to it by its hash


def move_attachment(*, attachment, direction, actor):
    section, _slot_item = _slot(attachment.application, attachment.slot)
    if section.code not in editable_section_codes(attachment.application):
        raise PermissionDenied("这一部分当前不能修改（已提交或未被退回修改）。")
    siblings = list(Attachment.objects.filter(application=attachment.application, slot=attachment.slot)
                    .order_by("order", "pk"))
    i = next(n for n, a in enumerate(siblings) if a.pk == attachment.pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(siblings):
        siblings[i], siblings[j] = siblings[j], siblings[i]
        with transaction.atomic():
            for n, a in enumerate(siblings, start=1):
                if a.order != n:
                    Attachment.objects.filter(pk=a.pk).update(order=n)


# --- what registration already told us ---------------------------------------------------------------------------
def _registration_facts(application):
    """Field key → value the applicant gave at registration (organization or person, and its account)."""
    user, org = application.owner, application.organization
    person = getattr(user, "individual_profile", None) if application.kind == Application.Kind.INDIVIDUAL else None
    facts = {"email": user.email, "phone": user.mobile}
    if org is not None:
        facts.update(org_name=org.name, credit_code=org.credit_code, contact_person=org.contact_name or user.display_name,
                     contact_phone=org.contact_mobile or user.mobile, email=org.contact_email or user.email)
    if person is not None:
        facts.update(name=user.display_name, id_number=person.id_number, employer=person.employer,
                     gender=person.gender)
    return {k: v for k, v in facts.items() if v}


def prefill_from_registration(*, application):
    """Open the form's basic section (2.1 基本情况 / 一 个人基本情况) with what registration recorded, so the
    applicant does not type its name, credit code and contacts twice; every value stays editable. Only
    keys the section has, only where the section is still empty, and only values the field accepts."""
    facts = _registration_facts(application)
    spec = form_for(application)
    section = next((s for s in spec.sections if s.code == "basic"), None)
    if section is None or ApplicationSection.objects.filter(application=application, code="basic").exists():
        return {}
    from .spec import Field

    keys = {i.key for i in section.items if isinstance(i, Field)}
    proposed = {k: v for k, v in facts.items() if k in keys}
    if not proposed:
        return {}
    clean, errors = clean_section(section, proposed)
    data = {k: clean[k] for k in proposed if k not in errors and clean.get(k) not in (None, "")}
    if data:
        # version 0: the starting point, not anyone's save (a page opened before it still saves cleanly)
        ApplicationSection.objects.create(application=application, code="basic", data=data, version=0,
                                          updated_by=application.owner)
    return data
