"""Bulk, realistic data for benchmarks and load tests.

    manage.py generate_data --applications 2000 --experts 300 [--seed 1] [--replace]

Creates, for every program's campaign open for applications today (the next one is created after
the latest when none is: ``applications.campaigns``): organizations across all city-level regions (and
the seat regions of county/district programs), their applicant accounts, individual applicants,
applications spread over every state the program's pipeline allows, their filled form sections
(``demo.content.section_data``; drafts partly filled; no upload files), frozen submissions with
application numbers, the secretariat's eligibility reviews (资格审核) with their decisions, expert accounts with panels (and a few recusals) for applications that
reached a review stage, recommending-authority users per region and program, secretariat,
committee and supervisor users per program, one admin, and the audit trail of every application.

**Benchmark data only.** This is the one place in the code base that writes ``Application.state``
(and numbers, submissions, panels, timestamps) directly with ``bulk_create`` instead of going
through ``applications.workflow``: driving thousands of applications through the state machine
one at a time would take minutes and render a receipt PDF per submission. To stay faithful to
the workflow, every generated history is checked step by step against ``workflow.TRANSITIONS``
(each step must be a transition the real state machine allows from that state on that program,
per its rule profile), recommendation quotas are respected, and the audit trail records the
transition names and actors the workflow would have written. Never use this in production.

Generated accounts are named ``g<seed>_…`` and share the demo password (see ``load_demo``).
Running again with the same seed is refused unless ``--replace`` deletes the earlier data first.

Extending (item scores, notices, …): add a method to ``Generator`` and its name to
``Generator.STEPS``; the plan (``self.plans``) holds every application with its state history
and timestamps, so later steps can derive their rows from it.
"""
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from applications import workflow
from applications.campaigns import open_campaigns_of_active_programs
from applications.forms.spec import UploadSlot, form_for
from applications.models import Application, ApplicationSection, Campaign, EligibilityReview, State, Submission
from applications.services import content_hash
from demo.bulk import explicit_timestamps
from demo.content import section_data
from qualityaward.accounts.models import AuditEvent, Organization, Region, Role, RoleAssignment, User
from review.eligibility import services as eligibility
from review.panels.models import ExpertProfile, Panel, PanelMember, Pledge, Recusal

from .load_demo import GB32100_ALPHABET, PASSWORD, credit_code

BATCH = 500
EMAIL_DOMAIN = "gen.example.com"

#: relative frequency of each final state (only states the program's pipeline has are used)
STATE_WEIGHTS = {
    State.DRAFT: 14, State.SUBMITTED: 12, State.RETURNED: 5, State.RECOMMENDED: 8, State.ELIGIBILITY_REVIEW: 6,
    State.ACCEPTED: 5, State.REJECTED: 3, State.ACCEPTANCE_PUBLICITY: 4, State.MATERIAL_REVIEW: 10,
    State.ONSITE_REVIEW: 6, State.FINALIST: 4, State.NOT_FINALIST: 4, State.COMMITTEE: 4, State.PROPOSED: 2,
    State.AWARDED: 5, State.NOT_AWARDED: 3, State.WITHDRAWN: 2, State.DISQUALIFIED: 1, State.REVOKED: 1,
    State.CANDIDATE_CONFIRMATION: 1, State.GOVERNMENT_DECISION: 1,
}
BEFORE_RECOMMENDATION = [State.DRAFT, State.SUBMITTED, State.RETURNED, State.WITHDRAWN]
OWNER_TRANSITIONS = {"submit", "resubmit", "withdraw"}
SUBMITTING = {"submit", "resubmit"}
AUTHORITY_TRANSITIONS = {"return_for_correction", "recommend"}
REASONS = {
    "return_for_correction": "请补充近三年经审计的财务报表并加盖公章后重新提交。",
    "return_to_authority": "推荐意见缺少市级人民政府盖章，请补正。",
    "reject": "申报单位近三年内发生较大质量事故，不符合申报条件。",
    "declare_not_finalist": "材料评审得分未达到入围分数线。",
    "not_award": "评委会表决未达到规定的通过比例。",
    "disqualify": "公示期间异议经查属实，申报材料存在虚假内容。",
    "revoke": "获奖后发生重大质量安全事故，依规撤销奖励。",
}
TIERED_STATES = {State.PROPOSED, State.CANDIDATE_CONFIRMATION, State.GOVERNMENT_DECISION, State.AWARDED, State.REVOKED}
#: how a recommending authority is called, by the program's kind of recommender
UNIT_NAMES = {"city_market_bureau": "市场监督管理局", "city_industry_dept": "工业和信息化局"}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯鹏飞鑫博文辉晨阳建国志红海峰"
FIRMS = ["华信", "中原", "黄河", "嵩山", "豫兴", "宏达", "天瑞", "金鼎", "恒通", "瑞丰", "大地", "新世纪", "东方", "博远",
         "鸿运", "永安", "广源", "正泰", "卓越", "明德", "汇通", "伏牛", "太行", "淮源", "商都", "豫通", "龙腾", "三元"]
INDUSTRIES = ["精密机械", "新材料", "食品", "电子科技", "化工", "纺织服装", "建设工程", "现代物流", "医药", "汽车零部件",
              "智能装备", "农业科技", "电力设备", "信息技术", "建材", "矿山机械", "冷链食品", "环保科技", "轴承", "耐火材料"]
SUFFIXES = ["有限公司", "有限公司", "股份有限公司", "集团有限公司"]
EMPLOYERS = ["郑州大学", "河南大学", "河南工业大学", "河南省标准化研究院", "河南省质量工程职业学院", "河南省计量测试科学研究院",
             "中国质量协会", "河南省质量协会", "华北水利水电大学", "河南科技大学", "信阳师范大学", "某咨询机构"]


@dataclass
class Plan:
    """One application to create, with its whole history."""

    campaign: Campaign
    region: Region
    kind: str
    state: State
    path: list  # [(transition name, from state, to state, time)]
    created_at: datetime
    owner_key: str = ""
    org_key: int | None = None
    is_little_giant: bool = False
    number: str | None = None
    tier_id: int | None = None
    app: Application | None = None
    submissions: list = field(default_factory=list)
    spec: object = None  # the FormSpec the application fills
    sections: dict = field(default_factory=dict)  # section code -> (data, saved at)

    @property
    def last_time(self):
        return self.path[-1][3] if self.path else self.created_at

    def times_of(self, state):
        return [t for _name, _from, to, t in self.path if to == state]

    @property
    def submission_times(self):
        """Times of (re)submission: each froze a Submission (a return to the authority did not)."""
        return [t for name, _from, _to, t in self.path if name in SUBMITTING]


def _encode(n, width):
    """``n`` in base 31 over the credit-code alphabet, ``width`` characters."""
    out = []
    for _ in range(width):
        n, r = divmod(n, 31)
        out.append(GB32100_ALPHABET[r])
    if n:
        raise CommandError("生成数量过大，统一社会信用代码编号溢出。")
    return "".join(reversed(out))


class Generator:
    STEPS = ("plan", "staff", "experts", "applicants", "accounts", "expert_profiles", "applications", "form_sections",
             "submissions", "eligibility_reviews", "panels", "scores", "audit_trail", "numbering")

    def __init__(self, *, applications, experts, seed, stdout=None):
        self.n_apps = applications
        self.n_experts = experts
        self.seed = seed
        self.rng = random.Random(seed)
        self.prefix = f"g{seed}_"
        self.stdout = stdout
        self.now = timezone.now()
        self.password_hash = make_password(PASSWORD)
        self.users = {}  # key -> User (unsaved until flushed)
        self.assignments = []
        self.orgs = []  # [(Organization, [user keys])]
        self.plans = []
        self.authorities = {}  # (program_id, region_id) -> user key
        self.secretariats = {}  # program_id -> user key
        self.expert_keys = []
        self.timings = {}
        self._transition_cache = {}
        self._forms = {}
        self._names = set()

    # --- driver -------------------------------------------------------------------------------------
    def run(self):
        for step in self.STEPS:
            started = time.perf_counter()
            getattr(self, step)()
            self.timings[step] = time.perf_counter() - started
        return self

    # --- helpers ------------------------------------------------------------------------------------
    def person_name(self):
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def add_user(self, key, *, roles=(), employer="", superuser=False):
        """Queue a user ``prefix+key`` with role scopes [(role, program, region, unit)]."""
        username = f"{self.prefix}{key}"
        self.users[key] = User(
            username=username, password=self.password_hash, full_name=self.person_name(),
            email=f"{username}@{EMAIL_DOMAIN}", employer=employer, mobile=f"139{self.rng.randrange(10**8):08d}",
            is_staff=superuser, is_superuser=superuser,
        )
        for role, program, region, unit in roles:
            self.assignments.append((key, role, program, region, unit))
        return key

    def transition_name(self, profile, frm, to):
        key = (profile.pk, frm, to)
        if key not in self._transition_cache:
            names = [t.name for t in workflow.TRANSITIONS.values() if t.target == to and frm in t.sources(profile)]
            if not names:
                raise CommandError(f"生成的状态历史不合法：{profile.program} 不能从 {frm} 到 {to}。")
            self._transition_cache[key] = names[0]
        return self._transition_cache[key]

    def valid_states(self, profile):
        pipeline = workflow.enabled_pipeline(profile)
        states = [State.DRAFT, State.SUBMITTED, State.RETURNED, State.RECOMMENDED, State.ELIGIBILITY_REVIEW,
                  State.REJECTED, State.WITHDRAWN, State.DISQUALIFIED, *pipeline]
        if profile.provides_revocation:  # 000 and 003 provide for no revocation
            states.append(State.REVOKED)
        if not profile.has_recommender_step:
            states.remove(State.RECOMMENDED)
        if State.FINALIST in pipeline:
            states.append(State.NOT_FINALIST)
        if workflow._not_awarded_sources(profile):
            states.append(State.NOT_AWARDED)
        return states

    def state_path(self, target, profile):
        """The states an application passed through, from draft (excluded) to ``target``."""
        pipeline = workflow.enabled_pipeline(profile)
        rng = self.rng
        if target == State.DRAFT:
            return []
        if target == State.RETURNED:
            return [State.SUBMITTED, State.RETURNED] * (2 if rng.random() < 0.1 else 1)
        head = [State.SUBMITTED, State.RETURNED, State.SUBMITTED] if rng.random() < 0.15 else [State.SUBMITTED]
        if target == State.SUBMITTED:
            return head
        if target == State.WITHDRAWN:
            return head + [State.WITHDRAWN]
        if target == State.RECOMMENDED:
            return head + [State.RECOMMENDED]
        if profile.has_recommender_step:
            pre = head + [State.RECOMMENDED, State.ELIGIBILITY_REVIEW]
            if rng.random() < 0.05:  # once sent back to the authority by the secretariat
                pre = head + [State.RECOMMENDED, State.ELIGIBILITY_REVIEW, State.SUBMITTED, State.RECOMMENDED,
                              State.ELIGIBILITY_REVIEW]
        else:  # submitted to the secretariat (息县 第十五、十七条), which returns to the applicant itself
            pre = head + [State.ELIGIBILITY_REVIEW]
            if rng.random() < 0.05:
                pre = head + [State.ELIGIBILITY_REVIEW, State.RETURNED, State.SUBMITTED, State.ELIGIBILITY_REVIEW]
        if target == State.ELIGIBILITY_REVIEW:
            return pre
        if target == State.REJECTED:
            return pre + [State.REJECTED]
        if target in pipeline:
            return pre + pipeline[:pipeline.index(target) + 1]
        if target == State.NOT_FINALIST:
            return pre + pipeline[:pipeline.index(State.FINALIST)] + [State.NOT_FINALIST]
        if target == State.NOT_AWARDED:
            last = State.COMMITTEE if State.COMMITTEE in pipeline else pipeline[pipeline.index(State.AWARDED) - 1]
            return pre + pipeline[:pipeline.index(last) + 1] + [State.NOT_AWARDED]
        if target == State.REVOKED:
            return pre + pipeline + [State.REVOKED]
        if target == State.DISQUALIFIED:
            stop = rng.randrange(len(pipeline) - 1)  # any active stage before the award
            return pre + pipeline[:stop + 1] + [State.DISQUALIFIED]
        raise CommandError(f"无法生成状态 {target}")

    def timeline(self, campaign, n_steps):
        start = min(campaign.opens_at, self.now - timedelta(days=90))
        span = (self.now - start).total_seconds()
        created = start + timedelta(seconds=span * self.rng.uniform(0, 0.5))
        rest = (self.now - created).total_seconds() - 60
        times = sorted(created + timedelta(seconds=rest * self.rng.random()) for _ in range(n_steps))
        return created, times

    def org_name(self, region):
        place = region.name
        for tail in ("市", "县", "区"):
            if place.endswith(tail) and len(place) > 2:
                place = place[:-1]
                break
        place = place[:4]
        for attempt in range(20):
            name = f"{place}{self.rng.choice(FIRMS)}{self.rng.choice(INDUSTRIES)}{self.rng.choice(SUFFIXES)}"
            if attempt > 5:
                name = name.replace("有限公司", f"{self.rng.choice('一二三四五六七八九')}厂有限公司", 1)
            if name not in self._names:
                self._names.add(name)
                return name
        name = f"{place}{len(self._names)}号{self.rng.choice(INDUSTRIES)}有限公司"
        self._names.add(name)
        return name

    def log(self, text):
        if self.stdout:
            self.stdout.write(text)

    # --- steps --------------------------------------------------------------------------------------
    def plan(self):
        try:  # every program's campaign open today (the next one is created when the latest has closed)
            self.campaigns = [campaign for campaign, _created in open_campaigns_of_active_programs(now=self.now)]
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        if not self.campaigns:
            raise CommandError("没有启用的奖项。请先运行：manage.py load_seed_data")
        regions = list(Region.objects.all())
        self.cities = [r for r in regions if r.level == Region.Level.CITY]
        children = {}
        for r in regions:
            children.setdefault(r.parent_id, []).append(r)
        self.tiers = {}
        for c in self.campaigns:
            self.tiers[c.pk] = list(c.program.profile.tiers.values_list("pk", flat=True))

        # where each program's applicants are and who recommends them
        self.app_regions, self.authority_regions = {}, {}
        for c in self.campaigns:
            seat = c.program.seat_region
            towns = [r for r in children.get(seat.pk, []) if r.level == Region.Level.TOWN]
            if seat.level == Region.Level.PROVINCE:
                self.app_regions[c.pk] = self.cities
            else:
                # a county program whose recommenders are its towns (巩义 第十七条（二）) has its applicants in them
                self.app_regions[c.pk] = towns if towns and c.program.profile.has_recommender_step else [seat]
            # no recommender step (息县 第十五、十七条): nobody between the applicant and the secretariat
            self.authority_regions[c.pk] = self.app_regions[c.pk] if c.program.profile.has_recommender_step else []
        self.children = children

        # provincial programs draw most applicants; a quota-limited one (1 per authority) fewer
        weights = [4 if c.program.seat_region.level == Region.Level.PROVINCE and c.program.profile.recommendation_quota
                   is None else 1 for c in self.campaigns]
        picks = list(self.campaigns)[: self.n_apps]
        picks += self.rng.choices(self.campaigns, weights=weights, k=self.n_apps - len(picks))
        by_campaign = {}
        for c in picks:
            by_campaign.setdefault(c.pk, []).append(c)

        recommended_or_later = set(workflow.RECOMMENDED_OR_LATER)
        for campaign_id, cs in by_campaign.items():
            campaign = cs[0]
            profile = campaign.program.profile
            states = self.valid_states(profile)
            # every state at least once, then weighted at random
            targets = states[: len(cs)] + self.rng.choices(
                states, weights=[STATE_WEIGHTS[s] for s in states], k=max(0, len(cs) - len(states)))
            self.rng.shuffle(targets)
            quota = profile.recommendation_quota
            used = {}
            for target in targets:
                region = self.pick_region(campaign)
                if quota is not None and target in recommended_or_later:
                    scope = region.parent_id if region.level == Region.Level.COUNTY and region.parent else region.pk
                    if used.get(scope, 0) >= quota:
                        target = self.rng.choice(BEFORE_RECOMMENDATION)
                    else:
                        used[scope] = used.get(scope, 0) + 1
                self.plans.append(self.make_plan(campaign, region, target))
        self.plans.sort(key=lambda p: p.created_at)

    def pick_region(self, campaign):
        candidates = self.app_regions[campaign.pk]
        if len(candidates) == 1:
            region = candidates[0]
        else:
            weights = [4 if r.code == "410100" else 1 for r in candidates]
            region = self.rng.choices(candidates, weights=weights)[0]
        kids = [r for r in self.children.get(region.pk, [])]
        if kids and self.rng.random() < 0.15:
            region = self.rng.choice(kids)
        return region

    def make_plan(self, campaign, region, target):
        profile = campaign.program.profile
        states = self.state_path(target, profile)
        created, times = self.timeline(campaign, len(states))
        path, frm = [], State.DRAFT
        for to, at in zip(states, times):
            path.append((self.transition_name(profile, frm, to), frm, to, at))
            frm = to
        if profile.allows_organizations and profile.allows_individuals:
            kind = Application.Kind.INDIVIDUAL if self.rng.random() < 0.12 else Application.Kind.ORGANIZATION
        else:
            kind = Application.Kind.ORGANIZATION if profile.allows_organizations else Application.Kind.INDIVIDUAL
        tiers = self.tiers[campaign.pk]
        return Plan(
            campaign=campaign, region=region, kind=kind, state=target, path=path, created_at=created,
            is_little_giant=kind == Application.Kind.ORGANIZATION and self.rng.random() < 0.08,
            tier_id=self.rng.choice(tiers) if tiers and target in TIERED_STATES else None,
        )

    def staff(self):
        for campaign in self.campaigns:
            program = campaign.program
            profile = program.profile
            code = program.code
            self.secretariats[program.pk] = self.add_user(
                f"sec_{code}", roles=[(Role.SECRETARIAT, program, None, f"{program.short_name}评审办公室")],
                employer=f"{program.organizer}")
            self.add_user(f"sup_{code}", roles=[(Role.SUPERVISOR, program, None, "监督组")], employer="监督组")
            if profile.has_committee:
                for i in range(1, 6):
                    self.add_user(f"com_{code}_{i}", employer=f"{program.short_name}评审委员会",
                                  roles=[(Role.COMMITTEE, program, None, f"{program.short_name}评委会")])
            for region in self.authority_regions[campaign.pk]:
                unit = f"{region.name}{UNIT_NAMES.get(profile.recommender, '推荐单位')}"
                self.authorities[(program.pk, region.pk)] = self.add_user(
                    f"auth_{code}_{region.code.lower()}", roles=[(Role.AUTHORITY, program, region, unit)],
                    employer=unit)
        self.add_user("sup_all", roles=[(Role.SUPERVISOR, None, None, "监督组")], employer="河南省市场监督管理局 监督组")
        self.add_user("admin", roles=[(Role.ADMIN, None, None, "")], employer="平台运维", superuser=True)

    def experts(self):
        for i in range(1, self.n_experts + 1):
            self.expert_keys.append(self.add_user(f"expert_{i:04d}", roles=[(Role.EXPERT, None, None, "")],
                                                  employer=self.rng.choice(EMPLOYERS)))

    def applicants(self):
        """Applicant accounts and organizations for the planned applications (some apply to several programs)."""
        by_region = {}  # region pk -> [org index]
        applied = set()  # (org index, campaign pk)
        n_orgs = n_individuals = 0
        for plan in self.plans:
            if plan.kind == Application.Kind.INDIVIDUAL:
                n_individuals += 1
                plan.owner_key = self.add_user(f"ind_{n_individuals:05d}", roles=[(Role.APPLICANT, None, None, "")])
                continue
            pool = [i for i in by_region.get(plan.region.pk, []) if (i, plan.campaign.pk) not in applied]
            if pool and self.rng.random() < 0.3:
                index = self.rng.choice(pool)
            else:
                n_orgs += 1
                index = len(self.orgs)
                owner = self.add_user(f"org_{n_orgs:05d}", roles=[(Role.APPLICANT, None, None, "")])
                keys = [owner]
                if self.rng.random() < 0.3:
                    keys.append(self.add_user(f"org_{n_orgs:05d}b", roles=[(Role.APPLICANT, None, None, "")]))
                body = "MA" + _encode((self.seed % 900) * 300_000 + n_orgs, 6)
                name = self.org_name(plan.region)
                contact = self.users[owner]
                org = Organization(
                    name=name, credit_code=credit_code(plan.region.code, body), region=plan.region,
                    contact_name=contact.full_name, contact_mobile=contact.mobile, contact_email=contact.email,
                    created_at=plan.created_at - timedelta(days=self.rng.randint(1, 30)),
                )
                self.orgs.append((org, keys))
                by_region.setdefault(plan.region.pk, []).append(index)
            applied.add((index, plan.campaign.pk))
            plan.org_key = index
            plan.owner_key = self.orgs[index][1][0]

    def accounts(self):
        """Write the queued users, their roles, the organizations and their members."""
        users = list(self.users.values())
        User.objects.bulk_create(users, batch_size=BATCH)
        if any(u.pk is None for u in users):  # backends without RETURNING
            by_name = dict(User.objects.filter(username__startswith=self.prefix).values_list("username", "pk"))
            for u in users:
                u.pk = by_name[u.username]
        RoleAssignment.objects.bulk_create([
            RoleAssignment(user=self.users[key], role=role, program=program, region=region, unit_name=unit)
            for key, role, program, region, unit in self.assignments
        ], batch_size=BATCH)
        with explicit_timestamps(Organization):
            Organization.objects.bulk_create([org for org, _ in self.orgs], batch_size=BATCH)
        Member = Organization.members.through
        Member.objects.bulk_create([
            Member(organization_id=org.pk, user_id=self.users[key].pk) for org, keys in self.orgs for key in keys
        ], batch_size=BATCH)

    #: specialties drawn for generated experts: 门类 letters and 大类 codes where applicants are
    SPECIALTIES = ("A", "C", "E", "F", "G", "I", "13", "14", "17", "26", "27", "30", "33", "34", "35", "36", "38",
                   "39", "44", "47", "48", "54", "65")
    TITLES = ("教授", "研究员", "高级工程师", "正高级工程师", "副教授", "高级经济师", "注册质量工程师")

    def expert_profiles(self):
        """A pool profile for every generated expert: 1–3 specialties, a city, the account's employer."""
        from review.panels.models import PLEDGE_TEXT

        self.pledge_text, self.pledge_hash = PLEDGE_TEXT, Pledge.digest(PLEDGE_TEXT)
        profiles = []
        for i, key in enumerate(self.expert_keys, start=1):
            user = self.users[key]
            profiles.append(ExpertProfile(
                user=user, name=user.full_name, specialties=self.rng.sample(self.SPECIALTIES, self.rng.randint(1, 3)),
                region=self.rng.choice(self.cities), employer=user.employer or "某研究院",
                title=self.rng.choice(self.TITLES), phone=f"19{self.seed % 1000:03d}{i:06d}", email=user.email,
                is_active=self.rng.random() < 0.95))
        ExpertProfile.objects.bulk_create(profiles, batch_size=BATCH)
        self.n_profiles = len(profiles)

    def applications(self):
        rows = []
        for plan in self.plans:
            submitted = plan.submission_times
            org = self.orgs[plan.org_key][0] if plan.org_key is not None else None
            owner = self.users[plan.owner_key]
            plan.app = Application(
                campaign=plan.campaign, kind=plan.kind, organization=org, owner=owner,
                applicant_name=org.name if org else owner.full_name, region=plan.region,
                is_little_giant=plan.is_little_giant, state=plan.state, state_changed_at=plan.last_time,
                submitted_at=submitted[0] if submitted else None, tier_id=plan.tier_id,
                created_at=plan.created_at, updated_at=plan.last_time,
            )
            rows.append(plan.app)
            self.plan_form(plan)
        # numbers in order of first submission, continuing each campaign's counter
        self.last_numbers = {c.pk: c.last_number for c in self.campaigns}
        for plan in sorted((p for p in self.plans if p.app.submitted_at), key=lambda p: p.app.submitted_at):
            c = plan.campaign
            self.last_numbers[c.pk] += 1
            plan.app.number = f"{c.program.number_prefix}{c.year}-{self.last_numbers[c.pk]:05d}"
        with explicit_timestamps(Application):
            Application.objects.bulk_create(rows, batch_size=BATCH)

    def plan_form(self, plan):
        """The applicant's form, as ``demo.content`` fills it: every section once submitted, the first
        few of a draft. Forms and section data are built once per (campaign, kind) and shared."""
        app = plan.app
        key = (plan.campaign.pk, app.kind)
        if key not in self._forms:
            spec = form_for(app)
            self._forms[key] = spec, [(s.code, section_data(s)) for s in spec.sections
                                      if any(not isinstance(i, UploadSlot) for i in s.items)]
        plan.spec, filled = self._forms[key]
        if plan.state == State.DRAFT:
            filled = filled[: self.rng.randint(0, len(filled))]
        end = plan.path[0][3] if plan.path else plan.last_time
        step = (end - plan.created_at) / (len(filled) + 1)
        for n, (code, data) in enumerate(filled, start=1):
            if code == "basic" and "org_name" in data:
                data = {**data, "org_name": app.applicant_name[:60]}
            plan.sections[code] = (data, plan.created_at + step * n)
        app.content_version = len(filled)
        if plan.state == State.RETURNED:  # as workflow's return_for_correction does when no section is named
            app.reopened_sections = [s.code for s in plan.spec.sections if s.filled_by == "applicant"]

    def form_sections(self):
        rows = [ApplicationSection(application=plan.app, code=code, data=data, version=1, updated_at=at,
                                   updated_by=plan.app.owner)
                for plan in self.plans for code, (data, at) in plan.sections.items()]
        with explicit_timestamps(ApplicationSection):
            ApplicationSection.objects.bulk_create(rows, batch_size=BATCH)

    def submissions(self):
        rows = []
        for plan in self.plans:
            app = plan.app
            for sequence, at in enumerate(plan.submission_times, start=1):
                form = {"form": plan.spec.code,
                        "sections": {s.code: plan.sections.get(s.code, ({}, None))[0] for s in plan.spec.sections},
                        "files": [], "legacy": app.content or {}}
                content = {
                    "number": app.number, "applicant_name": app.applicant_name, "kind": app.kind,
                    "region": plan.region.name, "program": plan.campaign.program.name, "campaign": plan.campaign.name,
                    "is_little_giant": app.is_little_giant, "form": form,
                }
                sub = Submission(application=app, sequence=sequence, submitted_at=at, submitted_by=app.owner,
                                 content=content, content_hash=content_hash(content))
                plan.submissions.append(sub)
                rows.append(sub)
        with explicit_timestamps(Submission):
            Submission.objects.bulk_create(rows, batch_size=BATCH)

    def eligibility_reviews(self):
        """The secretariat's 资格审核 records, as ``applications.eligibility`` keeps them: one review per
        start of the review, on the submission examined, with the automatic checks (all passed, one
        failed for a rejection), the exclusion checklist ticked "不存在" and the decision."""
        decisions = {"accept": EligibilityReview.Decision.ACCEPTED, "reject": EligibilityReview.Decision.REJECTED,
                     "return_to_authority": EligibilityReview.Decision.RETURNED}
        labels = [(c.code, c.label) for c in eligibility.CHECKS]
        exclusions = {c.pk: list(c.program.profile.exclusions.values_list("pk", flat=True)) for c in self.campaigns}
        rows = []
        for plan in self.plans:
            submission, review = None, None
            secretariat = self.users[self.secretariats[plan.campaign.program_id]]
            submissions = iter(plan.submissions)
            for name, _frm, _to, at in plan.path:
                if name in SUBMITTING:
                    submission = next(submissions)
                elif name == "start_eligibility_review":
                    review = EligibilityReview(
                        application=plan.app, submission=submission, computed_at=at, started_at=at,
                        reviewer=secretariat,
                        results=[{"code": code, "label": label, "status": eligibility.PASS, "evidence": "符合要求"}
                                 for code, label in labels])
                    rows.append(review)
                elif name in decisions and review is not None:
                    review.exclusion_ticks = {str(pk): {"answer": eligibility.ABSENT, "note": "",
                                                        "by": str(secretariat), "at": at.isoformat()}
                                              for pk in exclusions[plan.campaign.pk]}
                    review.decision, review.decided_at, review.decided_by = decisions[name], at, secretariat
                    review.decision_reason = REASONS.get(name, "")
                    if name == "reject" and review.results:
                        review.results[0] = {**review.results[0], "status": eligibility.FAIL,
                                             "evidence": "自评报告所填正常运行年限不足"}
                    review = None
        with explicit_timestamps(EligibilityReview):
            EligibilityReview.objects.bulk_create(rows, batch_size=BATCH)
        self.n_reviews = len(rows)

    def panels(self):
        experts = [self.users[k] for k in self.expert_keys]
        if not experts:
            return
        stages = {State.MATERIAL_REVIEW: Panel.Stage.MATERIAL, State.ONSITE_REVIEW: Panel.Stage.ONSITE}
        panels, seats = [], []
        for plan in self.plans:
            profile = plan.campaign.program.profile
            for state, stage in stages.items():
                entered = plan.times_of(state)
                if not entered:
                    continue
                panel = Panel(application=plan.app, stage=stage, created_at=entered[0])
                panels.append(panel)
                low = profile.panel_size_min or 3
                high = max(low, profile.panel_size_max or low + 2)
                size = min(len(experts), self.rng.randint(low, high) + (1 if self.rng.random() < 0.2 else 0))
                chosen = self.rng.sample(experts, size)
                for i, expert in enumerate(chosen):
                    role = PanelMember.Role.LEADER if i == 0 else PanelMember.Role.MEMBER
                    if i == high and i > 0:
                        role = PanelMember.Role.RESERVE
                    seats.append((panel, expert, role, entered[0]))
        with explicit_timestamps(Panel, PanelMember, Recusal):
            Panel.objects.bulk_create(panels, batch_size=BATCH)
            PanelMember.objects.bulk_create([
                PanelMember(panel=panel, expert=expert, role=role, joined_at=at) for panel, expert, role, at in seats
            ], batch_size=BATCH)
            recusals, seen = [], set()
            for panel, expert, role, at in seats:
                if role == PanelMember.Role.MEMBER and self.rng.random() < 0.01:
                    who = expert if self.rng.random() < 0.5 else self.rng.choice(experts)
                    if (panel.application_id, who.pk) not in seen:
                        seen.add((panel.application_id, who.pk))
                        recusals.append(Recusal(application_id=panel.application_id, user=who,
                                                reason="与申报单位存在利害关系，主动申请回避", created_at=at))
            Recusal.objects.bulk_create(recusals, batch_size=BATCH)
        # seated experts signed their pledge when the panel formed (those who later recused declared it)
        text, digest = getattr(self, "pledge_text", ""), getattr(self, "pledge_hash", "")
        if text:
            recused = {(r.application_id, r.user.pk) for r in recusals}
            Pledge.objects.bulk_create([
                Pledge(panel=panel, expert=expert, conflict_declared=(panel.application_id, expert.pk) in recused,
                       conflict_detail="与申报单位存在利害关系" if (panel.application_id, expert.pk) in recused else "",
                       text=text, text_sha256=digest)
                for panel, expert, role, at in seats if role != PanelMember.Role.RESERVE
            ], batch_size=BATCH, ignore_conflicts=True)
        self.n_panels, self.n_seats, self.n_recusals = len(panels), len(seats), len(recusals)
        self.panel_seats = seats

    def scores(self):
        from demo.scoring_generate import generate_scores

        generate_scores(self)  # experts' score sheets, panels' consensus, concluded stages
        from review.insights.services import refresh_calibration

        for campaign in self.campaigns:  # written in bulk, past the scoring services: the stored calibration
            refresh_calibration(campaign_id=campaign.pk)

    def audit_trail(self):
        ct = ContentType.objects.get_for_model(Application)
        events = []
        for plan in self.plans:
            app = plan.app
            owner = app.owner
            events.append(AuditEvent(
                created_at=plan.created_at, actor=owner, actor_label=str(owner)[:80], action="application:create",
                content_type=ct, object_id=str(app.pk), object_repr=f"（未编号） {app.applicant_name}"[:200],
                to_state=State.DRAFT,
            ))
            for code, (_data, at) in plan.sections.items():
                events.append(AuditEvent(
                    created_at=at, actor=owner, actor_label=str(owner)[:80], action="form:save", content_type=ct,
                    object_id=str(app.pk), object_repr=f"（未编号） {app.applicant_name}"[:200],
                    data={"section": code, "version": 1},
                ))
            submissions = iter(plan.submissions)
            program_id = plan.campaign.program_id
            authority = (self.authorities.get((program_id, plan.region.pk))
                         or self.authorities.get((program_id, plan.region.parent_id)))
            for name, frm, to, at in plan.path:
                if name in OWNER_TRANSITIONS:
                    actor = owner
                elif name in AUTHORITY_TRANSITIONS and authority:
                    actor = self.users[authority]
                else:
                    actor = self.users[self.secretariats[program_id]]
                data = {"result": str(next(submissions).pk)} if name in SUBMITTING else {}
                events.append(AuditEvent(
                    created_at=at, actor=actor, actor_label=str(actor)[:80], action=f"transition:{name}",
                    content_type=ct, object_id=str(app.pk), object_repr=str(app)[:200], from_state=frm, to_state=to,
                    reason=REASONS.get(name, "") if workflow.TRANSITIONS[name].reason_required else "",
                    ip=f"10.{self.rng.randrange(256)}.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}",
                    data=data,
                ))
        with explicit_timestamps(AuditEvent):
            AuditEvent.objects.bulk_create(events, batch_size=BATCH)
        self.n_events = len(events)

    def numbering(self):
        for campaign in self.campaigns:
            if self.last_numbers[campaign.pk] != campaign.last_number:
                Campaign.objects.filter(pk=campaign.pk).update(last_number=self.last_numbers[campaign.pk])


def analyze():
    """Refresh the planner's statistics for the tables just filled, as a live database would have them
    (right after a bulk insert PostgreSQL still estimates a handful of rows and picks poor plans)."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    models = [User, RoleAssignment, Organization, Organization.members.through, Application, ApplicationSection,
              Submission, EligibilityReview, Panel, PanelMember, Recusal, AuditEvent, ExpertProfile, Pledge]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _delete_protecting(model, pks):
    """Delete the rows that protect ``model`` rows ``pks`` from deletion (PROTECT foreign keys, e.g. an
    eligibility review protects its submission), so that a cascade can go through."""
    for rel in model._meta.related_objects:
        if rel.on_delete is models.PROTECT and rel.related_model is not model:
            for i in range(0, len(pks), BATCH):
                rel.related_model.objects.filter(**{f"{rel.field.name}__in": pks[i:i + BATCH]}).delete()


def delete_generated(prefix):
    """Remove what an earlier run with this prefix created (applications first: they protect the rest)."""
    ct = ContentType.objects.get_for_model(Application)
    app_ids = list(Application.objects.filter(owner__username__startswith=prefix).values_list("pk", flat=True))
    for i in range(0, len(app_ids), BATCH):
        chunk = [str(pk) for pk in app_ids[i:i + BATCH]]
        AuditEvent.objects.filter(content_type=ct, object_id__in=chunk).delete()
    _delete_protecting(Submission, list(Submission.objects.filter(application_id__in=app_ids)
                                        .values_list("pk", flat=True)))
    _delete_protecting(Application, app_ids)
    Application.objects.filter(pk__in=app_ids).delete()
    Organization.objects.filter(members__username__startswith=prefix).distinct().delete()
    ExpertProfile.objects.filter(user__username__startswith=prefix).delete()
    User.objects.filter(username__startswith=prefix).delete()
    return len(app_ids)


class Command(BaseCommand):
    help = "批量生成用于性能测试的模拟数据（组织、申报、专家、评审组、审计记录）。仅用于测试环境。"

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=2000, help="申报数量（默认 2000）")
        parser.add_argument("--experts", type=int, default=300, help="专家数量（默认 300）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子；账号以 g<seed>_ 开头（默认 1）")
        parser.add_argument("--replace", action="store_true", help="先删除同一种子此前生成的数据")

    def handle(self, *args, applications, experts, seed, replace, **options):
        if applications < 0 or experts < 0:
            raise CommandError("数量不能为负数。")
        prefix = f"g{seed}_"
        started = time.perf_counter()
        with transaction.atomic():
            if User.objects.filter(username__startswith=prefix).exists():
                if not replace:
                    raise CommandError(f"种子 {seed} 的数据已存在（账号以 {prefix} 开头）。请换一个 --seed，或加 --replace 重新生成。")
                removed = delete_generated(prefix)
                self.stdout.write(f"已删除此前生成的 {removed} 份申报及相关账号。")
            gen = Generator(applications=applications, experts=experts, seed=seed,
                            stdout=self.stdout if options["verbosity"] > 1 else None).run()
        analyze()
        elapsed = time.perf_counter() - started
        counts = {}
        for plan in gen.plans:
            counts[plan.state] = counts.get(plan.state, 0) + 1
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {len(gen.plans)} 份申报（{len(gen.campaigns)} 个奖项当前届次）、{len(gen.orgs)} 个组织、"
            f"{len(gen.users)} 个账号（其中专家 {len(gen.expert_keys)}）、{getattr(gen, 'n_panels', 0)} 个评审组、"
            f"{getattr(gen, 'n_events', 0)} 条审计记录，用时 {elapsed:.1f} 秒。"))
        self.stdout.write("各状态：" + "，".join(f"{State(s).label} {n}" for s, n in
                                              sorted(counts.items(), key=lambda kv: State.values.index(kv[0]))))
        if options["verbosity"] > 1:
            self.stdout.write("各步用时：" + "，".join(f"{k} {v:.2f}s" for k, v in gen.timings.items()))
        self.stdout.write(f"账号密码均为 {PASSWORD}；例如 {prefix}admin、{prefix}sup_all、{prefix}expert_0001。")
