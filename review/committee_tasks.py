"""Beat jobs of the committee and the awards: idempotent, safe to run twice (acks_late)."""
from celery import shared_task


@shared_task(acks_late=True)
def close_due_votes():
    """Close every committee vote whose set closing time has passed; returns how many were closed."""
    from .committee import close_due_sessions

    return close_due_sessions()


@shared_task(acks_late=True)
def send_self_assessment_reminders():
    """E-mail winners whose annual self-assessment report falls due or is overdue (once each)."""
    from .awards import send_reminders

    return len(send_reminders())
