"""Reports to a program's supervision group (监督组) and what the group makes of them.

息县 第九条: the 监督组 (纪检监察人员、人大代表、政协委员) supervises the whole review. 第二十五条: anyone who
finds that the acceptance or review breaks laws, rules or discipline may report it to the 监督组; the 监督组
reports on its supervision to the committee (评委会) and the secretariat (秘书处). A report is real-name like an
objection; only the program's supervisors read it (the secretariat may be what it is about).
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from applications.models import Campaign, Program

from ..objections.models import Objection


class SupervisionReport(models.Model):
    """A report (举报) received by the supervision group, with its finding."""

    class Status(models.TextChoices):
        RECEIVED = "received", "已收到，待办理"
        HANDLED = "handled", "已办结"

    class Conclusion(models.TextChoices):
        CONFIRMED = "confirmed", "情况属实"
        PARTLY = "partly", "部分属实"
        UNFOUNDED = "unfounded", "情况不属实"
        REFERRED = "referred", "已建议有权机关处理"
        OUT_OF_SCOPE = "out_of_scope", "不属于监督组职责范围，已告知反映渠道"

    receipt_number = models.CharField("受理编号", max_length=30, unique=True)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="supervision_reports",
                                verbose_name="奖项")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="supervision_reports", verbose_name="届次")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="supervision_reports", verbose_name="举报人账号")
    # the reporter, by real name (the program's supervisors only)
    reporter_kind = models.CharField("举报人类型", max_length=10, choices=Objection.ObjectorKind.choices)
    reporter_name = models.CharField("举报人（姓名或单位名称）", max_length=120)
    contact_person = models.CharField("单位联系人", max_length=60, blank=True)
    phone = models.CharField("联系电话", max_length=30)
    address = models.CharField("通讯地址（住所）", max_length=200)
    email = models.EmailField("电子邮箱", blank=True)
    signature = models.CharField("签署姓名", max_length=60, blank=True)
    pledged = models.BooleanField("承诺所述属实", default=False)
    subject = models.CharField("举报对象（单位、人员或环节）", max_length=200)
    content = models.TextField("举报内容", max_length=5000)
    received_at = models.DateTimeField("收到时间")
    # the supervision group's finding
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.RECEIVED)
    finding = models.TextField("调查核实情况", blank=True, max_length=5000)
    conclusion = models.CharField("结论", max_length=20, choices=Conclusion.choices, blank=True)
    handled_on = models.DateField("办结日期", null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="办理人")

    class Meta:
        verbose_name = verbose_name_plural = "监督组举报"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["program", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(status="received") | (Q(handled_on__isnull=False) & ~Q(conclusion="")),
                                   name="handled_report_has_finding"),
        ]

    def __str__(self):
        return f"举报 {self.receipt_number}"

    @property
    def is_open(self):
        return self.status == self.Status.RECEIVED


class CheckedFile(models.Model):
    """An uploaded file judged by content (``applications.forms.uploads.inspect_upload``), served only by a view
    that checks who asks."""

    file = models.FileField("文件", upload_to="supervision/%Y/%m/")
    original_name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name


class SupervisionReportFile(CheckedFile):
    report = models.ForeignKey(SupervisionReport, on_delete=models.CASCADE, related_name="files",
                               verbose_name="举报")

    class Meta:
        verbose_name = verbose_name_plural = "举报证明材料"
        ordering = ["report", "pk"]


class CampaignSupervisionReport(models.Model):
    """The supervision group's report on a campaign's review, sent to the committee and the secretariat
    (息县 第二十五条 “监督组应当向评委会及秘书处报告监督情况”)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="campaign_supervision_reports",
                                 verbose_name="届次")
    title = models.CharField("标题", max_length=120)
    text = models.TextField("监督情况", max_length=20000)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="报告人")
    sent_at = models.DateTimeField("报送时间")
    recipients = models.JSONField("邮件通知", default=list)

    class Meta:
        verbose_name = verbose_name_plural = "监督情况报告"
        ordering = ["campaign", "-sent_at", "-pk"]

    def __str__(self):
        return self.title


class CampaignSupervisionReportFile(CheckedFile):
    report = models.OneToOneField(CampaignSupervisionReport, on_delete=models.CASCADE, related_name="document",
                                  verbose_name="监督情况报告")

    class Meta:
        verbose_name = verbose_name_plural = "监督情况报告文件"
