"""Several people object at the same moment: each gets its own receipt number, none is lost.
PostgreSQL only: numbering serialises on the locked program row (SQLite writes one at a time)."""
import pathlib
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from publicity.notices.models import Notice
from publicity.objections.models import Objection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under concurrency: PostgreSQL only"),
]


def _load_support():
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("objection_support_concurrency",
                                   pathlib.Path(__file__).with_name("objection_support.py"))
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _load_support()
seeded, world, xixian_app, xixian_notice = S.seeded, S.world, S.xixian_app, S.xixian_notice


def test_simultaneous_objections_get_distinct_consecutive_numbers(xixian_notice):
    barrier = threading.Barrier(4)
    outcomes = []

    def submit(n):
        try:
            notice = Notice.objects.select_related("campaign__program__profile").get(pk=xixian_notice.pk)
            barrier.wait(timeout=10)
            outcomes.append(S.file_objection(notice, grounds=S.GROUNDS + f"（第 {n} 人）").receipt_number)
        except Exception as exc:  # reported below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    year = timezone.localtime(Objection.objects.first().received_at).year
    assert sorted(outcomes) == [f"XX-YY{year}-{i:04d}" for i in range(1, 5)], outcomes
    assert Objection.objects.count() == 4
