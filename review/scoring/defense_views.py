"""The 陈述答辩 page of one application (息县 第十八条, 第二十一条): the secretariat schedules and records each 陈述答辩;
the program's supervisors read. Thin views over ``review.scoring.defense``; a person who cannot see the application
gets 404, one who can but has no part gets 403; refused input re-renders the page with the message (400)."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from applications.selectors import application_for_user_or_404
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role
from qualityaward.accounts.services import Actor

from . import defense as svc
from .models import Defense


def _app(request, pk):
    app = application_for_user_or_404(user=request.user, pk=pk)
    if not app.campaign.program.profile.has_defense:
        raise Http404("本奖项文件未规定陈述答辩。")
    program_id = app.campaign.program_id
    if not any(has_role(request.user, role, program_id=program_id) for role in (Role.SECRETARIAT, Role.SUPERVISOR)):
        raise PermissionDenied("陈述答辩记录由本奖项秘书处登记，监督组可查阅。")
    return app


def _date(value, label):
    try:
        return dt.date.fromisoformat(str(value or "").strip()) if str(value or "").strip() else None
    except ValueError:
        raise ValidationError(f"{label}格式不正确，请按“年-月-日”填写。") from None


def _page(request, app, *, status=200, errors=None):
    is_sec = has_role(request.user, Role.SECRETARIAT, program_id=app.campaign.program_id)
    rows = []
    for kind, label in Defense.Kind.choices:
        rows.append({"kind": kind, "label": label, "row": svc.defense_of(app, kind),
                     "may_act": is_sec and app.state in svc.STATES[kind]})
    return render(request, "review/scoring/defense.html", {"app": app, "rows": rows, "errors": errors or []},
                  status=status)


@login_required
@require_GET
def defense_page(request, pk):
    return _page(request, _app(request, pk))


@login_required
@require_POST
def defense_write(request, pk, kind, what):
    app = _app(request, pk)
    if kind not in svc.STATES or what not in ("schedule", "record"):
        raise Http404("没有这个操作。")
    actor = Actor.from_request(request)
    try:
        if what == "schedule":
            svc.schedule_defense(application=app, actor=actor, kind=kind,
                                 scheduled_on=_date(request.POST.get("scheduled_on"), "安排日期"),
                                 place=str(request.POST.get("place", ""))[:200])
            messages.success(request, "已安排陈述答辩。举行后请登记举行日期和记录。")
        else:
            svc.record_defense(application=app, actor=actor, kind=kind,
                               held_on=_date(request.POST.get("held_on"), "举行日期"),
                               notes=str(request.POST.get("notes", ""))[: svc.NOTES_MAX * 2])
            messages.success(request, "已登记陈述答辩的举行情况。")
    except ValidationError as exc:
        return _page(request, app, status=400, errors=exc.messages)
    return redirect(reverse("review:defense", args=[app.pk]) + f"#{kind}")
