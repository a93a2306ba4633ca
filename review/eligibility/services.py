"""The secretariat's eligibility review (资格审核) and acceptance lists (受理名单).

* **Automatic checks.** Each check is a small pure function ``check(facts) -> CheckResult`` over
  ``Facts``: what the application's form says (2.1 基本情况, 2.4 组织绩效, the uploads) and what the
  program's rule profile requires. Checks are registered in ``CHECKS`` (``register_check``), so another
  app can add one (the bureau side adds "government opinion present"). A check never queries the
  database; ``facts_for`` gathers everything first (``facts.application`` is there for registered
  checks that need their own records).
* **Findings.** A check says pass, fail, not applicable, or *flag* (待研判): only a condition the document
  makes absolute fails (e.g. an accident from the profile's ``accident_fail_severity`` up); a flag is decided
  by the secretariat, 不影响受理 or 不符合申报条件, always with a written reason (``record_flag_decision``: kept
  on the review, audited, shown on the record). The documents' conditions the applicant states in 申报条件
  (territory, 自评良好, 卓越绩效, 质量管理体系, 法定检验, 专精特新) each have a check.
* **The review.** ``start_eligibility_review`` computes the checks and stores them in an
  ``EligibilityReview`` for the submission examined; the secretariat can recompute them, ticks the
  program's exclusion checklist (否决情形) item by item, and decides: accept, reject (reasons the
  applicant sees) or return to the recommending authority. Guards on ``accept`` and ``reject`` refuse
  a decision until every check is computed for the current submission and every exclusion is ticked;
  ``accept`` also refuses while a check failed, a flag is undecided or decided against, or an exclusion is
  ticked "存在".
* **Acceptance lists.** A campaign's accepted applications with public fields only, frozen as data.

Hooks are installed by ``install()`` (called from ``ApplicationsConfig.ready``): the guards, and an
"after transition" hook on the audit event that ``workflow.perform`` writes inside its transaction
(the state machine has no effect hook for other modules): starting the review stores the checks;
accept / reject / return_to_authority record the decision on the review.
"""
import logging
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Callable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from applications import rules as access
from applications.selectors import within_territory
from applications.models import (
    AcceptanceList, AcceptanceListItem, Application, ApplicationSection, Attachment, Campaign, EligibilityReview,
    State, Submission,
)
from qualityaward.accounts.models import AuditEvent, Role
from qualityaward.accounts.selectors import has_role
from qualityaward.accounts.services import record_event

logger = logging.getLogger(__name__)

PASS, FAIL, NA, FLAG = "pass", "fail", "na", "flag"
#: A finding is a pass, a fail (only what the document makes absolute), or a flag: the secretariat decides it,
#: with a written reason, before the application can be accepted (``record_flag_decision``).
STATUS_LABELS = {PASS: "符合", FAIL: "不符合", NA: "不适用", FLAG: "待研判"}
FLAG_CLEAR, FLAG_FAIL = "clear", "fail"
FLAG_ANSWER_LABELS = {FLAG_CLEAR: "不影响受理", FLAG_FAIL: "不符合申报条件"}
ABSENT, PRESENT = "absent", "present"
TICK_LABELS = {ABSENT: "不存在该情形", PRESENT: "存在该情形"}
NOTE_MAX_CHARS = 500

#: The states in which an application has been through the eligibility review and accepted.
ACCEPTED_STATES = [
    State.ACCEPTED, State.ACCEPTANCE_PUBLICITY, State.MATERIAL_REVIEW, State.ONSITE_REVIEW, State.FINALIST,
    State.NOT_FINALIST, State.COMMITTEE, State.PROPOSED, State.CANDIDATE_CONFIRMATION, State.GOVERNMENT_DECISION,
    State.AWARDED, State.NOT_AWARDED,
]
#: What the secretariat's eligibility list shows: waiting, under review, and decided.
LISTED_STATES = [State.RECOMMENDED, State.ELIGIBILITY_REVIEW, State.REJECTED, *ACCEPTED_STATES]


def listed_states(profile):
    """The list's states for one program: where applicants submit to the secretariat (no recommender step,
    息县 第十五、十七条) a submitted application waits for it, instead of a recommended one."""
    from applications.workflow import awaiting_eligibility_states

    return [*awaiting_eligibility_states(profile), State.ELIGIBILITY_REVIEW, State.REJECTED, *ACCEPTED_STATES]


def return_transition(profile):
    """The secretariat's return: to the recommender, or — without one — to the applicant."""
    return "return_to_authority" if profile.has_recommender_step else "return_for_correction"


# =============================================================================================
# Results and facts
# =============================================================================================
@dataclass(frozen=True)
class CheckResult:
    code: str
    label: str
    status: str  # PASS, FAIL or NA
    evidence: str

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    def as_dict(self):
        return {"code": self.code, "label": self.label, "status": self.status, "evidence": self.evidence}

    @classmethod
    def from_dict(cls, data):
        return cls(code=str(data.get("code", "")), label=str(data.get("label", "")),
                   status=str(data.get("status", "")), evidence=str(data.get("evidence", "")))


@dataclass(frozen=True)
class Revocation:
    """An earlier application of the same organization whose award was revoked."""

    number: str
    campaign: str
    revoked_on: date
    # from the award record, when there is one: the ground and the ban recorded with the revocation
    recorded: bool = False
    ground: str = ""
    ban_until: date | None = None


@dataclass(frozen=True)
class Facts:
    """Everything the automatic checks read, gathered once (see ``facts_for``)."""

    kind: str = Application.Kind.ORGANIZATION
    form_code: str = "organization"
    program_name: str = ""
    is_little_giant: bool = False
    deadline: date | None = None  # the campaign's application deadline (local date)
    data_years: tuple = ()  # the campaign's data years, as strings ("2023")
    basic_fields: frozenset = frozenset()  # keys of the fields the form's 2.1 section has
    basic: dict = field(default_factory=dict)
    indicators: dict | None = None  # 2.4 grid; None when the form has no performance grid
    upload_slots: tuple = ()  # the form's UploadSlot items
    files: dict = field(default_factory=dict)  # slot key -> number of files
    pages: dict = field(default_factory=dict)  # slot key -> total pages
    min_years_operating: int | None = None
    min_years_little_giant: int | None = None
    no_loss_years: int | None = None
    ban_years: int | None = None
    required_opinions: tuple = ()  # (code, label, uploaded_by_applicant) that apply to this applicant
    waived_opinions: tuple = ()  # labels of required opinions that do not apply, with the reason
    revocations: tuple = ()  # Revocation
    # what the applicant stated in 申报条件 (the conditions section) and the document's conditions
    conditions_fields: frozenset = frozenset()
    conditions: dict = field(default_factory=dict)
    accident_fail_severity: str = ""
    violation_fail_severity: str = ""
    self_assessment_years: int | None = None
    self_assessment_years_little_giant: int | None = None
    excellence_years: int | None = None
    qms_years: int | None = None
    inspection_years: int | None = None
    territory: str = ""  # the program's area
    region_name: str = ""  # the applicant's region
    region_in_territory: bool | None = None
    application: object = field(default=None, compare=False, repr=False)


# --- small pure helpers ----------------------------------------------------------------------------------
def parse_date(value):
    """A real calendar date from "YYYY-MM-DD", or None."""
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def full_years(start, end):
    """Whole years from ``start`` to ``end`` (an anniversary on ``end`` counts: 5 years exactly is 5)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def add_years(day, years):
    """The anniversary ``years`` after ``day``; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def parse_decimal(value):
    text = str(value if value is not None else "").replace(",", "").replace("，", "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _d(day):
    return f"{day:%Y-%m-%d}"


def _result(code, label):
    return lambda status, evidence: CheckResult(code, label, status, evidence)


# =============================================================================================
# The automatic checks (pure: Facts in, CheckResult out)
# =============================================================================================
def check_years_operating(facts):
    """(a) 正常运行年限: full years from 成立日期 to the application deadline; "小巨人" reduction."""
    r = _result("years_operating", "正常运行年限")
    general, little = facts.min_years_operating, facts.min_years_little_giant
    if facts.kind != Application.Kind.ORGANIZATION:
        return r(NA, "个人申报，不适用组织运行年限要求。")
    if general is None and little is None:
        return r(NA, f"{facts.program_name or '本奖项'}未规定最短运行年限。")
    required, basis = general, f"须正常运行 {general} 年以上"
    if facts.is_little_giant and little is not None and (general is None or little < general):
        required = little
        basis = f"申报单位为专精特新“小巨人”企业，运行年限要求放宽至 {little} 年以上" + (
            f"（一般为 {general} 年）" if general is not None else "")
    elif required is None:
        return r(NA, f"{facts.program_name or '本奖项'}仅对专精特新“小巨人”企业规定了运行年限，申报单位不是“小巨人”企业。")
    if "established_on" not in facts.basic_fields:
        return r(NA, f"该申报表没有成立日期一栏，请人工核对（{basis}）。")
    raw = str(facts.basic.get("established_on", "") or "").strip()
    established = parse_date(raw)
    if established is None:
        shown = f"“{raw[:20]}”" if raw else "未填写"
        return r(FAIL, f"成立日期{shown}，不是有效日期，无法核对运行年限（{basis}）。请退回推荐单位补正。")
    if facts.deadline is None:
        return r(NA, "本届未设申报截止日期，无法计算运行年限，请人工核对。")
    if established > facts.deadline:
        return r(FAIL, f"成立日期 {_d(established)} 晚于本届申报截止日 {_d(facts.deadline)}，不符合要求（{basis}）。")
    years = full_years(established, facts.deadline)
    head = f"成立日期 {_d(established)}，至本届申报截止日 {_d(facts.deadline)} 已满 {years} 年；{basis}。"
    if years >= required:
        return r(PASS, head)
    return r(FAIL, head + f"满 {required} 年之日为 {_d(add_years(established, required))}，不符合要求。")


def check_no_losses(facts):
    """(b) 无亏损: 利润总额 > 0 in each of the last ``no_loss_years`` data years."""
    r = _result("no_losses", "近年无亏损（利润总额）")
    if facts.no_loss_years is None:
        return r(NA, f"{facts.program_name or '本奖项'}未规定无亏损年限（如有严重亏损，请在否决情形清单中核对）。")
    if facts.conditions.get("org_nature") == "non_profit":
        return r(NA, "申报单位为非营利性组织；无亏损要求只适用于企业（如息县 第十三条（五）“企业生产经营出现亏损”）。")
    if facts.indicators is None:
        return r(NA, f"该申报表没有组织绩效数据，请人工核对近 {facts.no_loss_years} 年是否亏损。")
    years = list(facts.data_years)[-facts.no_loss_years:]
    if not years:
        return r(NA, "本届未设填报数据年度，请人工核对。")
    row = facts.indicators.get("total_profit") or {}
    shown, losses, missing = [], [], []
    for year in years:
        raw = str(row.get(year, "") or "").strip()
        value = parse_decimal(raw)
        if value is None:
            missing.append(year)
            shown.append(f"{year}年 未填写" if not raw else f"{year}年 “{raw[:20]}”（不是数字）")
        elif value <= 0:
            losses.append(year)
            shown.append(f"{year}年 {raw} 万元（亏损）")
        else:
            shown.append(f"{year}年 {raw} 万元")
    rule = f"要求近 {facts.no_loss_years} 年无亏损"
    if len(years) < facts.no_loss_years:
        rule += f"（申报表只有 {len(years)} 个年度的数据）"
    head = "利润总额：" + "；".join(shown) + f"。{rule}。"
    if losses:
        return r(FAIL, head + f"{'、'.join(losses)}年利润总额不大于 0，不符合要求。")
    if missing:
        return r(FAIL, head + f"{'、'.join(missing)}年利润总额无法核对，请退回推荐单位补正。")
    return r(PASS, head)


def _severity_rank(categories, key):
    keys = [k for k, _label in categories]
    return keys.index(key) if key in keys else None


def _declared(facts, code, label, key, what, categories, fail_from):
    """A declared accident or violation, judged by its severity in the document's categories: from the
    profile's ``fail_from`` up it fails (the document excludes it outright); below, a flag for the secretariat."""
    r = _result(code, label)
    if key not in facts.basic_fields:
        return r(NA, f"该申报表没有“{what}”一栏，请在否决情形清单中人工核对。")
    answer = str(facts.basic.get(key, "") or "").strip()
    if answer == "no":
        return r(PASS, f"申报单位填报：近三年无{what}。")
    if answer != "yes":
        return r(FAIL, f"申报表未填报近三年有无{what}，无法核对。请退回推荐单位补正。")
    names = dict(categories)
    severity = str(facts.basic.get(f"{key}_severity", "") or "").strip()
    detail = str(facts.basic.get(f"{key}_detail", "") or "").strip()
    head = (f"申报单位填报：近三年有{what}"
            + (f"（{names[severity]}）" if severity in names else "（未填写等级）")
            + f"。情况说明：{detail or '（未说明）'}")
    program = facts.program_name or "本奖项"
    if fail_from in names and severity in names and (
            _severity_rank(categories, severity) >= _severity_rank(categories, fail_from)):
        return r(FAIL, head + f"。{program}文件规定{names[fail_from]}及以上的不得申报，不符合要求。")
    rule = (f"{program}文件自动排除的是{names[fail_from]}及以上" if fail_from in names
            else f"{program}文件未按等级自动排除")
    return r(FLAG, head + f"。{rule}；请秘书处核实是否属于文件规定的否决情形，作出决定并写明理由。")


def check_accidents(facts):
    """(c) declared accidents by severity (2.1 accidents, accidents_severity) against the profile's
    ``accident_fail_severity`` (000 三（二）: 重大责任事故)."""
    from applications.categories import ACCIDENT_SEVERITIES

    return _declared(facts, "accidents", "质量、安全、环境事故（自报）", "accidents", "质量、安全、环境事故",
                     ACCIDENT_SEVERITIES, facts.accident_fail_severity)


def check_violations(facts):
    """(c) declared violations by severity against the profile's ``violation_fail_severity``
    (000 三（二）, 息县 第十三条（八）, 巩义 第十四条（八）: 严重违法、违规、违纪)."""
    from applications.categories import VIOLATION_SEVERITIES

    return _declared(facts, "violations", "违法违规行为（自报）", "violations", "违反法律法规的行为",
                     VIOLATION_SEVERITIES, facts.violation_fail_severity)


def check_required_opinions(facts):
    """(d) the opinions the applicant must upload (RequiredOpinion rows → slots ``opinion_<code>``)."""
    r = _result("required_opinions", "必备意见材料")
    by_applicant = [(c, label) for c, label, own in facts.required_opinions if own]
    by_others = [label for _c, label, own in facts.required_opinions if not own]
    others = f"另：{'、'.join(by_others)}由推荐单位提供，请在初审记录中核对。" if by_others else ""
    if facts.waived_opinions:
        others += "不适用：" + "；".join(facts.waived_opinions) + "。"
    if not by_applicant:
        return r(NA, f"{facts.program_name or '本奖项'}无须申报单位上传意见材料。{others}")
    slots = {s.key for s in facts.upload_slots}
    lines, missing = [], []
    for code, label in by_applicant:
        slot = f"opinion_{code}"
        if slot not in slots:
            lines.append(f"{label}：该申报表无此上传项，请人工核对")
            continue
        n = facts.files.get(slot, 0)
        lines.append(f"{label}：已上传 {n} 个文件" if n else f"{label}：未上传")
        if not n:
            missing.append(label)
    text = "；".join(lines) + "。" + others
    if missing:
        return r(FAIL, text + f"缺少{'、'.join(missing)}，不符合要求。")
    return r(PASS, text)


def check_required_uploads(facts):
    """(d) the form's required upload slots (at least ``min_files`` each; opinions are checked above)."""
    r = _result("required_uploads", "必传材料齐全")
    stated = {**facts.basic, **facts.conditions}
    slots = [s for s in facts.upload_slots if s.min_files and not s.key.startswith("opinion_")
             and (not s.required_when or stated.get(s.required_when[0]) in s.required_when[1])]
    if not slots:
        return r(NA, "该申报表没有必传材料。")
    lines, short = [], []
    for s in slots:
        n = facts.files.get(s.key, 0)
        lines.append(f"{s.label}：{n} 个文件（至少 {s.min_files} 个）")
        if n < s.min_files:
            short.append(s.label)
    text = "；".join(lines) + "。"
    if short:
        return r(FAIL, text + f"{'、'.join(short)}数量不足，不符合要求。")
    return r(PASS, text)


def check_page_limits(facts):
    """(e) evidence pages within each slot's page limit."""
    r = _result("page_limits", "材料页数限制")
    slots = [s for s in facts.upload_slots if s.page_limit]
    if not slots:
        return r(NA, "该申报表的上传材料没有页数限制。")
    lines, over = [], []
    for s in slots:
        pages = facts.pages.get(s.key, 0)
        if pages > s.page_limit:
            over.append(s.label)
            lines.append(f"{s.label}共 {pages} 页，超过 {s.page_limit} 页的上限")
        else:
            lines.append(f"{s.label}共 {pages} 页（上限 {s.page_limit} 页）")
    text = "；".join(lines) + "。"
    return r(FAIL if over else PASS, text)


def check_revocation_ban(facts):
    """(f) a ban still running after an earlier award of this program was revoked."""
    r = _result("revocation_ban", "撤销奖励后的禁止申报期")
    if facts.ban_years is None:
        return r(NA, f"{facts.program_name or '本奖项'}未规定撤销奖励后的禁止申报年限。")
    if facts.deadline is None:
        return r(NA, "本届未设申报截止日期，无法核对禁止申报期，请人工核对。")
    if not facts.revocations:
        return r(PASS, f"未发现该组织在{facts.program_name or '本奖项'}中被撤销奖励的记录（撤销后 {facts.ban_years} 年内不得申报）。")
    running, expired, unbanned = [], [], []
    for rev in sorted(facts.revocations, key=lambda x: x.revoked_on):
        head = (f"申报 {rev.number or '（未编号）'}（{rev.campaign}）于 {_d(rev.revoked_on)} "
                f"{'以“' + rev.ground + '”' if rev.ground else ''}被撤销奖励")
        if rev.recorded and rev.ban_until is None:
            unbanned.append(f"{head}，按本奖项规定该情形不设禁止申报期")
            continue
        ends = rev.ban_until if rev.recorded else add_years(rev.revoked_on, facts.ban_years)
        years = f"{facts.ban_years} 年内不得申报，" if not rev.recorded else ""
        line = f"{head}，{years}禁止期至 {_d(ends)}"
        (running if facts.deadline < ends else expired).append(line)
    if running:
        return r(FAIL, "；".join(running + expired + unbanned)
                 + f"。本届申报截止日 {_d(facts.deadline)} 仍在禁止期内，不符合要求。")
    text = "；".join(expired + unbanned) + "。"
    if expired:
        text += f"禁止期已在本届申报截止日 {_d(facts.deadline)} 前届满。"
    return r(PASS, text)


# --- the documents' conditions, as the applicant stated them in 申报条件 -----------------------------------------
def _stated(facts, key):
    return str(facts.conditions.get(key, "") or "").strip()


def check_territory(facts):
    """The applicant is established in the program's area (000 三（一）1 我省行政区域, 息县 第十二条（一）,
    巩义 第十三条（一）, 金水 第八条（一）): the region chosen and the statement in 申报条件."""
    r = _result("territory", "在本奖项行政区域内设立")
    if not facts.territory:
        return r(NA, "本奖项未设定行政区域，请人工核对。")
    lines = []
    if facts.region_in_territory is False:
        return r(FAIL, f"所选所在地区为{facts.region_name}，不在{facts.territory}行政区域内，不符合申报条件。")
    if facts.region_in_territory:
        lines.append(f"所选所在地区为{facts.region_name}，属于{facts.territory}")
    if "in_territory" in facts.conditions_fields:
        answer = _stated(facts, "in_territory")
        if answer == "no":
            return r(FAIL, "；".join(lines + [f"申报单位声明不在{facts.territory}行政区域内依法设立"]) + "，不符合申报条件。")
        if answer != "yes":
            return r(FAIL, "；".join(lines + ["申报表未填报是否在本行政区域内依法设立"]) + "。请退回推荐单位补正。")
        lines.append(f"申报单位声明在{facts.territory}行政区域内依法设立（登记注册）")
    return r(PASS, "；".join(lines) + "。请与营业执照（登记证书）的登记机关核对。")


def _stated_years(facts, key, label, required, basis):
    r = _result(key, label)
    if key not in facts.conditions_fields:
        return r(NA, f"该申报表没有这一栏，请人工核对（{basis}）。")
    raw = _stated(facts, key)
    value = parse_decimal(raw)
    if value is None:
        return r(FAIL, f"申报表未填报{label}（{basis}）。请退回推荐单位补正。")
    head = f"申报单位填报：{value} 年；{basis}。"
    return r(PASS, head) if value >= required else r(FAIL, head + "不符合要求。")


def check_self_assessment(facts):
    """连续自评良好 (000 三（一）2: 3 年; 息县 第十二条（二）: 3 年, “小巨人” 2 年)."""
    label = "连续自评良好年数"
    general, little = facts.self_assessment_years, facts.self_assessment_years_little_giant
    if facts.kind != Application.Kind.ORGANIZATION or not general:
        return _result("self_assessment_good_years", label)(
            NA, f"{facts.program_name or '本奖项'}未规定连续自评良好年数。")
    required, basis = general, f"须连续 {general} 年自评良好"
    if facts.is_little_giant and little and little < general:
        required, basis = little, f"申报单位为专精特新“小巨人”企业，放宽至 {little} 年（一般为 {general} 年）"
    return _stated_years(facts, "self_assessment_good_years", label, required, basis)


def _since(facts, key, label, required, basis):
    r = _result(key, label)
    if not required:
        return r(NA, f"{facts.program_name or '本奖项'}未规定年限。")
    if key not in facts.conditions_fields:
        return r(NA, f"该申报表没有这一栏，请人工核对（{basis}）。")
    raw = _stated(facts, key)
    day = parse_date(raw)
    if day is None:
        return r(FAIL, f"申报表未填报有效日期（{basis}）。请退回推荐单位补正。")
    if facts.deadline is None:
        return r(NA, "本届未设申报截止日期，无法计算年限，请人工核对。")
    years = full_years(day, facts.deadline) if day <= facts.deadline else 0
    head = f"申报单位填报自 {_d(day)} 起，至本届申报截止日 {_d(facts.deadline)} 已满 {years} 年；{basis}。"
    return r(PASS, head) if years >= required else r(FAIL, head + "不符合要求。")


def check_excellence_practice(facts):
    """实施卓越绩效模式管理 1 年以上 (巩义 第十三条（二）)."""
    return _since(facts, "excellence_since", "实施卓越绩效管理年限", facts.excellence_years,
                  f"须实施卓越绩效模式管理 {facts.excellence_years} 年以上")


def check_qms_years(facts):
    """质量管理体系健全，有效运行 3 年以上 (金水 第八条（二）)."""
    return _since(facts, "qms_since", "质量管理体系运行年限", facts.qms_years,
                  f"质量管理体系须有效运行 {facts.qms_years} 年以上")


def check_inspection_years(facts):
    """产品连续 3 年经市级以上（含市级）法定检验机构检验合格 (金水 第八条（三）)."""
    if not facts.inspection_years:
        return _result("inspection_good_years", "产品法定检验合格年数")(
            NA, f"{facts.program_name or '本奖项'}未规定产品法定检验要求。")
    return _stated_years(facts, "inspection_good_years", "产品法定检验合格年数", facts.inspection_years,
                         f"产品须连续 {facts.inspection_years} 年经市级以上法定检验机构检验合格")


def check_specialized(facts):
    """专精特新 as stated, with its certificate (巩义 第四条 reserved seats; the “小巨人” reductions)."""
    from applications.forms.spec import SPECIALIZED_CHOICES

    r = _result("specialized", "专精特新认定")
    if "specialized_level" not in facts.conditions_fields:
        return r(NA, "该申报表未询问专精特新认定。")
    level = _stated(facts, "specialized_level")
    if level not in ("province", "little_giant"):
        return r(NA, "申报单位未申报专精特新认定。")
    n = facts.files.get("specialized_certificate", 0)
    name = dict(SPECIALIZED_CHOICES)[level]
    if not n:
        return r(FAIL, f"申报单位填报为{name}，但未上传认定文件或证书。请退回推荐单位补正。")
    return r(PASS, f"申报单位填报为{name}，已上传认定文件或证书 {n} 个。请核对认定级别、名单批次和有效期。")


# --- the registry -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    code: str
    label: str
    func: Callable  # (Facts) -> CheckResult


CHECKS: list[Check] = []


def register_check(code, label, func):
    """Add (or replace, by code) an automatic check. ``func(facts)`` returns a ``CheckResult``;
    ``facts.application`` is the Application for checks that read their own records."""
    for i, existing in enumerate(CHECKS):
        if existing.code == code:
            CHECKS[i] = Check(code, label, func)
            return
    CHECKS.append(Check(code, label, func))


REVOCATION_SOURCES: list[Callable] = []


def register_revocation_source(source):
    """``source(application_ids)`` returns ``{application id: (ground label, revoked_on, ban_until or None)}``
    for the revocations it has a record of (the award register). Such a revocation is judged by the ban recorded
    with it; one without a record falls back to the profile's ``ban_years`` from the revocation date."""
    if source not in REVOCATION_SOURCES:
        REVOCATION_SOURCES.append(source)


def registered_codes():
    return [c.code for c in CHECKS]


for _code, _label, _func in [
    ("years_operating", "正常运行年限", check_years_operating),
    ("no_losses", "近年无亏损（利润总额）", check_no_losses),
    ("accidents", "质量、安全、环境事故（自报）", check_accidents),
    ("violations", "违法违规行为（自报）", check_violations),
    ("required_opinions", "必备意见材料", check_required_opinions),
    ("required_uploads", "必传材料齐全", check_required_uploads),
    ("page_limits", "材料页数限制", check_page_limits),
    ("revocation_ban", "撤销奖励后的禁止申报期", check_revocation_ban),
    ("territory", "在本奖项行政区域内设立", check_territory),
    ("self_assessment_good_years", "连续自评良好年数", check_self_assessment),
    ("excellence_since", "实施卓越绩效管理年限", check_excellence_practice),
    ("qms_since", "质量管理体系运行年限", check_qms_years),
    ("inspection_good_years", "产品法定检验合格年数", check_inspection_years),
    ("specialized", "专精特新认定", check_specialized),
]:
    register_check(_code, _label, _func)


def run_checks(facts, checks=None):
    """Every registered check on ``facts``, in registration order. A check that crashes is reported as
    "不符合" with a message (and logged), never as a server error."""
    results = []
    for check in checks if checks is not None else list(CHECKS):
        try:
            result = check.func(facts)
            result = replace(result, code=check.code, label=result.label or check.label)
        except Exception:  # noqa: BLE001 - one broken check must not stop the review
            logger.exception("eligibility check %s failed", check.code)
            result = CheckResult(check.code, check.label, FAIL,
                                 "自动核查出错，未能得出结论。请人工核对后点击“重新核查”；如仍出错请联系管理员。")
        results.append(result)
    return results


# =============================================================================================
# Gathering the facts (the only part that reads the database)
# =============================================================================================
def _local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def earlier_revocations(application, *, registered_code="", declared_code=""):
    """Revoked applications of the same organization in the same program, with their revocation date.

    "Same organization": the same Organization row; or an organization registered under the credit
    code this application's form declares; or an earlier form that declared this organization's
    registered credit code. (Two forms that merely declare the same code are not matched: the
    registered codes decide.)"""
    q = Q(pk__in=[])
    if application.organization_id:
        q |= Q(organization_id=application.organization_id)
    if declared_code:
        q |= Q(organization__credit_code=declared_code)
    if registered_code:
        q |= Q(pk__in=ApplicationSection.objects.filter(code="basic", data__credit_code=registered_code)
               .values("application_id"))
    earlier = list(
        Application.objects.filter(q, campaign__program_id=application.campaign.program_id, state=State.REVOKED)
        .exclude(pk=application.pk).select_related("campaign__program__profile").distinct()
    )
    if not earlier:
        return ()
    ct = ContentType.objects.get_for_model(Application)
    revoked_at = dict(
        AuditEvent.objects.filter(content_type=ct, object_id__in=[str(a.pk) for a in earlier],
                                  action="transition:revoke")
        .order_by().values("object_id").annotate(at=Max("created_at")).values_list("object_id", "at")
    )
    recorded = {}
    for source in REVOCATION_SOURCES:
        recorded.update(source([a.pk for a in earlier]) or {})
    revocations = []
    for a in earlier:
        revocation = Revocation(number=a.number or "", campaign=str(a.campaign),
                                revoked_on=_local_date(revoked_at.get(str(a.pk)) or a.state_changed_at))
        if a.pk in recorded:
            ground, revoked_on, ban_until = recorded[a.pk]
            revocation = replace(revocation, recorded=True, ground=ground, ban_until=ban_until,
                                 revoked_on=revoked_on or revocation.revoked_on)
        revocations.append(revocation)
    return tuple(revocations)


def facts_for(application):
    """The facts of ``application`` as it stands (in review the form is locked, so this is the submission)."""
    from applications.forms.spec import Grid, UploadSlot, form_for, opinion_applies

    app = application
    campaign = app.campaign
    profile = campaign.program.profile
    spec = form_for(app)
    basic_section = spec.section("basic")
    basic_fields = frozenset(getattr(i, "key", "") for i in basic_section.items) if basic_section else frozenset()
    stored = {s.code: s.data or {} for s in ApplicationSection.objects.filter(
        application=app, code__in=["basic", "performance", "conditions"])}
    conditions_section = spec.section("conditions")
    conditions_fields = (frozenset(getattr(i, "key", "") for i in conditions_section.items)
                         if conditions_section else frozenset())
    conditions = stored.get("conditions", {}) if conditions_section else {}
    conditions = conditions if isinstance(conditions, dict) else {}
    opinions = list(profile.required_opinions.all())
    applicable = [op for op in opinions if opinion_applies(op, conditions)]
    waived = [f"{op.label}（申报单位不属于{op.get_applies_to_display()}"
              + (f"，{op.article}" if op.article else "") + "）" for op in opinions if op not in applicable]
    in_territory = within_territory(program=campaign.program, region=app.region) if app.region_id else None
    basic = stored.get("basic", {}) if basic_section else {}
    performance = spec.section("performance")
    has_grid = performance is not None and any(isinstance(i, Grid) and i.key == "indicators"
                                               for i in performance.items)
    indicators = (stored.get("performance", {}).get("indicators") or {}) if has_grid else None
    files, pages = {}, {}
    for slot, n in Attachment.objects.filter(application=app).values_list("slot", "pages"):
        files[slot] = files.get(slot, 0) + 1
        pages[slot] = pages.get(slot, 0) + (n or 0)
    revocations = ()
    if profile.ban_years is not None:
        revocations = earlier_revocations(
            app, registered_code=app.organization.credit_code if app.organization_id else "",
            declared_code=str(basic.get("credit_code", "") or "").strip().upper() if isinstance(basic, dict) else "")
    return Facts(
        kind=app.kind,
        form_code=spec.code,
        program_name=campaign.program.name,
        is_little_giant=app.is_little_giant,
        deadline=_local_date(campaign.application_deadline),
        data_years=tuple(str(y) for y in campaign.data_years or ()),
        basic_fields=basic_fields,
        basic=basic if isinstance(basic, dict) else {},
        indicators=indicators if (indicators is None or isinstance(indicators, dict)) else {},
        upload_slots=tuple(i for s in spec.sections for i in s.items if isinstance(i, UploadSlot)),
        files=files,
        pages=pages,
        min_years_operating=profile.min_years_operating,
        min_years_little_giant=profile.min_years_little_giant,
        no_loss_years=profile.no_loss_years,
        ban_years=profile.ban_years,
        required_opinions=tuple((op.code, op.label, op.uploaded_by_applicant) for op in applicable),
        waived_opinions=tuple(waived),
        revocations=revocations,
        conditions_fields=conditions_fields,
        conditions=conditions,
        accident_fail_severity=profile.accident_fail_severity,
        violation_fail_severity=profile.violation_fail_severity,
        self_assessment_years=profile.self_assessment_years,
        self_assessment_years_little_giant=profile.self_assessment_years_little_giant,
        excellence_years=profile.excellence_years,
        qms_years=profile.qms_years,
        inspection_years=profile.inspection_years,
        territory=campaign.program.seat_region.name,
        region_name=app.region.name if app.region_id else "",
        region_in_territory=in_territory,
        application=app,
    )


def compute(application):
    """Run every registered check on the application's current facts."""
    return run_checks(facts_for(application))


# =============================================================================================
# The review record
# =============================================================================================
def latest_submission(application):
    return Submission.objects.filter(application=application).order_by("-sequence").first()


def current_review(application):
    """The open review of the application's latest submission (None when there is none)."""
    submission = latest_submission(application)
    if submission is None:
        return None
    return (EligibilityReview.objects.filter(application=application, submission=submission, decision="")
            .order_by("-pk").first())


def latest_review(application):
    """The newest review of the application, decided or not (for display)."""
    return (EligibilityReview.objects.filter(application=application).select_related("submission", "reviewer",
                                                                                  "decided_by")
            .order_by("-pk").first())


def results_of(review):
    return [CheckResult.from_dict(r) for r in (review.results or []) if isinstance(r, dict)] if review else []


def missing_checks(review):
    """Labels of registered checks with no stored result on ``review`` (all of them when no review)."""
    stored = {r.code for r in results_of(review)} if review and review.computed_at else set()
    return [c.label for c in CHECKS if c.code not in stored]


def failed_checks(review):
    return [r for r in results_of(review) if r.status == FAIL]


def flag_decision(review, result):
    """The secretariat's decision on a flagged finding, while the finding still reads the same (a recomputed
    finding with other evidence needs a new decision)."""
    decision = (review.flag_decisions or {}).get(result.code) if review else None
    if isinstance(decision, dict) and decision.get("answer") in FLAG_ANSWER_LABELS and (
            decision.get("evidence") == result.evidence):
        return decision
    return None


def flagged_checks(review):
    """[(result, decision or None)] of the findings marked 待研判."""
    return [(r, flag_decision(review, r)) for r in results_of(review) if r.status == FLAG]


def undecided_flags(review):
    return [r for r, decision in flagged_checks(review) if decision is None]


def flags_decided_failing(review):
    return [(r, d) for r, d in flagged_checks(review) if d and d["answer"] == FLAG_FAIL]


def result_rows(review, results=None):
    """The findings for display (page and print): each as a dict with its status label and, for a flag,
    the secretariat's decision with its reason, who and when."""
    rows = []
    for r in (results if results is not None else results_of(review)):
        decision = flag_decision(review, r) if r.status == FLAG else None
        rows.append({**r.as_dict(), "status_label": r.status_label, "decision": decision,
                     "decision_label": FLAG_ANSWER_LABELS.get((decision or {}).get("answer"), "")})
    return rows


def record_flag_decision(*, application, actor, code, answer, reason):
    """The secretariat decides a flagged finding: 不影响受理 or 不符合申报条件, always with a written reason
    (kept on the review, in the audit trail and on the eligibility record). Nothing is written on error."""
    _require_secretariat(actor.user, application)
    answer = (answer or "").strip()
    reason = (reason or "").strip()
    if answer not in FLAG_ANSWER_LABELS:
        raise ValidationError("请选择“不影响受理”或“不符合申报条件”。")
    if not reason:
        raise ValidationError("请写明理由（核实的途径、依据和结论），该理由将记入审核记录。")
    if len(reason) > NOTE_MAX_CHARS:
        raise ValidationError(f"理由限 {NOTE_MAX_CHARS} 字，当前 {len(reason)} 字，请删减。")
    with transaction.atomic():
        app = _lock_in_review(application)
        review = current_review(app)
        if review is None:
            raise ValidationError("资格审核记录不存在，请先点击“重新核查”。")
        result = next((r for r in results_of(review) if r.code == code and r.status == FLAG), None)
        if result is None:
            raise ValidationError("该核查项目当前不是“待研判”，请刷新页面后重试。")
        decisions = dict(review.flag_decisions or {})
        decisions[code] = {"answer": answer, "reason": reason, "evidence": result.evidence, "by": actor.label,
                           "at": timezone.now().isoformat()}
        review.flag_decisions = decisions
        review.save(update_fields=["flag_decisions"])
        record_event(actor=actor, action="eligibility:flag", target=app, reason=reason,
                     data={"review": review.pk, "check": code, "label": result.label, "answer": answer})
    return review


def exclusion_items(application):
    return list(application.campaign.program.profile.exclusions.all().order_by("order", "pk"))


def _tick(review, item):
    tick = (review.exclusion_ticks or {}).get(str(item.pk)) if review else None
    if isinstance(tick, dict) and tick.get("answer") in (ABSENT, PRESENT):
        return tick
    return None


def exclusion_rows(application, review):
    """[(item, tick or None)] for the checklist, in the profile's order."""
    return [(item, _tick(review, item)) for item in exclusion_items(application)]


def unticked_exclusions(application, review):
    return [item for item, tick in exclusion_rows(application, review) if tick is None]


def present_exclusions(application, review):
    return [(item, tick) for item, tick in exclusion_rows(application, review) if tick and tick["answer"] == PRESENT]


def _item_label(item):
    return f"（{item.order}）{item.text}"


def decision_blockers(application, review):
    """Why no decision may be taken yet (empty when the checks are computed and the checklist ticked)."""
    problems = []
    missing = missing_checks(review)
    if review is None or missing:
        problems.append("自动核查尚未完成（" + "、".join(missing) + "），请先点击“重新核查”。")
    unticked = unticked_exclusions(application, review)
    if unticked:
        problems.append("否决情形清单尚未逐项勾选：" + "；".join(_item_label(i) for i in unticked)
                        + "。请逐项选择“不存在该情形”或“存在该情形”并保存。")
    return problems


def acceptance_blockers(application, review):
    """Why the application cannot be accepted (beyond ``decision_blockers``)."""
    problems = []
    failed = failed_checks(review)
    if failed:
        problems.append("自动核查不符合：" + "；".join(f"{r.label}（{r.evidence}）" for r in failed))
    undecided = undecided_flags(review)
    if undecided:
        problems.append("待研判事项尚未处理：" + "、".join(r.label for r in undecided)
                        + "（请逐项选择“不影响受理”或“不符合申报条件”并写明理由）")
    decided_failing = flags_decided_failing(review)
    if decided_failing:
        problems.append("经研判不符合申报条件：" + "；".join(f"{r.label}（{d['reason']}）" for r, d in decided_failing))
    present = present_exclusions(application, review)
    if present:
        problems.append("存在否决情形：" + "；".join(
            _item_label(item) + (f"（{tick.get('note')}）" if tick.get("note") else "") for item, tick in present))
    return problems


def suggested_rejection_reason(application, review):
    """A starting text for the rejection reason the applicant will see: what failed, in plain words."""
    lines = [f"{r.label}：{r.evidence}" for r in failed_checks(review)]
    lines += [f"{r.label}：{d['reason']}" for r, d in flags_decided_failing(review)]
    lines += [f"存在否决情形{_item_label(item)}" + (f"：{tick.get('note')}" if tick.get("note") else "")
              for item, tick in present_exclusions(application, review)]
    if not lines:
        return ""
    return "经资格审核，不符合申报条件：\n" + "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))


def _summary(results):
    return {s: sum(1 for r in results if r.status == s) for s in (PASS, FAIL, NA, FLAG)}


def open_review(application, *, user):
    """Compute the checks and store a new review of the latest submission (called when the review starts)."""
    submission = latest_submission(application)
    if submission is None:
        from applications.workflow import GuardFailed

        raise GuardFailed("该申报没有提交记录，不能开始资格审核。请退回推荐单位。")
    results = compute(application)
    return EligibilityReview.objects.create(
        application=application, submission=submission, results=[r.as_dict() for r in results],
        computed_at=timezone.now(), reviewer=user,
    )


def _require_secretariat(user, application):
    if not (user and user.is_authenticated and user.is_active
            and has_role(user, Role.SECRETARIAT, program_id=application.campaign.program_id)):
        raise PermissionDenied("资格审核由本奖项秘书处办理，您没有权限执行此操作。")
    if access.is_recused(user, application):
        raise PermissionDenied(access.RECUSED)


def _lock_in_review(application):
    """Lock the application row and make sure its eligibility review is open."""
    app = (Application.objects.select_for_update(of=("self",)).select_related("campaign__program__profile")
           .get(pk=application.pk))
    if app.state != State.ELIGIBILITY_REVIEW:
        raise ValidationError(f"该申报当前状态为“{app.get_state_display()}”，不在资格审核中，不能修改审核记录。"
                              "请刷新页面查看最新状态。")
    return app


def recompute(*, application, actor):
    """Recompute the automatic checks of the open review (a new review when none is open)."""
    _require_secretariat(actor.user, application)
    with transaction.atomic():
        app = _lock_in_review(application)
        review = current_review(app)
        results = compute(app)
        if review is None:
            review = open_review(app, user=actor.user)
        else:
            review.results = [r.as_dict() for r in results]
            review.computed_at = timezone.now()
            review.reviewer = actor.user
            review.save(update_fields=["results", "computed_at", "reviewer"])
        record_event(actor=actor, action="eligibility:compute", target=app,
                     data={"review": review.pk, "submission": review.submission_id,
                           **_summary(results_of(review))})
    return review


def record_exclusions(*, application, actor, answers):
    """Save the exclusion checklist. ``answers``: {item id: (answer, note)} with answer "absent",
    "present" or "" (not ticked yet). A "present" answer needs a note. Nothing is written on error."""
    _require_secretariat(actor.user, application)
    items = {item.pk: item for item in exclusion_items(application)}
    errors = []
    clean = {}
    for pk, (answer, note) in answers.items():
        item = items.get(pk)
        if item is None:
            errors.append("否决情形清单已变更，请刷新页面后重新勾选。")
            continue
        answer = (answer or "").strip()
        note = (note or "").strip()
        if answer not in ("", ABSENT, PRESENT):
            errors.append(f"{_item_label(item)}：请选择“不存在该情形”或“存在该情形”。")
        elif len(note) > NOTE_MAX_CHARS:
            errors.append(f"{_item_label(item)}：说明限 {NOTE_MAX_CHARS} 字，当前 {len(note)} 字，请删减。")
        elif answer == PRESENT and not note:
            errors.append(f"{_item_label(item)}：选择“存在该情形”时须在说明中写明具体情况和依据。")
        elif answer:
            clean[str(pk)] = {"answer": answer, "note": note}
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    with transaction.atomic():
        app = _lock_in_review(application)
        review = current_review(app)
        if review is None:
            raise ValidationError("资格审核记录不存在，请先点击“重新核查”。")
        ticks = dict(review.exclusion_ticks or {})
        now = timezone.now().isoformat()
        for key, tick in clean.items():
            old = ticks.get(key) or {}
            if old.get("answer") != tick["answer"] or old.get("note") != tick["note"]:
                ticks[key] = {**tick, "by": actor.label, "at": now}
        for pk, (answer, _note) in answers.items():
            if not (answer or "").strip():
                ticks.pop(str(pk), None)
        review.exclusion_ticks = ticks
        review.save(update_fields=["exclusion_ticks"])
        record_event(actor=actor, action="eligibility:exclusions", target=app,
                     data={"review": review.pk, "ticked": len([k for k in ticks if int(k) in items]),
                           "present": [items[int(k)].order for k, t in ticks.items()
                                       if int(k) in items and t.get("answer") == PRESENT]})
    return review


# =============================================================================================
# Guards and the after-transition hook
# =============================================================================================
def guard_ready_to_decide(app, actor, params):
    """On accept and reject: every check computed for the current submission, every exclusion ticked."""
    from applications.workflow import GuardFailed

    problems = decision_blockers(app, current_review(app))
    if problems:
        raise GuardFailed("资格审核尚未完成，不能作出决定：" + " ".join(problems))


def guard_all_clear(app, actor, params):
    """On accept: no failed check, no exclusion ticked "存在"."""
    from applications.workflow import GuardFailed

    problems = acceptance_blockers(app, current_review(app))
    if problems:
        raise GuardFailed("不能受理：" + "；".join(problems) + "。如确认不符合条件，请选择“不予受理”并写明理由；"
                          "如材料有误，请退回推荐单位。")


def guard_has_submission(app, actor, params):
    """On start_eligibility_review: there is a submission to examine."""
    from applications.workflow import GuardFailed

    if latest_submission(app) is None:
        raise GuardFailed("该申报没有提交记录，不能开始资格审核。请退回推荐单位。")


DECISIONS = {
    "accept": EligibilityReview.Decision.ACCEPTED,
    "reject": EligibilityReview.Decision.REJECTED,
    "return_to_authority": EligibilityReview.Decision.RETURNED,
    # without a recommender step the secretariat returns to the applicant, also during its review
    "return_for_correction": EligibilityReview.Decision.RETURNED,
}


def _effect_start_review(app, actor, params, reason):
    """start_eligibility_review: compute and store the checks for the submission under review."""
    review = open_review(app, user=actor.user)
    return {"review": review.pk, **_summary(results_of(review))}


def _effect_decide(decision):
    def effect(app, actor, params, reason):
        review = current_review(app)
        if review is None:
            return {}  # returned to the authority before the review was started
        review.decision = decision
        review.decision_reason = reason or ""
        review.decided_at = timezone.now()
        review.decided_by = actor.user
        review.save(update_fields=["decision", "decision_reason", "decided_at", "decided_by"])
        return {"review": review.pk}

    return effect


_installed = False


def install():
    """Register the guards and the after-transition hook (``ApplicationsConfig.ready``; idempotent)."""
    global _installed
    if _installed:
        return
    from applications import workflow

    workflow.add_guard("start_eligibility_review", guard_has_submission)
    workflow.add_guard("accept", guard_ready_to_decide)
    workflow.add_guard("accept", guard_all_clear)
    workflow.add_guard("reject", guard_ready_to_decide)
    workflow.add_effect("start_eligibility_review", _effect_start_review)
    for name, decision in DECISIONS.items():
        workflow.add_effect(name, _effect_decide(decision))
    _installed = True


# =============================================================================================
# Pre-review record panels (the bureau side plugs its panels in here)
# =============================================================================================
PREREVIEW_PANEL_PROVIDERS: list[Callable] = []


def register_prereview_panel(provider):
    """``provider(application, user)`` returns a list of panels ``{"template": name, ...}`` shown in the
    pre-review record of the eligibility page; each is rendered with ``panel`` in its context."""
    if provider not in PREREVIEW_PANEL_PROVIDERS:
        PREREVIEW_PANEL_PROVIDERS.append(provider)


def prereview_panels(application, user):
    panels = []
    for provider in PREREVIEW_PANEL_PROVIDERS:
        panels.extend(provider(application, user) or [])
    return panels


# =============================================================================================
# Acceptance lists (受理名单)
# =============================================================================================
def secretariat_program_ids(user):
    """Programs the user is secretariat of; None means every program (a secretariat role without program)."""
    from qualityaward.accounts.selectors import role_assignments

    scopes = [a.program_id for a in role_assignments(user) if a.role == Role.SECRETARIAT]
    if None in scopes:
        return None
    return set(scopes)


def secretariat_campaigns(user):
    programs = secretariat_program_ids(user)
    qs = Campaign.objects.select_related("program__profile").order_by("program__code", "-year")
    if programs is None:
        return qs
    return qs.filter(program_id__in=programs)


def is_campaign_secretariat(user, campaign):
    return bool(user and user.is_authenticated and user.is_active
                and has_role(user, Role.SECRETARIAT, program_id=campaign.program_id))


def accepted_applications(campaign):
    return (Application.objects.filter(campaign=campaign, state__in=ACCEPTED_STATES)
            .select_related("region").order_by("number", "pk"))


def industry_name(code):
    from applications.classifications import industry_lookup

    item = industry_lookup(str(code or "").strip()) if code else None
    return item.name if item else ""


def default_title(campaign):
    return f"{campaign.program.name}{campaign.name}受理名单"


def create_acceptance_list(*, campaign, actor, title=""):
    """Draw up the campaign's next acceptance list from its accepted applications (public fields only)."""
    if not is_campaign_secretariat(actor.user, campaign):
        raise PermissionDenied("受理名单由本奖项秘书处编制，您没有权限执行此操作。")
    title = (title or "").strip()[:120] or default_title(campaign)
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        apps = list(accepted_applications(campaign))
        if not apps:
            raise ValidationError(f"{campaign}暂无已受理的申报，不能编制受理名单。请先完成资格审核并受理。")
        industries = {
            s.application_id: industry_name((s.data or {}).get("industry"))
            for s in ApplicationSection.objects.filter(application__in=apps, code="basic")
        }
        number = (AcceptanceList.objects.filter(campaign=campaign).aggregate(m=Max("number"))["m"] or 0) + 1
        acceptance_list = AcceptanceList.objects.create(campaign=campaign, number=number, title=title,
                                                        created_by=actor.user)
        AcceptanceListItem.objects.bulk_create([
            AcceptanceListItem(acceptance_list=acceptance_list, application=app, order=n,
                               applicant_name=app.applicant_name, region_name=app.region.name,
                               industry_name=industries.get(app.pk, ""))
            for n, app in enumerate(apps, start=1)
        ])
        record_event(actor=actor, action="acceptance_list:create", target=acceptance_list,
                     data={"campaign": campaign.pk, "number": number, "items": len(apps)})
    return acceptance_list


#: ``hook(acceptance_list=, actor=)`` called in the publishing transaction (publicity opens its notice).
ACCEPTANCE_LIST_PUBLISHED_HOOKS: list[Callable] = []


def on_acceptance_list_published(hook):
    if hook not in ACCEPTANCE_LIST_PUBLISHED_HOOKS:
        ACCEPTANCE_LIST_PUBLISHED_HOOKS.append(hook)


def publish_acceptance_list(*, acceptance_list, actor):
    if not is_campaign_secretariat(actor.user, acceptance_list.campaign):
        raise PermissionDenied("受理名单由本奖项秘书处发布，您没有权限执行此操作。")
    with transaction.atomic():
        locked = AcceptanceList.objects.select_for_update().get(pk=acceptance_list.pk)
        if locked.published_at is not None:
            raise ValidationError(
                f"该受理名单已于 {timezone.localtime(locked.published_at):%Y-%m-%d %H:%M} 发布，不能重复发布。"
                "如需更正，请编制新一批受理名单。")
        locked.published_at = timezone.now()
        locked.save(update_fields=["published_at"])
        record_event(actor=actor, action="acceptance_list:publish", target=locked,
                     data={"campaign": locked.campaign_id, "number": locked.number})
        for hook in ACCEPTANCE_LIST_PUBLISHED_HOOKS:
            hook(acceptance_list=locked, actor=actor)
    acceptance_list.refresh_from_db()
    return acceptance_list


def acceptance_publicity_rule(campaign):
    """The acceptance publicity rule of the campaign's program (PublicityRule kind "acceptance"), or None."""
    return campaign.program.profile.publicity_rules.filter(kind="acceptance").first()
