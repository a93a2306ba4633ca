"""The calibration's Celery jobs: they take ids, are idempotent and safe to run twice (acks_late)."""
from celery import shared_task

from applications import jobs

from .services import JOB, refresh_all_calibration, refresh_calibration


@shared_task(name="review.insights_tasks.refresh_calibration", acks_late=True)
def refresh_calibration_task(campaign_id, expert_ids=None):
    """Recompute the stored calibration of a campaign's experts from their item scores."""
    return refresh_calibration(campaign_id=campaign_id, expert_ids=expert_ids)


@shared_task(name="review.insights_tasks.refresh_all_calibration", acks_late=True)
def refresh_all_calibration_task():
    """Every campaign from scratch (the nightly catch-up)."""
    return refresh_all_calibration()


jobs.register(JOB, lambda campaign_id, expert_ids=None: refresh_calibration_task.delay(campaign_id, expert_ids))
