"""质量标杆 (recommendation_quota 1): two people of one authority recommend two different applications at
the same moment; exactly one recommendation goes through. PostgreSQL only: the quota guard serialises
on a locked campaign row (SELECT ... FOR UPDATE), which SQLite has no use for (it writes one at a time)."""
import threading
import time

import pytest
from django.db import connection, connections

from applications import workflow
from applications.models import Application, State
from qualityaward.accounts.models import Role, User
from qualityaward.accounts.services import Actor, grant_role
from demo.review import complete_sample_prereview
from review.prereview import services as svc

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under concurrency: PostgreSQL only"),
]


@pytest.fixture
def lingering_recommend():
    """Each recommendation lingers after the quota check, inside its transaction: it widens the race."""
    guards = workflow.TRANSITIONS["recommend"].extra_guards

    def linger(app, actor, params):
        time.sleep(0.5)

    guards.append(linger)
    yield
    guards.remove(linger)


def test_two_simultaneous_recommendations_over_a_quota_of_one_leave_exactly_one(world, lingering_recommend):
    assert world.benchmark.profile.recommendation_quota == 1
    staff = []
    for username in ("gongxin_a", "gongxin_b"):  # two people of the same city's 工信部门
        user = User.objects.create_user(username=username, password="pass-12345")
        grant_role(user=user, role=Role.AUTHORITY, program=world.benchmark, region=world.zhengzhou)
        staff.append(user)
    apps = [world.new_app(campaign=world.benchmark_campaign, name=name) for name in ("甲标杆企业", "乙标杆企业")]
    for app, user in zip(apps, staff):
        workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
        complete_sample_prereview(application=app, actor=Actor(user=user))

    barrier = threading.Barrier(2)
    outcomes = {}

    def recommend(app_id, user_id):
        try:
            app, user = Application.objects.get(pk=app_id), User.objects.get(pk=user_id)
            barrier.wait(timeout=10)
            svc.recommend(application=app, actor=Actor(user=user))
            outcomes[app_id] = "recommended"
        except workflow.GuardFailed as exc:
            outcomes[app_id] = exc.message
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=recommend, args=(app.pk, user.pk)) for app, user in zip(apps, staff)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)

    results = list(outcomes.values())
    assert len(results) == 2 and results.count("recommended") == 1, outcomes
    (refusal,) = [r for r in results if r != "recommended"]
    assert "每个推荐单位本届最多推荐 1 个，您已推荐 1 个" in refusal
    states = sorted(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("state", flat=True))
    assert states == sorted([State.RECOMMENDED, State.SUBMITTED])
