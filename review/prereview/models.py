"""Expert panels and recusals: the relationships that give (and take away) an expert's access;
and the recommending authority's pre-review records (see the second half of this module)."""
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.functional import cached_property

from applications.models import Application, DepartmentOpinionRule, Submission
from applications.recommenders import signing_unit_name


# =====================================================================================================
# Pre-review by the recommending authority (推荐单位初审): the bureau's checklist, returns with
# per-section reasons, department opinions, its publicity, the signed initial opinion (五 初审推荐意见)
# and the city government's recommendation opinion. Services: ``review.prereview``.
# =====================================================================================================
class SectionCheck(models.Model):
    """The bureau's verification of one section of one submitted version (a working draft)."""

    class Verdict(models.TextChoices):
        UNCHECKED = "", "未核实"
        OK = "ok", "无问题"
        PROBLEM = "problem", "有问题"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="section_checks",
                                   verbose_name="提交版本")
    section = models.CharField("部分", max_length=40)
    verdict = models.CharField("核实结果", max_length=10, choices=Verdict.choices, blank=True)
    note = models.TextField("核实说明", blank=True, max_length=2000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField("保存时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "材料核实记录"
        constraints = [models.UniqueConstraint(fields=["submission", "section"], name="one_check_per_section")]

    def __str__(self):
        return f"{self.submission} · {self.section} · {self.get_verdict_display()}"


class ReturnRequest(models.Model):
    """One return for correction, naming the sections to correct and why (shown to the applicant)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="return_requests",
                                    verbose_name="申报")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="return_requests",
                                   verbose_name="被退回的提交版本")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="退回人")
    created_at = models.DateTimeField("退回时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "退回修改记录"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.application} 退回修改（第{self.submission.sequence}次提交）"


class ReturnedSection(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField("部分", max_length=40)
    title = models.CharField("部分名称", max_length=80)
    reason = models.TextField("修改要求", max_length=2000)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "退回修改的部分"
        ordering = ["request", "order"]
        constraints = [models.UniqueConstraint(fields=["request", "code"], name="one_reason_per_section")]

    def __str__(self):
        return f"{self.title}：{self.reason[:30]}"


class UploadedScan(models.Model):
    """A file checked by ``applications.uploads.inspect_upload`` (PDF or JPG), stored privately."""

    file = models.FileField("文件", upload_to="prereview/%Y/%m/", blank=True)
    original_name = models.CharField("文件名", max_length=120, blank=True)
    content_type = models.CharField("类型", max_length=40, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    pages = models.PositiveIntegerField("页数", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)

    class Meta:
        abstract = True


class DepartmentOpinion(UploadedScan):
    """The opinion of one department consulted about one application: by the bureau in its pre-review, or by
    the secretariat before its eligibility review where the profile says so (``secretariat_consults_departments``)."""

    class Answer(models.TextChoices):
        PENDING = "pending", "未答复"
        NO_OBJECTION = "no_objection", "无异议"
        OBJECTION = "objection", "有异议"

    class ConsultedBy(models.TextChoices):
        AUTHORITY = "authority", "推荐单位"
        SECRETARIAT = "secretariat", "秘书处"
        EVALUATION = "evaluation", "秘书处（专家评估后）"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="department_opinions",
                                    verbose_name="申报")
    consulted_by = models.CharField(
        "征求单位", max_length=20, choices=ConsultedBy.choices, default=ConsultedBy.AUTHORITY,
        help_text="推荐单位初审时征求（000 五 初审推荐意见），秘书处资格审查前征求（息县 第十七条，巩义 第十七条（三）），"
                  "或秘书处在专家评估后、公示前征求（000 五（五））")
    rule = models.ForeignKey(DepartmentOpinionRule, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name="依据的征求意见规则")
    department = models.CharField("部门", max_length=40)
    asked_on = models.DateField("征求日期")
    answer = models.CharField("答复", max_length=20, choices=Answer.choices, default=Answer.PENDING)
    content = models.TextField("意见内容", blank=True, max_length=2000)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name="部门联系人（临时查阅）")
    reader_revoked_at = models.DateTimeField("查阅授权收回时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门意见"
        ordering = ["application", "rule__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "consulted_by", "department"],
                                    name="one_opinion_per_department_and_consulter"),
            models.CheckConstraint(
                condition=Q(answer="pending") | Q(answered_on__isnull=False), name="answered_opinion_has_date"),
            models.CheckConstraint(
                condition=~Q(answer="objection") | ~Q(content=""), name="objection_has_content"),
        ]

    def __str__(self):
        return f"{self.application} · {self.department}：{self.get_answer_display()}"

    @property
    def answered(self):
        return self.answer != self.Answer.PENDING


class AuthorityPublicity(models.Model):
    """The bureau's publicity of an applicant it intends to recommend (五（三）公示情况)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="authority_publicity",
                                       verbose_name="申报")
    starts_on = models.DateField("公示开始日期")
    ends_on = models.DateField("公示结束日期")
    channel = models.CharField("公示途径", max_length=200, help_text="如：郑州市市场监督管理局门户网站")
    objections_received = models.PositiveSmallIntegerField("收到异议（件）", default=0)
    objections_summary = models.TextField("异议内容摘要", blank=True, max_length=2000)
    handling = models.TextField("异议处理情况", blank=True, max_length=2000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("登记时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "推荐单位公示记录"
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="publicity_dates_in_order"),
            models.CheckConstraint(condition=Q(objections_received=0) | ~Q(handling=""),
                                   name="objections_have_handling"),
        ]

    def __str__(self):
        return f"{self.application} 公示 {self.starts_on}—{self.ends_on}"


class SignedOpinionImmutable(ValidationError):
    """A signed initial opinion is frozen: corrections are new signed versions."""


class InitialOpinionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(signed_at__isnull=False).exists():
            raise SignedOpinionImmutable("已签署的初审意见不能修改。如需更正，请起草更正版本并重新签署。")
        return super().update(**kwargs)

    def signed(self):
        return self.filter(signed_at__isnull=False)


class InitialOpinion(models.Model):
    """五 初审推荐意见, by the recommending authority. A draft is edited freely; signing stores the
    exact text, its SHA-256, the signer and the time, and freezes the row (``save`` refuses, a
    database trigger refuses an UPDATE). A correction is a new version that ``supersedes`` the old."""

    #: The four parts as 000 附件1 五 prints them (an organization's form).
    PARTS = [
        ("verification", "一、材料核实情况"),
        ("consultation", "二、征求相关部门意见情况"),
        ("publicity", "三、推荐组织和本部门公示情况"),
        ("opinion", "四、初审意见"),
    ]
    #: 000 附件2 五 (an individual's form): part 三 is the bureau's own publicity only (the unit's own is in
    #: 四 所在单位申报意见).
    PARTS_INDIVIDUAL = [
        ("verification", "一、材料核实情况"),
        ("consultation", "二、征求相关部门意见情况"),
        ("publicity", "三、本部门公示情况"),
        ("opinion", "四、初审意见"),
    ]

    @classmethod
    def parts_for(cls, kind):
        """The parts' (key, label) as the application's form prints them."""
        return cls.PARTS_INDIVIDUAL if kind == Application.Kind.INDIVIDUAL else cls.PARTS

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="initial_opinions",
                                    verbose_name="申报")
    version = models.PositiveSmallIntegerField("版本")
    supersedes = models.OneToOneField("self", on_delete=models.RESTRICT, null=True, blank=True,
                                      related_name="superseded_by", verbose_name="更正的版本")
    verification = models.TextField("材料核实情况", blank=True, max_length=3000)
    consultation = models.TextField("征求相关部门意见情况", blank=True, max_length=3000)
    publicity = models.TextField("公示情况", blank=True, max_length=3000)
    opinion = models.TextField("初审意见", blank=True, max_length=3000)
    submission = models.ForeignKey(Submission, on_delete=models.RESTRICT, null=True, blank=True,
                                   related_name="+", verbose_name="核实的提交版本")
    text = models.TextField("签署文本", blank=True)
    text_sha256 = models.CharField("签署文本 SHA-256", max_length=64, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="签署人")
    signed_at = models.DateTimeField("签署时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = InitialOpinionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "初审意见"
        ordering = ["application", "version"]
        constraints = [
            models.UniqueConstraint(fields=["application", "version"], name="unique_opinion_version"),
            models.UniqueConstraint(fields=["application"], condition=Q(signed_at__isnull=True),
                                    name="one_opinion_draft"),
            models.CheckConstraint(
                condition=(Q(signed_at__isnull=True, signed_by__isnull=True, text_sha256="", text="")
                           | (Q(signed_at__isnull=False, signed_by__isnull=False, submission__isnull=False)
                              & Exact(Length("text_sha256"), 64))),
                name="signed_opinion_is_complete",
            ),
        ]

    def __str__(self):
        return f"{self.application} 初审意见 第{self.version}版{'（已签署）' if self.is_signed else '（草稿）'}"

    @property
    def is_signed(self):
        return self.signed_at is not None

    @cached_property
    def signing_unit(self):
        """The unit whose seal the signed opinion carries (None for a draft or where it cannot be told)."""
        return signing_unit_name(self.application, self.signed_by) if self.is_signed else None

    def parts(self):
        return [(label, getattr(self, key)) for key, label in self.parts_for(self.application.kind)]

    def compose_text(self, parts=None):
        """The exact text that is signed: the four parts with their headings, LF line ends."""
        parts = parts or self.parts_for(self.application.kind)
        blocks = [f"{label}\n{(getattr(self, key) or '').strip()}" for key, label in parts]
        return "\n\n".join(blocks).replace("\r\n", "\n")

    @staticmethod
    def digest(text):
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def verify(self):
        """True when the stored hash still matches the stored text (and the text the parts)."""
        # an individual's opinion signed before part 三 followed 附件2 carries the organization's headings
        return bool(self.is_signed and self.text in (self.compose_text(), self.compose_text(self.PARTS))
                    and self.text_sha256 == self.digest(self.text))

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("signed_at", flat=True).first()
            if stored is not None:
                raise SignedOpinionImmutable(
                    f"第{self.version}版初审意见已于 {stored:%Y-%m-%d %H:%M} 签署，不能修改。如需更正，请起草更正版本并重新签署。")
        if self.is_signed and (self.text not in (self.compose_text(), self.compose_text(self.PARTS))
                               or self.text_sha256 != self.digest(self.text)):
            raise ValidationError("签署文本与摘要不一致，未保存。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_signed:
            raise SignedOpinionImmutable("已签署的初审意见不能删除。")
        return super().delete(*args, **kwargs)


class GovernmentOpinion(UploadedScan):
    """所在地市级人民政府推荐意见: the sealed scan and its date. Each upload is kept; the latest counts."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="government_opinions",
                                    verbose_name="申报")
    issued_on = models.DateField("落款日期")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "市级人民政府推荐意见"
        ordering = ["application", "-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.application} 市级人民政府推荐意见（{self.issued_on}）"




class CandidatePoolEntry(models.Model):
    """One entry of the list recommenders select from (全国质量标杆 通知三: “在历年河南省质量标杆（含2020年向省
    工业和信息化厅推荐的质量标杆）中筛选和推荐上报”), kept by the program's secretariat (import or page)."""

    class Status(models.TextChoices):
        RECOGNISED = "recognised", "已认定"
        RECOMMENDED = "recommended", "当年已向省级主管部门推荐"

    program = models.ForeignKey("applications.Program", on_delete=models.CASCADE, related_name="candidate_pool",
                                verbose_name="奖项")
    name = models.CharField("单位名称", max_length=120)
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    year = models.PositiveSmallIntegerField("认定（推荐）年度")
    title = models.CharField("项目（质量标杆名称）", max_length=200)
    status = models.CharField("类别", max_length=20, choices=Status.choices, default=Status.RECOGNISED)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "推荐对象名单（历年质量标杆）"
        ordering = ["program", "-year", "name"]
        constraints = [models.UniqueConstraint(fields=["program", "credit_code", "year"],
                                               name="unique_pool_entry_per_year")]

    def __str__(self):
        return f"{self.year} {self.name}：{self.title}"
