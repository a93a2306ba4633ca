"""The dashboard section of objections: a countdown to each open objection's answer deadline.

Shown once to a user who reads objections (secretariat or supervisor of a program): one aggregate for
the counts and one capped list of open objections with their working days left.
"""
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from applications.dashboard import LIST_LIMIT, Section
from applications.models import Application
from qualityaward.accounts.models import Role

from ..workdays import DeadlineClock
from .models import Objection
from .services import deadline_info, handled_program_ids, objections_for_user, readable_program_ids


def objection_section(user):
    ids = readable_program_ids(user)
    if ids is not None and not ids:
        return applicant_requests_section(user)
    now = timezone.now()
    qs = objections_for_user(user=user)
    counts = qs.aggregate(
        open=Count("pk", filter=Q(status__in=Objection.OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=Objection.OPEN_STATUSES, answer_deadline__lte=now)),
        backfill=Count("pk", filter=Q(backfill_due=True, backfill_done_at__isnull=True)),
    )
    waiting = qs.filter(status__in=Objection.OPEN_STATUSES).order_by("answer_deadline", "received_at")[:LIST_LIMIT]
    detail = reverse("publicity:objection_detail", args=[0])[:-2]
    rows, clock = [], DeadlineClock(now)
    for o in waiting:
        info = deadline_info(o, clock=clock)
        rows.append({
            "number": o.receipt_number, "name": f"对“{o.item.name}”的异议", "program": o.notice.campaign.program.short_name,
            "region": o.application.region.name, "state": o.status, "state_label": o.get_status_display(),
            "url": f"{detail}{o.pk}/", "note": info["text"], "deadline": o.answer_deadline,
            "deadline_text": info["label"],
            "overdue": info["overdue"], "days_left": None,
        })
    links = [("异议登记簿（调查、请申报单位说明、书面答复）", reverse("publicity:objection_list"))]
    if handled_program_ids(user):
        links.append(("导出异议登记表（Excel）", reverse("publicity:objection_export")))
    role = Role.SECRETARIAT if handled_program_ids(user) else Role.SUPERVISOR
    return Section(role, "公示异议：答复期限", rows=rows, links=links,
                   counts=[(label, n) for label, n in (("未办结", counts["open"]), ("已超期", counts["overdue"]),
                                                       ("待递补", counts["backfill"])) if n],
                   empty_text="暂无未办结的异议。")


def applicant_requests_section(user):
    """For an applicant: the secretariat's open requests about objections to its applications (who objected
    is never shown); ``None`` when there are none."""
    from applications.rules import _owner_q

    from .models import ObjectionRequest

    if not user.is_authenticated:
        return None
    pending = list(
        ObjectionRequest.objects.filter(replied_at__isnull=True, objection__status__in=Objection.OPEN_STATUSES)
        .filter(objection__application__in=Application.objects.filter(_owner_q(user)).values("pk"))
        .select_related("objection__application__campaign__program", "objection__application__region")
        .order_by("reply_by", "created_at")[:LIST_LIMIT])
    if not pending:
        return None
    detail = reverse("applications:detail", args=[0])[:-2]
    rows = [{
        "number": r.objection.application.number, "name": r.objection.application.applicant_name,
        "program": r.objection.application.campaign.program.short_name,
        "region": r.objection.application.region.name, "state": "objection_request", "state_label": "待说明",
        "url": f"{detail}{r.objection.application_id}/#objection-requests", "note": "秘书处请您就公示异议作出说明",
        "deadline": r.reply_by, "deadline_text": f"{timezone.localtime(r.reply_by):%Y-%m-%d %H:%M}" if r.reply_by else "",
        "overdue": bool(r.reply_by and r.reply_by < timezone.now()), "days_left": None,
    } for r in pending]
    return Section(Role.APPLICANT, "公示异议：请您说明", rows=rows, empty_text="")
