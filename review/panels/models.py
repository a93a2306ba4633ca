"""The expert pool (评审专家库), the witnessed random draws that seat panels, and each seated
expert's confidentiality pledge (承诺书) with the conflicts declared before seeing an application.
Services and selectors: ``review.panels.services``. Imported by ``review.models``."""
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from applications.models import Application, Campaign
from qualityaward.accounts.identifiers import validate_credit_code
from qualityaward.accounts.models import Region


class Panel(models.Model):
    class Stage(models.TextChoices):
        MATERIAL = "material", "材料评审"
        ONSITE = "onsite", "现场评审"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="panels",
                                    verbose_name="申报")
    stage = models.CharField("评审阶段", max_length=10, choices=Stage.choices)
    created_at = models.DateTimeField("组建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审组"
        constraints = [models.UniqueConstraint(fields=["application", "stage"], name="one_panel_per_stage")]

    def __str__(self):
        return f"{self.application} · {self.get_stage_display()}"


class PanelMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", "组长"
        MEMBER = "member", "组员"
        RESERVE = "reserve", "备选"

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats")
    role = models.CharField("角色", max_length=10, choices=Role.choices, default=Role.MEMBER)
    draw = models.ForeignKey("review.PanelDraw", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="seats", verbose_name="抽取记录")
    joined_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审组成员"
        constraints = [
            models.UniqueConstraint(fields=["panel", "expert"], name="one_seat_per_expert"),
            models.UniqueConstraint(fields=["panel"], condition=Q(role="leader"), name="one_leader_per_panel"),
        ]

    def __str__(self):
        return f"{self.expert}（{self.get_role_display()}）"


class Recusal(models.Model):
    """A person who must not see or act on an application (declared conflict, relationship): 息县 第十条
    “与申报单位（组织）存在利害关系的，应当回避”, 巩义 第十八条 “与申请组织有利害关系的评审员、工作人员应当回避”.

    ``kind`` says in which capacity the person stepped aside: an expert (through the pledge), or a member of the
    program's secretariat or of the recommending authority (declared on the application page). Whatever the kind,
    the recusal vetoes the person's panel seat, grants and staff roles on this application (``panels.rules``) and
    every transition (``applications.workflow``); it outranks any grant. It is never withdrawn in the portal."""

    class Kind(models.TextChoices):
        EXPERT = "expert", "评审专家"
        SECRETARIAT = "secretariat", "秘书处工作人员"
        AUTHORITY = "authority", "推荐单位工作人员"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="recusals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recusals")
    kind = models.CharField("回避人员身份", max_length=20, choices=Kind.choices, default=Kind.EXPERT)
    reason = models.CharField("回避事由", max_length=200)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避记录"
        constraints = [models.UniqueConstraint(fields=["application", "user"], name="one_recusal_per_user")]

    def __str__(self):
        return f"{self.user} 回避 {self.application}"


class ExpertProfile(models.Model):
    """One expert of the pool, linked to the account the expert signs in with (role 评审专家)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_profile",
                                verbose_name="登录账号")
    name = models.CharField("姓名", max_length=40)
    specialties = models.JSONField(
        "专业领域（行业）", default=list, blank=True,
        help_text="《国民经济行业分类》（GB/T 4754-2017）门类字母或大类代码，如 C、36")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在地区")
    employer = models.CharField("工作单位", max_length=120)
    employer_credit_code = models.CharField("工作单位统一社会信用代码", max_length=18, blank=True,
                                            validators=[validate_credit_code])
    title = models.CharField("职称", max_length=40, blank=True)
    phone = models.CharField("手机号", max_length=20, unique=True)
    email = models.EmailField("电子邮箱", blank=True)
    is_active = models.BooleanField("在库（可抽取）", default=True)
    note = models.TextField("备注", blank=True, max_length=1000)
    created_at = models.DateTimeField("入库时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审专家"
        ordering = ["pk"]
        indexes = [models.Index(fields=["is_active", "region"])]

    def __str__(self):
        return self.name

    def specialty_labels(self):
        from applications.classifications import industry_lookup

        out = []
        for code in self.specialties or []:
            item = industry_lookup(code)
            out.append(item.label if item else code)
        return out


class ExpertRelationship(models.Model):
    """A tie the expert declared with an organization: the draw excludes the expert from its applications."""

    class Kind(models.TextChoices):
        EMPLOYED = "employed", "现任或曾任职（近三年）"
        CONSULTING = "consulting", "咨询、辅导或培训服务"
        SHAREHOLDING = "shareholding", "持股或投资"
        RELATIVE = "relative", "近亲属在该单位任职"
        COMPETITOR = "competitor", "直接竞争关系"
        OTHER = "other", "其他利害关系"

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="relationships",
                               verbose_name="专家")
    organization_name = models.CharField("单位名称", max_length=120)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code])
    kind = models.CharField("关系类型", max_length=20, choices=Kind.choices)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家申报的关联单位"
        ordering = ["expert", "pk"]

    def __str__(self):
        return f"{self.expert} — {self.organization_name}（{self.get_kind_display()}）"


class PanelDraw(models.Model):
    """One witnessed random draw: the candidate pool, every exclusion with its reason, the seed and the
    result. ``random.Random(seed)`` over the pool sorted by expert id gives the same result again."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "组建评审组"
        REPLACEMENT = "replacement", "补充抽取（回避替换）"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="panel_draws", verbose_name="届次")
    stage = models.CharField("评审阶段", max_length=10, choices=[("material", "材料评审"), ("onsite", "现场评审")])
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.INITIAL)
    number = models.PositiveIntegerField("抽取序号")
    applications = models.ManyToManyField(Application, related_name="panel_draws", verbose_name="申报")
    industry_codes = models.JSONField("行业（门类/大类）", default=list)
    size = models.PositiveSmallIntegerField("评审组人数")
    reserve_count = models.PositiveSmallIntegerField("备选人数", default=0)
    exclude_same_region = models.BooleanField("排除与申报单位同一地区的专家", default=False)
    seed = models.CharField("随机种子", max_length=40, blank=True, help_text="从备选专家中递补时为空")
    pool = models.JSONField("候选专家", default=list, help_text="[{id, name, match}]，按专家编号排序")
    exclusions = models.JSONField("排除的专家及原因", default=list, help_text="[{id, name, reasons}]")
    result = models.JSONField("抽取结果", default=dict, help_text="{leader, members, reserves}：专家编号")
    group = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replacements",
                              verbose_name="原抽取（补充抽取时）")
    replaced_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name="被替换的专家")
    replacement_reason = models.CharField("替换原因", max_length=200, blank=True)
    witness_name = models.CharField("监督人", max_length=40)
    witness = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name="监督人账号")
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="抽取人")
    performed_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家抽取记录"
        ordering = ["-performed_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="one_draw_number_per_campaign")]

    def __str__(self):
        return f"{self.campaign} 第{self.number}次专家抽取（{self.get_kind_display()}）"


PLEDGE_TEXT = """评审专家承诺书

本人受聘担任本次质量奖评审专家，郑重承诺：
一、严格遵守质量奖管理办法和评审工作纪律，依据评审标准独立、客观、公正地评审，不受任何单位和个人干预。
二、本人与所评审的申报单位（个人）不存在利害关系。存在下列情形之一的，本人已如实申报并主动回避：
  （一）本人现在或近三年内在申报单位任职、兼职，或为其提供咨询、辅导、培训等有偿服务；
  （二）本人或近亲属持有申报单位股份或在申报单位任职；
  （三）本人所在单位与申报单位存在隶属、投资或直接竞争关系；
  （四）其他可能影响公正评审的关系。
三、对评审中知悉的申报材料、商业秘密、评审意见和评审结果严格保密，不复制、不外传、不用于评审以外的任何用途。
四、不接受申报单位及相关人员的宴请、礼品、礼金和其他利益，不私下与申报单位接触。
五、评审中发现本人存在应当回避的情形时，立即报告秘书处并停止评审。
如有违反，本人愿意接受取消评审专家资格等处理，并承担相应责任。"""


class Pledge(models.Model):
    """What a seated expert declared for one panel before seeing anything but the applicant's name,
    region and industry: conflicts (a declared conflict means a recusal) and the pledge text accepted."""

    panel = models.ForeignKey("review.Panel", on_delete=models.CASCADE, related_name="pledges", verbose_name="评审组")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledges",
                               verbose_name="专家")
    conflict_declared = models.BooleanField("申报存在利害关系", default=False)
    conflict_detail = models.TextField("利害关系说明", blank=True, max_length=1000)
    text = models.TextField("承诺书文本")
    text_sha256 = models.CharField("承诺书文本 SHA-256", max_length=64)
    accepted_at = models.DateTimeField("签署时间", auto_now_add=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家承诺书"
        constraints = [
            models.UniqueConstraint(fields=["panel", "expert"], name="one_pledge_per_seat"),
            models.CheckConstraint(condition=Q(conflict_declared=False) | ~Q(conflict_detail=""),
                                   name="declared_conflict_is_described"),
        ]

    def __str__(self):
        return f"{self.expert} · {self.panel}{'（申报回避）' if self.conflict_declared else ''}"

    @staticmethod
    def digest(text):
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def clean(self):
        if self.text and self.text_sha256 != self.digest(self.text):
            raise ValidationError("承诺书文本与摘要不一致。")
