"""Users, the roles they hold, the regions those roles are scoped to, and the audit trail."""
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .identifiers import mask_id_number, validate_credit_code, validate_id_number


class Region(models.Model):
    """An administrative unit with its GB/T 2260 code (or a stable internal code)."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "省辖市/示范区"
        COUNTY = "county", "县/县级市/区"
        TOWN = "town", "镇/街道"

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=40)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person using the portal. Roles are held through RoleAssignment rows, several at once."""

    full_name = models.CharField("姓名", max_length=60, blank=True)
    mobile = models.CharField("手机号", max_length=20, blank=True)
    employer = models.CharField("工作单位", max_length=120, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username

    @classmethod
    def email_in_use(cls, email, *, exclude=None):
        """Whether another account already has this e-mail address (case-insensitive)."""
        email = (email or "").strip()
        others = cls.objects.exclude(pk=exclude.pk) if exclude is not None and exclude.pk else cls.objects.all()
        return bool(email) and others.filter(email__iexact=email).exists()

    def clean(self):
        super().clean()
        if User.email_in_use(self.email, exclude=self):
            raise ValidationError({"email": "该邮箱已被其他账号使用，请换一个邮箱。每个账号须使用自己的邮箱。"})


class Role(models.TextChoices):
    APPLICANT = "applicant", "申报人"
    AUTHORITY = "authority", "推荐单位"
    SECRETARIAT = "secretariat", "秘书处"
    EXPERT = "expert", "评审专家"
    SUPERVISOR = "supervisor", "监督组"
    COMMITTEE = "committee", "评委会委员"
    ADMIN = "admin", "系统管理员"


class RoleAssignment(models.Model):
    """One role one person holds, scoped to a program and/or a region where the role needs it.

    authority: program required, and either a region (a city bureau for one program) or one of the program's other
    recommending units (``recommending_unit``: a 全国质量标杆 附件3 association, which recommends the applications that
    name it as their route, wherever they are);
    secretariat and committee: program required; supervisor: program optional (blank = all);
    applicant, expert, admin: unscoped.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    program = models.ForeignKey(
        "applications.Program", verbose_name="奖项", null=True, blank=True, on_delete=models.CASCADE
    )
    region = models.ForeignKey(Region, verbose_name="区域", null=True, blank=True, on_delete=models.PROTECT)
    recommending_unit = models.ForeignKey(
        "applications.RecommendingUnit", verbose_name="其他推荐单位（附件3）", null=True, blank=True,
        on_delete=models.PROTECT, related_name="role_assignments",
        help_text="仅用于推荐单位角色：代表文件附件所列的其他推荐单位（如中国机械工业联合会）办理通过该单位申报的初审和推荐；"
                  "选择后不填区域。")
    unit_name = models.CharField("所在单位", max_length=120, blank=True)
    created_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "角色"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "program", "region", "recommending_unit"],
                name="unique_role_scope_unit",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=~Q(role="authority") | (Q(program__isnull=False) & (
                    (Q(region__isnull=False) & Q(recommending_unit__isnull=True))
                    | (Q(region__isnull=True) & Q(recommending_unit__isnull=False)))),
                name="authority_needs_program_and_region_or_unit",
            ),
            models.CheckConstraint(
                condition=Q(role="authority") | Q(recommending_unit__isnull=True),
                name="only_authority_has_recommending_unit",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["secretariat", "committee"]) | Q(program__isnull=False),
                name="program_role_needs_program",
            ),
        ]

    def __str__(self):
        scope = " · ".join(str(x) for x in (self.program, self.region, self.recommending_unit) if x)
        return f"{self.get_role_display()}（{scope}）" if scope else self.get_role_display()

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.recommending_unit_id and self.role != Role.AUTHORITY:
            raise ValidationError({"recommending_unit": "其他推荐单位只能用于“推荐单位”角色，请清空或改选角色。"})
        if self.role == Role.AUTHORITY:
            if not self.program_id:
                raise ValidationError("推荐单位角色必须指定奖项。")
            if self.region_id and self.recommending_unit_id:
                raise ValidationError("推荐单位角色指定区域（地方主管部门）或其他推荐单位（附件3）二者之一，请清空其中一项。")
            if not (self.region_id or self.recommending_unit_id):
                raise ValidationError("推荐单位角色必须指定区域，或指定文件附件所列的其他推荐单位。")
            unit = self.recommending_unit
            if unit is not None and (unit.kind != "other" or unit.profile.program_id != self.program_id):
                raise ValidationError({"recommending_unit": f"“{unit.name}”不是所选奖项文件列出的其他推荐单位，"
                                                            "请选择该奖项附件所列的单位。"})
        if self.role in (Role.SECRETARIAT, Role.COMMITTEE) and not self.program_id:
            raise ValidationError("秘书处和评委会角色必须指定奖项。")


class Organization(models.Model):
    """An applicant organization; several user accounts may work on its applications."""

    name = models.CharField("组织全称（与公章一致）", max_length=120)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code])
    region = models.ForeignKey(Region, verbose_name="所在地区", on_delete=models.PROTECT)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="可编辑的账号", related_name="organizations", blank=True
    )
    contact_name = models.CharField("联系人", max_length=60, blank=True)
    contact_mobile = models.CharField("联系人手机", max_length=20, blank=True)
    contact_email = models.EmailField("联系人邮箱", blank=True)
    created_at = models.DateTimeField("注册时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "申报组织"

    def __str__(self):
        return self.name


class AuditEvent(models.Model):
    """Who did what to which object, when, from where: written in the same transaction as the change."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField("操作人（记录时）", max_length=80, blank=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=40, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField("对象", max_length=200, blank=True)
    from_state = models.CharField("原状态", max_length=30, blank=True)
    to_state = models.CharField("新状态", max_length=30, blank=True)
    reason = models.TextField("理由", blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    data = models.JSONField("附加信息", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class IndividualProfile(models.Model):
    """The identity of a person who applies in their own name (个人申报)."""

    class Gender(models.TextChoices):
        MALE = "male", "男"
        FEMALE = "female", "女"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE,
                                related_name="individual_profile")
    id_number = models.CharField("身份证号", max_length=18, unique=True, validators=[validate_id_number],
                                 help_text="个人信息：除本人和秘书处外一律脱敏显示。")
    birth_date = models.DateField("出生日期")
    gender = models.CharField("性别", max_length=10, choices=Gender.choices)
    employer = models.CharField("工作单位", max_length=120)
    region = models.ForeignKey(Region, verbose_name="所在地区", on_delete=models.PROTECT)
    created_at = models.DateTimeField("注册时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "个人申报人"

    def __str__(self):
        return f"{self.user}（{self.masked_id_number}）"

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)


class Invitation(models.Model):
    """A member of an organization invites a colleague by e-mail; the link carries ``token``."""

    organization = models.ForeignKey(Organization, verbose_name="申报组织", on_delete=models.CASCADE,
                                     related_name="invitations")
    email = models.EmailField("受邀邮箱")
    token = models.CharField("邀请码", max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="邀请人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="invitations_sent")
    created_at = models.DateTimeField("邀请时间", auto_now_add=True)
    accepted_at = models.DateTimeField("接受时间", null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接受账号", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="invitations_accepted")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织邀请"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.organization} → {self.email}"
