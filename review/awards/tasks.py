"""The awards' beat job: idempotent, safe to run twice (acks_late). Registered under its first name."""
from celery import shared_task

from .services import send_reminders


@shared_task(name="review.committee_tasks.send_self_assessment_reminders", acks_late=True)
def send_self_assessment_reminders():
    """E-mail winners whose annual self-assessment report falls due or is overdue (once each)."""
    return len(send_reminders())
