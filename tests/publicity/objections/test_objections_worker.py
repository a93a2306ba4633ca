"""The written answer goes to the objector through the real Celery worker (PostgreSQL + Redis pass):
the task module is registered with the worker, and the sending time is recorded on the objection."""
import pathlib
import time

import pytest

from publicity.objections import services as svc
from publicity.objections.models import Objection
from qualityaward.accounts.services import Actor

pytestmark = pytest.mark.celery_worker


def _load_support():
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("objection_support_worker", pathlib.Path(__file__).with_name("objection_support.py"))
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _load_support()
seeded, world, xixian_app, xixian_notice = S.seeded, S.world, S.xixian_app, S.xixian_notice


@pytest.mark.django_db(transaction=True)
def test_the_worker_emails_the_written_answer_once(celery_real_worker, world, xixian_notice):
    if celery_real_worker is None:
        pytest.skip("QA_REAL_CELERY is not set: no real worker in this pass (tasks run eagerly)")
    objection = S.file_objection(xixian_notice)
    svc.decide(objection=objection, decision=Objection.Status.UNFOUNDED, finding="不成立。",
               answer_text="经核实，异议不成立。", actor=Actor(user=world.secretariat_other))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        objection.refresh_from_db()
        if objection.answer_emailed_at:
            break
        time.sleep(0.2)
    assert objection.answer_emailed_at is not None, "the worker did not send the written answer"
