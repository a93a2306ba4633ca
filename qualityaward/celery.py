"""The Celery application: one app shared by the web process, the worker and beat."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityaward.settings")

app = Celery("qualityaward")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
