"""The working-day calendar in the admin: the secretariat enters a year's holidays and 调休 working days
when the State Council publishes them (before the package knows the year), or corrects a day."""
from django.contrib import admin, messages

from applications.admin import SecretariatScopedAdmin

from . import workdays
from .notices.models import CalendarOverride, CalendarYear, Notice, NoticeItem
from .notices.selectors import can_edit_calendar


class SecretariatCalendarAdmin(admin.ModelAdmin):
    """Open to every secretariat member (the calendar is shared by all programs) and to superusers."""

    def _allowed(self, request):
        return can_edit_calendar(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


@admin.register(CalendarYear)
class CalendarYearAdmin(SecretariatCalendarAdmin):
    list_display = ["year", "confirmed", "source", "package_knows", "override_count", "updated_at"]
    list_filter = ["confirmed"]
    fields = ["year", "confirmed", "source"]

    @admin.display(description="系统内置日历是否已收录")
    def package_knows(self, obj):
        return "已收录" if workdays.package_knows(obj.year) else "未收录（须在下表录入全年安排）"

    @admin.display(description="已录入的调整日数")
    def override_count(self, obj):
        return CalendarOverride.objects.filter(date__year=obj.year).count()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.confirmed and not CalendarOverride.objects.filter(date__year=obj.year).exists():
            messages.warning(request, f"{obj.year} 年已标记为“已录入全年安排”，但尚未录入任何节假日或调休上班日。"
                                      "未录入的日期将按周一至周五上班、周末休息计算，请核对。")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(SecretariatCalendarAdmin):
    list_display = ["date", "weekday", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["note"]
    fields = ["date", "is_working_day", "note"]

    @admin.display(description="星期")
    def weekday(self, obj):
        return f"星期{'一二三四五六日'[obj.date.weekday()]}"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        affected = Notice.objects.filter(status__in=[Notice.Status.SCHEDULED, Notice.Status.OPEN],
                                         opens_at__date__lte=obj.date, last_day__gte=obj.date).count()
        if affected:
            messages.warning(request, f"有 {affected} 个已确定发布或公示中的公示跨越 {workdays.format_day(obj.date)}。"
                                      "这些公示的公示期不会因此改变；尚未发布的如需按新日历计算，"
                                      "请撤回发布计划后重新确定发布时间，已发布的请发布更正公示。")


class NoticeItemInline(admin.TabularInline):
    model = NoticeItem
    extra = 0
    can_delete = False
    fields = ["position", "name", "region_name", "industry", "tier", "open_note", "outcome", "blocked_reason",
              "settled_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(SecretariatScopedAdmin):
    """Read-only record; notices are composed and published on the publicity pages. A secretariat reads its
    programs' notices here."""

    program_path = "campaign__program"
    secretariat_views = True
    list_display = ["title", "kind", "campaign", "status", "opens_at", "last_day", "settled_at"]
    list_filter = ["status", "kind", "campaign__program"]
    search_fields = ["title"]
    inlines = [NoticeItemInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from .supervision import admin as supervision_admin  # noqa: E402,F401  registers the supervision group's records
