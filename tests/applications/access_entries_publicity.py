"""Access entries of the publicity pages (merged into MATRIX by test_access.py).

Public notice pages need no login. The composing pages are for the program's secretariat and the
area's recommending authority (everyone else gets 404): tests/publicity/notices/test_pages.py covers them.
"""
from datetime import timedelta

from django.utils import timezone


def _open_notice(w):
    """A published notice of the cultivation program listing nothing sensitive."""
    from publicity.notices import services
    from publicity.notices.models import Notice
    from qualityaward.accounts.services import Actor

    notice = Notice.objects.filter(status=Notice.Status.OPEN).first()
    if notice is not None:
        return notice
    app = w.new_app(name="公示页面测试单位", filled=False)
    now = timezone.now()
    last_day, closes_at = services.window_of(now, 5, "calendar_days")
    notice = Notice.objects.create(campaign=w.campaign, kind="acceptance", title="测试公示", issuer="测试单位",
                                   window_length=5, window_unit="calendar_days", opens_at=now, last_day=last_day,
                                   closes_at=closes_at, created_by=w.secretariat)
    services._write_items(notice, [app])
    services.schedule_notice(notice=notice, actor=Actor(user=w.secretariat), opens_at=now)
    services.open_notice(notice_id=notice.pk)
    return notice


def _draft_notice(w):
    from publicity.notices.models import Notice

    now = timezone.now()
    return Notice.objects.create(campaign=w.campaign, kind="acceptance", title="待发布的测试公示", issuer="测试单位",
                                 window_length=5, window_unit="calendar_days", opens_at=now,
                                 last_day=(now + timedelta(days=5)).date(), closes_at=now + timedelta(days=6), created_by=w.secretariat, status=Notice.Status.DRAFT)


def _listed_draft(w):
    """A draft listing one application (what scheduling needs)."""
    from publicity.notices import services

    notice = _draft_notice(w)
    services._write_items(notice, [w.apps["eligibility"]])
    return notice


def _scheduled(w):
    from publicity.notices import services
    from qualityaward.accounts.services import Actor

    notice = _listed_draft(w)
    services.schedule_notice(notice=notice, actor=Actor(user=w.secretariat), opens_at=timezone.now() + timedelta(days=3))
    return notice


def _later():
    return (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")


#: the cultivation program's notices are composed and published by its secretariat
MANAGERS = {"secretariat"}

ENTRIES = {
    "publicity:notice": {"kind": "public", "args": lambda w, a: [_open_notice(w).pk]},
    "publicity:notice_print": {"kind": "public", "args": lambda w, a: [_open_notice(w).pk]},
    "publicity:manage": {"kind": "login"},  # lists only the notices the user publishes
    "publicity:compose": {"kind": "get", "app": None, "args": lambda w, a: [w.campaign.pk, "acceptance"],
                          "allowed": MANAGERS},
    "publicity:manage_notice": {"kind": "get", "app": None, "args": lambda w, a: [_open_notice(w).pk],
                                "allowed": MANAGERS},
    # a draft's text, schedule and deletion; an open notice's correction (a new notice)
    "publicity:notice_edit": {"kind": "post", "app": None, "args": lambda w, a: [_draft_notice(w).pk],
                              "actors": MANAGERS, "reaches": True,
                              "data": lambda w, a: {"title": "受理名单公示（修改）", "body": "现予公示。"}},
    "publicity:notice_schedule": {"kind": "post", "app": None, "args": lambda w, a: [_listed_draft(w).pk],
                                  "actors": MANAGERS, "data": lambda w, a: {"when": "later", "opens_at": _later()}},
    "publicity:notice_unschedule": {"kind": "post", "app": None, "args": lambda w, a: [_scheduled(w).pk],
                                    "actors": MANAGERS},
    "publicity:notice_correct": {"kind": "post", "app": None, "args": lambda w, a: [_open_notice(w).pk],
                                 "actors": MANAGERS},
    "publicity:notice_delete": {"kind": "post", "app": None, "args": lambda w, a: [_draft_notice(w).pk],
                                "actors": MANAGERS},
    # the applicant's internal publicity record: every viewer of the application reads it; its file too
    "publicity:internal": {"kind": "get", "args": lambda w, a: [a.pk], "allowed": "viewers"},
    "publicity:internal_file": {"kind": "get", "args": lambda w, a: [a.pk], "allowed": "viewers"},
}
