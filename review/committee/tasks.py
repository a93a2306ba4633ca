"""Beat jobs of the committee and the awards: idempotent, safe to run twice (acks_late)."""
from celery import shared_task

from .services import close_due_sessions


@shared_task(name="review.committee_tasks.close_due_votes", acks_late=True)
def close_due_votes():
    """Close every committee vote whose set closing time has passed; returns how many were closed."""
    return close_due_sessions()
