"""Public notices (公示), their items, and the working-day calendar overrides.

Objections to a notice live beside these models (added by the objection module). Windows are
computed by ``publicity.workdays``; the stored ``closes_at`` is what beat acts on.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from applications.models import AcceptanceList, Application, Campaign, PublicityRule
from qualityaward.accounts.models import Region


class CalendarYear(models.Model):
    """A year whose holiday schedule the secretariat entered by hand (the package does not know it yet)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    confirmed = models.BooleanField("已录入全年安排", default=False,
                                    help_text="已按国务院办公厅通知把该年全部节假日和调休上班日录入下表后勾选")
    source = models.CharField("依据", max_length=200, blank=True, help_text="如：国办发明电〔2026〕X号")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日日历年度"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} 年（{'已录入' if self.confirmed else '未录入'}）"


class CalendarOverride(models.Model):
    """One day whose status differs from (or is missing in) the package; wins over the package."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是工作日")
    note = models.CharField("说明", max_length=100, blank=True, help_text="如：国庆节、调休上班")

    class Meta:
        verbose_name = verbose_name_plural = "工作日日历调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'工作日' if self.is_working_day else '休息日'} {self.note}".strip()


#: Once open, a notice's window and lines are frozen (a correction is a new notice).
FROZEN_STATUSES = ("open", "closed", "settled")
WINDOW_FIELDS = ("campaign_id", "kind", "window_length", "window_unit", "opens_at", "last_day", "closes_at")


class Notice(models.Model):
    """A public notice with a window. Its window cannot change once open: a correction is a new notice."""

    class Kind(models.TextChoices):
        INTERNAL = PublicityRule.Kind.INTERNAL.value, PublicityRule.Kind.INTERNAL.label
        AUTHORITY = PublicityRule.Kind.AUTHORITY.value, PublicityRule.Kind.AUTHORITY.label
        ACCEPTANCE = PublicityRule.Kind.ACCEPTANCE.value, PublicityRule.Kind.ACCEPTANCE.label
        CANDIDATES = PublicityRule.Kind.CANDIDATES.value, PublicityRule.Kind.CANDIDATES.label
        WINNERS = PublicityRule.Kind.WINNERS.value, PublicityRule.Kind.WINNERS.label
        DATABASE = PublicityRule.Kind.DATABASE.value, PublicityRule.Kind.DATABASE.label

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SCHEDULED = "scheduled", "待发布"
        OPEN = "open", "公示中"
        CLOSED = "closed", "已截止"
        SETTLED = "settled", "已办结"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="notices", verbose_name="届次")
    kind = models.CharField("公示类型", max_length=20, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", blank=True, max_length=20000)
    issuer = models.CharField("发布单位", max_length=120)
    contact = models.CharField("异议受理联系方式", max_length=300, blank=True)
    window_length = models.PositiveSmallIntegerField("公示时长")
    window_unit = models.CharField("时长单位", max_length=20, choices=PublicityRule.Unit.choices,
                                   default=PublicityRule.Unit.WORKING_DAYS)
    opens_at = models.DateTimeField("发布时间")
    last_day = models.DateField("公示截止日")
    closes_at = models.DateTimeField("截止时间", help_text="截止日 24:00")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="corrections", verbose_name="更正的公示")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    opened_at = models.DateTimeField("实际发布时间", null=True, blank=True)
    closed_at = models.DateTimeField("实际截止处理时间", null=True, blank=True)
    settled_at = models.DateTimeField("办结时间", null=True, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name="推荐单位所辖地区", help_text="推荐单位发布的公示才填写")
    acceptance_list = models.OneToOneField(AcceptanceList, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="notice", verbose_name="对应的受理名单")
    scheduled_at = models.DateTimeField("确定发布时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示"
        ordering = ["-opens_at", "-pk"]
        indexes = [models.Index(fields=["status", "opens_at"]), models.Index(fields=["status", "closes_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="notice_closes_after_open"),
            models.CheckConstraint(condition=Q(window_length__gte=1), name="notice_window_positive"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.closes_at and self.opens_at and self.closes_at <= self.opens_at:
            raise ValidationError({"opens_at": "公示截止时间须晚于发布时间。"})

    @property
    def is_frozen(self):
        return self.status in FROZEN_STATUSES

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values("status", *WINDOW_FIELDS).first()
            if stored and stored["status"] in FROZEN_STATUSES and any(
                    stored[name] != getattr(self, name) for name in WINDOW_FIELDS):
                raise ValidationError(f"公示“{self.title}”已发布，公示期不能再修改。如需更正，请发布更正公示。")
        super().save(*args, **kwargs)


class NoticeItem(models.Model):
    """An application on a notice, with the public fields frozen when the notice was written."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="items", verbose_name="公示")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="notice_items",
                                    verbose_name="申报")
    position = models.PositiveIntegerField("序号")
    name = models.CharField("名称", max_length=120)
    region_name = models.CharField("地区", max_length=60, blank=True)
    industry = models.CharField("行业", max_length=120, blank=True)
    tier = models.CharField("奖励等级", max_length=60, blank=True)
    # what the beat job did with this line (each step happens once; see publicity.services)
    opened_at = models.DateTimeField("发布处理时间", null=True, blank=True)
    open_note = models.CharField("发布处理结果", max_length=300, blank=True)
    settled_at = models.DateTimeField("办结时间", null=True, blank=True)
    outcome = models.CharField("公示结果", max_length=300, blank=True)
    blocked_reason = models.CharField("暂缓办结原因", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示条目"
        ordering = ["notice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "application"], name="one_item_per_application"),
            models.UniqueConstraint(fields=["notice", "position"], name="unique_item_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"

    def _refuse_if_frozen(self):
        status = Notice.objects.filter(pk=self.notice_id).values_list("status", flat=True).first()
        if status in FROZEN_STATUSES:
            raise ValidationError("该公示已发布，公示名单不能再修改。如需更正，请发布更正公示。")

    def save(self, *args, **kwargs):
        self._refuse_if_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_frozen()
        return super().delete(*args, **kwargs)


class InternalPublicity(models.Model):
    """The applicant's own internal publicity (申报单位内部公示): its period, where it was posted, the
    objections received, and a photo or scan of the posted notice as evidence."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="internal_publicity",
                                       verbose_name="申报")
    starts_on = models.DateField("公示开始日期")
    ends_on = models.DateField("公示结束日期")
    place = models.CharField("公示范围/地点", max_length=200, help_text="如：公司办公楼一楼公告栏、内部办公系统")
    objections_received = models.PositiveSmallIntegerField("收到异议（件）", default=0)
    handling = models.TextField("异议处理情况", blank=True, max_length=2000)
    file = models.FileField("公示证明材料", upload_to="internal_publicity/%Y/%m/")
    original_name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("登记时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "申报单位内部公示记录"
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")),
                                   name="internal_publicity_dates_in_order"),
            models.CheckConstraint(condition=Q(objections_received=0) | ~Q(handling=""),
                                   name="internal_objections_have_handling"),
        ]

    def __str__(self):
        return f"{self.application} 内部公示 {self.starts_on}—{self.ends_on}"
