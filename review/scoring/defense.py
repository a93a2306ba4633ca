"""陈述答辩 where the program's document has it (profile ``has_defense``; 息县):

* 第十八条 “评审主要包括材料评审、陈述答辩、现场评审” — the review panel's 陈述答辩 between material and on-site review:
  the secretariat schedules it (date, place) and records it held (date, the panel's notes). The article has only the
  material and on-site reviews scored (“材料评审和现场评审均须依据评审标准逐条评分”), so the 陈述答辩 carries notes,
  no score. ``start_onsite_review`` waits for it.
* 第二十一条 “评委会召开全体会议，组织候选单位（组织）集中进行现场展示和陈述答辩，并采取无记名投票方式审议决定” — the
  plenary's 现场展示和陈述答辩 of each candidate, recorded before the ballot opens (``review.committee.open_session``).

Writes: keyword-only, the secretariat of the program only, the application row locked, audited in the same
transaction; bad input raises ``ValidationError`` with a Chinese message and writes nothing.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from applications import rules as access
from applications import workflow
from applications.models import Application, State
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role
from qualityaward.accounts.services import record_event

from .models import Defense

PANEL, PLENARY = Defense.Kind.PANEL, Defense.Kind.PLENARY
#: Where each is scheduled and held: after the material review, before on-site review; the candidates before the vote.
STATES = {PANEL: frozenset({State.MATERIAL_REVIEW}), PLENARY: frozenset({State.FINALIST, State.COMMITTEE})}
#: The audit action of a held 陈述答辩 (the printed decision names the step only when it was held).
HELD_ACTIONS = {PANEL: "review:defense_session", PLENARY: "review:plenary_defense"}
NOTES_MAX = 3000
PLACE_MAX = 100


def _fmt(d):
    return f"{d.year}年{d.month}月{d.day}日"


def defense_of(application, kind):
    return Defense.objects.filter(application=application, kind=kind).first()


def _locked(application):
    return (Application.objects.select_for_update(of=("self",))
            .select_related("campaign__program__profile").get(pk=application.pk))


def _require(app, actor, kind, action):
    if kind not in STATES:
        raise ValidationError("没有这个陈述答辩环节，请刷新页面。")
    if not app.campaign.program.profile.has_defense:
        raise PermissionDenied(f"本奖项文件未规定陈述答辩，不能{action}。")
    if actor.user is None or not has_role(actor.user, Role.SECRETARIAT, program_id=app.campaign.program_id):
        raise PermissionDenied(f"陈述答辩由本奖项秘书处安排和登记，您不能{action}。")
    if access.is_recused(actor.user, app):
        raise PermissionDenied(access.RECUSED)
    if app.state not in STATES[kind]:
        when = "材料评审后、现场评审前" if kind == PANEL else "评委会表决前"
        raise PermissionDenied(f"该申报当前状态为“{app.get_state_display()}”，{Defense.Kind(kind).label}在{when}，"
                               f"现在不能{action}。")


def schedule_defense(*, application, actor, kind, scheduled_on, place=""):
    """Schedule (or move, while not yet held) one 陈述答辩 of one application."""
    if scheduled_on is None:
        raise ValidationError("请填写陈述答辩的安排日期。")
    place = (place or "").strip()
    if len(place) > PLACE_MAX:
        raise ValidationError(f"地点限 {PLACE_MAX} 字，请精简。")
    with transaction.atomic():
        app = _locked(application)
        _require(app, actor, kind, "安排陈述答辩")
        row = defense_of(app, kind)
        if row is not None and row.held:
            raise ValidationError(f"该陈述答辩已于 {_fmt(row.held_on)} 举行并登记，不能再改期。")
        row = row or Defense(application=app, kind=kind)
        row.scheduled_on, row.place, row.updated_by = scheduled_on, place, actor.user
        row.save()
        record_event(actor=actor, action="review:defense_scheduled", target=app,
                     data={"kind": kind, "scheduled_on": scheduled_on.isoformat(), "place": place})
    return row


def record_defense(*, application, actor, kind, held_on, notes):
    """Record a scheduled 陈述答辩 as held: its date and the panel's (or the committee's) notes."""
    notes = (notes or "").replace("\r\n", "\n").strip()
    if held_on is None:
        raise ValidationError("请填写陈述答辩的举行日期。")
    if held_on > timezone.localdate():
        raise ValidationError(f"举行日期（{_fmt(held_on)}）不能晚于今天，请核对。")
    if not notes:
        raise ValidationError("请填写陈述答辩记录（申报单位陈述要点、评审组或评委会的提问和意见）。")
    if len(notes) > NOTES_MAX:
        raise ValidationError(f"陈述答辩记录限 {NOTES_MAX} 字，请删减。")
    with transaction.atomic():
        app = _locked(application)
        _require(app, actor, kind, "登记陈述答辩")
        row = Defense.objects.select_for_update().filter(application=app, kind=kind).first()
        if row is None:
            raise ValidationError("请先安排陈述答辩（日期、地点），举行后再登记记录。")
        if held_on < row.scheduled_on:
            raise ValidationError(f"举行日期（{_fmt(held_on)}）早于安排日期（{_fmt(row.scheduled_on)}），请核对或先改期。")
        row.held_on, row.notes, row.updated_by = held_on, notes, actor.user
        row.save()
        record_event(actor=actor, action=HELD_ACTIONS[kind], target=app,
                     data={"kind": kind, "held_on": held_on.isoformat()})
    return row


def missing(application, kind):
    """Why the held 陈述答辩 ``kind`` is missing where the document has it ("" when it is on record or not required)."""
    if not application.campaign.program.profile.has_defense:
        return ""
    row = defense_of(application, kind)
    if row is not None and row.held:
        return ""
    what = "陈述答辩" if kind == PANEL else "评委会全体会议上的现场展示和陈述答辩"
    state = f"已安排在{_fmt(row.scheduled_on)}，尚未登记举行情况" if row else "尚未安排"
    return f"“{application.applicant_name}”的{what}{state}。"


def guard_panel_defense(app, actor, params):
    """息县 第十八条: 材料评审、陈述答辩、现场评审 — on-site review only after the 陈述答辩 was held."""
    problem = missing(app, PANEL)
    if problem:
        raise workflow.GuardFailed(problem + "请在“陈述答辩”页安排并登记后，再进入现场评审。")


def plenary_problems(applications):
    """息县 第二十一条: each candidate's 现场展示和陈述答辩 before the ballot (messages; empty when all are held)."""
    return [p for p in (missing(app, PLENARY) for app in applications) if p]


def install():
    workflow.add_guard("start_onsite_review", guard_panel_defense)
