"""The tests' pinned clock, shared with the subprocesses they start (Celery worker and beat).

conftest.py pins every pytest process at ``TEST_NOW`` (a ticking clock) for the whole session; a
Celery worker or beat started by a test is another process, so it starts through
``pinned_command``, which travels to the tests' current moment before Celery runs. Both clocks
then tick together.
"""
import os
import sys

from django.utils import timezone

# A Friday inside the fixture campaigns' application period (open 2026-09-01, applications close
# 2027-03-31) and inside the years chinesecalendar knows. QA_TEST_NOW overrides it for exploring
# another day by hand.
TEST_NOW = os.environ.get("QA_TEST_NOW", "2026-11-20T10:00:00+08:00")

_CELERY_UNDER_CLOCK = (
    "import sys, time_machine; time_machine.travel(sys.argv.pop(1), tick=True).start(); "
    "from celery.__main__ import main; sys.argv[0] = 'celery'; main()"
)


def pinned_celery_command(*args):
    """``python -m celery *args``, started at the tests' current pinned moment."""
    return [sys.executable, "-c", _CELERY_UNDER_CLOCK, timezone.now().isoformat(), *args]
