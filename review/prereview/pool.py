"""The list recommenders select their candidates from (``RuleProfile.candidate_pool_rule``; 全国质量标杆 通知三:
各地工信部门“在历年河南省质量标杆（含2020年向省工业和信息化厅推荐的质量标杆）中筛选和推荐上报”).

The program's secretariat keeps it: entry by entry on its page, or by importing an Excel (.xlsx) or CSV file.
An import checks every row and imports nothing when any row is wrong (every problem is reported with its row);
rows match existing entries by 统一社会信用代码 + 年度, so importing the same file again changes nothing.
The recommendation checks the applicant against it as strictly as the document: ``required`` refuses, ``principle``
asks for a written reason (like the quota's). An application through an other unit (附件3) is not checked: the
document addresses the list to the local departments only.
"""
import csv
import io
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications import recommenders, workflow
from qualityaward.accounts.identifiers import credit_code_problem, normalize_credit_code
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role
from qualityaward.accounts.services import record_event

from .models import CandidatePoolEntry

COLUMNS = ["单位名称", "统一社会信用代码", "认定（推荐）年度", "项目（质量标杆名称）", "类别"]
STATUS_BY_LABEL = {label: key for key, label in CandidatePoolEntry.Status.choices}
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
POOL_REASON_MAX_CHARS = 500
FIRST_YEAR = 1990


def may_keep(user, program):
    return bool(user and user.is_authenticated and has_role(user, Role.SECRETARIAT, program_id=program.pk))


def require_keeper(actor, program):
    if not may_keep(actor.user, program):
        raise PermissionDenied("推荐对象名单由本奖项秘书处维护，您没有权限执行此操作。")


def entries(program, q=""):
    qs = CandidatePoolEntry.objects.filter(program=program)
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q.upper()) | Q(title__icontains=q))
    return qs


# --- one entry -------------------------------------------------------------------------------------------------
def _clean(values):
    """(cleaned values, problems) for one entry: every problem in Chinese, saying what to write."""
    problems = []
    name = str(values.get("name") or "").strip()
    if not name:
        problems.append("单位名称必填")
    elif len(name) > 120:
        problems.append("单位名称超过 120 个字")
    raw_code = str(values.get("credit_code") or "").strip()
    code = normalize_credit_code(raw_code) if raw_code else ""
    if not code:
        problems.append("统一社会信用代码必填")
    elif credit_code_problem(code):
        problems.append(credit_code_problem(code)[0])
    year_text = unicodedata.normalize("NFKC", str(values.get("year") or "")).strip().removesuffix("年")
    year = int(year_text) if year_text.isdigit() else None
    this_year = timezone.localdate().year
    if year is None:
        problems.append(f"年度“{year_text}”应为四位数字（如 {this_year - 1}）" if year_text else "年度必填")
    elif not FIRST_YEAR <= year <= this_year:
        problems.append(f"年度 {year} 应在 {FIRST_YEAR}—{this_year} 之间")
    title = str(values.get("title") or "").strip()
    if not title:
        problems.append("项目（质量标杆名称）必填")
    elif len(title) > 200:
        problems.append("项目（质量标杆名称）超过 200 个字")
    status = str(values.get("status") or "").strip()
    if status in STATUS_BY_LABEL:
        status = STATUS_BY_LABEL[status]
    elif not status:
        status = CandidatePoolEntry.Status.RECOGNISED
    elif status not in CandidatePoolEntry.Status.values:
        problems.append(f"类别“{status}”应为：{'、'.join(STATUS_BY_LABEL)}（留空为已认定）")
    return {"name": name, "credit_code": code, "year": year, "title": title, "status": status}, problems


def save_entry(*, actor, program, values, entry=None):
    """Add or change one entry; a ValidationError (Chinese) leaves everything as it was."""
    require_keeper(actor, program)
    cleaned, problems = _clean(values)
    if problems:
        raise ValidationError("；".join(problems) + "。")
    clash = CandidatePoolEntry.objects.filter(program=program, credit_code=cleaned["credit_code"],
                                              year=cleaned["year"]).exclude(pk=entry.pk if entry else None).first()
    if clash is not None:
        raise ValidationError(f"名单中已有 {clash.year} 年度的{clash.name}（{clash.credit_code}），请修改那一条。")
    with transaction.atomic():
        entry = entry or CandidatePoolEntry(program=program)
        for key, value in cleaned.items():
            setattr(entry, key, value)
        entry.save()
        record_event(actor=actor, action="pool:save", target=entry,
                     data={"program": program.code, "credit_code": entry.credit_code, "year": entry.year})
    return entry


def delete_entry(*, actor, program, entry):
    require_keeper(actor, program)
    with transaction.atomic():
        record_event(actor=actor, action="pool:delete", target=entry,
                     data={"program": program.code, "credit_code": entry.credit_code, "year": entry.year})
        entry.delete()


# --- import ----------------------------------------------------------------------------------------------------
@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _csv_rows(data, errors):
    if b"\x00" in data[:4096]:
        errors.append("上传的文件不是文本格式的 CSV 表格。请上传 Excel（.xlsx）或 CSV（逗号分隔）文件。")
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        errors.append("CSV 文件的文字编码无法识别。请在 Excel 或 WPS 中“另存为 CSV UTF-8”后再导入。")
        return None
    reader = csv.reader(io.StringIO(text))
    header = [unicodedata.normalize("NFKC", (c or "").strip()) for c in next(reader, [])]
    if header[: len(COLUMNS)] != [unicodedata.normalize("NFKC", c) for c in COLUMNS]:
        errors.append(f"表头与模板不一致，应为：{'、'.join(COLUMNS)}。请按模板填写。")
        return None
    out = []
    for n, row in enumerate(reader, start=2):
        values = [(c or "").strip() for c in row[: len(COLUMNS)]]
        values += [""] * (len(COLUMNS) - len(values))
        if any(values):
            out.append((n, values))
    return out


def _rows(uploaded, errors):
    from applications.forms.uploads import _read_limited

    from ..panels.services import ImportRefused, _read_workbook, _sheet_rows

    head = uploaded.read(4)
    uploaded.seek(0)
    if head == b"PK\x03\x04":
        wb = _read_workbook(uploaded)
        title = wb.sheetnames[0] if wb.sheetnames else ""
        return _sheet_rows(wb, title, COLUMNS, errors)
    if not (getattr(uploaded, "name", "") or "").lower().endswith(".csv"):
        raise ImportRefused(["上传的文件既不是 Excel 表格（.xlsx），也不是 CSV 文件。请按模板填写后另存为 .xlsx 或 .csv 再导入。"])
    data = _read_limited(uploaded, MAX_IMPORT_BYTES)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused([f"文件超过 {MAX_IMPORT_BYTES // 1024 // 1024} MB，请分批导入。"])
    return _csv_rows(data, errors)


def import_pool(*, actor, program, uploaded):
    """Import an Excel (.xlsx, first sheet) or CSV file with the columns of ``COLUMNS``: all or nothing."""
    from ..panels.services import ImportRefused

    require_keeper(actor, program)
    if uploaded is None:
        raise ImportRefused(["请选择要导入的 Excel（.xlsx）或 CSV 文件。"])
    errors = []
    rows = _rows(uploaded, errors)
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused(["文件中没有数据行。请在表头下逐行填写后再导入。"])
    if len(rows) > MAX_IMPORT_ROWS:
        raise ImportRefused([f"超过 {MAX_IMPORT_ROWS} 行，请分批导入。"])
    planned, seen = [], {}
    for n, v in rows:
        cleaned, problems = _clean(dict(zip(("name", "credit_code", "year", "title", "status"), v)))
        key = (cleaned["credit_code"], cleaned["year"])
        if not problems and key in seen:
            problems.append(f"与第 {seen[key]} 行的单位和年度重复")
        if problems:
            errors.append(f"第 {n} 行：" + "；".join(problems) + "。")
            continue
        seen[key] = n
        planned.append(cleaned)
    if errors:
        raise ImportRefused(errors)
    existing = {(e.credit_code, e.year): e for e in CandidatePoolEntry.objects.filter(program=program)}
    result = ImportResult()
    try:
        with transaction.atomic():
            for cleaned in planned:
                entry = existing.get((cleaned["credit_code"], cleaned["year"]))
                if entry is None:
                    CandidatePoolEntry.objects.create(program=program, **cleaned)
                    result.created += 1
                elif any(getattr(entry, k) != v for k, v in cleaned.items()):
                    for k, v in cleaned.items():
                        setattr(entry, k, v)
                    entry.save()
                    result.updated += 1
                else:
                    result.unchanged += 1
            record_event(actor=actor, action="pool:import", data={
                "program": program.code, "created": result.created, "updated": result.updated,
                "unchanged": result.unchanged})
    except IntegrityError:
        raise ImportRefused(["导入未完成：数据与现有记录冲突（可能有人同时修改了名单），请重新导入。"])
    return result


def template_csv():
    """The import template: the header and one example row (UTF-8 with BOM, so Excel opens it in Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(["河南某某装备股份有限公司", "91410100MA44TRAN0B", str(timezone.localdate().year - 1),
                     "河南某某装备股份有限公司实施六西格玛设计的经验", "已认定"])
    return "\ufeff" + out.getvalue()


# --- the check on the recommendation ---------------------------------------------------------------------------
def applies(application):
    """Whether the program's list applies to this application (organizations through the local recommender)."""
    profile = application.campaign.program.profile
    return bool(profile.candidate_pool_rule) and application.organization_id is not None and \
        recommenders.other_unit_of(application) is None


def matching_entries(application):
    code = application.organization.credit_code if application.organization_id else ""
    return list(CandidatePoolEntry.objects.filter(program_id=application.campaign.program_id, credit_code=code)
                .order_by("-year"))


def pool_label(profile):
    return profile.candidate_pool_label or "推荐对象名单"


def guard_candidate_pool(app, actor, params):
    """通知三: the local department selects from 历年河南省质量标杆 — refused (``required``) or with a written reason
    (``principle``) when the applicant is not on the secretariat's list."""
    if not applies(app) or matching_entries(app):
        return
    profile = app.campaign.program.profile
    label = pool_label(profile)
    if profile.candidate_pool_rule == "required":
        raise workflow.GuardFailed(
            f"{app.applicant_name}（{app.organization.credit_code}）不在{label}名单中，按文件规定不能推荐。"
            "如该单位确已入选，请联系秘书处将其补录到名单后再推荐。")
    if not str(params.get("pool_reason") or "").strip():
        raise workflow.GuardFailed(
            f"{app.applicant_name}不在{label}名单中。文件规定原则上从该名单中推荐，如确需推荐，请填写书面理由后再推荐。")


def pool_status(application):
    """(ok, message) for the workspace and the application page; None where the list does not apply."""
    if not application.campaign.program.profile.candidate_pool_rule or application.organization_id is None:
        return None
    label = pool_label(application.campaign.program.profile)
    unit = recommenders.other_unit_of(application)
    if unit is not None:
        return True, f"通过其他推荐单位（{unit.name}）申报，文件未要求出自{label}名单。"
    found = matching_entries(application)
    if found:
        return True, "在名单中：" + "；".join(f"{e.year}年度 {e.title}（{e.get_status_display()}）" for e in found)
    if application.campaign.program.profile.candidate_pool_rule == "required":
        return False, f"不在{label}名单中，按文件规定不能推荐；如确已入选，请联系秘书处补录。"
    return False, f"不在{label}名单中；原则上从该名单中推荐，推荐时须写明理由。"
