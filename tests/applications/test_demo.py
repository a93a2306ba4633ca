"""``load_demo``: idempotent, every printed login works and lands on its role's dashboard section,
and the demo applications are in the states the demo promises (reached through the workflow)."""
import io
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from applications.management.commands import load_demo
from applications.management.commands.load_demo import is_valid_credit_code
from applications.forms.services import missing_for_submission
from applications.models import (Application, ApplicationSection, Attachment, Campaign, GeneratedDocument, Program,
                                 State, Submission)
from applications.selectors import open_campaigns
from qualityaward.accounts.identifiers import is_valid_id_number
from qualityaward.accounts.models import AuditEvent, IndividualProfile, Organization, Role, RoleAssignment, User
from qualityaward.views import DASHBOARD_SECTIONS
from publicity.notices.models import CalendarYear, Notice, NoticeItem
from publicity.objections.models import Objection, ObjectionFile
from review.panels.models import Panel, PanelMember

FIXTURES = [str(Path(settings.BASE_DIR) / "fixtures" / f"{name}.json") for name in ("regions", "gbt19580", "programs")]

pytestmark = pytest.mark.django_db

EXPECTED_STATES = {
    "郑州中原精工机械有限公司": State.DRAFT,
    "郑州黄河智能装备股份有限公司": State.SUBMITTED,
    "郑州嵩岳新材料科技有限公司": State.RETURNED,
    "郑州商都食品集团有限公司": State.RECOMMENDED,
    "李娜": State.SUBMITTED,
    "息县淮河农产品加工有限公司": State.MATERIAL_REVIEW,
    "息县弦山纺织服装有限公司": State.COMMITTEE,
    "息县豫南茶业有限公司": State.ACCEPTANCE_PUBLICITY,  # on the open acceptance notice
}
EXPECTED_ROLES = {
    "applicant": {Role.APPLICANT}, "applicant2": {Role.APPLICANT}, "bureau_zz": {Role.AUTHORITY},
    "secretariat": {Role.SECRETARIAT}, "expert": {Role.EXPERT},
    "supervisor": {Role.SUPERVISOR}, "committee": {Role.COMMITTEE}, "admin": {Role.ADMIN},
}
COUNTED = [User, RoleAssignment, IndividualProfile, Organization, Organization.members.through, Application,
           ApplicationSection, Attachment, Submission, GeneratedDocument, Panel, PanelMember, AuditEvent, Notice,
           NoticeItem, Objection, ObjectionFile]


def run_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def printed_logins(output):
    """{username: (password, role label)} parsed from the printed table."""
    logins = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] in EXPECTED_ROLES:
            logins[cells[0]] = (cells[1], cells[2])
    return logins


def snapshot():
    return {model._meta.label: sorted(model.objects.values_list("pk", flat=True)) for model in COUNTED} | {
        "states": sorted(Application.objects.values_list("pk", "state", "number", "updated_at")),
        "passwords": sorted(User.objects.values_list("username", "password")),
    }


@pytest.fixture
def demo():
    call_command("loaddata", *FIXTURES, verbosity=0)
    return run_demo()


def test_second_run_changes_nothing_and_prints_logins_again(demo):
    before = snapshot()
    second = run_demo()
    assert snapshot() == before
    assert "未做任何更改" in second
    assert printed_logins(second) == printed_logins(demo)
    assert len(printed_logins(second)) == len(load_demo.USERS)


def test_users_roles_and_organizations(demo):
    for username, roles in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        held = set(user.role_assignments.values_list("role", flat=True))
        assert held == roles, username
        assert user.full_name and user.email.endswith("example.com")
    assert User.objects.get(username="admin").is_superuser
    assert set(RoleAssignment.objects.filter(user__username="secretariat").values_list("program__code", flat=True)) == {
        "henan-cultivation", "xixian"}
    assert RoleAssignment.objects.get(user__username="bureau_zz").region.code == "410100"
    # 息县 第十五、十七条: applicants submit to the secretariat; the demo has no 推荐单位 for 息县
    assert not RoleAssignment.objects.filter(role=Role.AUTHORITY, program__code="xixian").exists()
    zhengzhou = Organization.objects.filter(region__code="410100", members__username="applicant")
    assert zhengzhou.exists()
    for org in Organization.objects.all():
        assert is_valid_credit_code(org.credit_code), org.credit_code
        org.full_clean()  # the model's own validators (GB 32100 check character)
    profile = IndividualProfile.objects.get(user__username="applicant2")
    assert is_valid_id_number(profile.id_number) and profile.gender == "female"


def test_credit_code_check_characters():
    # published codes (GB 32100 and the GB 11714 organization code inside)
    for code in ("91350100M000100Y43", "91110000600037341L", "91440300708461136T"):
        assert is_valid_credit_code(code)
    assert not is_valid_credit_code("91350100M000100Y44")
    assert load_demo.credit_code("410100", "MA44JG01")[:8] == "91410100"


def test_demo_applications_reached_their_states_through_the_workflow(demo):
    apps = {a.applicant_name: a for a in Application.objects.select_related("campaign__program", "region")}
    assert {name: app.state for name, app in apps.items()} == EXPECTED_STATES
    assert apps["李娜"].kind == Application.Kind.INDIVIDUAL
    for name, app in apps.items():
        expected_program = "xixian" if name.startswith("息县") else "henan-cultivation"
        assert app.campaign.program.code == expected_program and app.campaign.is_current
        transitions = AuditEvent.objects.filter(object_id=str(app.pk), action__startswith="transition:")
        if app.state == State.DRAFT:
            assert app.number is None and not transitions.exists()
        else:
            assert app.number and app.submissions.exists()
            assert transitions.order_by("-created_at", "-id").first().to_state == app.state
    assert missing_for_submission(apps["郑州中原精工机械有限公司"]) == []  # the draft can be submitted as it is
    returned = apps["郑州嵩岳新材料科技有限公司"]
    assert returned.reopened_sections
    assert AuditEvent.objects.get(object_id=str(returned.pk), action="transition:return_for_correction").reason
    seat = PanelMember.objects.get(panel__application=apps["息县淮河农产品加工有限公司"], expert__username="expert")
    assert seat.role == PanelMember.Role.LEADER and seat.panel.stage == Panel.Stage.MATERIAL


def test_every_printed_login_works_and_shows_its_sections(demo, client):
    logins = printed_logins(demo)
    assert set(logins) == set(EXPECTED_ROLES)
    for username, (password, _label) in logins.items():
        client.logout()
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302, f"{username} could not log in with the printed password"
        response = client.get("/")
        assert response.status_code == 200, username
        html = response.content.decode()
        user = User.objects.get(username=username)
        for role in EXPECTED_ROLES[username]:
            title = DASHBOARD_SECTIONS[role](user).title
            assert title in html, f"{username}: section “{title}” missing"


def test_dashboards_show_the_demo_work(demo, client):
    def dashboard(username):
        client.logout()
        client.post(reverse("login"), {"username": username, "password": load_demo.PASSWORD})
        return client.get("/").content.decode()

    assert "郑州黄河智能装备股份有限公司" in dashboard("bureau_zz")
    assert "郑州商都食品集团有限公司" in dashboard("secretariat")
    assert "息县淮河农产品加工有限公司" in dashboard("expert")
    assert "息县弦山纺织服装有限公司" in dashboard("committee")
    applicant = dashboard("applicant")
    assert all(name in applicant for name in EXPECTED_STATES if name != "李娜")


def test_the_notice_board_has_an_open_and_a_past_notice_and_the_secretariat_an_objection(demo, client):
    from django.utils import timezone

    today = timezone.localdate()
    past = Notice.objects.get(kind=Notice.Kind.AUTHORITY)
    assert past.status == Notice.Status.SETTLED and past.last_day < today and past.closes_at <= timezone.now()
    assert past.region.code == "410100" and [i.name for i in past.items.all()] == ["郑州黄河智能装备股份有限公司"]
    current = Notice.objects.get(kind=Notice.Kind.ACCEPTANCE)
    assert current.status == Notice.Status.OPEN and current.opens_at <= timezone.now() < current.closes_at
    assert current.campaign.program.code == "xixian" and current.window_length == 5
    # the acceptance publicity was opened by the notice job, not by hand
    app = current.items.get().application
    assert AuditEvent.objects.get(object_id=str(app.pk), action="transition:open_acceptance_publicity").actor is None

    board = client.get(reverse("publicity:index")).content.decode()
    assert past.title in board and current.title in board

    objection = Objection.objects.get()
    assert objection.notice == current and objection.status == Objection.Status.RECEIVED
    assert objection.application == app and objection.answer_deadline is not None
    client.post(reverse("login"), {"username": "secretariat", "password": load_demo.PASSWORD})
    register = client.get(reverse("publicity:objection_list")).content.decode()
    assert objection.receipt_number in register and "息县豫南茶业有限公司" in register


LATER_DATES = ["2027-06-01T10:00:00+08:00", "2028-06-30T10:00:00+08:00"]


def campaign_rows():
    return {row["id"]: row for row in Campaign.objects.values()}


@pytest.mark.parametrize("moment", LATER_DATES)
def test_on_a_later_date_the_demo_opens_every_program_and_leaves_the_past_alone(moment, client):
    """``make run`` months after the shipped campaigns closed: every program takes applications today,
    the applicant is offered all five, the seed campaigns keep their dates, nothing is printed as an
    error, and what needs next year's holidays waits, with a warning that says where to enter them."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    shipped = campaign_rows()
    with time_machine.travel(moment, tick=True):
        output = run_demo()
        now = timezone.now()
        open_now = open_campaigns()
        assert {c.program.code for c in open_now} == set(Program.objects.values_list("code", flat=True))
        assert all(c.opens_at <= now <= c.application_deadline for c in open_now)
        client.force_login(User.objects.get(username="applicant"))
        dashboard = client.get("/").content.decode()
        assert all(f"新建申报：{c.program.name}（{c.name}" in dashboard for c in open_now)
        before = snapshot() | {"campaigns": campaign_rows()}
        second = run_demo()
        assert snapshot() | {"campaigns": campaign_rows()} == before and "未做任何更改" in second
    after = campaign_rows()
    for pk, row in shipped.items():
        assert after[pk] | {"is_current": row["is_current"]} == row, f"seed campaign {row['name']} was changed"
        assert not after[pk]["is_current"]  # the open one is each program's current campaign now
    for text in (output, second):
        assert "Error" not in text and "Traceback" not in text and "错误" not in text
        assert "管理后台 → 工作日日历" in text  # no holidays known beyond 2026: 息县's 5 working days wait
    # the bureau's work is current: its waiting submissions are due at the new campaign's deadline
    apps = Application.objects.filter(campaign__in=open_now, state=State.SUBMITTED)
    assert apps.exists() and all(a.campaign.recommendation_deadline > now for a in apps)


def test_once_the_secretariat_enters_the_year_a_later_run_adds_what_waited(client):
    """The postponed applications and notices are created on the next run after the year's holidays are
    entered (管理后台 → 工作日日历), and every role's dashboard then shows its work."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    with time_machine.travel(LATER_DATES[0], tick=True):
        run_demo()
        CalendarYear.objects.create(year=2027, confirmed=True, source="国办发明电〔2026〕X号")
        output = run_demo()
        assert "暂未创建" not in output and "已创建演示数据" in output
        apps = {a.applicant_name: a.state for a in Application.objects.filter(campaign__is_current=True)}
        assert apps == EXPECTED_STATES
        assert Notice.objects.filter(status=Notice.Status.OPEN).count() == 1 and Objection.objects.count() == 1
        client.post(reverse("login"), {"username": "expert", "password": load_demo.PASSWORD})
        assert "息县淮河农产品加工有限公司" in client.get("/").content.decode()
