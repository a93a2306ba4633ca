"""Objections (异议) to a public notice, and how the secretariat handles them.

An objection is real-name: an individual signs with name, phone, address and an identity document;
a unit gives its name, address, phone and a sealed letter (息县办法第二十三条). The secretariat
investigates, may ask the applicant for an explanation, and answers in writing within the rule
profile's working days (第二十四条). Objector identities are seen by the program's secretariat and
supervisors only; the applicant sees the requests addressed to it, never who objected.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from applications.models import Application

from ..notices.models import Notice, NoticeItem


class Objection(models.Model):
    class ObjectorKind(models.TextChoices):
        INDIVIDUAL = "individual", "个人"
        UNIT = "unit", "单位"

    class Status(models.TextChoices):
        RECEIVED = "received", "已收到，待审查"
        INVESTIGATING = "investigating", "调查核实中"
        UNFOUNDED = "unfounded", "异议不成立"
        UPHELD = "upheld", "异议成立"
        INADMISSIBLE = "inadmissible", "不予受理"

    OPEN_STATUSES = (Status.RECEIVED, Status.INVESTIGATING)
    #: decisions after which the application continues
    RELEASING_STATUSES = (Status.UNFOUNDED, Status.INADMISSIBLE)

    receipt_number = models.CharField("受理编号", max_length=30, unique=True)
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections", verbose_name="公示")
    item = models.ForeignKey(NoticeItem, on_delete=models.PROTECT, related_name="objections", verbose_name="公示条目")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="objections",
                                    verbose_name="被异议的申报")
    # the objector (private: program secretariat and supervisors only)
    objector_kind = models.CharField("异议人类型", max_length=10, choices=ObjectorKind.choices)
    objector_name = models.CharField("异议人（姓名或单位名称）", max_length=120)
    contact_person = models.CharField("单位联系人", max_length=60, blank=True)
    phone = models.CharField("联系电话", max_length=30)
    address = models.CharField("通讯地址（住所）", max_length=200)
    email = models.EmailField("电子邮箱（接收书面答复）", blank=True)
    signature = models.CharField("签署姓名", max_length=60, blank=True)
    pledged = models.BooleanField("承诺所述属实", default=False)
    grounds = models.TextField("异议事由", max_length=5000)
    # receipt and deadline
    received_at = models.DateTimeField("收到时间")
    received_on = models.DateField("收到日期")
    answer_working_days = models.PositiveSmallIntegerField("答复时限（工作日）", null=True, blank=True,
                                                           help_text="收到时规则配置中的时限；空表示文件未规定")
    answer_deadline = models.DateTimeField("答复期限", null=True, blank=True)
    deadline_problem = models.CharField("期限无法计算的原因", max_length=300, blank=True)
    # handling
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.RECEIVED)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="办结人")
    finding = models.TextField("调查结论", blank=True, max_length=5000)
    answer_text = models.TextField("书面答复", blank=True, max_length=5000)
    answer_emailed_at = models.DateTimeField("书面答复邮件发送时间", null=True, blank=True)
    backfill_due = models.BooleanField("需递补", default=False)
    backfill_done_at = models.DateTimeField("递补办理时间", null=True, blank=True)
    backfill_note = models.CharField("递补办理情况", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "异议"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "answer_deadline"]), models.Index(fields=["notice", "application"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["received", "investigating"]) | Q(decided_at__isnull=False),
                name="decided_objection_has_time",
            ),
        ]

    def __str__(self):
        return f"异议 {self.receipt_number}"

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES


class ObjectionRequest(models.Model):
    """A request to the applicant for an explanation; the applicant answers on its application page."""

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="requests", verbose_name="异议")
    grounds = models.TextField("告知申报单位的异议事由", max_length=5000,
                               help_text="不得包含异议人的姓名、单位、联系方式等身份信息")
    question = models.TextField("请说明的事项", max_length=3000)
    reply_by = models.DateTimeField("答复截止", null=True, blank=True)
    created_at = models.DateTimeField("发出时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="发出人")
    reply_text = models.TextField("申报单位答复", blank=True, max_length=5000)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="答复人")

    class Meta:
        verbose_name = verbose_name_plural = "异议调查：请申报单位说明"
        ordering = ["objection", "created_at", "pk"]

    def __str__(self):
        return f"{self.objection} 请说明（{self.created_at:%Y-%m-%d}）"


class ObjectionFile(models.Model):
    class Kind(models.TextChoices):
        IDENTITY = "identity", "身份证明"
        SEALED_LETTER = "sealed_letter", "加盖公章的异议书"
        EVIDENCE = "evidence", "证明材料"
        REPLY = "reply", "申报单位说明材料"

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="files", verbose_name="异议")
    request = models.ForeignKey(ObjectionRequest, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="files", verbose_name="请说明事项")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    file = models.FileField("文件", upload_to="objections/%Y/%m/")
    original_name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    pages = models.PositiveIntegerField("页数", default=1)
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "异议材料"
        ordering = ["objection", "kind", "pk"]

    def __str__(self):
        return self.original_name


class ObjectionNote(models.Model):
    """An investigation note (internal to the secretariat and supervisors)."""

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="notes", verbose_name="异议")
    text = models.TextField("调查记录", max_length=5000)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="记录人")

    class Meta:
        verbose_name = verbose_name_plural = "异议调查记录"
        ordering = ["objection", "created_at", "pk"]

    def __str__(self):
        return f"{self.objection} 调查记录"


class ObjectionReminder(models.Model):
    """A deadline reminder sent once (the beat job records each, so a rerun sends nothing twice)."""

    class Kind(models.TextChoices):
        TWO_DAYS = "two_days", "剩 2 个工作日"
        DUE_DAY = "due_day", "今日到期"
        OVERDUE = "overdue", "已超期"

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="reminders", verbose_name="异议")
    kind = models.CharField("提醒", max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)
    recipients = models.JSONField("收件人", default=list)

    class Meta:
        verbose_name = verbose_name_plural = "异议答复期限提醒"
        ordering = ["objection", "sent_at"]
        constraints = [models.UniqueConstraint(fields=["objection", "kind"], name="one_objection_reminder_per_kind")]

    def __str__(self):
        return f"{self.objection} {self.get_kind_display()}"
