"""The world of tests/applications (people, programs, ``drive``) and helpers for notices."""
import importlib.util
import pathlib

import pytest

_spec = importlib.util.spec_from_file_location(
    "publicity_tests_applications_conftest", pathlib.Path(__file__).parent.parent / "applications" / "conftest.py")
_applications = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_applications)

seeded = _applications.seeded
world = _applications.world
drive = _applications.drive
make_user = _applications.make_user


@pytest.fixture
def accepted_apps(world, drive):
    """Three accepted applications of the cultivation program (郑州, 郑州, 开封)."""
    from applications.models import State
    from qualityaward.accounts.models import Organization

    apps = [drive(world.new_app(name="河南省测试装备制造有限公司"), State.ACCEPTED)]
    org2 = Organization.objects.create(name="郑州第二家测试公司", credit_code="91410100MA44TRAN1X",
                                       region=world.zhengzhou)
    org2.members.add(world.colleague)
    apps.append(drive(world.new_app(owner=world.colleague, organization=org2), State.ACCEPTED))
    apps.append(drive(world.new_app(owner=world.stranger, organization=world.other_org), State.ACCEPTED))
    return apps


@pytest.fixture
def next_year_known(db):
    """Windows computed near the end of a year need the next one: enter it as the secretariat would
    (confirmed; days not listed follow the weekend rule) when the package does not know it yet."""
    import datetime as dt

    import chinese_calendar
    from django.utils import timezone

    from publicity.notices.models import CalendarYear

    year = timezone.localdate().year + 1
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        CalendarYear.objects.create(year=year, confirmed=True, source="测试")


@pytest.fixture
def acceptance_rule(world):
    """The cultivation program's acceptance publicity with a minimum (the seed leaves it open)."""
    from applications.models import PublicityRule

    rule = PublicityRule.objects.get(profile__program=world.cultivation, kind="acceptance")
    rule.min_length = 5
    rule.save()
    return rule


@pytest.fixture
def blockers():
    """A blocker registered through ``publicity.settlement``, as the objection module does; the test
    fills ``held`` with application ids that have an objection pending."""
    from publicity.notices.settlement import register_blocker

    held = set()

    def pending_objection(*, notice, application):
        return "有 1 件异议尚未办结" if application.pk in held else None

    register_blocker(pending_objection)
    yield held
    from publicity.notices import settlement

    settlement._BLOCKERS.remove(pending_objection)
