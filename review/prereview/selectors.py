"""Reads of the recommending authority's pre-review: its list, quota usage, the open return request,
and what changed between two submitted versions.

The list is ``applications_for_user`` narrowed to the user's authority scopes, so what the bureau
lists and what it can open never disagree. Its cost is a fixed number of queries whatever the number
of rows: one page, related rows joined, per-row facts as correlated subqueries.
"""
import difflib
import re
from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from applications import rules as access
from applications import workflow
from applications.forms import richtext
from applications.forms.spec import YES_NO, Field, Grid, Table, UploadSlot, form_for
from applications.models import Application, Campaign, Program, State, Submission
from applications.selectors import applications_for_user
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import role_assignments

from qualityaward.params import int_param
from .models import DepartmentOpinion, GovernmentOpinion, InitialOpinion, ReturnRequest

PAGE_SIZE = 50
SORTS = {
    # key: (label, ordering)
    "deadline": ("推荐截止时间（近的在前）", ["campaign__recommendation_deadline", "last_submitted_at", "pk"]),
    "submitted": ("提交时间（早的在前）", ["last_submitted_at", "pk"]),
    "-submitted": ("提交时间（晚的在前）", ["-last_submitted_at", "-pk"]),
    "name": ("申报单位名称", ["applicant_name", "pk"]),
}
#: The states a bureau filters by (a draft is never visible to it).
LIST_STATES = [(v, label) for v, label in State.choices if v != State.DRAFT]


def authority_scopes(user):
    return [(a.program_id, a.region_id) for a in role_assignments(user) if a.role == Role.AUTHORITY]


def bureau_applications(user):
    """Applications the user sees as a recommending authority (its regions, its programs)."""
    return applications_for_user(user=user).filter(access._authority_q(user))


def filter_choices(user):
    program_ids = {p for p, _r in authority_scopes(user)}
    programs = list(Program.objects.filter(pk__in=program_ids).order_by("code"))
    campaigns = list(Campaign.objects.filter(program_id__in=program_ids).select_related("program")
                     .order_by("program__code", "-year"))
    return programs, campaigns


@dataclass
class ListQuery:
    """The list's filters, cleaned from GET parameters (anything unknown is ignored, never an error)."""

    program: int | None = None
    campaign: int | None = None
    state: str = ""
    q: str = ""
    sort: str = "deadline"

    @classmethod
    def from_params(cls, params):
        state = params.get("state", "")
        sort = params.get("sort", "deadline")
        return cls(program=int_param(params.get("program")), campaign=int_param(params.get("campaign")),
                   state=state if state in dict(LIST_STATES) else "",
                   q=(params.get("q") or "").strip()[:60], sort=sort if sort in SORTS else "deadline")


def bureau_list(user, query):
    latest = Submission.objects.filter(application=OuterRef("pk")).order_by("-sequence")
    opinions = (DepartmentOpinion.objects.filter(application=OuterRef("pk"), consulted_by="authority").order_by()
                .values("application"))
    qs = (bureau_applications(user)
          .select_related("campaign__program__profile", "region")
          .annotate(
              last_submitted_at=Subquery(latest.values("submitted_at")[:1]),
              submission_count=Coalesce(Subquery(
                  Submission.objects.filter(application=OuterRef("pk")).order_by().values("application")
                  .annotate(n=Count("pk")).values("n")), Value(0), output_field=IntegerField()),
              opinion_signed=Exists(InitialOpinion.objects.filter(application=OuterRef("pk"), signed_at__isnull=False)),
              departments_asked=Coalesce(Subquery(opinions.annotate(n=Count("pk")).values("n")), Value(0),
                                         output_field=IntegerField()),
              departments_answered=Coalesce(Subquery(
                  opinions.exclude(answer=DepartmentOpinion.Answer.PENDING).annotate(n=Count("pk")).values("n")),
                  Value(0), output_field=IntegerField()),
              government_opinion=Exists(GovernmentOpinion.objects.filter(application=OuterRef("pk"))),
          ))
    if query.program:
        qs = qs.filter(campaign__program_id=query.program)
    if query.campaign:
        qs = qs.filter(campaign_id=query.campaign)
    if query.state:
        qs = qs.filter(state=query.state)
    if query.q:
        qs = qs.filter(Q(applicant_name__icontains=query.q) | Q(number__icontains=query.q))
    return qs.order_by(*SORTS[query.sort][1])


def decorate_rows(apps, now=None):
    """Per row: the recommendation deadline, whole days left (None once passed) and whether it passed."""
    now = now or timezone.now()
    for app in apps:
        deadline = app.campaign.recommendation_deadline
        app.deadline = deadline
        app.overdue = deadline < now
        app.days_left = None if app.overdue else (deadline - now).days
    return apps


def quota_usage(application, user=None):
    """(recommended so far by this application's recommender in this campaign, quota) or None when unlimited. The
    recommender of an application through an other unit (附件3) is that unit, with a quota of its own."""
    from applications import recommenders

    quota = application.campaign.program.profile.recommendation_quota
    if quota is None:
        return None
    return recommenders.recommended_count(application, user, states=workflow.RECOMMENDED_OR_LATER), quota


def open_return_request(application):
    """The return the applicant is answering now (state returned, and made on the latest submission)."""
    if application.state != State.RETURNED:
        return None
    request = ReturnRequest.objects.filter(application=application).prefetch_related("sections").first()
    latest = (Submission.objects.filter(application=application).order_by("-sequence")
              .values_list("pk", flat=True).first())
    return request if request is not None and request.submission_id == latest else None


# --- what changed between two submitted versions ----------------------------------------------------------
LONG_TEXT = 80  # characters: above this (or any textarea) a change is shown as a text diff
EQUAL_CONTEXT = 60  # characters of unchanged text kept on each side of a change
_SENTENCE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;\n]?")
TOP_LEVEL = [("applicant_name", "申报单位（个人）名称"), ("region", "所在地区"), ("is_little_giant", "专精特新“小巨人”")]


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    ops: list = field(default_factory=list)  # [(tag, text)] for long texts: equal / delete / insert / skip

    @property
    def is_text(self):
        return bool(self.ops)


@dataclass
class SectionChanges:
    code: str
    title: str
    changes: list


def _display(f, value):
    if value in (None, ""):
        return ""
    if f.type == "richtext":  # a narrative compared by its text (tables as lines)
        return richtext.text_of(value).strip()
    choices = dict(f.choices) if f.choices else (dict(YES_NO) if f.type == "yesno" else {})
    if isinstance(value, list):
        return "、".join(str(choices.get(v, v)) for v in value)
    return str(choices.get(value, value))


def _flatten_section(section, data):
    """[(path, label, shown value, long?)] for every value the section holds, in form order."""
    data = data if isinstance(data, dict) else {}
    out, known = [], set()
    for item in section.items if section else ():
        known.add(item.key)
        if isinstance(item, Field):
            out.append((item.key, item.label, _display(item, data.get(item.key)), item.type in ("textarea", "richtext")))
        elif isinstance(item, Table):
            rows = data.get(item.key) or []
            for i, row in enumerate(rows if isinstance(rows, list) else []):
                row = row if isinstance(row, dict) else {}
                for c in item.columns:
                    out.append((f"{item.key}.{i}.{c.key}", f"{item.label} 第{i + 1}行 {c.label}",
                                _display(c, row.get(c.key)), c.type == "textarea"))
        elif isinstance(item, Grid):
            grid = data.get(item.key) or {}
            grid = grid if isinstance(grid, dict) else {}
            columns = [(y, f"{y}年") for y in item.years] + list(item.extra_columns)
            for key, label, unit, _lo, _hi in item.rows:
                row = grid.get(key) or {}
                row = row if isinstance(row, dict) else {}
                for col, col_label in columns:
                    value = row.get(col, "")
                    out.append((f"{item.key}.{key}.{col}", f"{label}（{col_label}）",
                                f"{value}{unit if value not in ('', None) and unit else ''}", False))
        elif isinstance(item, UploadSlot):
            continue
    for key in sorted(k for k in data if k not in known):  # data the current form no longer names
        out.append((key, key, str(data[key]), False))
    return out


def _sentences(text):
    return [s for s in _SENTENCE.findall(text) if s]


def _trim(text, tag):
    if tag != "equal" or len(text) <= 2 * EQUAL_CONTEXT + 20:
        return [(tag, text)]
    return [("equal", text[:EQUAL_CONTEXT]), ("skip", f"……（未改动 {len(text) - 2 * EQUAL_CONTEXT} 字）……"),
            ("equal", text[-EQUAL_CONTEXT:])]


def text_ops(old, new):
    """A readable diff of two long texts: sentence by sentence, then character by character inside a
    changed sentence group; long unchanged stretches are shortened."""
    a, b = _sentences(old), _sentences(new)
    raw = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        left, right = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            raw.append(("equal", left))
        elif tag == "replace" and len(left) + len(right) <= 4000:
            for t, k1, k2, m1, m2 in difflib.SequenceMatcher(None, left, right, autojunk=False).get_opcodes():
                if t == "equal":
                    raw.append(("equal", left[k1:k2]))
                else:
                    if k2 > k1:
                        raw.append(("delete", left[k1:k2]))
                    if m2 > m1:
                        raw.append(("insert", right[m1:m2]))
        else:
            if left:
                raw.append(("delete", left))
            if right:
                raw.append(("insert", right))
    ops = []
    for tag, text in raw:
        if ops and ops[-1][0] == tag:
            ops[-1] = (tag, ops[-1][1] + text)
        else:
            ops.append((tag, text))
    return [piece for tag, text in ops for piece in _trim(text, tag)]


def _field_changes(old_rows, new_rows):
    old_map = {path: (label, value, long) for path, label, value, long in old_rows}
    new_map = {path: (label, value, long) for path, label, value, long in new_rows}
    order = [p for p, *_ in new_rows] + [p for p, *_ in old_rows if p not in new_map]
    changes = []
    for path in order:
        label, new_value, long_new = new_map.get(path, (None, "", False))
        old_label, old_value, long_old = old_map.get(path, (None, "", False))
        if old_value == new_value:
            continue
        label = label or old_label
        long = long_new or long_old or max(len(old_value), len(new_value)) > LONG_TEXT
        changes.append(FieldChange(label, old_value, new_value, text_ops(old_value, new_value) if long else []))
    return changes


def submission_diff(application, older=None, newer=None):
    """What changed from submission ``older`` to ``newer`` (sequence numbers; default: the last two).

    Returns None when there is only one submission. Otherwise a dict with both submissions, the
    changed sections (each with its changed fields), the unchanged section titles, and the files added
    and removed (by SHA-256).
    """
    subs = {s.sequence: s for s in Submission.objects.filter(application=application).order_by("sequence")}
    if len(subs) < 2:
        return None
    sequences = sorted(subs)
    newer = newer if newer in subs else sequences[-1]
    older = older if older in subs and older < newer else max((s for s in sequences if s < newer), default=None)
    if older is None:
        return None
    a, b = subs[older].content or {}, subs[newer].content or {}
    spec = form_for(application)
    form_a, form_b = a.get("form") or {}, b.get("form") or {}
    secs_a, secs_b = form_a.get("sections") or {}, form_b.get("sections") or {}
    sections, unchanged = [], []

    top = _field_changes(
        [(k, label, _top_value(a.get(k)), False) for k, label in TOP_LEVEL],
        [(k, label, _top_value(b.get(k)), False) for k, label in TOP_LEVEL])
    if top:
        sections.append(SectionChanges("_applicant", "申报主体信息", top))
    codes = [s.code for s in spec.sections] + [c for c in list(secs_b) + list(secs_a)
                                              if spec.section(c) is None]
    seen = set()
    for code in codes:
        if code in seen:
            continue
        seen.add(code)
        section = spec.section(code)
        title = f"{section.number} {section.title}" if section else code
        if secs_a.get(code) == secs_b.get(code):
            unchanged.append(title)
            continue
        changes = _field_changes(_flatten_section(section, secs_a.get(code)),
                                 _flatten_section(section, secs_b.get(code)))
        if changes:
            sections.append(SectionChanges(code, title, changes))
        else:
            unchanged.append(title)
    files_a = {f.get("sha256"): f for f in form_a.get("files") or []}
    files_b = {f.get("sha256"): f for f in form_b.get("files") or []}
    return {
        "older": subs[older], "newer": subs[newer], "sequences": sequences, "sections": sections,
        "unchanged": unchanged,
        "files_added": [f for h, f in files_b.items() if h not in files_a],
        "files_removed": [f for h, f in files_a.items() if h not in files_b],
    }


def _top_value(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def changed_section_codes(application):
    """Codes of the form sections that differ between the last two submissions (empty with one)."""
    last_two = list(Submission.objects.filter(application=application).order_by("-sequence")
                    .values_list("content__form__sections", flat=True)[:2])
    if len(last_two) < 2:
        return set()
    newer, older = (x if isinstance(x, dict) else {} for x in last_two)
    return {code for code in set(newer) | set(older) if newer.get(code) != older.get(code)}
