"""A small world of people and applications, built through the same services the portal uses."""
import pytest
from django.core.management import call_command

from applications import workflow
from applications.models import Application, Campaign, Program, State
from demo.content import fill_application
from applications.services import create_application
from qualityaward.accounts.models import Organization, Region, Role
from qualityaward.accounts.services import Actor
from review.panels.models import Panel, PanelMember, Recusal

from conformance_support import make_user  # noqa: F401 (re-exported to the modules that load this file)


@pytest.fixture
def seeded(db):
    if not Program.objects.exists():
        call_command("loaddata", "regions", "gbt19580", "programs", verbosity=0)


class World:
    """Names every relationship the access rules know, on two programs and two cities."""

    def __init__(self):
        self.cultivation = Program.objects.get(code="henan-cultivation")
        self.xixian = Program.objects.get(code="xixian")
        self.benchmark = Program.objects.get(code="quality-benchmark")
        self.zhengzhou = Region.objects.get(code="410100")
        self.kaifeng = Region.objects.get(code="410200")
        self.xixian_county = Region.objects.get(code="411528")
        self.campaign = Campaign.objects.get(program=self.cultivation, is_current=True)
        self.xixian_campaign = Campaign.objects.get(program=self.xixian, is_current=True)
        self.benchmark_campaign = Campaign.objects.get(program=self.benchmark, is_current=True)

        c = {"program": self.cultivation}
        self.owner = make_user("owner", (Role.APPLICANT, {}))
        self.colleague = make_user("colleague", (Role.APPLICANT, {}))
        self.stranger = make_user("stranger", (Role.APPLICANT, {}))
        self.authority = make_user("authority_zz", (Role.AUTHORITY, {**c, "region": self.zhengzhou}))
        self.authority_other_city = make_user("authority_kf", (Role.AUTHORITY, {**c, "region": self.kaifeng}))
        self.authority_other_program = make_user(
            "authority_zz_xx", (Role.AUTHORITY, {"program": self.xixian, "region": self.zhengzhou}))
        self.secretariat = make_user("secretariat", (Role.SECRETARIAT, c))
        self.secretariat_other = make_user("secretariat_xx", (Role.SECRETARIAT, {"program": self.xixian}))
        self.supervisor = make_user("supervisor", (Role.SUPERVISOR, {}))
        self.committee = make_user("committee", (Role.COMMITTEE, c))
        self.expert = make_user("expert", (Role.EXPERT, {}))
        self.recused_expert = make_user("recused_expert", (Role.EXPERT, {}))
        self.reserve_expert = make_user("reserve_expert", (Role.EXPERT, {}))
        self.grantee = make_user("grantee")
        self.recused_grantee = make_user("recused_grantee")
        self.admin = make_user("admin", (Role.ADMIN, {}))

        self.org = Organization.objects.create(name="河南省测试装备制造有限公司", credit_code="91410100MA44TRAN0B",
                                               region=self.zhengzhou)
        self.org.members.add(self.owner, self.colleague)
        self.other_org = Organization.objects.create(name="开封市另一家公司", credit_code="91410200MA44KF0B11",
                                                     region=self.kaifeng)
        self.other_org.members.add(self.stranger)

    def new_app(self, *, owner=None, organization=None, campaign=None, region=None, name=None, filled=True):
        """A draft; ``filled`` completes every section through the form services (ready to submit)."""
        owner = owner or self.owner
        organization = organization or self.org
        app = create_application(
            actor=Actor(user=owner), campaign=campaign or self.campaign, kind=Application.Kind.ORGANIZATION,
            applicant_name=name or organization.name, region=region or organization.region, organization=organization,
        )
        if filled:
            fill_application(application=app, actor=Actor(user=owner))
        return app


#: The path an application takes to each state on the cultivation program, with who acts.
PATH = [
    ("submit", "owner", State.SUBMITTED),
    ("recommend", "authority", State.RECOMMENDED),
    ("start_eligibility_review", "secretariat", State.ELIGIBILITY_REVIEW),
    ("accept", "secretariat", State.ACCEPTED),
    ("open_acceptance_publicity", "secretariat", State.ACCEPTANCE_PUBLICITY),
    ("start_material_review", "secretariat", State.MATERIAL_REVIEW),
    ("declare_finalist", "secretariat", State.FINALIST),
    ("propose", "secretariat", State.PROPOSED),
    ("award", "secretariat", State.AWARDED),
]


def _drive(world, app, target):
    """Move ``app`` along PATH until it reaches ``target`` (through the real state machine), from wherever on
    the path it stands (steps it has passed are skipped)."""
    for name, who, reached in PATH:
        if app.state == target:
            return app
        if app.state not in workflow.TRANSITIONS[name].sources_for(app):
            continue
        params = {}
        if name in ("propose", "award"):
            params["tier"] = app.campaign.program.profile.tiers.first()
        user = app.owner if who == "owner" else getattr(world, who)
        if who == "authority" and app.region_id != world.zhengzhou.pk:
            user = world.authority_other_city
        if name == "recommend":
            from demo.review import complete_sample_prereview

            complete_sample_prereview(application=app, actor=Actor(user=user))
        workflow.perform(application=app, name=name, actor=Actor(user=user), **params)
        app.refresh_from_db()
        if name == "start_eligibility_review":  # the secretariat ticks the exclusion checklist
            from review.eligibility.services import ABSENT, exclusion_items, record_exclusions

            record_exclusions(application=app, actor=Actor(user=user),
                              answers={item.pk: (ABSENT, "") for item in exclusion_items(app)})
            from demo.review import complete_sample_consultation

            complete_sample_consultation(application=app, actor=Actor(user=user))
        if name == "declare_finalist":  # 000 五（五）: the secretariat's 征求意见 after the expert evaluation
            from demo.review import complete_sample_consultation
            from review.prereview.services import EVALUATION

            complete_sample_consultation(application=app, actor=Actor(user=user), by=EVALUATION)
    assert app.state == target, f"could not drive to {target}"
    return app


@pytest.fixture
def world(seeded):
    return World()


@pytest.fixture
def drive(world):
    """``drive(app, state)`` moves an application through the real workflow to ``state``."""
    return lambda app, target: _drive(world, app, target)


@pytest.fixture
def panel_app(world):
    """An application in material review with a seated expert, a recused expert, a reserve, and grants."""
    from guardian.shortcuts import assign_perm

    app = _drive(world, world.new_app(), State.MATERIAL_REVIEW)
    panel = Panel.objects.create(application=app, stage=Panel.Stage.MATERIAL)
    PanelMember.objects.create(panel=panel, expert=world.expert, role=PanelMember.Role.LEADER)
    PanelMember.objects.create(panel=panel, expert=world.recused_expert, role=PanelMember.Role.MEMBER)
    PanelMember.objects.create(panel=panel, expert=world.reserve_expert, role=PanelMember.Role.RESERVE)
    from review.panels.services import accept_pledge

    accept_pledge(panel=panel, actor=Actor(user=world.expert), conflict=False)  # a seat opens only after the pledge
    Recusal.objects.create(application=app, user=world.recused_expert, reason="曾在申报单位任职")
    assign_perm("applications.read_application", world.grantee, app)
    assign_perm("applications.read_application", world.recused_grantee, app)
    Recusal.objects.create(application=app, user=world.recused_grantee, reason="与申报单位存在利害关系")
    return app
