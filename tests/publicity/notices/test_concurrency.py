"""Three runs of the publicity job at the same moment (two beat hosts by mistake, a retried task)
settle a window exactly once. PostgreSQL only: the job serialises on row locks (SELECT ... FOR UPDATE)
and conditional updates, which SQLite has no use for (it writes one at a time)."""
import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from applications.models import State
from publicity.notices import services
from publicity.notices.models import Notice, NoticeItem
from publicity.notices.settlement import _BLOCKERS, register_blocker
from qualityaward.accounts.models import AuditEvent
from qualityaward.accounts.services import Actor

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under concurrency: PostgreSQL only"),
]


@pytest.fixture
def slow_blocker():
    """A blocker that takes its time (as one reading objections might) and holds nothing: widens the race."""
    def slow(*, notice, application):
        time.sleep(0.2)
        return None

    register_blocker(slow)
    yield
    _BLOCKERS.remove(slow)


def test_simultaneous_runs_open_close_and_settle_once(world, accepted_apps, next_year_known, slow_blocker):
    notice = services.compose_notice(campaign=world.campaign, kind="acceptance", actor=Actor(user=world.secretariat),
                                     application_ids=[a.pk for a in accepted_apps], window_length=5)
    services.schedule_notice(notice=notice, actor=Actor(user=world.secretariat),
                             opens_at=timezone.now() + dt.timedelta(hours=1))  # beat was down since
    notice.refresh_from_db()
    late = notice.closes_at + dt.timedelta(days=1)
    barrier = threading.Barrier(3)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(services.run_due(now=late))
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sum(r["opened"] for r in results) == 1
    assert sum(r["closed"] for r in results) == 1
    assert sum(r["settled"] for r in results) == 3
    assert sum(r["notices_settled"] for r in results) == 1
    system = AuditEvent.objects.filter(actor__isnull=True)
    assert system.filter(action="transition:open_acceptance_publicity").count() == 3
    assert system.filter(action="transition:start_material_review").count() == 3
    assert system.filter(action="notice:settle_item").count() == 3
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.SETTLED
    assert not NoticeItem.objects.filter(settled_at__isnull=True).exists()
    for app in accepted_apps:
        app.refresh_from_db()
        assert app.state == State.MATERIAL_REVIEW
