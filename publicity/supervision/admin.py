"""The supervision group's records in the admin, read-only (they are written through the supervision pages and
audited there). Reports to the 监督组 stay out of the secretariat's admin (a report may concern it); the
supervision reports on a campaign are sent to the secretariat and it reads them here too."""
from django.contrib import admin

from applications.admin import SecretariatScopedAdmin
from review.admin import _ReadOnlyAdmin

from .models import CampaignSupervisionReport, CampaignSupervisionReportFile, SupervisionReport, SupervisionReportFile


class SupervisionReportFileInline(admin.TabularInline):
    model = SupervisionReportFile
    extra = 0
    can_delete = False
    fields = readonly_fields = ["original_name", "content_type", "size", "sha256", "uploaded_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SupervisionReport)
class SupervisionReportAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "program"
    list_display = ["receipt_number", "program", "campaign", "subject", "reporter_name", "received_at", "status",
                    "conclusion", "handled_on"]
    list_filter = ["program", "status", "conclusion"]
    search_fields = ["receipt_number", "subject", "reporter_name"]
    inlines = [SupervisionReportFileInline]


class CampaignSupervisionReportFileInline(admin.StackedInline):
    model = CampaignSupervisionReportFile
    extra = 0
    can_delete = False
    fields = readonly_fields = ["original_name", "content_type", "size", "sha256", "uploaded_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CampaignSupervisionReport)
class CampaignSupervisionReportAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "campaign__program"
    secretariat_views = True
    list_display = ["title", "campaign", "written_by", "sent_at"]
    list_filter = ["campaign__program"]
    inlines = [CampaignSupervisionReportFileInline]
