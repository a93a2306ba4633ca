"""The review tests use the world of tests/applications/conftest.py (people, programs, the panel
application), loaded here by path so that both folders share one definition; plus an expert pool and
finalists on the programs that have a committee, driven through the real workflow."""
import importlib.util
import pathlib

import pytest

from applications import workflow
from review.eligibility.services import ABSENT, exclusion_items, record_exclusions
from applications.management.commands.load_demo import credit_code
from applications.models import Campaign, Program, State
from qualityaward.accounts.models import Organization, Region, Role
from qualityaward.accounts.services import Actor, grant_role
from demo.review import complete_sample_defense, complete_sample_prereview
from procedure_support import decide_after_publicity, score_stage

_spec = importlib.util.spec_from_file_location(
    "applications_conftest", pathlib.Path(__file__).parent.parent / "applications" / "conftest.py")
_shared = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_shared)
seeded, world, drive, panel_app = _shared.seeded, _shared.world, _shared.drive, _shared.panel_app
make_user = _shared.make_user



@pytest.fixture
def pool(world):
    """``pool(n, specialties=..., **fields)``: n active experts (profiles with accounts) in the pool."""
    from review.panels.models import ExpertProfile

    counter = {"n": 0}

    def make(n=1, *, specialties=("C",), region=None, employer=None, **fields):
        made = []
        for _ in range(n):
            counter["n"] += 1
            i = counter["n"]
            user = make_user(f"pool_{i:03d}", (Role.EXPERT, {}), full_name=f"专家{i:03d}")
            made.append(ExpertProfile.objects.create(
                user=user, name=f"专家{i:03d}", phone=f"1380000{i:04d}", region=region or world.kaifeng,
                employer=employer or f"第{i}研究院",
                specialties=list(specialties), **fields))
        return made

    return make


REGIONS = {"xixian": "411528", "gongyi": "410181", "jinshui": "410105"}


class Committee:
    """A program with a committee: its secretariat, authority, committee members and a way to make finalists."""

    def __init__(self, world, code, members=3):
        self.world = world
        self.program = Program.objects.get(code=code)
        self.profile = self.program.profile
        self.campaign = Campaign.objects.get(program=self.program, is_current=True)
        self.region = Region.objects.get(code=REGIONS[code])
        scope = {"program": self.program}
        self.secretariat = (world.secretariat_other if code == "xixian"
                            else make_user(f"sec_{code}", (Role.SECRETARIAT, scope)))
        self.authority = make_user(f"auth_{code}", (Role.AUTHORITY, {**scope, "region": self.region}))
        self.members = [make_user(f"member_{code}_{i}", (Role.COMMITTEE, scope)) for i in range(members)]
        self.tiers = list(self.profile.tiers.order_by("order"))
        self._n = 0

    def organization(self, name):
        self._n += 1
        owner = make_user(f"owner_{self.program.code}_{self._n}", (Role.APPLICANT, {}))
        org = Organization.objects.create(name=name, credit_code=credit_code(self.region.code, f"Q{self._n:07d}"),
                                          region=self.region)
        org.members.add(owner)
        return org

    def finalist(self, name, *, little_giant=False, organization=None, campaign=None, target=State.FINALIST):
        org = organization or self.organization(name)
        owner = org.members.order_by("pk").first()
        app = self.world.new_app(owner=owner, organization=org, campaign=campaign or self.campaign,
                                 region=self.region, name=name)
        if little_giant:
            type(app).objects.filter(pk=app.pk).update(is_little_giant=True)
        sec = Actor(user=self.secretariat)
        path = ["submit", "recommend", "start_eligibility_review", "accept"]
        if not app.campaign.program.profile.has_recommender_step:  # 息县 第十五、十七条: straight to the secretariat
            path.remove("recommend")
        for name_ in path:
            actor = Actor(user=owner) if name_ == "submit" else (
                Actor(user=self.authority) if name_ == "recommend" else sec)
            if name_ == "recommend":
                complete_sample_prereview(application=app, actor=actor)
            if name_ == "accept":
                from demo.review import complete_sample_consultation

                complete_sample_consultation(application=app, actor=sec)
                record_exclusions(application=app, actor=sec,
                                  answers={item.pk: (ABSENT, "") for item in exclusion_items(app)})
            workflow.perform(application=app, name=name_, actor=actor)
        stages = {State.ACCEPTANCE_PUBLICITY: "open_acceptance_publicity",
                  State.MATERIAL_REVIEW: "start_material_review",
                  State.ONSITE_REVIEW: "start_onsite_review", State.FINALIST: "declare_finalist",
                  State.COMMITTEE: "send_to_committee"}
        for stage in workflow.enabled_pipeline(self.profile)[1:]:
            if app.state == target:
                break
            if app.state in workflow.REVIEW_STAGES and self.profile.finalist_threshold is not None:
                self.score(app)  # 息县 第十九条: the 600-point threshold is read from concluded scores
            if stages[stage] == "start_onsite_review":  # 息县 第十八条: 陈述答辩 first
                complete_sample_defense(application=app, actor=sec, kind="panel")
            if stages[stage] == "send_to_committee":  # 息县 第二十一条: 现场展示和陈述答辩 before the ballot
                complete_sample_defense(application=app, actor=sec, kind="plenary")
            workflow.perform(application=app, name=stages[stage], actor=sec)
        app.refresh_from_db()
        if app.state == State.FINALIST:  # the candidate's plenary 陈述答辩 (第二十一条) is held before any ballot
            complete_sample_defense(application=app, actor=sec, kind="plenary")
        assert app.state == target
        return app


    def score(self, app, percent=65):
        score_stage(app, percent)

    def award(self, app, *, decided_on=None, reference="政府审定文号〔2026〕1号"):
        app = decide_after_publicity(app, self.secretariat, decided_on=decided_on, reference=reference)
        assert app.state == State.AWARDED
        return app


@pytest.fixture
def committee_of(world):
    return lambda code, members=3: Committee(world, code, members)
