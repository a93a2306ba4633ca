"""``load_demo``: every program has an application waiting at each stage its procedure has (read from the state
machine and the rule profile, reached through the workflow), the content reads like real applicants', every
account it prints signs in with the printed password, it is idempotent, it reports progress per program, and the
README's table of logins is exactly what it prints."""
import io
import re
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from applications import workflow
from applications.classifications import industry_lookup
from applications.forms.services import missing_for_submission
from applications.management.commands import load_demo
from applications.models import (Application, ApplicationSection, Attachment, AwardTier, Campaign, GeneratedDocument, Program,
                                 State, Submission)
from applications.selectors import open_campaigns
from demo.companies import TRADES, is_valid_credit_code
from demo.journeys import outcomes, route, waiting_states
from publicity.notices.models import CalendarYear, Notice, NoticeItem
from publicity.objections.models import Objection, ObjectionFile
from qualityaward.accounts.identifiers import is_valid_id_number
from qualityaward.accounts.models import AuditEvent, IndividualProfile, Organization, Role, RoleAssignment, User
from review.panels.models import Panel, PanelDraw, PanelMember, Pledge
from review.scoring.models import ScoreSheet, StageResult

FIXTURES = [str(Path(settings.BASE_DIR) / "fixtures" / f"{name}.json") for name in ("regions", "gbt19580", "programs")]
README = Path(settings.BASE_DIR) / "README.md"

pytestmark = pytest.mark.django_db

COUNTED = [User, RoleAssignment, IndividualProfile, Organization, Organization.members.through, Application,
           ApplicationSection, Attachment, Submission, GeneratedDocument, Panel, PanelMember, Pledge, ScoreSheet,
           AuditEvent, Notice, NoticeItem, Objection, ObjectionFile]


def run_demo(**options):
    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=io.StringIO(), documents=options.pop("documents", "later"),
                 **options)
    return out.getvalue()


def printed_logins(output):
    """{username: what it sees} parsed from the printed list (``  username  name — sees``)."""
    logins = {}
    for line in output.splitlines():
        match = re.match(r"^  (\S+)\s+(.+?) — (.+)$", line)
        if match:
            logins[match.group(1)] = match.group(3)
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


def test_credit_code_check_characters():
    # published codes (GB 32100 and the GB 11714 organization code inside)
    for code in ("91350100M000100Y43", "91110000600037341L", "91440300708461136T"):
        assert is_valid_credit_code(code)
    assert not is_valid_credit_code("91350100M000100Y44")
    assert load_demo.credit_code("410100", "MA44JG01")[:8] == "91410100"


def test_the_route_follows_the_rule_profile():
    """The stages come from the state machine: switching a stage off in a profile takes it out of the route."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    profile = Program.objects.get(code="xixian").profile
    states = [state for _name, state in route(profile)]
    assert states[0] == State.SUBMITTED and states[-1] == State.AWARDED
    assert {State.ACCEPTANCE_PUBLICITY, State.ONSITE_REVIEW, State.COMMITTEE, State.GOVERNMENT_DECISION} <= set(states)
    profile.has_onsite_review = profile.has_acceptance_publicity = False
    states = [state for _name, state in route(profile)]
    assert State.ONSITE_REVIEW not in states and State.ACCEPTANCE_PUBLICITY not in states
    assert State.MATERIAL_REVIEW in states and states[-1] == State.AWARDED
    waiting = [state for state, _steps in waiting_states(profile)]
    assert waiting[:3] == [State.DRAFT, State.SUBMITTED, State.RETURNED]  # 退回修改 waits for the applicant


def test_every_program_has_an_application_waiting_at_each_stage_reached_through_the_workflow(demo):
    for program in Program.objects.select_related("profile"):
        current = Campaign.objects.get(program=program, is_current=True)
        # this round, and the round before where the year's seats could not hold every later stage
        apps = Application.objects.filter(
            campaign__program=program, campaign__year__in=[current.year, current.year - program.profile.cycle_years])
        journeys = waiting_states(program.profile) + outcomes(program.profile)
        expected = {state for state, _steps in journeys}
        assert set(apps.values_list("state", flat=True)) == expected, program.code
        through_unit = 1 if program.code == load_demo.OTHER_UNIT.program else 0  # 全国质量标杆 附件3
        assert apps.filter(kind=Application.Kind.ORGANIZATION).count() == len(journeys) + through_unit, program.code
        for app in apps:
            transitions = list(AuditEvent.objects.filter(object_id=str(app.pk), action__startswith="transition:")
                               .order_by("created_at", "id"))
            if app.state == State.DRAFT:
                assert app.number is None and not transitions
                assert missing_for_submission(app) == []  # the draft can be submitted as it is
                continue
            assert app.number and app.submissions.exists()
            assert transitions[-1].to_state == app.state
            # each step was a transition the state machine allows from there on this program
            for event in transitions:
                name = event.action.split(":", 1)[1]
                assert State(event.from_state) in workflow.TRANSITIONS[name].sources(program.profile), (app, name)
    returned = Application.objects.filter(state=State.RETURNED).first()
    assert returned.reopened_sections
    assert AuditEvent.objects.get(object_id=str(returned.pk), action="transition:return_for_correction").reason
    individual = Application.objects.get(kind=Application.Kind.INDIVIDUAL)
    assert individual.owner.username == "applicant2" and individual.state == State.SUBMITTED
    assert is_valid_id_number(individual.owner.individual_profile.id_number)
    # the outcome of a program with a government decision came after that decision, with a certificate ordered
    awarded = Application.objects.get(campaign__program__code="jinshui", state=State.AWARDED)
    assert AuditEvent.objects.filter(object_id=str(awarded.pk), action="decision:government").exists()
    assert awarded.documents.filter(kind=GeneratedDocument.Kind.CERTIFICATE).exists()


def test_jinshui_4_no_tier_holds_more_seats_than_its_quota_and_a_newcomer_finds_one_free(demo):
    """金水 第四条 “每年度不超过3个”: its four stages after the committee (拟授奖公示, 正式候选名单, 政府审定, 已授奖)
    cannot all wait in one year, so the later ones belong to last year's round, submitted before that round's
    deadline and decided after it; every program's current round keeps a seat free for a newcomer."""
    from review.committee.services import SEATED_STATES, free_seats

    for tier in AwardTier.objects.exclude(quota=None).select_related("profile__program"):
        program = tier.profile.program
        for campaign in Campaign.objects.filter(program=program, applications__isnull=False).distinct():
            assert free_seats(tier=tier, campaign=campaign) >= 0
            seated = Application.objects.filter(tier=tier, state__in=SEATED_STATES, campaign__program=program)
            scope = {"campaign__year": campaign.year} if tier.quota_period == "年" else {"campaign": campaign}
            assert seated.filter(**scope).count() <= tier.quota, (tier, campaign)
        current = Campaign.objects.get(program=program, is_current=True)
        tiers = program.profile.tiers.all()
        assert sum(free_seats(tier=t, campaign=current) or 99 for t in tiers) >= 1, program.code
    earlier = Campaign.objects.get(program__code="jinshui", name="2025年度")
    assert not earlier.is_current
    held = Application.objects.filter(campaign=earlier)
    assert {State.GOVERNMENT_DECISION, State.AWARDED} <= set(held.values_list("state", flat=True))
    for app in held:
        assert app.submitted_at <= earlier.application_deadline
        assert app.state_changed_at > earlier.application_deadline


def test_benchmark_notice_3_an_other_unit_s_account_pre_reviews_what_is_filed_with_the_local_department(demo, client):
    """全国质量标杆 通知三、附件3: the applicant through 中国机械工业质量管理协会 waits for that unit's pre-review; the
    unit's account has it on its dashboard and can work on it; 洛阳's 工信部门 only reads the filing (报备)."""
    from applications.recommenders import filing_summary, other_unit_of

    spec = load_demo.OTHER_UNIT
    app = Application.objects.get(campaign__program__code=spec.program, campaign__is_current=True,
                                  state=State.SUBMITTED, region__code=spec.region)
    assert other_unit_of(app).name == spec.unit
    ok, message = filing_summary(app)
    assert ok and "洛阳市工业和信息化局" in message and "河南省工业和信息化厅" in message
    client.force_login(User.objects.get(username=spec.username))
    assert app.applicant_name in client.get("/").content.decode()
    page = client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()
    assert "推荐上报秘书处" in page
    client.force_login(User.objects.get(username="gxj_ly"))
    page = client.get(reverse("review:prereview_detail", args=[app.pk])).content.decode()
    assert "当地推荐单位只接收报备" in page and "推荐上报秘书处" not in page
    assert "经其他推荐单位申报的报备 1 份" in printed_logins(demo)["gxj_ly"]


def test_every_step_in_the_demo_s_records_is_named_in_chinese(demo):
    """办理记录 says what happened at every step of every program's procedure, never “其他办理事项”."""
    from applications.history import OTHER, describe

    actions = set(AuditEvent.objects.filter(content_type__model="application").values_list("action", flat=True))
    assert {"decision:government", "eligibility:exclusions", "transition:award"} <= actions
    assert sorted(a for a in actions if describe(a) == OTHER) == []


def reason_of(app, transition):
    return AuditEvent.objects.filter(object_id=str(app.pk), action=f"transition:{transition}").latest("id").reason


def test_the_route_s_unsuccessful_endings_are_read_from_the_state_machine():
    """未入围 where 巩义 第十七条（五） eliminates at material review as well as after the last review stage; 撤销奖励
    only where the document provides for it (息县 第二十五条, 巩义 第二十三条, 金水 第十九条; 000 and 003 have none)."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    ends = {p.code: [(state, [name for name, _ in steps]) for state, steps in outcomes(p.profile)]
            for p in Program.objects.select_related("profile")}
    gongyi = [steps[-2] for state, steps in ends["gongyi"] if state == State.NOT_FINALIST]
    assert gongyi == ["start_material_review", "start_onsite_review"]
    assert not any(state == State.REVOKED for state, _ in ends["henan-cultivation"] + ends["quality-benchmark"])
    assert all(any(state == State.REVOKED for state, _ in ends[code]) for code in ("xixian", "gongyi", "jinshui"))
    for code, journeys in ends.items():
        assert {State.REJECTED, State.NOT_AWARDED} <= {state for state, _ in journeys}, code
        # the secretariat's own return during its eligibility review: to the recommender, or to the applicant
        assert any(steps[-2:-1] == ["start_eligibility_review"] and state in (State.SUBMITTED, State.RETURNED)
                   for state, steps in journeys), code


def test_applications_end_every_unsuccessful_way_with_the_secretariat_s_reasons(demo, client):
    from review.awards.models import Award, ProcedureDecision
    from review.committee.models import VoteCandidate
    from applications.models import EligibilityReview

    for program in Program.objects.select_related("profile"):
        apps = Application.objects.filter(campaign__program=program)
        refused = apps.get(state=State.REJECTED)
        reason = reason_of(refused, "reject")
        assert "不予受理" in reason and refused.applicant_name not in reason
        review = EligibilityReview.objects.filter(application=refused).latest("pk")
        assert any(tick["answer"] == "present" for tick in review.exclusion_ticks.values())
        for app in apps.filter(state=State.NOT_FINALIST):
            assert "得分" in reason_of(app, "declare_not_finalist")
        assert apps.filter(state=State.NOT_AWARDED).exists(), program.code
    # 息县 第十九条: below 600 points no finalist place
    below = Application.objects.get(campaign__program__code="xixian", state=State.NOT_FINALIST)
    assert "低于入围分数线 600.00 分" in reason_of(below, "declare_not_finalist")
    # 巩义 第十七条（五）: eliminated at material review, never on site
    eliminated = Application.objects.filter(campaign__program__code="gongyi", state=State.NOT_FINALIST)
    assert sorted(Panel.objects.filter(application__in=eliminated).values_list("stage", flat=True)) == [
        "material", "material", "onsite"]
    for code in ("xixian", "gongyi", "jinshui"):
        ended = Application.objects.filter(campaign__program__code=code, state=State.NOT_AWARDED)
        # voted down by the committee (the secretariat closed the vote and applied it) and refused by the government
        assert VoteCandidate.objects.filter(application__in=ended, outcome=VoteCandidate.Outcome.FAILED).count() == 1
        assert ProcedureDecision.objects.filter(application__in=ended, kind=ProcedureDecision.Kind.GOVERNMENT,
                                                approved=False).count() == 1
        revoked = Award.objects.get(application__campaign__program__code=code, application__state=State.REVOKED)
        assert revoked.revoked_on and revoked.revocation_ground == Award.Ground.FRAUD
        assert "不正当手段" in revoked.revocation_reason
    assert Award.objects.get(application__campaign__program__code="xixian", revoked_on__isnull=False).ban_until
    # the members' vote on the candidate still before the committee stays open for the committee member to try
    assert Application.objects.get(campaign__program__code="xixian", state=State.COMMITTEE).vote_candidacies.filter(
        session__closed_at__isnull=True).exists()
    # the secretariat sees why on the application's page
    client.post(reverse("login"), {"username": "secretariat", "password": load_demo.PASSWORD})
    page = client.get(reverse("applications:detail", args=[refused.pk])).content.decode()
    assert "不予受理" in page


def test_each_program_s_final_publicity_is_open_on_the_notice_board_with_its_window(demo, client):
    from publicity.notices.services import window_line

    board = client.get(reverse("publicity:index")).content.decode()
    kinds = {"henan-cultivation": Notice.Kind.DATABASE, "gongyi": Notice.Kind.CANDIDATES,
             "xixian": Notice.Kind.WINNERS, "jinshui": Notice.Kind.WINNERS}
    for code, kind in kinds.items():
        notice = Notice.objects.get(campaign__program__code=code, kind=kind)
        assert notice.status == Notice.Status.OPEN and notice.items.get().application.state == State.PROPOSED
        assert notice.title in board
        assert window_line(notice) in board, code  # 公示期：D 至 E（N个工作日）
    assert Notice.objects.get(campaign__program__code="jinshui", kind=Notice.Kind.WINNERS).window_length == 14
    # 003 has no publicity of its own: nothing is invented
    assert not Notice.objects.filter(campaign__program__code="quality-benchmark").exists()


def test_each_company_is_consistent_and_its_form_reads_like_a_real_one(demo):
    words = {trade.industry: trade.word for trade in TRADES}
    names = list(Application.objects.filter(kind=Application.Kind.ORGANIZATION).values_list("applicant_name", flat=True))
    assert len(names) == len(set(names))  # each application is its own company
    for app in Application.objects.filter(kind=Application.Kind.ORGANIZATION).select_related("organization__region"):
        org = app.organization
        assert org.name == app.applicant_name and is_valid_credit_code(org.credit_code), org.name
        org.full_clean()  # the model's own validators
        assert org.credit_code[2:8] == org.region.code[:6]  # the area is the organization's own (a town: its county)
        basic = dict(app.sections.values_list("code", "data")).get("basic", {})
        if "industry" in basic:
            assert basic["credit_code"] == org.credit_code and basic["org_name"] == org.name
            assert industry_lookup(basic["industry"]).level == "小类"
            assert words[basic["industry"]] in org.name, (org.name, basic["industry"])
        text = str(list(app.sections.values_list("data", flat=True)))
        assert "示例" not in text and org.name in text
    assert not ApplicationSection.objects.filter(data__icontains="示例内容").exists()


def test_panels_are_drawn_within_the_profile_and_every_scorer_signed_the_pledge(demo):
    panels = Panel.objects.select_related("application__campaign__program__profile")
    assert panels.exists()
    for panel in panels:
        profile = panel.application.campaign.program.profile
        seated = panel.members.exclude(role=PanelMember.Role.RESERVE)
        assert profile.panel_size_min <= seated.count() <= profile.panel_size_max, panel
        assert seated.filter(role=PanelMember.Role.LEADER).count() == 1
        assert all(m.draw_id for m in panel.members.all())  # drawn at random, on the record
        sheets = ScoreSheet.objects.filter(panel=panel)
        for sheet in sheets:
            assert Pledge.objects.filter(panel=panel, expert=sheet.expert, conflict_declared=False).exists(), sheet
        if StageResult.objects.filter(panel=panel).exists():
            assert sheets.count() == seated.count()
    assert PanelDraw.objects.exclude(witness_name="").count() == PanelDraw.objects.count()


def test_every_printed_account_signs_in_and_the_second_run_changes_nothing(demo, client):
    logins = printed_logins(demo)
    usernames = set(User.objects.filter(is_superuser=False).values_list("username", flat=True)) | {"admin"}
    assert set(logins) == usernames  # the full list, every account
    assert {e[0] for e in load_demo.DEMO_EXPERTS} <= set(logins)  # everyone a draw can pick
    for username in logins:
        user = User.objects.get(username=username)
        assert user.is_active and user.email == f"{username}@{load_demo.EMAIL_DOMAIN}"
        client.logout()
        response = client.post(reverse("login"), {"username": username, "password": load_demo.PASSWORD})
        assert response.status_code == 302, f"{username} could not sign in with the printed password"
    # grouped by role, in the order of the roles
    headings = [line.strip("【】") for line in demo.splitlines() if line.startswith("【")]
    assert headings == [Role(r).label for r in load_demo.ROLE_ORDER]
    # a line per program as it is built, with its counts
    for program in Program.objects.all():
        assert re.search(rf"^{re.escape(program.name)}：\d+ 份申报（.+），评审组 \d+ 个", demo, re.M), program.name

    before = snapshot()
    second = run_demo()
    assert snapshot() == before
    assert "未做任何更改" in second and printed_logins(second) == logins


def test_the_readme_table_is_what_load_demo_prints(demo):
    table = run_demo(readme_table=True)
    assert table.startswith("| 角色 | 用户名 |")
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    assert {re.search(r"`(\S+)`", row).group(1) for row in rows} == set(printed_logins(demo))
    readme = README.read_text(encoding="utf-8")
    assert f"{load_demo.README_START}\n{table}{load_demo.README_END}" in readme, (
        "README's demo table differs from `manage.py load_demo --readme-table`; paste its output between the markers")


def test_dashboards_show_the_demo_work(demo, client):
    def dashboard(username):
        client.logout()
        client.post(reverse("login"), {"username": username, "password": load_demo.PASSWORD})
        return client.get("/").content.decode()

    submitted = Application.objects.filter(campaign__program__code="henan-cultivation", state=State.SUBMITTED,
                                           kind=Application.Kind.ORGANIZATION).order_by("pk").first()
    assert submitted.applicant_name in dashboard("bureau_zz")
    # 息县 第十五、十七条: submitted straight to the secretariat, which has it waiting
    secretariat = dashboard("secretariat")
    assert Application.objects.get(campaign__program__code="xixian", state=State.SUBMITTED).applicant_name in secretariat
    assert Application.objects.get(campaign__program__code="henan-cultivation",
                                   state=State.RECOMMENDED).applicant_name in secretariat
    assert Application.objects.get(campaign__program__code="xixian", state=State.COMMITTEE).applicant_name in (
        dashboard("committee"))
    seat = PanelMember.objects.filter(panel__application__state=State.MATERIAL_REVIEW).select_related(
        "expert", "panel__application").first()
    assert seat.panel.application.applicant_name in dashboard(seat.expert.username)
    page = dashboard("applicant")
    assert all(a.applicant_name in page for a in Application.objects.filter(organization__members__username="applicant"))


def test_the_notice_board_has_an_open_and_a_past_notice_and_the_secretariat_an_objection(demo, client):
    today = timezone.localdate()
    past = Notice.objects.get(kind=Notice.Kind.AUTHORITY)
    assert past.status == Notice.Status.SETTLED and past.last_day < today and past.closes_at <= timezone.now()
    assert past.region.code == "410100" and past.items.count() == 1
    current = Notice.objects.get(kind=Notice.Kind.ACCEPTANCE, campaign__program__code="xixian")
    assert current.status == Notice.Status.OPEN and current.opens_at <= timezone.now() < current.closes_at
    assert current.window_length == 5
    # the acceptance publicity was opened by the notice job, not by hand
    app = current.items.get().application
    assert app.state == State.ACCEPTANCE_PUBLICITY
    assert AuditEvent.objects.get(object_id=str(app.pk), action="transition:open_acceptance_publicity").actor is None

    board = client.get(reverse("publicity:index")).content.decode()
    assert past.title in board and current.title in board

    objection = Objection.objects.get()
    assert objection.notice == current and objection.status == Objection.Status.RECEIVED
    assert objection.application == app and objection.answer_deadline is not None
    client.post(reverse("login"), {"username": "secretariat", "password": load_demo.PASSWORD})
    register = client.get(reverse("publicity:objection_list")).content.decode()
    assert objection.receipt_number in register and app.applicant_name in register


@pytest.mark.django_db(transaction=True)  # the receipts are ordered when each program's transaction commits
def test_documents_now_builds_every_receipt_before_returning():
    call_command("loaddata", *FIXTURES, verbosity=0)
    run_demo(documents="now")
    receipts = GeneratedDocument.objects.filter(kind=GeneratedDocument.Kind.RECEIPT)
    assert receipts.count() == Submission.objects.count()
    assert set(GeneratedDocument.objects.values_list("status", flat=True)) == {GeneratedDocument.Status.READY}


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
        # every open campaign is either offered or explained (a county award is for that county's applicants)
        assert all(f"新建申报：{c.program.name}（{c.name}" in dashboard or f"{c.program.name}（{c.name}）：本奖项只受理"
                   in dashboard for c in open_now)
        before = snapshot() | {"campaigns": campaign_rows()}
        second = run_demo()
        assert snapshot() | {"campaigns": campaign_rows()} == before and "未做任何更改" in second
    after = campaign_rows()
    for pk, row in shipped.items():
        # its settings and dates stay; only the numbers it issued move on where last year's round holds the stages
        # after the committee that this year's seats cannot (金水 第四条, ``load_demo._round_for``)
        kept = {"is_current": row["is_current"], "last_number": row["last_number"]}
        assert after[pk] | kept == row, f"seed campaign {row['name']} was changed"
        assert not after[pk]["is_current"]  # the open one is each program's current campaign now
    for text in (output, second):
        assert "Error" not in text and "Traceback" not in text and "错误" not in text
        assert "管理后台 → 工作日日历" in text  # no holidays known beyond 2026: 息县's 5 working days wait
    # the bureau's work is current: its waiting submissions are due at the new campaign's deadline
    apps = Application.objects.filter(campaign__in=open_now, state=State.SUBMITTED)
    assert apps.exists() and all(a.campaign.recommendation_deadline > now for a in apps)


def test_once_the_secretariat_enters_the_year_a_later_run_adds_what_waited(client):
    """The postponed applications and notices are created on the next run after the year's holidays are
    entered (管理后台 → 工作日日历), and every program then has its every stage."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    with time_machine.travel(LATER_DATES[0], tick=True):
        run_demo()
        CalendarYear.objects.create(year=2027, confirmed=True, source="国办发明电〔2026〕X号")
        output = run_demo()
        assert "暂未创建" not in output and "已创建演示数据" in output
        for program in Program.objects.select_related("profile"):
            current = Campaign.objects.get(program=program, is_current=True)
            states = set(Application.objects.filter(
                campaign__program=program, campaign__year__in=[current.year, current.year - program.profile.cycle_years])
                .values_list("state", flat=True))
            assert states == {state for state, _steps in waiting_states(program.profile) + outcomes(program.profile)}, (
                program.code)
        assert Objection.objects.count() == 1


def test_make_run_serves_on_the_port_given():
    plan = subprocess.run(["make", "-n", "run", "PORT=8100"], cwd=settings.BASE_DIR, capture_output=True, text=True,
                          check=True).stdout
    assert "runserver 127.0.0.1:8100" in plan
    default = subprocess.run(["make", "-n", "run"], cwd=settings.BASE_DIR, capture_output=True, text=True,
                             check=True).stdout
    assert "runserver 127.0.0.1:8000" in default
