"""Demo accounts and, for every program, an application waiting at each stage of its procedure.

    manage.py load_seed_data
    manage.py load_demo                 # builds what is missing, prints every login grouped by role
    manage.py load_demo --readme-table  # the same, then prints only the README's table of logins (markdown)

Idempotent: a second run creates nothing and changes nothing; it only prints the logins again.

Which stages a program has is read from the state machine and the program's rule profile
(``demo.journeys.waiting_states``), never listed per program here: for each stage one application is created
through ``create_application``, its form filled in bulk with the form's own validation (``demo.content.fill_in_bulk``:
a company whose name, GB/T 4754 industry and credit code agree), and moved only through ``workflow.perform`` with
the actor who would really act (applicant, recommending authority, secretariat, or the service that performs the
transition itself: a panel draw, a recorded decision, a notice's opening), so every application has its number,
submissions, receipts and audit trail. What a transition needs first is done through the services, or written in
bulk where no workflow guarantee is at stake (scores, pledges' rows are the services'): the bureau's pre-review
before ``recommend``, the exclusion checklist before ``accept``, a witnessed random draw of the pool when a review
stage opens, and, before the stage is left, the pledges, every expert's sheet, the consensus and the leader's
conclusion.

Then, after every program's waiting applications (so that their panels are drawn as before), the applications
that end otherwise, as far as the program's document has the step (``demo.journeys.outcomes``): returned by the
secretariat during its eligibility review, 不予受理 (an exclusion found and recorded on the checklist), 未入围 (on
low scores), 未获奖 (the committee's vote, the government's decision) and 撤销奖励; the reasons are the
secretariat's (``demo.outcomes``). Experts join the pool for them (``EXTRA_EXPERTS``). The program's final
publicity (入库 / 候选 / 拟授奖名单公示) of the application waiting in it is open on the notice board.

Its dates lie around today, on any date: every program gets a campaign open for applications today
(``applications.campaigns``), and the demo's submissions, pre-reviews and notices are dated from the clock. A step
that needs the working days of a year whose holidays nobody has entered yet is refused by the services, never
guessed; the demo then leaves that application or notice out, says so and where the year is entered, and adds it on
a later run.

Demo notifications go to an in-memory mailbox unless ``--send-mail`` is given: demo addresses (example.com) are
never mailed by accident.
"""
import argparse
import contextlib
import datetime as dt
import time
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from applications import workflow
from applications.campaigns import earlier_campaign, open_campaigns_of_active_programs
from applications.models import Application, Campaign, Program, State
from applications.services import create_application
from demo.companies import GB32100_ALPHABET, company, credit_code, is_valid_credit_code  # noqa: F401 (generate_data)
from demo.journeys import UNSUCCESSFUL as ENDED_STATES, outcomes, waiting_states
from publicity.workdays import UnknownCalendarYear
from qualityaward.accounts.identifiers import id_birth_date, id_gender, id_number_check_char
from qualityaward.accounts.models import IndividualProfile, Organization, Region, Role, User
from qualityaward.accounts.services import Actor, grant_role
from review.eligibility import services as eligibility
from review.panels.models import Panel, PanelMember

PASSWORD = "demo12345"
EMAIL_DOMAIN = "demo.example.com"
README_START, README_END = "<!-- demo-logins:start -->", "<!-- demo-logins:end -->"


# --- what the demo consists of -----------------------------------------------------------------------
@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    employer: str
    #: (role, program code or None (every program the role applies to: see ``_programs_for``), region code or None,
    #: unit name)
    roles: tuple
    superuser: bool = False
    mobile: str = ""
    #: for an individual applicant: (region code, birth date YYYYMMDD, sequence digits) of the 身份证号
    identity: tuple = ()

    @property
    def email(self):
        return f"{self.username}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class Authority:
    """A recommending authority's account for one program and area."""

    username: str
    full_name: str
    unit: str
    region: str


@dataclass(frozen=True)
class ProgramDemo:
    """Where a program's demo companies are: their town, street and post code, a 2-character tag for their
    organization codes, and the authorities that recommend them (``authorities[0]`` unless the program's quota
    needs another area: then the next, by the order here)."""

    place: str
    street: str
    postcode: str
    tag: str
    authorities: tuple
    places: dict = field(default_factory=dict)  # region code -> (place, street, postcode) for other areas


ZZ, XIXIAN = "410100", "411528"
HC, XX = "henan-cultivation", "xixian"
EVERY = "*"  # a role over every program that has what the role works on

USERS = [
    DemoUser("applicant", "张伟", "河南中原精工集团有限公司 质量管理部", ((Role.APPLICANT, None, None, ""),),
             mobile="13800000001"),
    DemoUser("applicant2", "李娜", "郑州中原精工机械有限公司（首席质量官）", ((Role.APPLICANT, None, None, ""),),
             mobile="13800000002", identity=("410105", "19820415", "128")),
    DemoUser("secretariat", "陈静", "河南省质量奖评审办公室", ((Role.SECRETARIAT, EVERY, None, "评审办公室（秘书处）"),)),
    DemoUser("committee", "孙立", "质量奖评审委员会", ((Role.COMMITTEE, EVERY, None, "评审委员会"),)),
    DemoUser("supervisor", "赵敏", "河南省市场监督管理局 监督组", ((Role.SUPERVISOR, None, None, "监督组"),)),
    DemoUser("admin", "周勇", "平台运维", ((Role.ADMIN, None, None, ""),), superuser=True),
]

PROGRAMS = {
    HC: ProgramDemo("郑州", "郑州市高新区科学大道", "450001", "PY", (
        Authority("bureau_zz", "王强", "郑州市市场监督管理局", ZZ),)),
    XX: ProgramDemo("息县", "息县城关镇息州大道", "464300", "XX", (
        Authority("bureau_xx", "刘洋", "息县市场监督管理局", XIXIAN),)),
    "gongyi": ProgramDemo("巩义", "巩义市孝义街道嵩山路", "451200", "GY", (
        # 巩义 第十七条（二）: applicants submit to their own 镇（街道）, which pre-reviews and recommends
        Authority("bureau_gy", "高峰", "巩义市孝义街道办事处", "410181004"),)),
    "quality-benchmark": ProgramDemo("郑州", "郑州市高新区红松路", "450001", "BG", (
        Authority("gxj_zz", "马骏", "郑州市工业和信息化局", ZZ),
        Authority("gxj_ly", "罗文", "洛阳市工业和信息化局", "410300"),
        Authority("gxj_xx", "宋颖", "新乡市工业和信息化局", "410700"),
        Authority("gxj_xc", "唐宁", "许昌市工业和信息化局", "411000"),
        # the areas of the applications that end otherwise (``demo.journeys.outcomes``): one recommendation each
        Authority("gxj_kf", "韩冰", "开封市工业和信息化局", "410200"),
        Authority("gxj_ay", "林涛", "安阳市工业和信息化局", "410500"),
        Authority("gxj_ny", "谢芳", "南阳市工业和信息化局", "411300"),
    ), places={"410300": ("洛阳", "洛阳市涧西区建设路", "471003"), "410700": ("新乡", "新乡市红旗区新二街", "453000"),
               "411000": ("许昌", "许昌市魏都区许继大道", "461000"), "410200": ("开封", "开封市金明区郑开大道", "475000"),
               "410500": ("安阳", "安阳市文峰区中华路", "455000"), "411300": ("南阳", "南阳市卧龙区仲景路", "473000")}),
    "jinshui": ProgramDemo("郑州", "郑州市金水区花园路", "450008", "JX", (
        Authority("bureau_js", "周丽", "郑州市金水区经八路街道办事处", "410105"),)),
}

@dataclass(frozen=True)
class OtherUnitDemo:
    """全国质量标杆 通知三、附件3: an applicant that goes through an other recommending unit, whose own account
    pre-reviews and recommends it; the applicant has filed (报备) with its local 工信部门 and the province."""

    program: str
    unit: str  # a 附件3 unit's name as the profile lists it
    username: str
    full_name: str
    region: str  # where the applicant is registered
    filed_to: tuple  # (local department, province) as the applicant names them


OTHER_UNIT = OtherUnitDemo("quality-benchmark", "中国机械工业质量管理协会", "jx_zlxh", "贺明", "410300",
                           ("洛阳市工业和信息化局", "河南省工业和信息化厅"))

#: the expert pool (all can log in): (username, name, employer, title, specialties (GB/T 4754 门类/大类), region)
DEMO_EXPERTS = [
    ("expert", "杨光", "郑州大学管理学院", "高级工程师", ("C", "13"), ZZ),
    ("expert_01", "马建国", "河南省产品质量检验技术研究院", "正高级工程师", ("C", "M"), ZZ),
    ("expert_02", "胡晓燕", "河南农业大学食品科学技术学院", "教授", ("13", "14", "15", "A"), ZZ),
    ("expert_03", "郭志刚", "中原工学院纺织学院", "教授", ("17", "18"), ZZ),
    ("expert_04", "何丽", "信阳师范大学商学院", "副教授", ("C", "F", "G", "I"), "411500"),
    ("expert_05", "罗斌", "洛阳理工学院", "高级工程师", ("34", "35", "36"), "410300"),
    ("expert_06", "梁静", "河南省标准化研究院", "研究员", ("C", "E", "M"), ZZ),
    ("expert_07", "宋涛", "新乡市质量技术服务中心", "高级经济师", ("A", "13", "M"), "410700"),
    ("expert_08", "唐敏", "许昌学院", "教授", ("17", "C"), "411000"),
    ("expert_09", "韩磊", "河南工业大学机电工程学院", "教授", ("34", "35", "38"), ZZ),
    ("expert_10", "冯雪", "河南省计量测试科学研究院", "正高级工程师", ("40", "C", "M"), ZZ),
    ("expert_11", "董超", "华北水利水电大学", "教授", ("E", "48", "G"), ZZ),
    ("expert_12", "程丽", "河南省质量协会", "高级工程师", ("C", "E", "G", "I", "M"), ZZ),
    ("expert_13", "曹阳", "河南科技大学", "教授", ("30", "32", "33"), "410300"),
    ("expert_14", "袁飞", "河南大学商学院", "教授", ("F", "G", "I", "M"), "410200"),
    ("expert_15", "邓芳", "郑州轻工业大学", "副教授", ("13", "14", "15", "17"), ZZ),
    ("expert_16", "许刚", "河南省特种设备安全检测研究院", "正高级工程师", ("34", "35", "38"), ZZ),
    ("expert_17", "傅红", "郑州航空工业管理学院", "教授", ("C", "E", "I", "M"), ZZ),
    ("expert_18", "沈涛", "河南省电力科学研究院", "高级工程师", ("38", "44", "D", "E"), ZZ),
    ("expert_19", "曾雯", "信阳农林学院", "教授", ("A", "13", "15"), "411500"),
    ("expert_20", "彭博", "河南省质量工程职业学院", "教授", ("C", "E", "G", "I", "M"), "410400"),
    ("expert_21", "吕静", "河南财经政法大学工商管理学院", "教授", ("E", "G", "I", "M"), ZZ),
    ("expert_22", "苏明", "郑州大学信息工程学院", "教授", ("I", "65", "C"), ZZ),
    ("expert_23", "卢娟", "河南省交通规划设计研究院", "正高级工程师", ("E", "G", "48", "54"), ZZ),
]

#: the experts who join the pool for the applications that end otherwise (``outcomes``): a campaign's expert sits
#: on at most ``expert_max_panels`` panels, and those applications need panels of their own
EXTRA_EXPERTS = [
    ("expert_24", "钱志远", "河南省产品质量监督检验院", "正高级工程师", ("C", "E", "G", "M"), ZZ),
    ("expert_25", "金晓红", "郑州轻工业大学经济与管理学院", "教授", ("C", "13", "14", "15", "F"), ZZ),
    ("expert_26", "孔德明", "河南理工大学", "教授", ("C", "30", "32", "34", "35"), "410800"),
    ("expert_27", "严文静", "河南省质量协会卓越绩效研究中心", "高级经济师", ("C", "E", "F", "G", "I", "M"), ZZ),
    ("expert_28", "江海涛", "中原工学院机电学院", "教授", ("C", "17", "18", "36", "38"), ZZ),
    ("expert_29", "宁秀兰", "河南省纤维检验局", "高级工程师", ("C", "17", "26", "27"), ZZ),
]
#: the individual application (a program whose profile takes individuals): waits for the bureau's pre-review
INDIVIDUAL = {"owner": "applicant2", "target": State.SUBMITTED}
#: the public notice board's past notice: a bureau's intended recommendation (program, days ago, window length)
AUTHORITY_NOTICE = (HC, 16, 5)
#: the program whose open acceptance notice has received an objection the secretariat still has to handle
OBJECTION_PROGRAM = XX
DEMO_OBJECTION = {
    "objector_kind": "individual", "objector_name": "吴建华", "phone": "13800000201",
    "address": "河南省信阳市息县谯楼街道 18 号", "signature": "吴建华", "contact_person": "",
    "email": "objector@demo.example.com",
}
#: {year}: the campaign's last data year, within the "近三年" the grounds speak of
DEMO_OBJECTION_GROUNDS = ("该公司 {year} 年 6 月有一批次产品在市级监督抽查中不合格，申报材料称近三年无抽查不合格记录，"
                          "与事实不符，请核实。")
#: why a returning transition was taken (the reason the workflow requires)
REASONS = {
    "return_for_correction": "请补充近三年经审计的财务报表（加盖公章）后重新提交。",
}
#: a notice's length where the program's rules name none (the secretariat enters it)
DEFAULT_NOTICE_LENGTH = 5
#: the item scores (%) of an application that ends 未入围 (the others are scored around 65 %: 650 of 1000 points)
LOW_PERCENT = 50
#: the transitions that end an application otherwise than with success, or return it, and who writes what
#: (``demo.outcomes``): {transition: method of the command}
ENDING_STEPS = {"return_for_correction": "_returned", "return_to_authority": "_returned", "reject": "_refused",
                "declare_not_finalist": "_not_finalist", "not_award": "_not_awarded", "revoke": "_revoked"}
#: the final publicity of a program, the first kind its rules have (000 入库, 巩义 候选, 息县 and 金水 拟授奖)
FINAL_NOTICE_KINDS = ("database", "candidates", "winners")


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


#: the order the logins are printed in, by role
ROLE_ORDER = [Role.APPLICANT, Role.AUTHORITY, Role.SECRETARIAT, Role.EXPERT, Role.COMMITTEE, Role.SUPERVISOR,
              Role.ADMIN]


@dataclass
class Login:
    role: str
    username: str
    who: str
    sees: str


#: the transitions that give an application a seat of its tier
SEATING_STEPS = ("propose", "award")


def _clock(moment):
    """The clock at ``moment`` (moving on from there) while an earlier round's steps are taken; no change for None."""
    import time_machine

    return contextlib.nullcontext() if moment is None else time_machine.travel(moment, tick=True)


def _counts(qs):
    return dict(qs.values_list("state").annotate(n=Count("pk")).order_by())


def _state_list(counts, profile=None):
    """The counts by state in pipeline order, in ``profile``'s program's words (已入库) where given."""
    order = {s: i for i, s in enumerate(State.values)}
    return "、".join(f"{profile.word(s, State(s).label) if profile else State(s).label} {n}"
                    for s, n in sorted(counts.items(), key=lambda kv: order[kv[0]]))


class Command(BaseCommand):
    help = ("创建演示账号和每个奖项各阶段的演示申报；可重复运行，第二次只打印登录信息。"
            "--readme-table 只输出 README 的演示账号表（Markdown）。")

    def add_arguments(self, parser):
        parser.add_argument("--send-mail", action="store_true",
                            help="按配置真实发送演示通知邮件（默认只写入内存邮箱，不外发）。")
        parser.add_argument("--readme-table", action="store_true",
                            help="建好演示数据后只输出 README 中的演示账号表（Markdown），进度写到标准错误。")
        parser.add_argument("--documents", choices=("now", "background", "later"), default=None,
                            help="演示申报的回执、证书等 PDF：now 当场生成；background 由后台进程生成（命令行运行时的默认）；"
                                 "later 留待文件任务（Celery）生成。")
        parser.add_argument("--render-documents", nargs="*", type=int, default=None, help=argparse.SUPPRESS)

    def run_from_argv(self, argv):
        self.from_command_line = True
        return super().run_from_argv(argv)

    def _render(self, document_ids):
        """Build the PDFs ``document_ids`` (the background process ``--documents background`` starts)."""
        from applications.documents.services import build_document

        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for pk in document_ids:
                try:
                    build_document(document_id=pk)
                except Exception as exc:  # recorded on the document for the user; the next one still gets built
                    self.stderr.write(f"PDF {pk} 生成失败：{exc}")

    def handle(self, *args, send_mail=False, readme_table=False, documents=None, render_documents=None, **options):
        if render_documents is not None:
            return self._render(render_documents)
        documents = documents or ("background" if getattr(self, "from_command_line", False) else "now")
        started = time.perf_counter()
        ordered = []  # documents (receipts, certificates) the build ordered, rendered at the end (``documents``)
        from applications import jobs

        from review.insights.services import JOB as CALIBRATION

        render_job = jobs._HANDLERS["render_document"]
        jobs.register("render_document", lambda document_id: ordered.append(document_id))
        # the experts' calibration is recomputed once per campaign at the end, not after every panel's conclusion
        calibration_job, calibrated = jobs._HANDLERS[CALIBRATION], set()
        jobs.register(CALIBRATION, lambda campaign_id, expert_ids=None: calibrated.add(campaign_id))
        try:
            self._build(send_mail=send_mail, readme_table=readme_table)
        finally:
            jobs.register("render_document", render_job)
            jobs.register(CALIBRATION, calibration_job)
        for campaign_id in sorted(calibrated):
            calibration_job(campaign_id=campaign_id)
        self._documents(ordered, documents)
        if self.created:
            self.say(self.style.SUCCESS(f"已创建演示数据：{len(self.created)} 项，用时 {time.perf_counter() - started:.1f} 秒。"))
        else:
            self.say("演示数据已存在，未做任何更改。")
        logins = self._logins()
        if readme_table:
            self.stdout.write(readme_markdown(logins), ending="")
        else:
            self._print_logins(logins)

    def _documents(self, ordered, how):
        """The PDFs the build ordered: built now, by a background process (the portal shows "生成中" until each is
        ready, as it does while a Celery worker builds one), or left to the document job."""
        import subprocess
        import sys

        from django.conf import settings

        if not ordered:
            return
        if how == "now":
            self._render(ordered)
        elif how == "background":
            log_path = Path(settings.BASE_DIR) / "var" / "load_demo_documents.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log = open(log_path, "ab")  # noqa: SIM115 (the background process writes to it after we return)
            subprocess.Popen([sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "load_demo",
                              "--render-documents", *map(str, ordered)],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
            self.say(f"回执、证书等 {len(ordered)} 份 PDF 由后台进程生成，约需 {max(1, len(ordered) // 5)} 秒；"
                     "生成前页面显示“生成中”。")
        else:
            from applications.documents.tasks import enqueue_document

            self.say(f"回执、证书等 {len(ordered)} 份 PDF 已登记，留待文件任务生成（生成前页面显示“生成中”）。")
            if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
                for pk in ordered:
                    enqueue_document(pk)

    def _build(self, *, send_mail, readme_table):
        self.say = self.stderr.write if readme_table else self.stdout.write
        self._check_reference_data()
        self.created = []
        self.postponed = {}  # why -> [what]: demo data that cannot be created yet
        self.password = make_password(PASSWORD)  # one hash for every demo account (hashing is slow on purpose)
        mail = {} if send_mail else {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
        with override_settings(**mail):
            with transaction.atomic():
                self.campaigns = self._open_campaigns()
                self.users = {spec.username: self._user(spec) for spec in USERS}
                self._expert_pool()
            for program in Program.objects.filter(code__in=self.campaigns).select_related("profile").order_by("pk"):
                t0, before = time.perf_counter(), len(self.created)
                with transaction.atomic():
                    self._program(program)
                # receipts, certificates and notifications run on commit, still inside the mail override
                self.say(self._progress(program, len(self.created) - before, time.perf_counter() - t0))
            # then the applications that end otherwise, after every program's waiting ones (whose panels are
            # drawn before the experts who join the pool for them)
            with transaction.atomic():
                self._expert_pool(EXTRA_EXPERTS)
            for program in Program.objects.filter(code__in=self.campaigns).select_related("profile").order_by("pk"):
                t0, before = time.perf_counter(), len(self.created)
                with transaction.atomic():
                    self._program(program, ended=True)
                self.say(self._progress(program, len(self.created) - before, time.perf_counter() - t0, ended=True))
        for why, items in self.postponed.items():
            self.say(self.style.WARNING(
                f"暂未创建演示{'、'.join(items)}：{why} 处理后重新运行 manage.py load_demo 即可补上。"))

    # --- reference data, accounts ---------------------------------------------------------------------
    def _check_reference_data(self):
        missing = [code for code in PROGRAMS if not Campaign.objects.filter(program__code=code).exists()]
        missing += [code for code in (ZZ, XIXIAN) if not Region.objects.filter(code=code).exists()]
        if missing:
            raise CommandError(f"缺少基础数据（{'、'.join(missing)}）。请先运行：manage.py load_seed_data")

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
                self.say(f"{campaign.program.name}：新建正在申报的届次“{campaign.name}”，申报截止 "
                         f"{timezone.localtime(campaign.application_deadline):%Y-%m-%d}。")
        return {campaign.program.code: campaign for campaign, _created in opened}

    def _programs_for(self, role):
        """The programs a role held over "every program" applies to: the committee's only where there is one."""
        programs = Program.objects.filter(code__in=self.campaigns).select_related("profile").order_by("pk")
        if role == Role.COMMITTEE:
            return [p for p in programs if p.profile.has_committee]
        return list(programs)

    def _account(self, username, *, full_name, employer="", mobile="", superuser=False):
        """A demo account that can sign in at once: active, with its e-mail and the demo password."""
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(username=username, full_name=full_name, email=f"{username}@{EMAIL_DOMAIN}",
                                       employer=employer, mobile=mobile, is_staff=superuser, is_superuser=superuser,
                                       is_active=True, password=self.password)
            self.created.append(f"用户 {username}")
        return user

    def _grant(self, user, role, program=None, region=None, unit=""):
        before = user.role_assignments.count()
        grant_role(user=user, role=role, program=program, region=region, unit_name=unit)
        if user.role_assignments.count() != before:
            self.created.append(f"角色 {user.username}:{role}")

    def _user(self, spec):
        user = self._account(spec.username, full_name=spec.full_name, employer=spec.employer, mobile=spec.mobile,
                             superuser=spec.superuser)
        if spec.identity and not IndividualProfile.objects.filter(user=user).exists():
            number = id_number(*spec.identity)
            IndividualProfile.objects.create(
                user=user, id_number=number, birth_date=id_birth_date(number), gender=id_gender(number),
                employer=spec.employer, region=Region.objects.get(code=spec.identity[0]))
            self.created.append(f"个人信息 {spec.username}")
        for role, program_code, region_code, unit in spec.roles:
            region = Region.objects.get(code=region_code) if region_code else None
            programs = self._programs_for(role) if program_code == EVERY else [
                Program.objects.get(code=program_code) if program_code else None]
            for program in programs:
                self._grant(user, role, program, region, unit)
        return user

    def _authority(self, spec, program):
        user = self._account(spec.username, full_name=spec.full_name, employer=spec.unit)
        self._grant(user, Role.AUTHORITY, program, Region.objects.get(code=spec.region), spec.unit)
        self.users[spec.username] = user
        return user

    def _expert_pool(self, experts=None):
        """The expert pool: every expert is an account that can sign in (e-mail, demo password)."""
        from review.panels.models import ExpertProfile

        start = 0 if experts is None else len(DEMO_EXPERTS)
        for n, (username, name, employer, title, specialties, region) in enumerate(experts or DEMO_EXPERTS, start):
            phone = f"1390000{n:04d}"
            user = self._account(username, full_name=name, employer=employer, mobile=phone)
            self._grant(user, Role.EXPERT)
            if not ExpertProfile.objects.filter(user=user).exists():
                ExpertProfile.objects.create(user=user, name=name, employer=employer, title=title,
                                             specialties=list(specialties), region=Region.objects.get(code=region),
                                             phone=phone, email=user.email)
                self.created.append(f"专家库 {name}")
            self.users[username] = user

    # --- a program ------------------------------------------------------------------------------------
    def _program(self, program, ended=False):
        """One application waiting at each stage of the program's procedure (``waiting_states``), its notices
        and its committee vote; with ``ended``, one application ended each unsuccessful way the procedure allows
        (``outcomes``), numbered after the waiting ones."""
        demo = PROGRAMS.get(program.code)
        if demo is None:
            if not ended:
                self.say(self.style.WARNING(f"{program.name}：没有演示单位的资料（load_demo.PROGRAMS），跳过。"))
            return
        campaign, profile = self.campaigns[program.code], program.profile
        # 息县 第十五、十七条, 金水 第十四、十五条: no recommender, so no 推荐单位 account (the area still places the
        # demo companies)
        authorities = [self._authority(a, program) if profile.has_recommender_step else None
                       for a in demo.authorities]
        recommended = {}  # authority -> applications recommended (the profile's quota per authority)
        prefix = program.number_prefix.lower()
        waiting = waiting_states(profile)
        for i, (target, steps) in enumerate(waiting + (outcomes(profile) if ended else [])):
            k = 0
            if profile.recommendation_quota and any(name == "recommend" for name, _ in steps):
                k = next((j for j in range(len(authorities))
                          if recommended.get(j, 0) < profile.recommendation_quota), len(authorities) - 1)
                recommended[k] = recommended.get(k, 0) + 1
            if ended and i < len(waiting):
                continue  # built in the first pass
            auth = demo.authorities[k]
            place, street, postcode = demo.places.get(auth.region, (demo.place, demo.street, demo.postcode))
            firm = company(place=place, region_code=auth.region, n=program.pk * 16 + i, street=street,
                           postcode=postcode, tag=demo.tag)
            owner = self._account(f"{prefix}{i + 1:02d}", full_name=firm.contact, employer=firm.name,
                                  mobile=f"137{program.pk:02d}{i:06d}")
            self._grant(owner, Role.APPLICANT)
            members = [owner] + ([self.users["applicant"]] if self._waits_for_applicant(target, profile) else [])
            org = self._organization(firm, members)
            self._application(campaign, target, steps, owner=owner, authority=authorities[k], organization=org,
                              ctx=self._context(firm, owner))
        if ended:
            self._committee_vote(campaign)  # after the votes of ``_not_awarded``: one vote is open at a time
            return
        if profile.allows_individuals:
            owner = self.users[INDIVIDUAL["owner"]]
            target, steps = next((s, st) for s, st in waiting_states(profile) if s == INDIVIDUAL["target"])
            self._application(campaign, target, steps, owner=owner, authority=authorities[0], organization=None,
                              ctx=self._individual_context(owner), region_code=demo.authorities[0].region)
        if program.code == OTHER_UNIT.program:
            self._through_other_unit(campaign, demo, len(waiting) + len(outcomes(profile)))
        self._acceptance_notice(campaign)
        self._final_notice(campaign)
        if program.code == AUTHORITY_NOTICE[0]:
            self._authority_notice(campaign, authorities[0])
        if program.code == OBJECTION_PROGRAM:
            self._objection(campaign)

    def _through_other_unit(self, campaign, demo, i):
        """``OTHER_UNIT``: the unit's account, and one application through it waiting for its pre-review, numbered
        after the program's other applications."""
        from applications.forms.spec import OTHER_UNIT_PREFIX, filing_targets
        from applications.models import RecommendingUnit

        spec, program = OTHER_UNIT, campaign.program
        unit = RecommendingUnit.objects.filter(profile__program=program, kind=RecommendingUnit.Kind.OTHER,
                                               name=spec.unit).first()
        if unit is None:
            self.say(self.style.WARNING(f"{program.name}：奖项规则中没有其他推荐单位“{spec.unit}”，跳过经其申报的演示。"))
            return
        user = self._account(spec.username, full_name=spec.full_name, employer=spec.unit)
        before = user.role_assignments.count()
        grant_role(user=user, role=Role.AUTHORITY, recommending_unit=unit)
        if user.role_assignments.count() != before:
            self.created.append(f"角色 {user.username}:{Role.AUTHORITY}")
        self.users[spec.username] = user
        place, street, postcode = demo.places.get(spec.region, (demo.place, demo.street, demo.postcode))
        firm = company(place=place, region_code=spec.region, n=program.pk * 16 + i, street=street, postcode=postcode,
                       tag=demo.tag)
        owner = self._account(f"{program.number_prefix.lower()}{i + 1:02d}", full_name=firm.contact,
                              employer=firm.name, mobile=f"137{program.pk:02d}{i:06d}")
        self._grant(owner, Role.APPLICANT)
        ctx = self._context(firm, owner)
        filed_on = timezone.localdate() - dt.timedelta(days=3)
        ctx["stated"] = {"route": f"{OTHER_UNIT_PREFIX}{unit.pk}"}
        for n, (_target, named) in enumerate(zip(filing_targets(program.profile), spec.filed_to), start=1):
            ctx["stated"] |= {f"filed_to_{n}": named, f"filed_on_{n}": filed_on.isoformat(),
                              f"filed_doc_{n}": f"关于经{spec.unit}申报全国质量标杆的报备函"}
        target, steps = next((s, st) for s, st in waiting_states(program.profile) if s == State.SUBMITTED)
        self._application(campaign, target, steps, owner=owner, authority=user,
                          organization=self._organization(firm, [owner]), ctx=ctx)

    @staticmethod
    def _waits_for_applicant(state, profile):
        """Whether the applicant acts next here (submits the draft, resubmits after a return)."""
        return any(state in t.sources(profile) and t.target not in workflow.TERMINAL_STATES and t.who == "申报人"
                   for t in workflow.TRANSITIONS.values())

    @staticmethod
    def _context(firm, owner):
        from demo.content import DEFAULT_CONTEXT

        trade = firm.trade
        return {**DEFAULT_CONTEXT, "name": firm.name, "products": trade.products, "product": trade.product,
                "industry": trade.industry, "org_type": trade.org_type, "credit_code": firm.credit_code,
                "legal_rep": firm.legal_rep, "contact": firm.contact, "phone": owner.mobile, "email": owner.email,
                "address": firm.address, "postcode": firm.postcode, "established": firm.established,
                "standard": trade.standard, "indicator": trade.indicator, "own": trade.own,
                "domestic": trade.domestic, "international": trade.international}

    @staticmethod
    def _individual_context(owner):
        from demo.content import DEFAULT_CONTEXT

        profile = owner.individual_profile
        return {**DEFAULT_CONTEXT, "name": "郑州中原精工机械有限公司", "contact": owner.full_name,
                "products": "精密齿轮、传动轴等机械零部件", "product": "精密传动齿轮", "phone": owner.mobile,
                "email": owner.email, "id_number": profile.id_number, "gender": profile.gender}

    def _organization(self, firm, members):
        org = Organization.objects.filter(credit_code=firm.credit_code).first()
        if org is None:
            org = Organization.objects.create(
                name=firm.name, credit_code=firm.credit_code, region=Region.objects.get(code=firm.region_code),
                contact_name=members[0].full_name, contact_mobile=members[0].mobile, contact_email=members[0].email)
            self.created.append(f"组织 {firm.name}")
        present = set(org.members.values_list("pk", flat=True))
        for user in members:
            if user.pk not in present:
                org.members.add(user)
        return org

    def _application(self, campaign, target, steps, *, owner, authority, organization, ctx, region_code=None):
        """One demo application, or a warning and nothing at all when a step needs working days of a year
        whose holidays are not entered yet (e.g. 息县 第十六条's 5 working days of internal publicity)."""
        name = organization.name if organization else owner.full_name
        years = [campaign.year, campaign.year - (campaign.program.profile.cycle_years or 1)]
        if Application.objects.filter(campaign__program_id=campaign.program_id, campaign__year__in=years,
                                      applicant_name=name).exists():
            return
        campaign = self._round_for(campaign, steps)
        try:
            with transaction.atomic():
                app = self._walk(campaign, target, steps, name=name, owner=owner, authority=authority,
                                 organization=organization, ctx=ctx,
                                 region=organization.region if organization else Region.objects.get(code=region_code))
        except (workflow.TransitionError, ValidationError) as exc:
            message = exc.message if isinstance(exc, workflow.TransitionError) else "；".join(exc.messages)
            if _unknown_year(exc) is None:
                raise CommandError(f"演示申报“{name}”未能完成：{message}") from exc
            self.postponed.setdefault(message, []).append(f"申报“{name}”")
            return
        self.created.append(f"申报 {name}（{app.get_state_display()}）")

    def _round_for(self, campaign, steps):
        """The campaign an application that takes a seat is built in: the current one while it keeps a seat free
        for a newcomer after this one, otherwise the round before (金水 第四条 “每年度不超过3个”: its four stages
        after the committee cannot all wait in one year; the later ones belong to last year's round)."""
        from review.committee.services import free_seats

        if not any(name in SEATING_STEPS for name, _state in steps):
            return campaign
        free = [free_seats(tier=tier, campaign=campaign) for tier in campaign.program.profile.tiers.all()]
        if not free or None in free or sum(free) > 1:
            return campaign
        return earlier_campaign(campaign)

    @staticmethod
    def _round_clock(campaign):
        """(submitted, decided): when an earlier round's application was submitted (a month before its deadline)
        and when its later steps were taken (a month ago); (None, None) for the current round."""
        if campaign.is_current:
            return None, None
        deadline, now = campaign.application_deadline, timezone.now()
        return deadline - dt.timedelta(days=30), max(deadline + dt.timedelta(days=1), now - dt.timedelta(days=30))

    def _walk(self, campaign, target, steps, *, name, owner, authority, organization, ctx, region):
        """Create, fill and move the application to ``target`` as the people concerned would; an earlier round's
        application on that round's dates (submitted before its deadline, reviewed and decided after it)."""
        from demo.content import fill_in_bulk

        submitted_at, decided_at = self._round_clock(campaign)
        people = [u for u in (owner, authority, self.users["secretariat"]) if u is not None]
        if steps and steps[-1][0] == "open_acceptance_publicity":
            steps = steps[:-1]  # the acceptance notice opens it (``_acceptance_notice``), as the notice job does
        with _clock(submitted_at):
            app = create_application(
                actor=Actor(user=owner), campaign=campaign,
                kind=Application.Kind.ORGANIZATION if organization else Application.Kind.INDIVIDUAL,
                applicant_name=name, region=region, organization=organization)
            fill_in_bulk(application=app, actor=Actor(user=owner), ctx=ctx)
            app = self._steps(app, steps[:1], people, name=name, ctx=ctx, ending=steps and steps[-1][0])
        with _clock(decided_at):  # one clock for the rest, so that the audit trail keeps its order
            return self._steps(app, steps[1:], people, name=name, ctx=ctx, ending=steps and steps[-1][0])

    def _steps(self, app, steps, people, *, name, ctx, ending):
        for transition, reached in steps:
            app = self._step(app, transition, people, ctx=ctx, ending=ending)
            if app.state != reached:
                raise CommandError(f"演示申报“{name}”停在“{app.get_state_display()}”，预期“{State(reached).label}”。")
        return app

    def _step(self, app, name, people, *, ctx=None, ending=None):
        """Take transition ``name``: first what the acting person does on other screens, then the transition
        itself, through the service that performs it where there is one. ``ending`` is the journey's last
        transition: an application that ends 未入围 was scored lower all along."""
        from demo.review import (
            complete_sample_consultation, complete_sample_defense, complete_sample_prereview, score_in_bulk,
        )
        from review.awards import services as awards
        from review.scoring.services import STAGE_STATE

        transition = workflow.TRANSITIONS[name]
        actor = next((Actor(user=u) for u in people if transition.allowed_for(Actor(user=u), app)), None)
        if actor is None:
            raise CommandError(f"演示数据中没有可以执行“{transition.label}”的账号（{transition.who}）。")
        stage_of = {state: stage for stage, state in STAGE_STATE.items()}
        if app.state in stage_of:  # leaving a review stage: the panel has scored and concluded it
            panel = Panel.objects.get(application=app, stage=stage_of[app.state])
            panel.application = app
            score_in_bulk(panel=panel, percent=LOW_PERCENT if ending == "declare_not_finalist" else 65)
        if name == "recommend":
            complete_sample_prereview(application=app, actor=actor)
        elif name == "accept":
            complete_sample_consultation(application=app, actor=actor)
            eligibility.record_exclusions(application=app, actor=actor, answers={
                item.pk: (eligibility.ABSENT, "") for item in eligibility.exclusion_items(app)})
        elif name == "start_onsite_review":  # 息县 第十八条: 陈述答辩 between material and on-site review
            complete_sample_defense(application=app, actor=actor, kind="panel")
        elif name == "send_to_committee":  # 息县 第二十一条: 现场展示和陈述答辩 at the plenary, before its ballot
            complete_sample_defense(application=app, actor=actor, kind="plenary")
        elif name == "propose":
            from review.prereview.services import EVALUATION

            complete_sample_consultation(application=app, actor=actor, by=EVALUATION)
        params = {}
        if name in SEATING_STEPS and app.tier_id is None:
            from review.committee.services import free_seats

            # the first tier with a seat free (息县 第六条: 县长质量奖 2, then 提名奖 3 per 届)
            tiers = list(app.campaign.program.profile.tiers.order_by("order"))
            tier = next((t for t in tiers if free_seats(tier=t, campaign=app.campaign, exclude=[app.pk]) != 0),
                        tiers[0] if tiers else None)
            if tier is not None:
                params["tier"] = tier
        if app.state in workflow.DECISION_STATES:
            app = self._decision(app, actor, awards, approved=name != "not_award")
        elif name in ENDING_STEPS:
            app = getattr(self, ENDING_STEPS[name])(app, actor, name, ctx)
        else:
            reason = (REASONS.get(name) or f"{transition.label}（演示）") if transition.reason_required else ""
            app = workflow.perform(application=app, name=name, actor=actor, reason=reason, **params)
        if app.state in stage_of:  # a review stage opened: the secretariat draws its panel under supervision
            self._draw(app, stage_of[app.state], actor)
        return app

    def _decision(self, app, actor, awards, approved=True):
        """The committee's or the government's decision, recorded by the secretariat with its document; the
        service moves the application on (not approved: to 未获奖, with what the meeting decided)."""
        from demo.outcomes import government_refusal_note

        from django.core.files.uploadedfile import SimpleUploadedFile

        from demo.content import pdf_bytes

        kind = awards.DECISION_FOR_STATE[app.state]
        profile = app.campaign.program.profile
        body = (profile.government_decision_body or "人民政府") if kind == "government" else "评审委员会"
        today = timezone.localdate()
        return awards.record_decision(
            application=app, actor=actor, kind=kind, body=body, approved=approved, decided_on=today,
            note="" if approved else government_refusal_note(app),
            reference=f"{app.campaign.program.short_name}{today.year}年第{app.pk % 9 + 1}次会议纪要",
            document=SimpleUploadedFile("会议纪要.pdf", pdf_bytes(1), "application/pdf"))

    # --- the applications that end otherwise (``demo.journeys.outcomes``) -------------------------------
    def _returned(self, app, actor, name, ctx):
        """A return: the recommender's (the waiting 退回修改) or the secretariat's during its eligibility review."""
        from demo.outcomes import return_reason

        reason = return_reason(app, name) if app.state == State.ELIGIBILITY_REVIEW else REASONS[name]
        return workflow.perform(application=app, name=name, actor=actor, reason=reason)

    def _refused(self, app, actor, name, ctx):
        """不予受理: the secretariat finds one of the program's exclusions present (a failed supervision sampling
        where the checklist names it), records it with its facts on the checklist, and refuses."""
        from demo.outcomes import exclusion_note, refusal_reason

        items = eligibility.exclusion_items(app)
        found = next((item for item in items if "抽查" in item.text), items[0])
        note = exclusion_note(app, ctx, found.text)
        eligibility.record_exclusions(application=app, actor=actor, answers={
            item.pk: (eligibility.PRESENT, note) if item == found else (eligibility.ABSENT, "") for item in items})
        return workflow.perform(application=app, name=name, actor=actor, reason=refusal_reason(app, found.text, note))

    def _not_finalist(self, app, actor, name, ctx):
        """未入围 on the panel's (low) scores, with the score in the reason."""
        from demo.outcomes import not_finalist_reason
        from review.scoring.services import application_scores, exact_text

        profile = app.campaign.program.profile
        scores, total = application_scores(app)
        total = total if total is not None else next(v for v in scores.values() if v is not None)
        reason = not_finalist_reason(
            app, total=exact_text(total), stage_label=app.get_state_display(),
            threshold=exact_text(profile.finalist_threshold) if profile.finalist_threshold is not None else None,
            eliminated_at_material=app.state == State.MATERIAL_REVIEW and profile.material_review_eliminates)
        return workflow.perform(application=app, name=name, actor=actor, reason=reason)

    def _not_awarded(self, app, actor, name, ctx):
        """未获奖: before the committee, by its vote (the committee votes against, the secretariat closes the vote
        and applies it); elsewhere by the secretariat with its reason (the government's is ``_decision``)."""
        from demo.outcomes import not_awarded_reason
        from review.committee import services as committee
        from review.committee.models import VoteSession

        profile = app.campaign.program.profile
        if (app.state != State.COMMITTEE or profile.vote_threshold is None
                or VoteSession.objects.filter(campaign=app.campaign, closed_at__isnull=True).exists()):
            # (a demo built before these applications has its members' vote open: the result is recorded instead)
            return workflow.perform(application=app, name=name, actor=actor,
                                    reason=not_awarded_reason(app, app.get_state_display()))
        tier = profile.tiers.order_by("order").first()
        session = committee.open_session(campaign=app.campaign, actor=actor, candidates=[(app, tier)],
                                         title=f"{app.campaign} 评委会全体会议表决（{app.applicant_name}）")
        candidate = session.candidates.get()
        for member in committee.members_of(app.campaign.program):
            committee.cast_ballot(session=session, actor=Actor(user=member),
                                  choices={candidate.pk: "reject"})
        committee.close_session(session=session, actor=actor)
        committee.decide(session=session, actor=actor)
        app.refresh_from_db()
        return app

    def _revoked(self, app, actor, name, ctx):
        """撤销奖励 for fraud found after the award, through the awards service (ban as the profile says). The
        certificate was issued on the award day: it is built before the revocation (a revoked award gets none)."""
        from applications.documents.services import build_document
        from applications.models import GeneratedDocument
        from demo.outcomes import revocation_reason
        from review.awards import services as awards
        from review.awards.models import Award

        certificates = GeneratedDocument.objects.filter(application=app, kind=GeneratedDocument.Kind.CERTIFICATE)
        for pk in certificates.values_list("pk", flat=True):
            build_document(document_id=pk)
        return awards.revoke(application=app, actor=actor, ground=Award.Ground.FRAUD, reason=revocation_reason(app))

    def _draw(self, app, stage, actor):
        from review.panels.services import draw_panel

        profile = app.campaign.program.profile
        # the seed comes from the company and the stage, not from database ids (which differ from one database
        # to the next), so the same demo gets the same panels everywhere and README's table stays true
        seed = str(zlib.crc32(f"{app.applicant_name}|{stage}".encode()))
        draw_panel(actor=actor, campaign=app.campaign, applications=[app], stage=stage,
                   size=profile.panel_size_min or 3, reserves=1, seed=seed,
                   witness_name=f"{self.users['supervisor'].full_name}（监督组）")

    # --- notices, objection, committee ----------------------------------------------------------------
    def _notice(self, campaign, kind, actor, apps, title, *, region=None, days_ago=None, length=None):
        """A notice composed and scheduled through the notice services and opened (and, for a past one, closed
        and settled) by the notice job at the times it would have run."""
        from publicity.notices import services as notices
        from publicity.notices.models import Notice

        if not apps or Notice.objects.filter(campaign=campaign, kind=kind, title=title).exists():
            return
        now = timezone.now()
        opens_at = now if days_ago is None else timezone.localtime(now - dt.timedelta(days=days_ago)).replace(
            hour=9, minute=0, second=0, microsecond=0)
        try:
            notice = notices.compose_notice(
                campaign=campaign, kind=kind, actor=actor, application_ids=[a.pk for a in apps], title=title,
                region=region, window_length=length, opens_at=opens_at,
                contact="联系电话：0371-65808001（工作日 8:30—17:30）")
            notice = notices.schedule_notice(notice=notice, actor=actor, opens_at=opens_at, now=opens_at)
        except ValidationError as exc:
            # e.g. in late December, before next year's holidays are entered: the rest of the demo stands
            self.postponed.setdefault("；".join(exc.messages), []).append(f"公示“{title}”")
            return
        notices.open_notice(notice_id=notice.pk, now=notice.opens_at)
        if days_ago is not None:
            notices.close_notice(notice_id=notice.pk, now=notice.closes_at)
            notices.settle_notice(notice_id=notice.pk, now=notice.closes_at)
        self.created.append(f"公示 {title}")

    def _acceptance_notice(self, campaign):
        """The open 受理名单公示 of the applications waiting for it (the notice job moves them into 受理公示中)."""
        from publicity.notices.models import Notice

        from publicity.notices.services import rule_for

        apps = list(Application.objects.filter(campaign=campaign, state=State.ACCEPTED).order_by("pk"))
        rule = rule_for(campaign, Notice.Kind.ACCEPTANCE)
        if rule is not None and State.ACCEPTANCE_PUBLICITY in workflow.enabled_pipeline(campaign.program.profile):
            # where the rules name no length, the secretariat enters one (5 working days, as the seeds' others)
            self._notice(campaign, Notice.Kind.ACCEPTANCE, Actor(user=self.users["secretariat"]), apps[-1:],
                         f"{campaign.program.name}{campaign.name}受理名单公示",
                         length=None if rule.min_length else DEFAULT_NOTICE_LENGTH)

    def _final_notice(self, campaign):
        """The program's final publicity (拟授奖 / 候选 / 入库名单公示, whichever its rules have; none for a program
        without one) of the application waiting in it, open today with its window."""
        from publicity.notices.models import Notice

        from publicity.notices.services import rule_for

        kind = next((k for k in FINAL_NOTICE_KINDS if rule_for(campaign, k) is not None), None)
        if kind is None:
            return
        rule = rule_for(campaign, kind)
        apps = list(Application.objects.filter(campaign=campaign, state=State.PROPOSED).order_by("pk"))
        self._notice(campaign, kind, Actor(user=self.users["secretariat"]), apps,
                     f"{campaign.program.name}{campaign.name}{Notice.Kind(kind).label}",
                     length=None if rule.min_length else DEFAULT_NOTICE_LENGTH)

    def _authority_notice(self, campaign, authority):
        """A bureau's past notice of its intended recommendation (the window is over, nothing was objected)."""
        from publicity.notices.models import Notice

        _program, days_ago, length = AUTHORITY_NOTICE
        assignment = authority.role_assignments.filter(role=Role.AUTHORITY, program=campaign.program).first()
        apps = list(Application.objects.filter(campaign=campaign, state=State.SUBMITTED,
                                               organization__isnull=False).order_by("pk")[:1])
        self._notice(campaign, Notice.Kind.AUTHORITY, Actor(user=authority), apps,
                     f"{assignment.unit_name}关于{campaign.program.name}拟推荐名单的公示", region=assignment.region,
                     days_ago=days_ago, length=length)

    def _objection(self, campaign):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from demo.content import jpeg_bytes, pdf_bytes
        from publicity.notices.models import Notice
        from publicity.objections import services as objections

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

    def _committee_vote(self, campaign):
        """An open committee vote on the candidates before the committee, for the committee member to try."""
        from review.committee.models import VoteSession
        from review.committee.services import open_session

        candidates = list(Application.objects.filter(campaign=campaign, state=State.COMMITTEE).order_by("pk"))
        if not candidates or VoteSession.objects.filter(campaign=campaign, closed_at__isnull=True).exists():
            return
        tier = campaign.program.profile.tiers.order_by("order").first()
        open_session(campaign=campaign, actor=Actor(user=self.users["secretariat"]),
                     title=f"{campaign} 评委会全体会议表决", candidates=[(app, tier) for app in candidates])
        self.created.append(f"评委会表决（{len(candidates)} 个候选）")

    # --- output --------------------------------------------------------------------------------------
    def _progress(self, program, created, seconds, ended=False):
        apps = Application.objects.filter(campaign=self.campaigns[program.code])
        if ended:  # of this round and of the round before (``_round_for``)
            current = self.campaigns[program.code]
            apps = Application.objects.filter(
                campaign__program=program, state__in=ENDED_STATES,
                campaign__year__in=[current.year, current.year - (program.profile.cycle_years or 1)])
            what = f"新建 {created} 项，用时 {seconds:.1f} 秒" if created else "已存在，未做更改"
            listed = _state_list(_counts(apps), program.profile)
            return f"{program.name}：未成功结束的申报 {apps.count()} 份（{listed}）；{what}。"
        panels = Panel.objects.filter(application__in=apps).count()
        what = f"新建 {created} 项，用时 {seconds:.1f} 秒" if created else "已存在，未做更改"
        current = self.campaigns[program.code]
        earlier = Application.objects.filter(
            campaign__program=program, campaign__year=current.year - (program.profile.cycle_years or 1)).exclude(
            state__in=ENDED_STATES)
        before = ""
        if earlier.exists():  # ``_round_for``: the stages after the committee that the year's seats cannot hold
            before = (f"；上一届（{earlier.first().campaign.name}）{earlier.count()} 份"
                      f"（{_state_list(_counts(earlier), program.profile)}）")
        listed = _state_list(_counts(apps), program.profile)
        return (f"{program.name}：{apps.count()} 份申报（{listed}），评审组 {panels} 个{before}；"
                f"{what}。")

    def _logins(self):
        """Every demo account with what it sees, grouped by role, from the data as it now is."""
        from review.panels.models import Pledge

        rows = []
        usernames = ([spec.username for spec in USERS] + [a.username for d in PROGRAMS.values() for a in d.authorities]
                     + [OTHER_UNIT.username] + [e[0] for e in DEMO_EXPERTS + EXTRA_EXPERTS])
        prefixes = [p.number_prefix.lower() for p in Program.objects.filter(code__in=PROGRAMS)]
        users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        users |= {u.username: u for u in User.objects.filter(role_assignments__role=Role.APPLICANT).distinct()
                  if u.username[:2] in prefixes and u.username[2:].isdigit()}
        for username in sorted(users, key=lambda n: (n[:2] not in prefixes, n)):
            user = users[username]
            roles = set(user.role_assignments.values_list("role", flat=True))
            role = next((r for r in ROLE_ORDER if r in roles), Role.APPLICANT)
            rows.append(Login(role, username, self._who(user, role), self._sees(user, role, Pledge)))
        order = {r: i for i, r in enumerate(ROLE_ORDER)}
        first = {"applicant": 0, "applicant2": 1, "expert": 0}
        return sorted(rows, key=lambda r: (order[r.role], first.get(r.username, 9), r.username))

    @staticmethod
    def _who(user, role):
        if role == Role.APPLICANT:
            orgs = list(user.organizations.values_list("name", flat=True)) if hasattr(user, "organizations") else []
            return f"{user.full_name}（{orgs[0]}）" if len(orgs) == 1 else user.full_name
        units = sorted({a.unit_name for a in user.role_assignments.all() if a.unit_name})
        return f"{user.full_name}（{'、'.join(units) or user.employer}）"

    def _sees(self, user, role, Pledge):
        programs = {a.program.short_name for a in user.role_assignments.select_related("program") if a.program}
        names = "、".join(sorted(programs))
        if role == Role.APPLICANT:
            apps = Application.objects.filter(owner=user) | Application.objects.filter(
                organization__members=user)
            apps = apps.distinct().select_related("campaign__program").order_by("campaign__program_id", "pk")
            return "；".join(f"{a.campaign.program.short_name}：{a.applicant_name}（{a.get_state_display()}）"
                            for a in apps) or "可为所属单位新建申报"
        if role == Role.AUTHORITY:
            from django.db.models import Q

            scopes = [a for a in user.role_assignments.all() if a.role == Role.AUTHORITY]
            units = [a.recommending_unit_id for a in scopes if a.recommending_unit_id]
            if units:  # 附件3: the applications that name the unit as their route, from any region
                from applications.recommenders import routed_through_q

                counts = _counts(Application.objects.filter(routed_through_q(units),
                                                            campaign__program__code__in=self.campaigns))
                return (f"{names}：经本单位申报（{_state_list(counts) or '暂无'}）；"
                        f"待初审推荐 {counts.get(State.SUBMITTED, 0)} 份")
            from applications.recommenders import through_other_unit_q

            regions = [a.region_id for a in scopes]
            area = Application.objects.filter(
                Q(region_id__in=regions) | Q(region__parent_id__in=regions), campaign__program__code__in=self.campaigns,
                campaign__program_id__in=[a.program_id for a in scopes])
            counts = _counts(area.exclude(through_other_unit_q()))
            filed = area.filter(through_other_unit_q()).count()  # 通知三: it only receives their filing (报备)
            return (f"{names}：本地区申报（{_state_list(counts) or '暂无'}）；待初审推荐 {counts.get(State.SUBMITTED, 0)} 份"
                    + (f"；经其他推荐单位申报的报备 {filed} 份" if filed else ""))
        if role == Role.SECRETARIAT:
            counts = _counts(Application.objects.filter(campaign__program__code__in=self.campaigns))
            waiting = counts.get(State.RECOMMENDED, 0) + counts.get(State.ELIGIBILITY_REVIEW, 0)
            return (f"{len(programs)} 个奖项（{names}）的秘书处：待资格审核 {waiting} 份、"
                    f"评审中 {counts.get(State.MATERIAL_REVIEW, 0) + counts.get(State.ONSITE_REVIEW, 0)} 份、"
                    f"待登记审定 {sum(counts.get(s, 0) for s in workflow.DECISION_STATES)} 份；公示、异议登记簿、专家抽取、管理后台")
        if role == Role.EXPERT:
            seats = PanelMember.objects.filter(expert=user).exclude(role=PanelMember.Role.RESERVE)
            signed = Pledge.objects.filter(expert=user).count()
            reserve = PanelMember.objects.filter(expert=user, role=PanelMember.Role.RESERVE).count()
            return (f"评审任务 {seats.count()} 个（已签承诺书 {signed} 个，待签 {seats.count() - signed} 个）"
                    + (f"，备选 {reserve} 个" if reserve else "") if seats.exists() or reserve else "专家库成员，暂无评审任务")
        if role == Role.COMMITTEE:
            n = Application.objects.filter(campaign__in=self.campaigns.values(), state=State.COMMITTEE).count()
            return f"{names}评委会：表决中的候选 {n} 个"
        if role == Role.SUPERVISOR:
            return "全部奖项各阶段申报数量、专家抽取记录、评分和排名，只读"
        return "系统管理：管理后台（超级用户）"

    def _print_logins(self, logins):
        self.stdout.write("")
        self.stdout.write(f"演示账号（登录地址 /accounts/login/，密码均为 {PASSWORD}），按角色：")
        current = None
        width = max(display_width(r.username) for r in logins)
        for row in logins:
            if row.role != current:
                current = row.role
                self.stdout.write(f"【{Role(row.role).label}】")
            self.stdout.write(f"  {pad(row.username, width)}  {row.who} — {row.sees}")


def readme_markdown(logins):
    """The README's table of demo logins: what ``load_demo`` prints, as markdown."""
    lines = ["| 角色 | 用户名 | 姓名（单位） | 登录后可见 |", "|---|---|---|---|"]
    current = None
    for row in logins:
        label = Role(row.role).label if row.role != current else ""
        current = row.role
        lines.append(f"| {label} | `{row.username}` | {row.who} | {row.sees} |")
    return "\n".join(lines) + "\n"
