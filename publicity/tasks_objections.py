"""Celery tasks of the objection module: thin, take ids, idempotent (acks_late)."""
from celery import shared_task

from . import objections


@shared_task(acks_late=True)
def send_objection_reminders():
    """Beat: deadline reminders to the secretariat at 2 working days left, on the day, and once overdue.
    Each reminder is recorded, so a rerun (or two beats at once) sends nothing twice."""
    return len(objections.send_due_reminders())


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=300)
def deliver_answer(self, objection_id):
    """E-mail the written answer to the objector (once; the sending time is recorded on the objection)."""
    try:
        return objections.deliver_answer_now(objection_id=objection_id)
    except Exception as exc:  # the mail server refused: try again later; the register shows it as not sent
        if self.request.is_eager:
            return False
        raise self.retry(exc=exc)
