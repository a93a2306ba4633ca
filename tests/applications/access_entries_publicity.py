"""Access entries of the publicity pages (merged into MATRIX by test_access.py).

Public notice pages need no login. The composing pages are for the program's secretariat and the
area's recommending authority (everyone else gets 404): tests/publicity/notices/test_pages.py covers them.
"""
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


ENTRIES = {
    "publicity:notice": {"kind": "public", "args": lambda w, a: [_open_notice(w).pk]},
    "publicity:notice_print": {"kind": "public", "args": lambda w, a: [_open_notice(w).pk]},
    "publicity:manage": {"kind": "login"},  # lists only the notices the user publishes
    # secretariat / area authority only; 404 for everyone else (tests/publicity/notices/test_pages.py)
    "publicity:compose": {"kind": "auth", "args": lambda w, a: [w.campaign.pk, "acceptance"]},
    "publicity:manage_notice": {"kind": "auth", "args": lambda w, a: [_open_notice(w).pk]},
    "publicity:notice_edit": {"kind": "auth", "args": lambda w, a: [_open_notice(w).pk]},
    "publicity:notice_schedule": {"kind": "auth", "args": lambda w, a: [_open_notice(w).pk]},
    "publicity:notice_unschedule": {"kind": "auth", "args": lambda w, a: [_open_notice(w).pk]},
    "publicity:notice_correct": {"kind": "auth", "args": lambda w, a: [_open_notice(w).pk]},
    "publicity:notice_delete": {"kind": "auth", "args": lambda w, a: [_open_notice(w).pk]},
    # the applicant's internal publicity record: every viewer of the application reads it
    "publicity:internal": {"kind": "object", "args": lambda w, a: [a.pk]},
    "publicity:internal_file": {"kind": "auth", "args": lambda w, a: [a.pk]},
}
