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


#: 申报条件 and the severity questions: an ordinary applicant that meets the document's conditions
STATED = {"in_territory": "yes", "org_nature": "enterprise", "is_branch": "no", "specialized_level": "none",
          "accidents_severity": "", "violations_severity": "", "self_assessment_good_years": "5",
          "inspection_good_years": "5", "excellence_since": "2015-01-01", "qms_since": "2012-06-30"}


def _value(field, index=0):
    if field.key in STATED:
        return STATED[field.key]
    if field.key == TRADE_SECRETS_FIELD:
        return ""  # the demo's applicants declare no 商业秘密
    if field.type == "textarea":
        limit = field.max_chars or 2000
        text = PARAGRAPH * 3
        return text[: max(1, min(limit, 2000) - 10)] if limit < len(text) else text
    if field.type in ("integer", "decimal"):
        if field.max_value is not None:
            return str(min(95, int(field.max_value)))
        return str(120 + index)
    if field.type == "choice":
        return field.choices[min(1, len(field.choices) - 1)][0]
    if field.type == "yesno":
        return "no"
    if field.type == "email":
        return "quality@example.com"
    if field.type == "phone":
        return "0371-65566860"
    if field.type == "date":
        # an establishment date long enough before any campaign's deadline to meet the years operating
        return "2012-06-30" if field.key == "established_on" else f"{timezone.localdate().year - 1}-06-30"
    if field.type == "credit_code":
        return VALID_CREDIT_CODE
    if field.type == "id_number":
        return VALID_ID_NUMBER
    if field.type == "industry":
        return "3311"
    if field.key in ("postcode", "unit_postcode"):
        return "450000"
    limit = field.max_chars or 40
    return ("示例内容" + str(index))[:limit]


def section_data(section):
    data = {}
    for item in section.items:
        if isinstance(item, Field):
            data[item.key] = _value(item)
        elif isinstance(item, Table):
            rows = max(1, item.min_rows)
            data[item.key] = [{c.key: _value(c, i) for c in item.columns} for i in range(rows)]
        elif isinstance(item, Grid):
            data[item.key] = {
                key: {**{y: str(min(90, 10 + n)) if hi is not None else str(1000 + n) for y in item.years},
                      **{c: "前十" for c, _ in item.extra_columns}}
                for n, (key, _label, _unit, _lo, hi) in enumerate(item.rows)
            }
    total = section.total_max_chars
    if total:  # keep the section inside its total limit
        texts = [i for i in section.items if isinstance(i, Field) and i.type == "textarea"]
        share = max(20, total // max(1, len(texts)) - 20)
        for f in texts:
            data[f.key] = data[f.key][:share]
    return data


def fill_application(*, application, actor, files=True):
    """Fill every section of the application's form and upload the required files."""
    if files:  # the internal publicity the program may require before submission, with its photo; first, so
        # that a refusal (a year whose holidays are not entered yet) comes before any file is stored
        record_sample_internal_publicity(application=application, actor=actor)
    spec = form_for(application)
    for section in spec.sections:
        if any(not isinstance(i, UploadSlot) for i in section.items):
            data = section_data(section)
            if section.code == "basic" and "org_name" in data:
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
