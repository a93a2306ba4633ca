"""``generate_data`` at a small scale: the requested numbers, many states, consistent rows."""
import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from applications import workflow
from applications.forms.spec import UploadSlot, form_for
from applications.management.commands.load_demo import is_valid_credit_code
from applications.models import Application, Campaign, State, Submission
from qualityaward.accounts.models import AuditEvent, Organization, Region, Role, RoleAssignment, User
from review.panels.models import Panel, PanelMember

FIXTURES = [str(Path(settings.BASE_DIR) / "fixtures" / f"{name}.json") for name in ("regions", "gbt19580", "programs")]

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    call_command("loaddata", *FIXTURES, verbosity=0)
    out = io.StringIO()
    call_command("generate_data", applications=50, experts=10, seed=7, stdout=out)
    return out.getvalue()


def test_counts_and_spread(generated):
    apps = Application.objects.all()
    assert apps.count() == 50
    states = set(apps.values_list("state", flat=True))
    assert len(states) >= 8, states
    assert {State.DRAFT, State.SUBMITTED}.issubset(states)
    assert set(apps.values_list("campaign", flat=True)) == set(
        Campaign.objects.filter(is_current=True).values_list("pk", flat=True))
    experts = User.objects.filter(role_assignments__role=Role.EXPERT)
    assert experts.count() == 10
    assert "50 份申报" in generated


def test_rows_are_consistent(generated):
    for app in Application.objects.select_related("campaign__program__profile", "region"):
        profile = app.campaign.program.profile
        assert app.state in set(workflow.enabled_pipeline(profile)) | {
            State.DRAFT, State.SUBMITTED, State.RETURNED, State.RECOMMENDED, State.ELIGIBILITY_REVIEW,
            State.REJECTED, State.WITHDRAWN, State.DISQUALIFIED, State.NOT_FINALIST, State.NOT_AWARDED,
            State.REVOKED}
        form_sections = {s.code for s in form_for(app).sections if any(not isinstance(i, UploadSlot) for i in s.items)}
        saved = set(app.sections.values_list("code", flat=True))
        if app.state == State.DRAFT:
            assert app.number is None and not app.submissions.exists()
            assert saved <= form_sections
        else:
            assert app.number and app.submitted_at and app.submissions.exists()
            assert saved == form_sections
            assert set(app.submissions.last().content["form"]["sections"]) == {s.code for s in form_for(app).sections}
        if app.state == State.RETURNED:
            assert app.reopened_sections
        if app.kind == Application.Kind.ORGANIZATION:
            assert app.organization.members.filter(pk=app.owner_id).exists()
        events = AuditEvent.objects.filter(object_id=str(app.pk)).order_by("created_at", "id")
        assert events.first().action == "application:create"
        assert events.exclude(to_state="").last().to_state == app.state
        assert app.state_changed_at >= app.created_at
    numbers = list(Application.objects.exclude(number=None).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert Submission.objects.values("application", "sequence").annotate(n=Count("pk")).filter(n__gt=1).count() == 0
    assert all(is_valid_credit_code(code) for code in Organization.objects.values_list("credit_code", flat=True))


def test_panels_for_reviewed_applications(generated):
    reviewed = Application.objects.filter(state__in=[State.MATERIAL_REVIEW, State.ONSITE_REVIEW])
    for app in reviewed:
        stage = Panel.Stage.MATERIAL if app.state == State.MATERIAL_REVIEW else Panel.Stage.ONSITE
        panel = Panel.objects.get(application=app, stage=stage)
        assert panel.members.filter(role=PanelMember.Role.LEADER).count() == 1
        assert panel.members.filter(role__in=[PanelMember.Role.LEADER, PanelMember.Role.MEMBER]).count() >= 3
    assert not Panel.objects.filter(application__state__in=[State.DRAFT, State.SUBMITTED]).exists()
    assert not PanelMember.objects.exclude(expert__role_assignments__role=Role.EXPERT).exists()


def test_staff_per_program_and_region(generated):
    for campaign in Campaign.objects.filter(is_current=True).select_related("program__seat_region"):
        program = campaign.program
        assert RoleAssignment.objects.filter(role=Role.SECRETARIAT, program=program).exists()
        authority_regions = RoleAssignment.objects.filter(role=Role.AUTHORITY, program=program)
        towns = Region.objects.filter(parent=program.seat_region, level=Region.Level.TOWN)
        if not program.profile.has_recommender_step:  # 息县 第十五、十七条, 金水 第十四、十五条
            assert not authority_regions.exists()
        elif program.seat_region.level == Region.Level.PROVINCE:
            assert authority_regions.count() == Region.objects.filter(level=Region.Level.CITY).count() == 19
        elif towns:  # 巩义 第十七条（二）: each town (street) recommends its own applicants
            assert set(authority_regions.values_list("region", flat=True)) == set(towns.values_list("pk", flat=True))
            assert set(Application.objects.filter(campaign=campaign).values_list("region__parent", flat=True)) == {
                program.seat_region_id}
        else:
            assert list(authority_regions.values_list("region", flat=True)) == [program.seat_region_id]
    assert User.objects.filter(username="g7_admin", is_superuser=True).exists()


def test_same_seed_twice_is_refused_unless_replaced(generated):
    with pytest.raises(CommandError):
        call_command("generate_data", applications=5, experts=2, seed=7, stdout=io.StringIO())
    call_command("generate_data", applications=5, experts=2, seed=7, replace=True, stdout=io.StringIO())
    assert Application.objects.count() == 5
    assert User.objects.filter(role_assignments__role=Role.EXPERT).count() == 2


def test_on_a_later_date_the_data_lies_in_campaigns_open_that_day():
    """Benchmark data generated after the shipped campaigns closed goes into campaigns taking
    applications that day, with histories in the weeks before it, as on the day the benchmarks were written."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    with time_machine.travel("2027-06-01T10:00:00+08:00", tick=True):
        call_command("generate_data", applications=20, experts=5, seed=3, stdout=io.StringIO())
        now = timezone.now()
    campaigns = Campaign.objects.filter(applications__isnull=False).distinct()
    assert campaigns and all(c.opens_at <= now <= c.application_deadline for c in campaigns)
    for app in Application.objects.all():
        assert now - dt.timedelta(days=90) <= app.created_at <= app.state_changed_at <= now
