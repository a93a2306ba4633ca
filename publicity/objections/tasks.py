"""Celery tasks of the objections: thin, take ids, idempotent (acks_late). Registered under their first names
(``publicity.tasks_objections.*``): beat schedules and queued messages use them."""
from celery import shared_task

from applications import jobs

from . import services as objections


@shared_task(name="publicity.tasks_objections.send_objection_reminders", acks_late=True)
def send_objection_reminders():
    """Beat: deadline reminders to the secretariat at 2 working days left, on the day, and once overdue.
    Each reminder is recorded, so a rerun (or two beats at once) sends nothing twice."""
    return len(objections.send_due_reminders())


@shared_task(name="publicity.tasks_objections.deliver_answer", bind=True, acks_late=True, max_retries=5,
             default_retry_delay=300)
def deliver_answer(self, objection_id):
    """E-mail the written answer to the objector (once; the sending time is recorded on the objection)."""
    try:
        return objections.deliver_answer_now(objection_id=objection_id)
    except Exception as exc:  # the mail server refused: try again later; the register shows it as not sent
        if self.request.is_eager:
            return False
        raise self.retry(exc=exc)


jobs.register("publicity.deliver_answer", lambda objection_id: deliver_answer.delay(objection_id))
