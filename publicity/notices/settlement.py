"""What may hold an application back when its notice's window closes.

The window-closing job asks every registered blocker, for each item of a closed notice, whether the
application may move on. A blocker returns ``None`` (no objection to moving on) or a Chinese reason
("有 1 件异议尚未办结"). Items that are blocked stay unsettled; the job asks again on its next run, so
an objection decided later lets the application continue then, exactly once.
"""
_BLOCKERS = []


def register_blocker(blocker):
    """``blocker(*, notice, application) -> str | None``; registered once per process."""
    if blocker not in _BLOCKERS:
        _BLOCKERS.append(blocker)


def blocking_reasons(*, notice, application):
    reasons = []
    for blocker in _BLOCKERS:
        reason = blocker(notice=notice, application=application)
        if reason:
            reasons.append(reason)
    return reasons
