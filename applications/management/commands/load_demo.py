"""Demo accounts and a handful of applications in telling states, for trying the portal out.

    manage.py loaddata regions gbt19580 programs
    manage.py load_demo

Idempotent: a second run creates nothing and changes nothing; it only prints the logins again.
Every application is created through ``create_application``, its form filled through the form
services (``demo.content.fill_application``: every section and the required uploads), and moved
only through ``workflow.perform`` with the actor who would really act (applicant, recommending
authority, secretariat), so the demo data has numbers, submissions, receipts and an audit trail
like real data.

Its dates lie around today, on any date: every program gets a campaign open for applications today
(``applications.campaigns``: the shipped one while it is open, else the next one after it), and the
demo's submissions, pre-reviews and notices are dated from the clock. A step that needs the working
days of a year whose holidays nobody has entered yet is refused by the services, never guessed; the
demo then leaves that application or notice out, says so and where the year is entered, and adds it
on a later run.

Demo notifications go to an in-memory mailbox unless ``--send-mail`` is given: demo addresses
(example.com) are never mailed by accident.
"""
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from applications import workflow
from applications.campaigns import open_campaigns_of_active_programs
from applications.models import Application, Campaign, Program, State
from applications.services import create_application
from demo.content import fill_application
from publicity.workdays import UnknownCalendarYear
from qualityaward.accounts.identifiers import id_birth_date, id_gender, id_number_check_char
from qualityaward.accounts.models import IndividualProfile, Organization, Region, Role, User
from qualityaward.accounts.services import Actor, grant_role
from review.eligibility import services as eligibility
from review.panels.models import Panel, PanelMember

PASSWORD = "demo12345"
EMAIL_DOMAIN = "demo.example.com"

# --- 统一社会信用代码 (GB 32100-2015, with the GB 11714 organization code inside) -------------------
GB32100_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def gb32100_check(first17):
    """The 18th character of a unified social credit code."""
    total = sum(GB32100_ALPHABET.index(ch) * w for ch, w in zip(first17, GB32100_WEIGHTS, strict=True))
    return GB32100_ALPHABET[(31 - total % 31) % 31]


def gb11714_check(body8):
    """The 9th character of an organization code (positions 9-17 of a credit code)."""
    total = sum((int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10) * w
                for ch, w in zip(body8, GB11714_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def credit_code(region_code, body8, registration="91"):
    """A valid credit code: ``registration`` (91 = 工商·企业) + 6-digit area + organization code + check.

    ``body8`` is the organization code without its check; it may only use characters of the
    GB 32100 alphabet (no I, O, S, V, Z).
    """
    area = region_code if region_code.isdigit() and len(region_code) == 6 else "410173"  # 航空港区
    body8 = body8.upper()
    if len(body8) != 8 or any(ch not in GB32100_ALPHABET for ch in body8):
        raise ValueError(f"invalid organization code body: {body8!r}")
    first17 = f"{registration}{area}{body8}{gb11714_check(body8)}"
    return first17 + gb32100_check(first17)


def is_valid_credit_code(code):
    return (len(code) == 18 and all(ch in GB32100_ALPHABET for ch in code)
            and gb11714_check(code[8:16]) == code[16] and gb32100_check(code[:17]) == code[17])


# --- what the demo consists of -----------------------------------------------------------------------
@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    employer: str
    #: (role, program code or None, region code or None, unit name)
    roles: tuple
    sees: str
    superuser: bool = False
    mobile: str = ""
    #: for an individual applicant: (region code, birth date YYYYMMDD, sequence digits) of the 身份证号
    identity: tuple = ()

    @property
    def email(self):
        return f"{self.username}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class DemoOrg:
    name: str
    region: str
    body: str  # organization code body (8 characters, GB 32100 alphabet)
    contact: str
    members: tuple = ("applicant",)


@dataclass(frozen=True)
class DemoApp:
    applicant_name: str
    program: str
    region: str
    owner: str
    target: State
    organization: str | None = None  # None: an individual application
    authority: str = "bureau_zz"
    #: transitions that need a reason get this one
    reason: str = ""
    #: panel seats the expert gets on review stages passed: {Panel.Stage: PanelMember.Role}
    seats: dict = field(default_factory=dict)


HC, XX = "henan-cultivation", "xixian"
ZZ, XIXIAN = "410100", "411528"

USERS = [
    DemoUser("applicant", "张伟", "河南中原精工集团有限公司 质量管理部", ((Role.APPLICANT, None, None, ""),),
             "本集团 6 家子公司的申报：草稿（已填完，可直接提交）、已提交、退回修改（可改后重新提交）、已推荐；"
             "息县两家在材料评审、评委会审定",
             mobile="13800000001"),
    DemoUser("applicant2", "李娜", "郑州中原精工机械有限公司（首席质量官）", ((Role.APPLICANT, None, None, ""),),
             "本人的个人申报（已提交，等待推荐单位初审）", mobile="13800000002", identity=("410105", "19820415", "128")),
    DemoUser("bureau_zz", "王强", "郑州市市场监督管理局",
             ((Role.AUTHORITY, HC, ZZ, "郑州市市场监督管理局"),),
             "郑州市的培育库申报：待初审推荐 2 份（可推荐或退回），及各状态数量"),
    DemoUser("secretariat", "陈静", "河南省质量奖评审办公室",
             ((Role.SECRETARIAT, HC, None, "河南省质量奖评审办公室"), (Role.SECRETARIAT, XX, None, "息县质量奖评审办公室")),
             "培育库与息县两个奖项：待资格审核 1 份（已推荐），各状态数量；息县受理名单公示（公示中）及收到的 1 件异议；"
             "管理后台入口"),
    DemoUser("expert", "杨光", "郑州大学管理学院（高级工程师）", ((Role.EXPERT, None, None, ""),),
             "我的评审任务：息县两份申报（材料评审组长 1 份；材料/现场评审组员 1 份，已到评委会审定）"),
    DemoUser("supervisor", "赵敏", "河南省市场监督管理局 监督组", ((Role.SUPERVISOR, None, None, "监督组"),),
             "全部奖项各阶段申报数量、最近的状态变更"),
    DemoUser("committee", "孙立", "息县县长质量奖评审委员会", ((Role.COMMITTEE, XX, None, "息县县长质量奖评审委员会"),),
             "待评委会审定：息县 1 份候选申报"),
    DemoUser("admin", "周勇", "平台运维", ((Role.ADMIN, None, None, ""),),
             "系统管理：管理后台（超级用户）", superuser=True),
]

ORGS = [
    DemoOrg("郑州中原精工机械有限公司", ZZ, "MA44JG01", "张伟"),
    DemoOrg("郑州黄河智能装备股份有限公司", ZZ, "MA44HH02", "张伟"),
    DemoOrg("郑州嵩岳新材料科技有限公司", ZZ, "MA44QY03", "张伟"),
    DemoOrg("郑州商都食品集团有限公司", ZZ, "MA44PD04", "张伟"),
    DemoOrg("息县淮河农产品加工有限公司", XIXIAN, "MA44HH05", "张伟"),
    DemoOrg("息县弦山纺织服装有限公司", XIXIAN, "MA44XF06", "张伟"),
    DemoOrg("息县豫南茶业有限公司", XIXIAN, "MA44YN07", "张伟"),
]

APPS = [
    DemoApp("郑州中原精工机械有限公司", HC, ZZ, "applicant", State.DRAFT, organization="郑州中原精工机械有限公司"),
    DemoApp("郑州黄河智能装备股份有限公司", HC, ZZ, "applicant", State.SUBMITTED,
            organization="郑州黄河智能装备股份有限公司"),
    DemoApp("郑州嵩岳新材料科技有限公司", HC, ZZ, "applicant", State.RETURNED, organization="郑州嵩岳新材料科技有限公司",
            reason="请补充近三年经审计的财务报表（加盖公章）后重新提交。"),
    DemoApp("郑州商都食品集团有限公司", HC, ZZ, "applicant", State.RECOMMENDED, organization="郑州商都食品集团有限公司"),
    DemoApp("李娜", HC, ZZ, "applicant2", State.SUBMITTED),
    DemoApp("息县淮河农产品加工有限公司", XX, XIXIAN, "applicant", State.MATERIAL_REVIEW,
            organization="息县淮河农产品加工有限公司",
            seats={Panel.Stage.MATERIAL: PanelMember.Role.LEADER}),
    DemoApp("息县弦山纺织服装有限公司", XX, XIXIAN, "applicant", State.COMMITTEE,
            organization="息县弦山纺织服装有限公司",
            seats={Panel.Stage.MATERIAL: PanelMember.Role.MEMBER, Panel.Stage.ONSITE: PanelMember.Role.MEMBER}),
    # accepted; the demo's open acceptance notice then puts it into acceptance publicity (see DEMO_NOTICES)
    DemoApp("息县豫南茶业有限公司", XX, XIXIAN, "applicant", State.ACCEPTED,
            organization="息县豫南茶业有限公司"),
]

#: the public notice board: (program, kind, who publishes, region code or None, applicants listed, title,
#: days ago it opened (None: opens now and stays open), window length)
DEMO_NOTICES = [
    (HC, "authority", "bureau_zz", ZZ, ("郑州黄河智能装备股份有限公司",),
     "郑州市市场监督管理局关于河南省省长质量奖培育对象拟推荐名单的公示", 16, 5),
    (XX, "acceptance", "secretariat", None, ("息县豫南茶业有限公司",),
     "息县县长质量奖受理名单公示", None, None),
]
#: an objection a member of the public filed against the open notice, still to be handled by the secretariat
DEMO_OBJECTION = {
    "objector_kind": "individual", "objector_name": "吴建华", "phone": "13800000201",
    "address": "河南省信阳市息县谯楼街道 18 号", "signature": "吴建华", "contact_person": "",
    "email": "objector@demo.example.com",
}
#: {year}: the campaign's last data year, within the "近三年" the grounds speak of
DEMO_OBJECTION_GROUNDS = ("该公司 {year} 年 6 月有一批次绿茶产品在市级监督抽查中不合格，申报材料称近三年无抽查不合格记录，"
                          "与事实不符，请核实。")

#: the expert pool: (username, name, employer, title, specialties (GB/T 4754 门类/大类), region, phone)
DEMO_EXPERTS = [
    ("expert", "杨光", "郑州大学管理学院", "高级工程师", ("C", "13"), ZZ, "13800000006"),
    ("expert_01", "马建国", "河南省产品质量检验技术研究院", "正高级工程师", ("C",), ZZ, "13800000101"),
    ("expert_02", "胡晓燕", "河南农业大学食品科学技术学院", "教授", ("13", "14", "A"), "410100", "13800000102"),
    ("expert_03", "郭志刚", "中原工学院纺织学院", "教授", ("17", "18"), ZZ, "13800000103"),
    ("expert_04", "何丽", "信阳师范大学商学院", "副教授", ("C", "F"), "411500", "13800000104"),
    ("expert_05", "罗斌", "洛阳理工学院", "高级工程师", ("34", "35", "36"), "410300", "13800000105"),
    ("expert_06", "梁静", "河南省标准化研究院", "研究员", ("C", "E"), ZZ, "13800000106"),
    ("expert_07", "宋涛", "新乡市质量技术服务中心", "高级经济师", ("A", "13"), "410700", "13800000107"),
    ("expert_08", "唐敏", "许昌学院", "教授", ("17", "C"), "411000", "13800000108"),
]

#: forward transitions into each stage after acceptance
STAGE_TRANSITIONS = {
    State.ACCEPTANCE_PUBLICITY: "open_acceptance_publicity",
    State.MATERIAL_REVIEW: "start_material_review",
    State.ONSITE_REVIEW: "start_onsite_review",
    State.FINALIST: "declare_finalist",
    State.COMMITTEE: "send_to_committee",
    State.PROPOSED: "propose",
    State.AWARDED: "award",
}
STAGE_PANELS = {State.MATERIAL_REVIEW: Panel.Stage.MATERIAL, State.ONSITE_REVIEW: Panel.Stage.ONSITE}


def _tick_exclusions(app, actor):
    """The secretariat ticks every item of the exclusion checklist "不存在该情形" (资格审核)."""
    eligibility.record_exclusions(application=app, actor=actor, answers={
        item.pk: (eligibility.ABSENT, "") for item in eligibility.exclusion_items(app)})


def _prereview(app, actor):
    """The recommending authority's pre-review (初审): department opinions, publicity, signed opinion."""
    from demo.review import complete_sample_prereview

    complete_sample_prereview(application=app, actor=actor)


def _score(app, actor):
    """The experts score the stage the application is in and the leader concludes it (专家评审)."""
    from demo.review import complete_sample_scoring

    complete_sample_scoring(application=app)


#: what the acting person does on other screens before a transition (transition -> (who, step))
BEFORE = {"recommend": ("authority", _prereview), "accept": ("secretariat", _tick_exclusions),
          "start_onsite_review": ("secretariat", _score), "declare_finalist": ("secretariat", _score)}


def route(target, profile):
    """(transition, who, state reached) steps from draft to ``target`` on a program with ``profile``."""
    steps = [("submit", "owner", State.SUBMITTED)]
    if target == State.DRAFT:
        return []
    if target == State.SUBMITTED:
        return steps
    # 息县 第十五、十七条: applicants submit to the secretariat; there is no recommender to pass through
    first_reviewer = "authority" if profile.has_recommender_step else "secretariat"
    if target == State.RETURNED:
        return steps + [("return_for_correction", first_reviewer, State.RETURNED)]
    if profile.has_recommender_step:
        steps += [("recommend", "authority", State.RECOMMENDED)]
    if target == State.RECOMMENDED:
        if not profile.has_recommender_step:
            raise CommandError("演示数据要求“已推荐”，但该奖项没有推荐单位初审推荐环节，请核对奖项规则配置。")
        return steps
    steps += [("start_eligibility_review", "secretariat", State.ELIGIBILITY_REVIEW)]
    if target == State.ELIGIBILITY_REVIEW:
        return steps
    pipeline = workflow.enabled_pipeline(profile)
    if target not in pipeline:
        raise CommandError(f"演示数据要求的状态“{State(target).label}”不在该奖项的评审流程中，请核对奖项规则配置。")
    steps += [("accept", "secretariat", State.ACCEPTED)]
    for stage in pipeline[1:pipeline.index(target) + 1]:
        steps.append((STAGE_TRANSITIONS[stage], "secretariat", stage))
    return steps


def _unknown_year(exc):
    """The ``UnknownCalendarYear`` behind a refusal (the services turn it into their own message), or None."""
    while exc is not None and not isinstance(exc, UnknownCalendarYear):
        exc = exc.__cause__ or exc.__context__
    return exc


def id_number(region, birth, sequence):
    """A valid 居民身份证号码 (GB 11643): area, birth date, sequence (odd last digit = male), check."""
    first17 = f"{region}{birth}{sequence}"
    return first17 + id_number_check_char(first17)


def display_width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text, width):
    return text + " " * max(0, width - display_width(text))


def role_label(user_spec):
    parts = []
    for role, program, region, _unit in user_spec.roles:
        scope = "·".join(x for x in (program and _program_name(program), region and _region_name(region)) if x)
        parts.append(f"{Role(role).label}（{scope}）" if scope else Role(role).label)
    return "、".join(parts)


def _program_name(code):
    program = Program.objects.filter(code=code).first()
    return program.short_name if program else code


def _region_name(code):
    region = Region.objects.filter(code=code).first()
    return region.name if region else code


class Command(BaseCommand):
    help = "创建演示账号（每个角色一个）和若干处于不同状态的申报；可重复运行，第二次只打印登录信息。"

    def add_arguments(self, parser):
        parser.add_argument("--send-mail", action="store_true",
                            help="按配置真实发送演示通知邮件（默认只写入内存邮箱，不外发）。")

    def handle(self, *args, send_mail=False, **options):
        self._check_reference_data()
        self.created = []
        self.postponed = {}  # why -> [what]: demo data that cannot be created yet
        mail = {} if send_mail else {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
        with override_settings(**mail):
            with transaction.atomic():
                self.campaigns = self._open_campaigns()
                users = {spec.username: self._user(spec) for spec in USERS}
                orgs = {spec.name: self._organization(spec, users) for spec in ORGS}
                for spec in APPS:
                    self._application(spec, users, orgs)
                self._expert_pool(users)
                self._committee_vote(users)
                self._notices(users)
            # receipts (eager Celery) and notifications run on commit, still inside the mail override
        for why, items in self.postponed.items():
            self.stdout.write(self.style.WARNING(
                f"暂未创建演示{'、'.join(items)}：{why} 处理后重新运行 manage.py load_demo 即可补上。"))
        if self.created:
            self.stdout.write(self.style.SUCCESS(f"已创建演示数据：{len(self.created)} 项。"))
        else:
            self.stdout.write("演示数据已存在，未做任何更改。")
        self._print_logins()

    # --- steps ---------------------------------------------------------------------------------------
    def _committee_vote(self, users):
        """An open committee vote on the candidates before 息县's committee, for the committee member to try."""
        from review.committee.services import open_session
        from review.committee.models import VoteSession

        campaign = self.campaigns[XX]
        candidates = list(Application.objects.filter(campaign=campaign, state=State.COMMITTEE).order_by("pk"))
        if not candidates or VoteSession.objects.filter(campaign=campaign).exists():
            return
        tier = campaign.program.profile.tiers.order_by("order").first()
        open_session(campaign=campaign, actor=Actor(user=users["secretariat"]), title=f"{campaign} 评委会全体会议表决",
                     candidates=[(app, tier) for app in candidates])
        self.created.append(f"评委会表决（{len(candidates)} 个候选）")

    def _notices(self, users):
        """The notice board: a bureau's notice whose window is over, and an open acceptance notice with one
        objection received. Composed and scheduled through the notice services and opened / closed by the
        notice job at the times they would have run."""
        import datetime as dt

        from publicity.notices import services as notices
        from publicity.notices.models import Notice

        now = timezone.now()
        for program, kind, who, region_code, names, title, days_ago, length in DEMO_NOTICES:
            campaign = self.campaigns[program]
            if Notice.objects.filter(campaign=campaign, kind=kind, title=title).exists():
                continue
            actor = Actor(user=users[who])
            apps = list(Application.objects.filter(campaign=campaign, applicant_name__in=names))
            if not apps:  # its applications were not created (a warning said why)
                continue
            opens_at = now if days_ago is None else timezone.localtime(now - dt.timedelta(days=days_ago)).replace(
                hour=9, minute=0, second=0, microsecond=0)
            try:
                notice = notices.compose_notice(
                    campaign=campaign, kind=kind, actor=actor, application_ids=[a.pk for a in apps], title=title,
                    region=Region.objects.get(code=region_code) if region_code else None, window_length=length,
                    opens_at=opens_at, contact="联系电话：0376-8888001（工作日 8:30—17:30）")
                notice = notices.schedule_notice(notice=notice, actor=actor, opens_at=opens_at, now=opens_at)
            except ValidationError as exc:
                # e.g. in late December, before next year's holidays are entered: the rest of the demo stands
                self.postponed.setdefault("；".join(exc.messages), []).append(f"公示“{title}”")
                continue
            notices.open_notice(notice_id=notice.pk, now=notice.opens_at)
            if days_ago is not None:
                notices.close_notice(notice_id=notice.pk, now=notice.closes_at)
                notices.settle_notice(notice_id=notice.pk, now=notice.closes_at)
            self.created.append(f"公示 {title}")
        self._objection()

    def _objection(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from demo.content import jpeg_bytes, pdf_bytes
        from publicity.objections import services as objections
        from publicity.notices.models import Notice

        campaign = self.campaigns[XX]
        notice = Notice.objects.filter(status=Notice.Status.OPEN, campaign=campaign).order_by("pk").first()
        if notice is None or notice.objections.exists():
            return
        grounds = DEMO_OBJECTION_GROUNDS.format(year=campaign.data_years[-1])
        files = {"identity": [SimpleUploadedFile("身份证.jpg", jpeg_bytes(), content_type="image/jpeg")],
                 "evidence": [SimpleUploadedFile("监督抽查结果通报.pdf", pdf_bytes(2), content_type="application/pdf")]}
        try:
            objections.submit_objection(notice=notice, item_id=notice.items.first().pk, objector=dict(DEMO_OBJECTION),
                                        grounds=grounds, files=files, actor=Actor(ip="192.0.2.10"))
        except (objections.ObjectionRefused, ValidationError) as exc:
            message = exc.message if isinstance(exc, objections.ObjectionRefused) else "；".join(exc.messages)
            raise CommandError(f"演示异议无法登记：{message}") from exc
        self.created.append(f"异议（{notice.title}）")

    def _check_reference_data(self):
        missing = [code for code in (HC, XX) if not Campaign.objects.filter(program__code=code).exists()]
        missing += [code for code in (ZZ, XIXIAN) if not Region.objects.filter(code=code).exists()]
        if missing:
            raise CommandError(
                f"缺少基础数据（{'、'.join(missing)}）。请先运行：manage.py loaddata regions gbt19580 programs")

    def _open_campaigns(self):
        """Every program's campaign open for applications today, the next one created when the latest has
        closed, so that the demo applications, deadlines and notices lie around today on any date."""
        try:
            opened = open_campaigns_of_active_programs()
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        for campaign, created in opened:
            if created:
                self.created.append(f"届次 {campaign}")
                self.stdout.write(f"{campaign.program.name}：新建正在申报的届次“{campaign.name}”，申报截止 "
                                  f"{timezone.localtime(campaign.application_deadline):%Y-%m-%d}。")
        return {campaign.program.code: campaign for campaign, _created in opened}

    def _user(self, spec):
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(username=spec.username, full_name=spec.full_name, email=spec.email, employer=spec.employer,
                        mobile=spec.mobile, is_staff=spec.superuser, is_superuser=spec.superuser)
            user.set_password(PASSWORD)
            user.save()
            self.created.append(f"用户 {spec.username}")
        if spec.identity and not IndividualProfile.objects.filter(user=user).exists():
            number = id_number(*spec.identity)
            IndividualProfile.objects.create(
                user=user, id_number=number, birth_date=id_birth_date(number), gender=id_gender(number),
                employer=spec.employer, region=Region.objects.get(code=spec.identity[0]))
            self.created.append(f"个人信息 {spec.username}")
        for role, program_code, region_code, unit in spec.roles:
            program = Program.objects.get(code=program_code) if program_code else None
            region = Region.objects.get(code=region_code) if region_code else None
            before = user.role_assignments.count()
            grant_role(user=user, role=role, program=program, region=region, unit_name=unit)
            if user.role_assignments.count() != before:
                self.created.append(f"角色 {spec.username}:{role}")
        return user

    def _organization(self, spec, users):
        code = credit_code(spec.region, spec.body)
        org = Organization.objects.filter(credit_code=code).first()
        if org is None:
            owner = users[spec.members[0]]
            org = Organization.objects.create(
                name=spec.name, credit_code=code, region=Region.objects.get(code=spec.region),
                contact_name=spec.contact, contact_mobile=owner.mobile, contact_email=owner.email,
            )
            self.created.append(f"组织 {spec.name}")
        present = set(org.members.values_list("username", flat=True))
        for username in spec.members:
            if username not in present:
                org.members.add(users[username])
        return org

    def _application(self, spec, users, orgs):
        """One demo application, or a warning and nothing at all when a step needs working days of a year
        whose holidays are not entered yet (e.g. 息县 第十六条's 5 working days of internal publicity)."""
        campaign = self.campaigns[spec.program]
        if Application.objects.filter(campaign=campaign, applicant_name=spec.applicant_name).exists():
            return
        try:
            with transaction.atomic():
                app = self._walk(spec, campaign, users, orgs)
        except (workflow.TransitionError, ValidationError) as exc:
            message = exc.message if isinstance(exc, workflow.TransitionError) else "；".join(exc.messages)
            if _unknown_year(exc) is None:
                raise CommandError(f"演示申报“{spec.applicant_name}”未能完成：{message}") from exc
            self.postponed.setdefault(message, []).append(f"申报“{spec.applicant_name}”")
            return
        self.created.append(f"申报 {spec.applicant_name}（{app.get_state_display()}）")

    def _walk(self, spec, campaign, users, orgs):
        """Create, fill and move the application to its target state as the people concerned would."""
        from demo.content import fill_application

        owner = users[spec.owner]
        organization = orgs[spec.organization] if spec.organization else None
        app = create_application(
            actor=Actor(user=owner), campaign=campaign,
            kind=Application.Kind.ORGANIZATION if organization else Application.Kind.INDIVIDUAL,
            applicant_name=spec.applicant_name, region=Region.objects.get(code=spec.region),
            organization=organization,
        )
        fill_application(application=app, actor=Actor(user=owner))
        actors = {"owner": owner, "authority": users[spec.authority], "secretariat": users["secretariat"]}
        for name, who, reached in route(spec.target, campaign.program.profile):
            stage = STAGE_PANELS.get(reached)
            if stage and stage in spec.seats:
                panel, _ = Panel.objects.get_or_create(application=app, stage=stage)
                PanelMember.objects.get_or_create(panel=panel, expert=users["expert"],
                                                  defaults={"role": spec.seats[stage]})
            reason = spec.reason if workflow.TRANSITIONS[name].reason_required else ""
            if name in BEFORE:
                before_who, step = BEFORE[name]
                step(app, Actor(user=actors[before_who]))
            app = workflow.perform(application=app, name=name, actor=Actor(user=actors[who]), reason=reason)
        if app.state != spec.target:
            raise CommandError(f"演示申报“{spec.applicant_name}”停在“{app.get_state_display()}”，预期“{spec.target.label}”。")
        return app

    def _expert_pool(self, users):
        """The demo expert and a few more in the expert pool; the demo expert has signed the pledge for
        弦山 (and sees it) and has yet to sign for 淮河 (the pledge page is the first thing to do)."""
        from review.panels.models import PLEDGE_TEXT
        from review.panels.models import ExpertProfile, Pledge

        for username, name, employer, title, specialties, region, phone in DEMO_EXPERTS:
            user = users.get(username) or User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, full_name=name, employer=employer, mobile=phone)
                user.set_unusable_password()
                user.save()
                grant_role(user=user, role=Role.EXPERT)
            if not ExpertProfile.objects.filter(user=user).exists():
                ExpertProfile.objects.create(user=user, name=name, employer=employer, title=title,
                                             specialties=list(specialties), region=Region.objects.get(code=region),
                                             phone=phone, email=user.email)
                self.created.append(f"专家库 {name}")
        for panel in Panel.objects.filter(application__applicant_name="息县弦山纺织服装有限公司",
                                          members__expert=users["expert"]):
            _pledge, made = Pledge.objects.get_or_create(
                panel=panel, expert=users["expert"],
                defaults={"text": PLEDGE_TEXT, "text_sha256": Pledge.digest(PLEDGE_TEXT)})
            if made:
                self.created.append(f"承诺书 {panel}")

    # --- output --------------------------------------------------------------------------------------
    def _print_logins(self):
        header = ("用户名", "密码", "角色", "登录后可见")
        rows = [(spec.username, PASSWORD, role_label(spec), spec.sees) for spec in USERS]
        widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(3)]

        def line(row):
            cells = [pad(row[i], widths[i]) for i in range(3)] + [row[3]]
            return "| " + " | ".join(cells) + " |"

        self.stdout.write("")
        self.stdout.write("演示账号（登录地址 /accounts/login/）：")
        self.stdout.write(line(header))
        self.stdout.write("|" + "|".join("-" * (w + 2) for w in widths) + "|" + "-" * 12)
        for row in rows:
            self.stdout.write(line(row))
