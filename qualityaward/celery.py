"""The Celery application: one app shared by the web process, the worker and beat."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityaward.settings")

app = Celery("qualityaward")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _committee_schedule(sender, **kwargs):
    """Beat jobs of the committee vote and the winners' self-assessment reports."""
    sender.conf.beat_schedule.setdefault("close-due-committee-votes", {
        "task": "review.committee_tasks.close_due_votes", "schedule": 60.0})
    sender.conf.beat_schedule.setdefault("self-assessment-reminders", {
        "task": "review.committee_tasks.send_self_assessment_reminders", "schedule": 6 * 3600.0})


@app.on_after_configure.connect
def _objection_schedule(sender, **kwargs):
    """Answer-deadline reminders of objections to public notices (each reminder is recorded and sent once)."""
    from celery.schedules import crontab

    sender.conf.beat_schedule.setdefault("objection-deadline-reminders", {
        "task": "publicity.tasks_objections.send_objection_reminders", "schedule": crontab(minute=20, hour="8-18")})


@app.on_after_configure.connect
def _insights_schedule(sender, **kwargs):
    """The stored expert calibration rebuilt every night (the scoring services refresh it as scores change;
    this catches up after a bulk import or a deletion)."""
    from celery.schedules import crontab

    sender.conf.beat_schedule.setdefault("refresh-expert-calibration", {
        "task": "review.insights_tasks.refresh_all_calibration", "schedule": crontab(minute=30, hour=2)})
