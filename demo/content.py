"""Plausible, complete form content for the demo, the data generator and the tests.

It fills every section through the same services the browser uses (``save_section`` and
``add_attachment``), with generated evidence PDFs and photos, so a filled application is exactly
what an applicant would have produced.
"""
import datetime as dt
import io
from functools import lru_cache

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.forms.services import add_attachment, save_section
from applications.forms.spec import TRADE_SECRETS_FIELD, Field, Grid, Table, UploadSlot, form_for
from applications.models import ApplicationSection
from publicity.notices.services import internal_rule, save_internal_publicity

PARAGRAPH = ("公司坚持以顾客为关注焦点，建立覆盖研发、采购、制造、交付和服务全过程的质量管理体系，"
             "以卓越绩效模式为框架，持续开展过程改进和创新，质量损失率逐年下降，顾客满意度稳步提升。")
VALID_CREDIT_CODE = "91410100MA9FUX2Q6J"
VALID_ID_NUMBER = "11010519491231002X"

#: the applicant a form is filled for when nobody is named (tests, the data generator): plausible, not a placeholder
DEFAULT_CONTEXT = {
    "name": "郑州中原钢构有限公司", "products": "钢结构厂房、桥梁钢构件", "product": "焊接H型钢",
    "industry": "3311", "org_type": "manufacturing", "credit_code": VALID_CREDIT_CODE, "legal_rep": "张建华",
    "contact": "李秀英", "phone": "0371-65566860", "email": "quality@example.com", "address": "郑州市金水区经三路18号",
    "postcode": "450000", "established": "2012-06-30", "standard": "GB/T 33814-2017", "indicator": "焊缝一次探伤合格率",
    "own": "99.6%", "domestic": "99.5%", "international": "99.7%",
}
#: what a short text field holds, by its key (the context's keys, or a fixed plausible value)
TEXT_FIELDS = {
    "org_name": "name", "legal_rep": "legal_rep", "top_manager": "legal_rep", "contact_person": "contact",
    "address": "address", "postcode": "postcode", "main_products": "products", "product": "product",
    "name": "product", "standard": "standard", "indicator": "indicator", "own": "own", "domestic_best": "domestic",
    "international": "international", "unit_name": "name", "unit_address": "address", "unit_postcode": "postcode",
    "unit_contact": "contact", "employer": "name",
}
FIXED_TEXT = {
    "contact_department": "质量管理部", "feature": "全员参与的精益质量管理模式", "political_status": "中共党员",
    "title": "正高级工程师", "education": "研究生", "department": "质量管理部", "position": "首席质量官",
    "unit_type": "企业", "period": "2010年7月至今", "unit": "质量管理部", "role": "部长",
    "organization": "河南省质量协会", "year": "2024", "award": "河南省质量管理先进工作者",
    "issuer": "河南省市场监督管理局",
}
SAFETY_ITEMS = ("千人负伤率（‰）", "0.12", "0.10", "0.08")
ENVIRONMENT_ITEMS = ("万元产值综合能耗（吨标准煤）", "0.21", "0.19", "0.17")


def _text(field, ctx, index=0):
    """A paragraph for a textarea: what the company does, and how, within the field's limit."""
    label = field.label.split("（")[0].lstrip("一二三四五六七八九十、. 0123456789")
    body = (f"{PARAGRAPH}{ctx['name']}主要从事{ctx['products']}，围绕“{label or '质量管理'}”持续改进，"
            f"{ctx['product']}的{ctx['indicator']}达到{ctx['own']}，执行 {ctx['standard']}，"
            "相关数据均有第三方检测报告和内部统计台账可查。")
    if field.key in ("accidents_detail", "violations_detail"):
        return ""
    if field.key == "certifications":
        body = "GB/T 19001 质量管理体系、GB/T 24001 环境管理体系、GB/T 45001 职业健康安全管理体系认证，均在有效期内。"
    limit = field.max_chars or 2000
    return body[: max(1, min(limit, 2000) - 10)]


#: 申报条件 and the severity questions: an ordinary applicant that meets the document's conditions
STATED = {"in_territory": "yes", "org_nature": "enterprise", "is_branch": "no", "specialized_level": "none",
          "accidents_severity": "", "violations_severity": "", "self_assessment_good_years": "5",
          "inspection_good_years": "5", "excellence_since": "2015-01-01", "qms_since": "2012-06-30",
          "route": "local"}  # 全国质量标杆: through the local 工信部门 (the demo's filings to other units stay empty)


def _value(field, index=0, ctx=None):
    ctx = ctx or DEFAULT_CONTEXT
    if field.key in ctx.get("stated", {}):  # what one applicant states otherwise (its route, its filings)
        return ctx["stated"][field.key]
    if field.key in STATED:
        return STATED[field.key]
    if field.key == TRADE_SECRETS_FIELD or field.key.startswith("filed_"):
        return ""  # the demo's applicants declare no 商业秘密 and go through their local recommender
    if field.type in ("textarea", "richtext"):
        return _text(field, ctx, index)
    if field.type in ("integer", "decimal"):
        if field.max_value is not None:
            return str(min(95, int(field.max_value)))
        return str(120 + index)
    if field.type == "choice":
        keys = [c for c, _ in field.choices]
        if field.key == "org_type" and ctx.get("org_type") in keys:
            return ctx["org_type"]
        if field.key == "gender" and ctx.get("gender") in keys:
            return ctx["gender"]
        return keys[min(1, len(keys) - 1)]
    if field.type == "yesno":
        return "no"
    if field.type == "email":
        return ctx["email"]
    if field.type == "phone":
        return ctx["phone"]
    if field.type == "date":
        # an establishment date long enough before any campaign's deadline to meet the years operating
        return ctx["established"] if field.key == "established_on" else f"{timezone.localdate().year - 1}-06-30"
    if field.type == "credit_code":
        return ctx["credit_code"]
    if field.type == "id_number":
        return ctx.get("id_number") or VALID_ID_NUMBER
    if field.type == "industry":
        return ctx["industry"]
    if field.key in TEXT_FIELDS:
        value = ctx[TEXT_FIELDS[field.key]]
    elif field.key == "item":
        value = SAFETY_ITEMS[0]
    elif field.key.startswith("y") and field.key[1:].isdigit():
        value = SAFETY_ITEMS[1 + index % 3]
    else:
        value = FIXED_TEXT.get(field.key, ctx["product"])
    limit = field.max_chars or 40
    return value[:limit]


def section_data(section, ctx=None):
    data = {}
    for item in section.items:
        if isinstance(item, Field):
            data[item.key] = _value(item, ctx=ctx)
        elif isinstance(item, Table):
            rows = max(1, item.min_rows)
            data[item.key] = [{c.key: _value(c, i, ctx) for c in item.columns} for i in range(rows)]
            if item.key == "environment":
                for row in data[item.key]:
                    row.update({c.key: v for c, v in zip(item.columns, ENVIRONMENT_ITEMS, strict=False)})
        elif isinstance(item, Grid):
            data[item.key] = {
                key: {**{y: str(min(90, 10 + n)) if hi is not None else str(1000 + n) for y in item.years},
                      **{c: "前十" for c, _ in item.extra_columns}}
                for n, (key, _label, _unit, _lo, hi) in enumerate(item.rows)
            }
    ctx = ctx or DEFAULT_CONTEXT
    if "id_number" in data and "name" in data:  # an individual's own name
        data["name"] = ctx["contact"]
    elif section.code == "summary" and "name" in data:  # 质量标杆名称: （企业）+（典型方法技术）+（经验）
        data["name"] = f"{ctx['name']}实施全员精益质量管理的经验"[:40]
    total = section.total_max_chars
    if total:  # keep the section inside its total limit
        texts = [i for i in section.items if isinstance(i, Field) and i.type in ("textarea", "richtext")]
        share = max(20, total // max(1, len(texts)) - 20)
        for f in texts:
            data[f.key] = data[f.key][:share]
    return data


@lru_cache(maxsize=8)
def pdf_bytes(pages=2):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@lru_cache(maxsize=8)
def jpeg_bytes(width=800, height=600, color=(40, 90, 160)):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=85)
    return out.getvalue()


def fill_application(*, application, actor, files=True, ctx=None):
    """Fill every section of the application's form and upload the required files; ``ctx`` (see
    ``DEFAULT_CONTEXT``) says whose form it is."""
    if files:  # the internal publicity the program may require before submission, with its photo; first, so
        # that a refusal (a year whose holidays are not entered yet) comes before any file is stored
        record_sample_internal_publicity(application=application, actor=actor)
    spec = form_for(application)
    for section in spec.sections:
        if any(not isinstance(i, UploadSlot) for i in section.items):
            data = section_data(section, ctx)
            if section.code == "basic" and "org_name" in data and ctx is None:
                data["org_name"] = application.applicant_name[:60]
            current = ApplicationSection.objects.filter(application=application, code=section.code).first()
            result = save_section(application=application, code=section.code, data=data,
                                  base_version=current.version if current else 0, actor=actor)
            assert not result.errors, result.errors
        if not files:
            continue
        stated = data if any(not isinstance(i, UploadSlot) for i in section.items) else {}
        for slot in (i for i in section.items if isinstance(i, UploadSlot)):
            if slot.required_when and stated.get(slot.required_when[0]) not in slot.required_when[1]:
                continue  # e.g. a certificate asked for only when the status is declared
            for n in range(slot.min_files or (1 if slot.titled else 0)):
                if "pdf" in slot.kinds and slot.titled:
                    upload = SimpleUploadedFile(f"证明材料{n + 1}.pdf", pdf_bytes(2), "application/pdf")
                elif "jpeg" in slot.kinds:
                    side = max(800, (slot.min_image_side or 0) + 10)
                    upload = SimpleUploadedFile(f"照片{n + 1}.jpg", jpeg_bytes(side, side), "image/jpeg")
                else:
                    upload = SimpleUploadedFile(f"材料{n + 1}.pdf", pdf_bytes(1), "application/pdf")
                add_attachment(application=application, slot_key=slot.key, uploaded=upload,
                               title=f"{slot.label}{n + 1}" if slot.titled else "", actor=actor)
    return application


def record_sample_internal_publicity(*, application, actor):
    """A finished internal publicity with a photo of the posted notice (sample and demo data only)."""
    if internal_rule(application) is None:
        return None
    today = timezone.localdate()
    return save_internal_publicity(
        application=application, actor=actor, starts_on=today - dt.timedelta(days=21),
        ends_on=today - dt.timedelta(days=1), place="本单位办公楼一楼公告栏及内部办公系统",
        evidence=SimpleUploadedFile("内部公示照片.jpg", jpeg_bytes(), content_type="image/jpeg"))


def _uploads_for(slot):
    """[(file name, bytes)] a complete application puts into ``slot`` (as ``fill_application`` uploads them)."""
    files = []
    for n in range(slot.min_files or (1 if slot.titled else 0)):
        if "pdf" in slot.kinds and slot.titled:
            files.append((f"证明材料{n + 1}.pdf", pdf_bytes(2)))
        elif "jpeg" in slot.kinds:
            side = max(800, (slot.min_image_side or 0) + 10)
            files.append((f"照片{n + 1}.jpg", jpeg_bytes(side, side)))
        else:
            files.append((f"材料{n + 1}.pdf", pdf_bytes(1)))
    return files


@lru_cache(maxsize=64)
def _inspected(name, data, kinds, min_side):
    from applications.forms.uploads import inspect_upload

    content_type = "application/pdf" if name.endswith(".pdf") else "image/jpeg"
    return inspect_upload(uploaded=SimpleUploadedFile(name, data, content_type), field_label=name, allowed=kinds,
                          min_image_side=min_side)


def fill_in_bulk(*, application, actor, ctx=None, publicity=True):
    """What ``fill_application`` produces, written in a few statements for the demo: every section valid by the
    form's own rules (``clean_section``; a section that does not validate is an error here, never stored), the
    required uploads checked by content once per kind of file and stored one file each, one audit event for the
    whole fill. The internal publicity goes through its service (it counts working days)."""
    from django.core.files.base import ContentFile
    from django.db import transaction

    from applications.forms.spec import clean_section
    from applications.models import Attachment
    from qualityaward.accounts.services import record_event

    if publicity:
        record_sample_internal_publicity(application=application, actor=actor)
    spec = form_for(application)
    rows, attachments = [], []
    for section in spec.sections:
        if any(not isinstance(i, UploadSlot) for i in section.items):
            clean, errors = clean_section(section, section_data(section, ctx))
            if errors:
                raise ValueError(f"demo content of section {section.code} does not validate: {errors}")
            rows.append(ApplicationSection(application=application, code=section.code, data=clean, version=1,
                                           updated_by=actor.user))
        for slot in (i for i in section.items if isinstance(i, UploadSlot)):
            for order, (name, data) in enumerate(_uploads_for(slot), start=1):
                inspected = _inspected(name, data, tuple(slot.kinds), slot.min_image_side)
                attachment = Attachment(
                    application=application, slot=slot.key, title=f"{slot.label}{order}" if slot.titled else "",
                    order=order, original_name=inspected.safe_name, content_type=inspected.content_type,
                    size=inspected.size, pages=inspected.pages, sha256=inspected.sha256, uploaded_by=actor.user)
                attachment.file.save(inspected.safe_name, ContentFile(inspected.data), save=False)
                attachments.append(attachment)
    with transaction.atomic():
        # the basic section may already hold what registration prefilled: the demo's content replaces it
        ApplicationSection.objects.filter(application=application, code__in=[r.code for r in rows]).delete()
        ApplicationSection.objects.bulk_create(rows)
        Attachment.objects.bulk_create(attachments)
        record_event(actor=actor, action="form:save", target=application,
                     data={"sections": [r.code for r in rows], "uploads": len(attachments)})
    return application
