"""The expert pool, witnessed random panel draws, replacements after a recusal, and the pledge each
seated expert signs before seeing an application. Services take keyword arguments and an ``Actor``;
every write is audited. Models: ``review.expert_models``.

The draw: the candidate pool is every active expert whose specialties cover the application's
industry (门类; a 大类 match is preferred), sorted by expert id. Conflicts are excluded, each with its
reason (same employer or employer credit code as the applicant, a declared relationship, the
applicant's own account, a recusal, the campaign's maximum load, optionally the same city).
``random.Random(seed)`` then shuffles the 大类 matches and the 门类 matches separately; the panel is
the first ``size`` of (大类 matches, 门类 matches), the reserves the next ones, the leader the first
drawn. The same seed over the same pool always gives the same panel; the record keeps both.
"""
import io
import random
import re
import secrets
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from applications import dashboard_cache
from applications import rules as access
from applications.classifications import industry_lookup
from applications.documents.xlsx import Sheet
from applications.models import Application, ApplicationSection, Campaign, State
from qualityaward.accounts.identifiers import credit_code_problem, normalize_credit_code
from qualityaward.accounts.models import Region, Role, RoleAssignment, User
from qualityaward.accounts.selectors import has_role
from qualityaward.accounts.services import grant_role, record_event

from .models import ExpertProfile, ExpertRelationship, Panel, PanelDraw, PanelMember, Pledge, Recusal
from .models import PLEDGE_TEXT
from .rules import DISSOLVED, campaign_decided, undecided_q

SEATED = (PanelMember.Role.LEADER, PanelMember.Role.MEMBER)
#: Application states in which the secretariat may seat a panel.
DRAWABLE_STATES = (State.ACCEPTED, State.ACCEPTANCE_PUBLICITY, State.MATERIAL_REVIEW, State.ONSITE_REVIEW)
DEFAULT_RESERVES = 2
MAX_RESERVES = 10


# =============================================================================================
# Who may do what
# =============================================================================================
def can_manage_pool(user):
    """The expert pool is kept by the secretariat (of any program) and the administrators."""
    return bool(user and user.is_authenticated and user.is_active
                and (has_role(user, Role.SECRETARIAT) or has_role(user, Role.ADMIN)))


def can_draw(user, campaign):
    return bool(user and user.is_authenticated and user.is_active
                and has_role(user, Role.SECRETARIAT, program_id=campaign.program_id))


def can_watch(user, campaign):
    """The program's secretariat, and the supervisors (read-only), see the campaign's draws."""
    return can_draw(user, campaign) or bool(
        user and user.is_authenticated and user.is_active
        and has_role(user, Role.SUPERVISOR, program_id=campaign.program_id))


def watched_campaigns(user):
    if not (user and user.is_authenticated and user.is_active):
        return Campaign.objects.none()
    from qualityaward.accounts.selectors import role_assignments

    scopes = [a.program_id for a in role_assignments(user) if a.role in (Role.SECRETARIAT, Role.SUPERVISOR)]
    if not scopes:
        return Campaign.objects.none()
    qs = Campaign.objects.select_related("program__profile").order_by("-is_current", "program__code", "-year")
    return qs if None in scopes else qs.filter(program_id__in=scopes)


# =============================================================================================
# Specialties (GB/T 4754-2017 门类 / 大类)
# =============================================================================================
_SPLIT = re.compile(r"[\s,，、;；/|]+")


def parse_specialties(value):
    """("C、36" or a list) -> (["C", "36"], [problems]). Only 门类 letters and 大类 codes are accepted."""
    if isinstance(value, (list, tuple)):
        tokens = [str(v) for v in value]
    else:
        tokens = _SPLIT.split(unicodedata.normalize("NFKC", str(value or "")).strip())
    codes, problems = [], []
    for token in tokens:
        token = token.strip().upper()
        if not token:
            continue
        item = industry_lookup(token)
        if item is None:
            problems.append(f"“{token}”不是《国民经济行业分类》（GB/T 4754-2017）的代码")
        elif item.level not in ("门类", "大类"):
            problems.append(f"“{token}”是{item.level}代码，请填写门类字母（如 C）或大类代码（如 36）")
        elif item.code not in codes:
            codes.append(item.code)
    if not codes and not problems:
        problems.append("请至少填写一个专业领域（门类字母或大类代码，如 C、36）")
    return codes, problems


def section_of(code):
    item = industry_lookup(code)
    return item.section_code if item else ""


def specialty_match(specialties, section, majors):
    """"major" when a 大类 of the expert is one of ``majors``, "section" when only the 门类 matches."""
    if any(code in majors for code in specialties):
        return "major"
    if any(code == section or section_of(code) == section for code in specialties):
        return "section"
    return ""


# =============================================================================================
# The pool: create, edit, deactivate
# =============================================================================================
def _clean_text(value, limit):
    return unicodedata.normalize("NFKC", str(value or "")).strip()[:limit]


def _same_name(a, b):
    def norm(s):
        return re.sub(r"[\s（）()]", "", unicodedata.normalize("NFKC", s or ""))

    return bool(a and b and norm(a) == norm(b))


def save_expert(*, actor, values, profile=None, username=""):
    """Create or update an expert. ``values``: name, phone, email, region, employer,
    employer_credit_code, title, specialties (codes), is_active, note. A new expert gets an account
    (``username`` or the phone number) with the expert role and no usable password until reset."""
    if not can_manage_pool(actor.user):
        raise PermissionDenied("专家库由秘书处维护，您没有权限执行此操作。")
    with transaction.atomic():
        created = profile is None
        if created:
            chosen = (username or "").strip()
            if chosen:  # the secretariat named an existing (or new) account on purpose
                user = User.objects.filter(username=chosen).first()
                username = chosen
            else:  # never adopt someone else's account because its name happens to be the phone number
                username = values["phone"]
                if User.objects.filter(username=username).exists():
                    username = f"zj{values['phone']}"
                if User.objects.filter(username=username).exists():
                    raise ValidationError(f"无法为手机号 {values['phone']} 创建专家账号：账号名已被占用，请在“登录账号”中指定。")
                user = None
            if user is None:
                user = User(username=username, email=values.get("email", ""), full_name=values["name"],
                            mobile=values["phone"], employer=values.get("employer", ""))
                user.set_unusable_password()
                user.save()
            elif ExpertProfile.objects.filter(user=user).exists():
                raise ValidationError(f"账号“{username}”已是专家库中的专家，请直接修改该专家的信息。")
            profile = ExpertProfile(user=user)
        for key, value in values.items():
            setattr(profile, key, value)
        profile.full_clean(exclude=["user"])
        profile.save()
        grant_role(user=profile.user, role=Role.EXPERT)
        record_event(actor=actor, action="expert:create" if created else "expert:update", target=profile,
                     data={"phone": profile.phone, "specialties": profile.specialties, "active": profile.is_active})
    return profile


def set_expert_active(*, actor, profile, active, reason=""):
    if not can_manage_pool(actor.user):
        raise PermissionDenied("专家库由秘书处维护，您没有权限执行此操作。")
    with transaction.atomic():
        ExpertProfile.objects.filter(pk=profile.pk).update(is_active=active, updated_at=timezone.now())
        dashboard_cache.changed_in_bulk()
        record_event(actor=actor, action="expert:activate" if active else "expert:deactivate", target=profile,
                     reason=reason)
    profile.refresh_from_db()
    return profile


def experts_filtered(*, q="", specialty="", region=None, active=None):
    qs = ExpertProfile.objects.select_related("region", "user").order_by("pk")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(employer__contains=q) | Q(phone__contains=q) | Q(title__contains=q))
    if region is not None:
        qs = qs.filter(Q(region=region) | Q(region__parent=region))
    if active is not None:
        qs = qs.filter(is_active=active)
    if specialty:
        item = industry_lookup(specialty)
        if item is None:
            return qs.none()
        wanted = {item.code}
        if item.level == "门类":  # a 门类 also finds experts listed by its 大类
            wanted |= {c for c in _majors_of(item.code)}
        ids = [pk for pk, specs in qs.values_list("pk", "specialties")
               if set(specs or []) & wanted or (item.level == "大类" and item.section_code in (specs or []))]
        qs = qs.filter(pk__in=ids)
    return qs


def _majors_of(section):
    from applications.classifications import _industry_tree

    for node in _industry_tree():
        if node["code"] == section:
            return [child["code"] for child in node.get("children", ())]
    return []


# =============================================================================================
# Excel: template, export, import
# =============================================================================================
COLUMNS = ["专家编号", "姓名", "手机号", "电子邮箱", "所在地区", "工作单位", "工作单位统一社会信用代码", "职称",
           "专业领域（门类/大类代码）", "状态", "备注"]
REL_COLUMNS = ["专家手机号", "关联单位名称", "关联单位统一社会信用代码", "关系类型", "说明"]
STATUS_LABELS = {True: "在库", False: "停用"}
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 5000


def export_sheets(profiles):
    profiles = list(profiles.prefetch_related("relationships") if hasattr(profiles, "prefetch_related") else profiles)
    rows = [[p.pk, p.name, p.phone, p.email, p.region.code, p.employer, p.employer_credit_code, p.title,
             "、".join(p.specialties or []), STATUS_LABELS[p.is_active], p.note] for p in profiles]
    kinds = dict(ExpertRelationship.Kind.choices)
    rels = [[p.phone, r.organization_name, r.credit_code, kinds[r.kind], r.note]
            for p in profiles for r in p.relationships.all()]
    return [Sheet("评审专家", COLUMNS, rows), Sheet("关联单位", REL_COLUMNS, rels)]


def template_sheets():
    example = [["", "张三", "13900000000", "zhangsan@example.cn", "410100", "郑州某大学", "", "教授",
                "C、36", "在库", "示例行，导入前请删除"]]
    rel = [["13900000000", "某某汽车零部件有限公司", "", "咨询、辅导或培训服务", "示例行，导入前请删除"]]
    notes = [
        ["专家编号", "新增专家留空；修改已有专家时填写导出表中的编号（也可只按手机号匹配）"],
        ["所在地区", "行政区划代码（如 410100）或名称（如 郑州市）"],
        ["专业领域", "《国民经济行业分类》（GB/T 4754-2017）门类字母或大类代码，多个用“、”分隔，如 C、36"],
        ["状态", "在库 或 停用"],
        ["关系类型", "、".join(label for _k, label in ExpertRelationship.Kind.choices)],
        ["关联单位", "“关联单位”表中出现的专家，其关联单位以本次导入为准（整体替换）"],
    ]
    return [Sheet("评审专家", COLUMNS, example), Sheet("关联单位", REL_COLUMNS, rel), Sheet("填写说明", ["项目", "说明"], notes)]


class ImportRefused(Exception):
    """The file was not imported; ``errors`` lists every problem, by sheet and row."""

    def __init__(self, errors):
        super().__init__("；".join(errors[:3]))
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    relationships: int = 0
    rows: list = field(default_factory=list)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") else text


def _read_workbook(uploaded):
    from openpyxl import load_workbook

    from applications.forms.uploads import _describe_other, _read_limited

    data = _read_limited(uploaded, MAX_IMPORT_BYTES)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused([f"文件超过 {MAX_IMPORT_BYTES // 1024 // 1024} MB，请分批导入。"])
    if not data.startswith(b"PK\x03\x04"):
        described = _describe_other(data)
        what = described[0] if described else "无法识别的文件"
        raise ImportRefused([f"上传的文件是{what}，不是 Excel 表格（.xlsx）。请下载导入模板，在 Excel 或 WPS 中填写后"
                             "“另存为 .xlsx”再导入。"])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportRefused(["文件无法作为 Excel 表格（.xlsx）打开，可能已损坏或是改了扩展名的其他文件。"
                             "请下载导入模板，填写后另存为 .xlsx 再导入。"])
    return wb


def _sheet_rows(wb, title, columns, errors):
    if title not in wb.sheetnames:
        return None
    ws = wb[title]
    rows = ws.iter_rows(values_only=True)
    header = [unicodedata.normalize("NFKC", _cell(v)) for v in next(rows, ())]
    if header[: len(columns)] != [unicodedata.normalize("NFKC", c) for c in columns]:
        errors.append(f"“{title}”表的表头与模板不一致，应为：{'、'.join(columns)}。请使用导入模板。")
        return None
    out = []
    for n, row in enumerate(rows, start=2):
        values = [_cell(v) for v in list(row)[: len(columns)]]
        values += [""] * (len(columns) - len(values))
        if not any(values):
            continue
        if len(out) >= MAX_IMPORT_ROWS:
            errors.append(f"“{title}”表超过 {MAX_IMPORT_ROWS} 行，请分批导入。")
            return None
        out.append((n, values))
    return out


def _region_for(text, regions_by_code, regions_by_name):
    if text in regions_by_code:
        return regions_by_code[text], None
    found = regions_by_name.get(text, [])
    if len(found) == 1:
        return found[0], None
    if len(found) > 1:
        return None, f"地区“{text}”有重名，请填写行政区划代码"
    return None, f"地区“{text}”不存在，请填写行政区划代码（如 410100）或地区名称（如 郑州市）"


PHONE_RE = re.compile(r"1\d{10}")


def import_experts(*, actor, uploaded):
    """Validate every row of both sheets; if anything is wrong nothing changes and every problem is
    reported with its row number. Rows match existing experts by 专家编号, else by 手机号."""
    if not can_manage_pool(actor.user):
        raise PermissionDenied("专家库由秘书处维护，您没有权限执行此操作。")
    from django.core.validators import validate_email

    wb = _read_workbook(uploaded)
    errors = []
    rows = _sheet_rows(wb, "评审专家", COLUMNS, errors)
    if rows is None and not errors:
        errors.append("没有找到“评审专家”表。请下载导入模板，在模板中填写后导入。")
    rel_rows = _sheet_rows(wb, "关联单位", REL_COLUMNS, errors) or []
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused(["“评审专家”表中没有数据行。"])

    regions = list(Region.objects.all())
    by_code = {r.code: r for r in regions}
    by_name = defaultdict(list)
    for r in regions:
        by_name[r.name].append(r)
    existing_by_pk = {p.pk: p for p in ExpertProfile.objects.all()}
    existing_by_phone = {p.phone: p for p in existing_by_pk.values()}
    status_values = {label: active for active, label in STATUS_LABELS.items()}

    planned, seen_phones = [], {}
    for n, v in rows:
        pid, name, phone, email, region_text, employer, code, title, specs, status, note = v
        row_errors = []
        profile = None
        if pid:
            if not pid.isdigit() or int(pid) not in existing_by_pk:
                row_errors.append(f"专家编号“{pid}”不存在（新增专家请留空）")
            else:
                profile = existing_by_pk[int(pid)]
        phone = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", phone))
        if not PHONE_RE.fullmatch(phone):
            row_errors.append(f"手机号“{phone}”应为 11 位数字" if phone else "手机号必填")
        else:
            other = existing_by_phone.get(phone)
            if profile is None:
                profile = other
            elif other is not None and other.pk != profile.pk:
                row_errors.append(f"手机号 {phone} 已属于专家编号 {other.pk}（{other.name}）")
            if phone in seen_phones:
                row_errors.append(f"手机号 {phone} 与第 {seen_phones[phone]} 行重复")
            seen_phones[phone] = n
        if not name:
            row_errors.append("姓名必填")
        elif len(name) > 40:
            row_errors.append("姓名超过 40 个字")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row_errors.append(f"电子邮箱“{email}”格式不正确")
        region = None
        if not region_text:
            row_errors.append("所在地区必填")
        else:
            region, problem = _region_for(region_text, by_code, by_name)
            if problem:
                row_errors.append(problem)
        if not employer:
            row_errors.append("工作单位必填")
        code = normalize_credit_code(code) if code else ""
        if code and credit_code_problem(code):
            row_errors.append("工作单位" + credit_code_problem(code)[0])
        codes, problems = parse_specialties(specs)
        row_errors += [f"专业领域：{p}" for p in problems]
        if status and status not in status_values:
            row_errors.append(f"状态“{status}”应为“在库”或“停用”")
        if row_errors:
            errors.append(f"“评审专家”表第 {n} 行：" + "；".join(row_errors) + "。")
            continue
        planned.append((n, profile, {
            "name": name, "phone": phone, "email": email, "region": region, "employer": employer[:120],
            "employer_credit_code": code, "title": title[:40], "specialties": codes,
            "is_active": status_values.get(status, True), "note": note[:1000]}))

    kinds = {label: key for key, label in ExpertRelationship.Kind.choices}
    rel_plan = defaultdict(list)
    known_phones = set(existing_by_phone) | set(seen_phones)
    for n, v in rel_rows:
        phone, org, code, kind, note = v
        phone = re.sub(r"[\s-]", "", phone)
        row_errors = []
        if phone not in known_phones:
            row_errors.append(f"专家手机号“{phone}”既不在专家库中，也不在“评审专家”表中")
        if not org:
            row_errors.append("关联单位名称必填")
        code = normalize_credit_code(code) if code else ""
        if code and credit_code_problem(code):
            row_errors.append("关联单位" + credit_code_problem(code)[0])
        if kind not in kinds:
            row_errors.append(f"关系类型“{kind}”应为：{'、'.join(kinds)}")
        if row_errors:
            errors.append(f"“关联单位”表第 {n} 行：" + "；".join(row_errors) + "。")
            continue
        rel_plan[phone].append(ExpertRelationship(organization_name=org[:120], credit_code=code, kind=kinds[kind],
                                                  note=note[:200]))
    if errors:
        raise ImportRefused(errors)

    result = ImportResult()
    try:
        with transaction.atomic():
            for n, profile, values in planned:
                try:
                    saved = save_expert(actor=actor, values=values, profile=profile)
                except ValidationError as exc:
                    raise ImportRefused([f"“评审专家”表第 {n} 行：" + "；".join(exc.messages)])
                if profile is None:
                    result.created += 1
                else:
                    result.updated += 1
                result.rows.append(saved.pk)
                existing_by_phone[saved.phone] = saved
            for phone, rels in rel_plan.items():
                profile = existing_by_phone[phone]
                profile.relationships.all().delete()
                for rel in rels:
                    rel.expert = profile
                ExpertRelationship.objects.bulk_create(rels)
                result.relationships += len(rels)
            record_event(actor=actor, action="expert:import", data={
                "created": result.created, "updated": result.updated, "relationships": result.relationships})
    except ValidationError as exc:
        raise ImportRefused(["导入未完成：" + "；".join(exc.messages)])
    except IntegrityError:
        raise ImportRefused(["导入未完成：数据与现有记录冲突（可能有人同时修改了专家库），请重新导入。"])
    return result


# =============================================================================================
# The draw
# =============================================================================================
def industry_of(application):
    """The application's GB/T 4754 小类 code from its basic section ("" when the form has none)."""
    section = ApplicationSection.objects.filter(application=application, code="basic").first()
    code = str(((section.data if section else None) or {}).get("industry") or "").strip()
    return code if industry_lookup(code) else ""


def stages_of(profile):
    return [s for s, on in ((Panel.Stage.MATERIAL, profile.has_material_review),
                            (Panel.Stage.ONSITE, profile.has_onsite_review)) if on]


def _city_of(region):
    if region is None:
        return None
    while region.level in (Region.Level.COUNTY, Region.Level.TOWN) and region.parent_id:
        region = region.parent
    return region.pk


def campaign_loads(campaign, user_ids=None):
    """{user id: number of panels (a group drawn together counts once) the expert sits on in the campaign}."""
    seats = PanelMember.objects.filter(panel__application__campaign=campaign, role__in=SEATED)
    if user_ids is not None:
        seats = seats.filter(expert_id__in=user_ids)
    groups = defaultdict(set)
    for expert_id, panel_id, draw_id, group_id in seats.values_list("expert_id", "panel_id", "draw_id",
                                                                    "draw__group_id"):
        groups[expert_id].add(("draw", group_id or draw_id) if draw_id else ("panel", panel_id))
    return {k: len(v) for k, v in groups.items()}


@dataclass
class Screening:
    """The pool for some applications: every candidate, the exclusions with reasons, the eligible."""

    section: str
    majors: set
    pool: list  # [{"id", "name", "match"}] sorted by id
    exclusions: list  # [{"id", "name", "reasons"}]
    eligible: list  # ExpertProfile, sorted by id
    matches: dict  # profile id -> "major" | "section"


def screen(*, campaign, applications, industry_code, exclude_same_region=False, exclude_users=(),
           exclude_reason="已在该评审组中"):
    item = industry_lookup(industry_code)
    if item is None:
        raise ValidationError("请指定申报所属行业（门类字母或大类代码），才能按专业抽取专家。")
    section = item.section_code
    majors = {item.ancestors[1][0]} if len(item.ancestors) > 1 else ({item.code} if item.level == "大类" else set())
    max_load = campaign.program.profile.expert_max_panels
    profiles = list(ExpertProfile.objects.filter(is_active=True).select_related("region", "user")
                    .prefetch_related("relationships").order_by("pk"))
    matches = {}
    for p in profiles:
        m = specialty_match(p.specialties or [], section, majors)
        if m:
            matches[p.pk] = m
    pool = [p for p in profiles if p.pk in matches]
    loads = campaign_loads(campaign, [p.user_id for p in pool])
    apps = list(applications)
    orgs = {a.pk: a.organization for a in apps}
    recused = set(Recusal.objects.filter(application__in=apps).values_list("application_id", "user_id"))
    individual_employers = {}
    for app_id, data in ApplicationSection.objects.filter(
            application__in=[a for a in apps if not a.organization_id], code="basic").values_list("application_id",
                                                                                                  "data"):
        individual_employers[app_id] = str((data or {}).get("employer") or "")
    members = defaultdict(set)
    for app in apps:
        if app.organization_id:
            members[app.pk] = set(app.organization.members.values_list("pk", flat=True))
    exclusions, eligible = [], []
    for p in pool:
        reasons = []
        if not p.user.is_active:
            reasons.append("登录账号已停用")
        if p.user_id in exclude_users:
            reasons.append(exclude_reason)
        for app in apps:
            org = orgs[app.pk]
            prefix = "" if len(apps) == 1 else f"（{app.applicant_name}）"
            if app.owner_id == p.user_id or p.user_id in members[app.pk]:
                reasons.append(f"{prefix}本人为申报账号或申报组织成员")
            if _same_name(p.employer, app.applicant_name) or (org and _same_name(p.employer, org.name)):
                reasons.append(f"{prefix}工作单位与申报单位相同（{p.employer}）")
            elif _same_name(p.employer, individual_employers.get(app.pk)):
                reasons.append(f"{prefix}工作单位与申报人的工作单位相同（{p.employer}）")
            elif org and p.employer_credit_code and p.employer_credit_code == org.credit_code:
                reasons.append(f"{prefix}工作单位统一社会信用代码与申报单位相同（{p.employer_credit_code}）")
            for rel in p.relationships.all():
                if (_same_name(rel.organization_name, app.applicant_name)
                        or (org and (_same_name(rel.organization_name, org.name)
                                     or (rel.credit_code and rel.credit_code == org.credit_code)))):
                    reasons.append(f"{prefix}申报了与“{rel.organization_name}”的关联关系：{rel.get_kind_display()}")
            if (app.pk, p.user_id) in recused:
                reasons.append(f"{prefix}已回避该申报")
            if exclude_same_region and _city_of(p.region) == _city_of(app.region):
                reasons.append(f"{prefix}与申报单位同在{app.region.name if app.region.level != Region.Level.COUNTY else app.region.parent.name}")
        load = loads.get(p.user_id, 0)
        if load >= max_load:
            reasons.append(f"本届已参加 {load} 个评审组，达到每人上限 {max_load} 个")
        if reasons:
            exclusions.append({"id": p.pk, "name": p.name, "reasons": reasons})
        else:
            eligible.append(p)
    return Screening(section=section, majors=majors,
                     pool=[{"id": p.pk, "name": p.name, "employer": p.employer, "match": matches[p.pk]} for p in pool],
                     exclusions=exclusions, eligible=eligible, matches=matches)


def new_seed():
    return str(secrets.randbelow(10 ** 12))


def clean_seed(seed):
    seed = unicodedata.normalize("NFKC", str(seed or "")).strip()
    if not seed:
        return new_seed()
    if not seed.isdigit() or len(seed) > 18:
        raise ValidationError("随机种子应为不超过 18 位的数字；留空则由系统随机生成。")
    return str(int(seed))


def ordered_draw(screening, seed):
    """The eligible experts in drawn order: 大类 matches shuffled, then 门类 matches shuffled."""
    rng = random.Random(int(seed))
    major = [p for p in screening.eligible if screening.matches[p.pk] == "major"]
    rest = [p for p in screening.eligible if screening.matches[p.pk] != "major"]
    rng.shuffle(major)
    rng.shuffle(rest)
    return major + rest


def _notify_seated(users, campaign, stage_label):
    subject = f"评审任务通知：{campaign.program.name}{campaign.name}{stage_label}"
    body = (f"您已被随机抽取为{campaign.program.name}{campaign.name}{stage_label}评审组专家。"
            "请登录平台“我的评审任务”，先如实申报与申报单位的利害关系并签署承诺书，签署后方可查看申报材料。")
    recipients = [u.email for u in users if u.email]
    for to in recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=True)


def _next_number(campaign):
    return (PanelDraw.objects.filter(campaign=campaign).aggregate(m=Max("number"))["m"] or 0) + 1


def _witness_check(witness_name, witness, campaign):
    witness_name = (witness_name or "").strip()[:40]
    if witness is not None:
        if not has_role(witness, Role.SUPERVISOR, program_id=campaign.program_id):
            raise ValidationError("监督人账号须为本奖项的监督组成员。")
        witness_name = witness_name or witness.display_name
    if not witness_name:
        raise ValidationError("请填写现场监督人姓名：专家抽取须在监督下进行。")
    return witness_name


def draw_panel(*, actor, campaign, applications, stage, size, reserves=DEFAULT_RESERVES, seed="", witness_name="",
               witness=None, industry_code="", exclude_same_region=False):
    """Seat a panel for ``applications`` (one, or several of one industry when the program draws by
    industry) at ``stage``. Refuses, changing nothing, when anything is out of bounds."""
    if not can_draw(actor.user, campaign):
        raise PermissionDenied("专家抽取由本奖项秘书处进行，您没有权限执行此操作。")
    profile = campaign.program.profile
    if stage not in stages_of(profile):
        raise ValidationError(f"{campaign.program.name}不设{dict(Panel.Stage.choices).get(stage, stage)}阶段。")
    apps = list(applications)
    if not apps:
        raise ValidationError("请选择要组建评审组的申报。")
    if len(apps) > 1 and not profile.panel_drawn_by_industry:
        raise ValidationError(f"{campaign.program.name}按申报逐一组建评审组，请一次选择一项申报。")
    low, high = profile.panel_size_min, profile.panel_size_max
    try:
        size, reserves = int(size), int(reserves)
    except (TypeError, ValueError):
        raise ValidationError("评审组人数和备选人数须为整数。")
    if not low or not high:
        raise ValidationError("本奖项的规则未设评审组人数范围，请先在规则设置中填写。")
    if not low <= size <= high:
        raise ValidationError(f"评审组人数应在 {low}—{high} 人之间（{campaign.program.short_name}规则），您填写了 {size} 人。")
    if not 0 <= reserves <= MAX_RESERVES:
        raise ValidationError(f"备选专家人数应在 0—{MAX_RESERVES} 人之间。")
    seed = clean_seed(seed)
    witness_name = _witness_check(witness_name, witness, campaign)
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        locked = list(Application.objects.select_for_update().filter(pk__in=[a.pk for a in apps]).order_by("pk"))
        apps = list(Application.objects.filter(pk__in=[a.pk for a in locked])
                    .select_related("region__parent", "organization").order_by("pk"))
        for app in apps:
            if app.campaign_id != campaign.pk:
                raise ValidationError(f"{app.applicant_name}不属于{campaign}。")
            if app.state not in DRAWABLE_STATES:
                raise ValidationError(f"{app.applicant_name}当前状态为“{app.get_state_display()}”，只有已受理、"
                                      "评审中的申报可以组建评审组。")
            if Panel.objects.filter(application=app, stage=stage).exists():
                raise ValidationError(f"{app.applicant_name}已组建{dict(Panel.Stage.choices)[stage]}评审组；"
                                      "如有专家回避，请在评审组中补充抽取。")
        codes = [industry_of(app) for app in apps]
        chosen = (industry_code or "").strip().upper()
        if not chosen:
            known = {c for c in codes if c}
            if len(apps) == 1 and known:
                chosen = codes[0]
            elif not all(codes):
                raise ValidationError("有申报未填写所属行业，请在“抽取行业”中填写门类字母或大类代码。")
            else:
                sections = {section_of(c) for c in known}
                if len(sections) > 1:
                    raise ValidationError("按行业抽取时，同一评审组的申报须属于同一门类；所选申报分属"
                                          f"{'、'.join(sorted(sections))}门类，请分组抽取。")
                majors = {industry_lookup(c).ancestors[1][0] for c in known}
                chosen = majors.pop() if len(majors) == 1 else sections.pop()
        item = industry_lookup(chosen)
        if item is None or item.level not in ("门类", "大类", "中类", "小类"):
            raise ValidationError(f"“{chosen}”不是《国民经济行业分类》的代码。")
        if item.level in ("中类", "小类"):
            chosen = item.ancestors[1][0]
        screening = screen(campaign=campaign, applications=apps, industry_code=chosen,
                           exclude_same_region=exclude_same_region)
        order = ordered_draw(screening, seed)
        if len(order) < size:
            raise ValidationError(
                f"符合条件的专家只有 {len(order)} 人（候选 {len(screening.pool)} 人，排除 {len(screening.exclusions)} 人），"
                f"不足评审组所需的 {size} 人。请扩充专家库中“{industry_lookup(chosen).label}”方向的专家，"
                "或减少评审组人数后重新抽取。")
        members, reserve_list = order[:size], order[size:size + reserves]
        draw = PanelDraw.objects.create(
            campaign=campaign, stage=stage, kind=PanelDraw.Kind.INITIAL, number=_next_number(campaign),
            industry_codes=[chosen], size=size, reserve_count=reserves, exclude_same_region=exclude_same_region,
            seed=seed, pool=screening.pool, exclusions=screening.exclusions,
            result={"leader": members[0].pk, "members": [p.pk for p in members],
                    "reserves": [p.pk for p in reserve_list]},
            witness_name=witness_name, witness=witness, performed_by=actor.user)
        draw.applications.set(apps)
        seats = []
        for app in apps:
            panel = Panel.objects.create(application=app, stage=stage)
            for i, p in enumerate(members):
                role = PanelMember.Role.LEADER if i == 0 else PanelMember.Role.MEMBER
                seats.append(PanelMember(panel=panel, expert=p.user, role=role, draw=draw))
            seats += [PanelMember(panel=panel, expert=p.user, role=PanelMember.Role.RESERVE, draw=draw)
                      for p in reserve_list]
            record_event(actor=actor, action="panel:draw", target=app,
                         data={"draw": draw.pk, "stage": stage, "members": [p.pk for p in members]})
        PanelMember.objects.bulk_create(seats)
        record_event(actor=actor, action="panel_draw:create", target=draw, data={
            "seed": seed, "pool": len(screening.pool), "excluded": len(screening.exclusions),
            "applications": [a.pk for a in apps], "witness": witness_name})
        users = [p.user for p in members]
        stage_label = dict(Panel.Stage.choices)[stage]
        transaction.on_commit(lambda: _notify_seated(users, campaign, stage_label))
    return draw


def _profile_id(user):
    profile = getattr(user, "expert_profile", None) if user is not None else None
    return profile.pk if profile is not None else None


def root_draw(draw):
    return draw.group if draw and draw.group_id else draw


def draw_replacement(*, actor, panel, vacated, seed="", witness_name="", witness=None):
    """Fill the seat of a recused expert: the panel's first eligible reserve (in drawn order) moves up;
    without one, one expert is drawn at random. Recorded as a new draw."""
    app = panel.application
    campaign = app.campaign
    if not can_draw(actor.user, campaign):
        raise PermissionDenied("专家抽取由本奖项秘书处进行，您没有权限执行此操作。")
    witness_name = _witness_check(witness_name, witness, campaign)
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        seat = (PanelMember.objects.select_for_update(of=("self",)).filter(panel=panel, expert=vacated, role__in=SEATED)
                .select_related("draw__group").first())
        if seat is None:
            raise ValidationError("该专家不在此评审组中（可能已被替换），请刷新页面。")
        recusal = Recusal.objects.filter(application=app, user=vacated).first()
        if recusal is None:
            raise ValidationError("该专家未回避本申报，不能替换。")
        app = Application.objects.select_related("region__parent", "organization").get(pk=app.pk)
        code = industry_of(app)
        original = root_draw(seat.draw)
        if original is not None and original.industry_codes:
            code = original.industry_codes[0]
        current = set(PanelMember.objects.filter(panel=panel).values_list("expert_id", flat=True))
        screening = screen(campaign=campaign, applications=[app], industry_code=code or "",
                           exclude_same_region=bool(original and original.exclude_same_region),
                           exclude_users=current - {vacated.pk}) if code else None
        was_leader = seat.role == PanelMember.Role.LEADER
        seat.delete()
        reserves = list(PanelMember.objects.filter(panel=panel, role=PanelMember.Role.RESERVE)
                        .select_related("expert__expert_profile"))
        order_hint = (original.result.get("reserves", []) if original else [])
        reserves.sort(key=lambda m: (order_hint.index(_profile_id(m.expert))
                                     if _profile_id(m.expert) in order_hint else len(order_hint), m.pk))
        eligible_ids = {p.pk for p in screening.eligible} if screening else set()
        excluded = {e["id"]: e["reasons"] for e in (screening.exclusions if screening else [])}
        chosen, source, skipped = None, "", []
        for reserve in reserves:
            pid = _profile_id(reserve.expert)
            if screening is None or pid in eligible_ids or (pid is not None and excluded.get(pid) == ["已在该评审组中"]):
                # a reserve is already "in the panel"; only its real conflicts count
                if Recusal.objects.filter(application=app, user=reserve.expert).exists():
                    skipped.append({"id": pid, "name": reserve.expert.display_name, "reasons": ["已回避该申报"]})
                    continue
                chosen, source = reserve, "reserve"
                break
            skipped.append({"id": pid, "name": reserve.expert.display_name,
                            "reasons": [r for r in excluded.get(pid, ["不符合抽取条件"]) if r != "已在该评审组中"]})
        used_seed = ""
        if chosen is not None:
            chosen.role = PanelMember.Role.MEMBER
            new_user = chosen.expert
        else:
            if screening is None:
                raise ValidationError("该申报未填写所属行业，且评审组没有可递补的备选专家，无法补充抽取。")
            used_seed = clean_seed(seed)
            order = [p for p in ordered_draw(screening, used_seed)]
            if not order:
                raise ValidationError(
                    f"没有可递补的备选专家，符合条件的其他专家也为 0 人（候选 {len(screening.pool)} 人，"
                    f"排除 {len(screening.exclusions)} 人）。请扩充专家库后重新补充抽取。")
            new_user = order[0].user
            source = "random"
            chosen = PanelMember(panel=panel, expert=new_user, role=PanelMember.Role.MEMBER)
        chosen.save()
        if was_leader:
            first = (PanelMember.objects.filter(panel=panel, role=PanelMember.Role.MEMBER)
                     .order_by("joined_at", "pk").first())
            first.role = PanelMember.Role.LEADER
            first.save(update_fields=["role"])
        leader = PanelMember.objects.filter(panel=panel, role=PanelMember.Role.LEADER).select_related(
            "expert__expert_profile").first()
        draw = PanelDraw.objects.create(
            campaign=campaign, stage=panel.stage, kind=PanelDraw.Kind.REPLACEMENT, number=_next_number(campaign),
            group=original, industry_codes=[code] if code else [], size=1, reserve_count=0,
            exclude_same_region=bool(original and original.exclude_same_region), seed=used_seed,
            pool=(screening.pool if source == "random" else
                  [{"id": _profile_id(m.expert), "name": m.expert.display_name, "match": "reserve"} for m in reserves]),
            exclusions=(screening.exclusions if source == "random" else []) + skipped,
            result={"source": source, "members": [_profile_id(new_user)],
                    "leader": _profile_id(leader.expert) if leader else None, "reserves": []},
            replaced_user=vacated, replacement_reason=recusal.reason, witness_name=witness_name, witness=witness,
            performed_by=actor.user)
        draw.applications.set([app])
        if source == "random":
            chosen.draw = draw
            chosen.save(update_fields=["draw"])
        record_event(actor=actor, action="panel:replace", target=app, data={
            "draw": draw.pk, "vacated": vacated.pk, "new": new_user.pk, "source": source})
        stage_label = dict(Panel.Stage.choices)[panel.stage]
        transaction.on_commit(lambda: _notify_seated([new_user], campaign, stage_label))
    return draw


# =============================================================================================
# Reading draws
# =============================================================================================
def draw_people(draw):
    """The draw's result as profiles: (leader, members, reserves), each an ExpertProfile or None."""
    ids = {*draw.result.get("members", []), *draw.result.get("reserves", []), draw.result.get("leader")}
    profiles = ExpertProfile.objects.select_related("region").in_bulk([i for i in ids if i])
    return (profiles.get(draw.result.get("leader")),
            [profiles.get(i) for i in draw.result.get("members", [])],
            [profiles.get(i) for i in draw.result.get("reserves", [])])


def reproduce(draw):
    """The panel the stored pool and seed give again (ids), for the record's "重现" check."""
    if not draw.seed:
        return None
    eligible_ids = [p["id"] for p in draw.pool if p["id"] not in {e["id"] for e in draw.exclusions}]
    rng = random.Random(int(draw.seed))
    matches = {p["id"]: p["match"] for p in draw.pool}
    major = [i for i in eligible_ids if matches[i] == "major"]
    rest = [i for i in eligible_ids if matches[i] != "major"]
    rng.shuffle(major)
    rng.shuffle(rest)
    order = major + rest
    if draw.kind == PanelDraw.Kind.REPLACEMENT:
        return order[:1]
    return order[: draw.size + draw.reserve_count]


# =============================================================================================
# Pledges
# =============================================================================================
def seat_for(*, user, panel_id):
    """The user's seat (leader/member) on the panel, or None; None too once the campaign is decided and the
    panel dissolved (息县 第九条, ``rules.campaign_decided``)."""
    return (PanelMember.objects.filter(panel_id=panel_id, expert=user, role__in=SEATED)
            .filter(undecided_q("panel__application__campaign_id"))
            .select_related("panel__application__campaign__program", "panel__application__region").first())


def pledge_of(panel, user):
    return Pledge.objects.filter(panel=panel, expert=user).first()


def _notify_secretariat_of_conflict(app_id, user_id, detail):
    from qualityaward.accounts.models import RoleAssignment

    app = Application.objects.select_related("campaign__program").get(pk=app_id)
    expert = User.objects.get(pk=user_id)
    emails = sorted({a.user.email for a in RoleAssignment.objects.filter(
        role=Role.SECRETARIAT, program=app.campaign.program).select_related("user") if a.user.email})
    if emails:
        send_mail(f"专家申报回避：{app.number or ''} {app.applicant_name}",
                  f"评审专家{expert.display_name}申报与{app.applicant_name}存在利害关系：{detail}\n"
                  "该专家已自动回避、无法再查看该申报。请登录平台在评审组中补充抽取替换专家。",
                  settings.DEFAULT_FROM_EMAIL, emails, fail_silently=True)


def accept_pledge(*, panel, actor, conflict, detail=""):
    """The seated expert's declaration for ``panel``: no conflict (access opens) or a conflict (a
    recusal: access never opens, the secretariat is told to draw a replacement)."""
    user = actor.user
    detail = (detail or "").strip()
    if conflict and not detail:
        raise ValidationError("请说明与申报单位存在的利害关系（如：近三年曾为其提供咨询服务）。")
    with transaction.atomic():
        seat = PanelMember.objects.select_for_update().filter(panel=panel, expert=user, role__in=SEATED).first()
        if seat is None:
            raise PermissionDenied("您不是该评审组的专家。")
        existing = pledge_of(panel, user)
        if existing is not None:
            raise ValidationError(f"您已于 {timezone.localtime(existing.accepted_at):%Y-%m-%d %H:%M} 签署该评审组的承诺书。")
        pledge = Pledge.objects.create(panel=panel, expert=user, conflict_declared=bool(conflict),
                                       conflict_detail=detail[:1000] if conflict else "", text=PLEDGE_TEXT,
                                       text_sha256=Pledge.digest(PLEDGE_TEXT), ip=actor.ip)
        app = panel.application
        if conflict:
            Recusal.objects.get_or_create(application=app, user=user,
                                          defaults={"reason": f"专家申报利害关系：{detail}"[:200]})
            record_event(actor=actor, action="pledge:conflict", target=app,
                         data={"panel": panel.pk, "detail": detail[:200]})
            transaction.on_commit(lambda: _notify_secretariat_of_conflict(app.pk, user.pk, detail[:200]))
        else:
            record_event(actor=actor, action="pledge:accept", target=app, data={"panel": panel.pk})
    return pledge


def declare_conflict_later(*, panel, actor, detail):
    """A seated expert who finds a conflict during the review recuses at once (承诺书第五条)."""
    detail = (detail or "").strip()
    if not detail:
        raise ValidationError("请说明与申报单位存在的利害关系。")
    user = actor.user
    with transaction.atomic():
        if not PanelMember.objects.filter(panel=panel, expert=user, role__in=SEATED).exists():
            raise PermissionDenied("您不是该评审组的专家。")
        app = panel.application
        _recusal, created = Recusal.objects.get_or_create(
            application=app, user=user, defaults={"reason": f"专家申报利害关系：{detail}"[:200]})
        if created:
            record_event(actor=actor, action="pledge:conflict", target=app,
                         data={"panel": panel.pk, "detail": detail[:200], "after_pledge": True})
            transaction.on_commit(lambda: _notify_secretariat_of_conflict(app.pk, user.pk, detail[:200]))


# =============================================================================================
# Staff recusals (工作人员回避)
# =============================================================================================
REASON_MAX = 200


def staff_recusal_kind(*, user, application):
    """The capacity in which ``user`` may recuse itself from ``application`` as staff (secretariat or the
    recommending authority of its region), or None: experts recuse through their pledge, and someone already
    recused has nothing left to declare."""
    if not (user and user.is_authenticated and user.is_active) or access.is_recused(user, application):
        return None
    if access.is_program_secretariat(user, application):
        return Recusal.Kind.SECRETARIAT
    if access.is_region_authority(user, application):
        return Recusal.Kind.AUTHORITY
    return None


def secretariat_all_recused(application):
    """Whether every member of the program's secretariat has recused itself from ``application`` (someone
    else must then be given the role to act on it)."""
    members = set(RoleAssignment.objects.filter(role=Role.SECRETARIAT, user__is_active=True).filter(
        Q(program_id=application.campaign.program_id) | Q(program__isnull=True)).values_list("user_id", flat=True))
    recused = set(Recusal.objects.filter(application=application, user_id__in=members).values_list("user_id",
                                                                                                  flat=True))
    return bool(members) and members <= recused


def recuse_staff(*, application, actor, reason):
    """A member of the secretariat or of the recommending authority steps aside from ``application``
    (息县 第十条 “与申报单位（组织）存在利害关系的，应当回避”, 巩义 第十八条 “与申请组织有利害关系的评审员、
    工作人员应当回避”). From then on the person neither sees nor acts on it (the recusal veto in ``rules``,
    ``workflow.perform``), exactly like a recused expert. Audited; never withdrawn in the portal, so nobody can
    quietly step back in. Returns the recusal."""
    user = actor.user
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写回避事由（如：近亲属在申报单位任职、近三年曾为其提供咨询服务）。")
    if len(reason) > REASON_MAX:
        raise ValidationError(f"回避事由最多 {REASON_MAX} 字，当前 {len(reason)} 字，请精简后再提交。")
    with transaction.atomic():
        app = (Application.objects.select_for_update(of=("self",)).select_related("campaign__program__profile",
                                                                                   "region")
               .get(pk=application.pk))
        if user is not None and access.is_recused(user, app):
            raise ValidationError("您已对该申报声明回避，无需重复声明。")
        kind = staff_recusal_kind(user=user, application=app)
        if kind is None:
            raise PermissionDenied("只有本奖项秘书处和本区域推荐单位的工作人员在此声明回避；"
                                   "评审专家请在“我的评审任务”中申报利害关系。")
        recusal = Recusal.objects.create(application=app, user=user, kind=kind, reason=reason)
        record_event(actor=actor, action=f"recusal:{kind}", target=app, reason=reason,
                     data={"recusal": recusal.pk})
    return recusal


def staff_recusals(application):
    """The application's recusals of staff (secretariat, recommending authority), oldest first."""
    return list(Recusal.objects.filter(application=application).exclude(kind=Recusal.Kind.EXPERT)
                .select_related("user").order_by("created_at", "pk"))


# =============================================================================================
# Pages' reads
# =============================================================================================
@dataclass
class SeatRow:
    seat: PanelMember
    application: Application
    industry: str
    pledge: Pledge | None
    recused: bool
    dissolved: bool = False

    @property
    def status(self):
        if self.recused:
            return "已回避"
        if self.dissolved:
            return DISSOLVED + "。"
        if self.pledge is None:
            return "待签署承诺书"
        return "已签署承诺书"


def seats_of(user):
    """The expert's seats (leader/member), newest first, with pledge and recusal."""
    seats = list(PanelMember.objects.filter(expert=user, role__in=SEATED)
                 .select_related("panel__application__campaign__program", "panel__application__region")
                 .order_by("-panel__created_at", "-pk")[:200])
    apps = [s.panel.application for s in seats]
    pledges = {p.panel_id: p for p in Pledge.objects.filter(expert=user, panel__in=[s.panel for s in seats])}
    recused = set(Recusal.objects.filter(user=user, application__in=apps).values_list("application_id", flat=True))
    decided = {c: campaign_decided(c) for c in {a.campaign_id for a in apps}}
    industries = _industries([a.pk for a in apps])
    return [SeatRow(s, s.panel.application, industries.get(s.panel.application_id, ""), pledges.get(s.panel_id),
                    s.panel.application_id in recused, decided[s.panel.application.campaign_id]) for s in seats]


def dissolved_seat(*, user, application_id=None, panel_id=None):
    """Whether ``user`` sat (leader or member, not recused) on a panel of this application (or on this panel)
    whose campaign has been decided, so the panel has dissolved (息县 第九条). Its pages answer 404 as to
    anyone; this tells the 404 page to say why (``DISSOLVED``) instead of nothing."""
    if not (user and user.is_authenticated) or (application_id is None and panel_id is None):
        return False
    seats = PanelMember.objects.filter(expert=user, role__in=SEATED)
    seats = seats.filter(panel_id=panel_id) if panel_id is not None else seats.filter(
        panel__application_id=application_id)
    seat = seats.select_related("panel__application").first()
    if seat is None or Recusal.objects.filter(application_id=seat.panel.application_id, user=user).exists():
        return False
    return campaign_decided(seat.panel.application.campaign_id)


def _industries(app_ids):
    out = {}
    for app_id, data in ApplicationSection.objects.filter(application_id__in=app_ids, code="basic").values_list(
            "application_id", "data"):
        item = industry_lookup(str((data or {}).get("industry") or ""))
        if item:
            out[app_id] = item
    return out


@dataclass
class PanelStatus:
    panel: Panel
    members: list  # [(PanelMember, pledge or None, recused)]
    reserves: list

    @property
    def pledged(self):
        return sum(1 for _m, p, r in self.members if p and not p.conflict_declared and not r)

    @property
    def vacancies(self):
        return [m for m, _p, r in self.members if r]


@dataclass
class CampaignRow:
    application: Application
    industry: object
    panels: dict  # stage -> PanelStatus


def campaign_rows(campaign):
    apps = list(Application.objects.filter(campaign=campaign, state__in=DRAWABLE_STATES + (
        State.FINALIST, State.NOT_FINALIST, State.COMMITTEE, State.PROPOSED, State.CANDIDATE_CONFIRMATION,
        State.GOVERNMENT_DECISION, State.AWARDED, State.NOT_AWARDED))
        .select_related("region").order_by("number", "pk"))
    industries = _industries([a.pk for a in apps])
    panels = list(Panel.objects.filter(application__in=apps).prefetch_related("members__expert"))
    pledges = {(p.panel_id, p.expert_id): p for p in Pledge.objects.filter(panel__in=panels)}
    recused = set(Recusal.objects.filter(application__in=apps).values_list("application_id", "user_id"))
    by_app = defaultdict(dict)
    for panel in panels:
        seated = sorted([m for m in panel.members.all() if m.role in SEATED], key=lambda m: (m.role != "leader", m.pk))
        by_app[panel.application_id][panel.stage] = PanelStatus(
            panel, [(m, pledges.get((panel.pk, m.expert_id)), (panel.application_id, m.expert_id) in recused)
                    for m in seated],
            [m for m in panel.members.all() if m.role == PanelMember.Role.RESERVE])
    return [CampaignRow(a, industries.get(a.pk), by_app.get(a.pk, {})) for a in apps]
