"""Helpers of the conformance walks (tests/conformance/): perform, refuse, who may act, new applicants."""
import pytest

from applications import workflow
from qualityaward.accounts.models import Organization, Role, User
from qualityaward.accounts.services import Actor, grant_role


def make_user(username, *roles, **extra):
    user = User.objects.create_user(username=username, password="pass-12345", email=f"{username}@example.cn",
                                    full_name=extra.pop("full_name", username))
    for role, scope in roles:
        grant_role(user=user, role=role, **scope)
    return user


def refused(app, name, user, **params):
    """The refusal class of ``name`` by ``user``; the test fails when the transition goes through."""
    try:
        with pytest.raises(workflow.TransitionError) as info:
            workflow.perform(application=app, name=name, actor=Actor(user=user), **params)
    finally:
        app.refresh_from_db()
    return type(info.value)


def who_may(app, name, users):
    """The usernames among ``users`` who may perform ``name`` on ``app`` now (state and permission)."""
    actor_names = set()
    for user in users:
        if name in {t.name for t in workflow.available_transitions(app, Actor(user=user))}:
            actor_names.add(user.username)
    return actor_names


def step(app, name, user, **params):
    workflow.perform(application=app, name=name, actor=Actor(user=user), **params)
    app.refresh_from_db()
    return app


def tick_exclusions(app, user):
    from review.eligibility.services import ABSENT, exclusion_items, record_exclusions

    record_exclusions(application=app, actor=Actor(user=user),
                      answers={item.pk: (ABSENT, "") for item in exclusion_items(app)})


def consult_departments(app, user):
    """The secretariat's consultation of the departments before eligibility, where the profile has it."""
    from demo.review import complete_sample_consultation

    complete_sample_consultation(application=app, actor=Actor(user=user))


def new_application(world, campaign, region, name, org_code):
    """A filled draft of a new organization in ``region`` (its own applicant account)."""
    from applications.management.commands.load_demo import credit_code

    owner = make_user(f"owner_{org_code.lower()}", (Role.APPLICANT, {}))
    org = Organization.objects.create(name=name, credit_code=credit_code(region.code, org_code), region=region)
    org.members.add(owner)
    return world.new_app(owner=owner, organization=org, campaign=campaign, region=region, name=name)
